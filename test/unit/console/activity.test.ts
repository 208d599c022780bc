import { FunctionActivity } from '../../../local/console/activity';
import type { FunctionLogEvent } from '../../../local/lambda';

const line = (message: string, requestId?: string, timestamp = 1000): FunctionLogEvent => ({
  functionName: 'f',
  version: '$LATEST',
  logGroupName: '/aws/lambda/f',
  logStreamName: '2026/01/01/[$LATEST]abc',
  timestamp,
  message: `${message}\n`,
  ...(requestId ? { requestId } : {}),
});

describe('Class: FunctionActivity', () => {
  it('reads an invocation from the lines Lambda writes: duration, memory, init, its log lines', () => {
    // Prepare
    const changed: string[] = [];
    const activity = new FunctionActivity((name) => changed.push(name));
    // Act
    activity.onLog(line('INIT_START Runtime Version: nodejs22.twin'));
    activity.onLog(line('START RequestId: r1 Version: $LATEST', 'r1', 1000));
    activity.onLog(line('2026-01-01T00:00:00.000Z\tr1\tINFO\thello', 'r1', 1001));
    activity.onLog(line('END RequestId: r1', 'r1', 1010));
    activity.onLog(
      line(
        'REPORT RequestId: r1\tDuration: 9.50 ms\tBilled Duration: 10 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 120.00 ms\t',
        'r1',
        1010,
      ),
    );
    // Assess
    const { total, failed, invocations } = activity.of('f');
    expect({ total, failed }).toEqual({ total: 1, failed: 0 });
    expect(invocations[0]).toMatchObject({
      requestId: 'r1',
      status: 'succeeded',
      durationMs: 9.5,
      billedDurationMs: 10,
      memorySizeMb: 128,
      maxMemoryUsedMb: 40,
      initDurationMs: 120,
      start: 1000,
      end: 1010,
    });
    expect(invocations[0]!.lines.map((l) => l.message)).toContain('2026-01-01T00:00:00.000Z\tr1\tINFO\thello');
    expect(changed).toContain('f');
  });

  it('marks an invocation whose handler threw as failed, with errorType and errorMessage', () => {
    // Prepare
    const activity = new FunctionActivity(() => undefined);
    // Act
    activity.onLog(line('START RequestId: r2 Version: $LATEST', 'r2'));
    activity.onLog(
      line('2026-01-01T00:00:00.000Z\tr2\tERROR\tInvoke Error \t{"errorType":"Boom","errorMessage":"it broke"}', 'r2'),
    );
    activity.onLog(
      line(
        'REPORT RequestId: r2\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t',
        'r2',
      ),
    );
    // Assess
    expect(activity.of('f')).toMatchObject({
      total: 1,
      failed: 1,
      invocations: [{ status: 'failed', error: 'Boom: it broke' }],
    });
  });

  it('keeps the latest 50 invocations, newest first', () => {
    // Prepare
    const activity = new FunctionActivity(() => undefined);
    // Act
    for (let i = 0; i < 60; i++) activity.onLog(line(`START RequestId: r${i} Version: $LATEST`, `r${i}`, i));
    // Assess
    const { total, invocations } = activity.of('f');
    expect(total).toBe(60);
    expect(invocations).toHaveLength(50);
    expect(invocations[0]!.requestId).toBe('r59');
  });
});
