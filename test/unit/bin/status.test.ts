import { lagOf, nextFire, type StatusReport } from '../../../bin/status/collect';
import { renderStatus } from '../../../bin/status/render';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 30);
const running = [
  { name: 'kinesis-fanout-dev-1', engine: 'kinesis-analytics' as const, status: 'RUNNING', outputs: ['A'] },
];
const minute = (m: number) => Date.UTC(2026, 0, 1, 12, m);

describe('fanout status: the input lag', () => {
  it('is the latest minute maximum while an application runs', () => {
    const lag = lagOf({ timestamps: [minute(0), minute(-1)], values: [120, 5000] }, 'm', running, undefined, NOW);
    expect(lag).toEqual({ ms: 120, metric: 'm', state: 'keeping up', note: 'under a second behind the tip' });
    expect(lagOf({ timestamps: [minute(0)], values: [4200] }, 'm', running, undefined, NOW).state).toBe('behind');
  });

  it('grows when nothing runs while records arrive, counted from the last read', () => {
    const stopped = [{ ...running[0]!, status: 'READY' }];
    const lag = lagOf(
      { timestamps: [minute(-3)], values: [10] },
      'm',
      stopped,
      { timestamps: [minute(0), minute(-3)], values: [5, 100] },
      NOW,
    );
    expect(lag.state).toBe('growing');
    expect(lag.ms).toBe(NOW - minute(-2));
    expect(lagOf(undefined, 'm', stopped, undefined, NOW).state).toBe('idle');
  });
});

describe('fanout status: the next teardown', () => {
  it('reads EventBridge cron and rate expressions', () => {
    expect(new Date(nextFire('cron(0 2 * * ? *)', NOW)!).toISOString()).toBe('2026-01-02T02:00:00.000Z');
    expect(nextFire('rate(5 minutes)', NOW)).toBe(NOW + 300_000);
    expect(nextFire('nonsense', NOW)).toBeNull();
  });
});

describe('fanout status: the screen', () => {
  const report: StatusReport = {
    stage: 'dev',
    region: 'us-east-1',
    at: new Date(NOW).toISOString(),
    windowMinutes: 5,
    source: 'stack',
    input: { stream: 'Transactions', records: 3000, readThrottled: 2 },
    applications: [
      { name: 'kinesis-fanout-dev-1', engine: 'lambda', status: 'RUNNING', outputs: ['Positive', 'Negative'] },
    ],
    lag: { ms: 240, metric: 'AWS/Lambda IteratorAge', state: 'keeping up', note: 'under a second behind the tip' },
    outputs: [
      { stream: 'Positive', records: 1500, writeThrottled: 0 },
      { stream: 'Negative', records: 1490, writeThrottled: 12 },
    ],
    errorStreamRows: 10,
    failedRecords: 0,
    functionThrottles: 0,
    executions: {
      lifecycle: {
        name: 'run-1',
        status: 'SUCCEEDED',
        startDate: '2026-01-01T11:50:00.000Z',
        stopDate: '2026-01-01T11:51:10.000Z',
      },
      teardown: {
        name: 'night',
        status: 'FAILED',
        startDate: '2026-01-01T02:00:00.000Z',
        stopDate: '2026-01-01T02:00:05.000Z',
        error: 'States.TaskFailed: boom',
      },
    },
    teardownSchedule: { expression: 'cron(0 2 * * ? *)', enabled: true, next: '2026-01-02T02:00:00.000Z' },
    alarms: [
      { name: 'kinesis-fanout-dev-error-stream-rows', state: 'ALARM' },
      { name: 'kinesis-fanout-dev-fanout-errors', state: 'OK' },
    ],
    problems: [],
  };

  it('says what an operator asks first, on one page', () => {
    expect(renderStatus(report)).toBe(
      [
        'fan-out kinesis-fanout-dev (us-east-1)  at 2026-01-01 12:00:30 UTC  names from the stack',
        '',
        'Applications',
        '  kinesis-fanout-dev-1  lambda  RUNNING  -> Positive, Negative',
        '',
        'Input lag  240 ms  keeping up: under a second behind the tip',
        '  (AWS/Lambda IteratorAge)',
        '',
        'Records over the last 5 minutes',
        '       stream        records    rate  throttled',
        '  in   Transactions    3,000  10.0/s    2 reads',
        '  out  Positive        1,500   5.0/s   0 writes',
        '  out  Negative        1,490   5.0/s  12 writes',
        '  error-stream rows 10   failed records 0   fan-out function throttles 0',
        '',
        'Executions',
        '  lifecycle  SUCCEEDED  run-1, started 2026-01-01 11:50:00 UTC, ended 11:51:10 UTC',
        '  teardown   FAILED  night, started 2026-01-01 02:00:00 UTC, ended 02:00:05 UTC',
        '    States.TaskFailed: boom',
        '  next teardown  2026-01-02 02:00 UTC (in 14 h 0 min)  cron(0 2 * * ? *)',
        '',
        'Alarms  2, 1 in ALARM',
        '  ALARM  kinesis-fanout-dev-error-stream-rows',
        '',
      ].join('\n'),
    );
  });
});
