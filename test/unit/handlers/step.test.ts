import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { logger } from '../../../handlers/logger';
import { parseEvent, step } from '../../../handlers/step';

const context = {
  functionName: 'kinesis-fanout-dev-stopApplication',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:kinesis-fanout-dev-stopApplication',
  memoryLimitInMB: '256',
  awsRequestId: 'request-42',
  logGroupName: '/aws/lambda/kinesis-fanout-dev-stopApplication',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 1000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;

/** The JSON log lines the handler printed. */
function captureLogs(): { lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  return {
    lines: () =>
      written
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

afterEach(() => jest.restoreAllMocks());

describe('Function: step', () => {
  it('puts the Lambda context on every log line, the business logic lines and the outcome line alike', async () => {
    // Prepare
    const logs = captureLogs();
    const handler = step('Thing', z.object({ n: z.number() }), async (input) => {
      logger.info('working');
      return { doubled: input.n * 2 };
    });

    // Act
    const result = await handler({ n: 21 }, context);

    // Assess
    expect(result).toEqual({ doubled: 42 });
    const lines = logs.lines();
    expect(lines.map((l) => l['message'])).toEqual(['working', 'Thing done']);
    for (const line of lines) {
      expect(line).toMatchObject({
        function_request_id: 'request-42',
        function_name: 'kinesis-fanout-dev-stopApplication',
        cold_start: expect.any(Boolean),
      });
    }
    expect(lines[1]).toMatchObject({ doubled: 42 });
  });

  it('fails with InvalidInputError naming the field before the business logic runs', async () => {
    // Prepare
    captureLogs();
    const run = jest.fn();
    const handler = step('Thing', z.object({ application: z.object({ name: z.string() }) }), run);

    // Act & Assess
    await expect(handler({ application: { name: 7 } }, context)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('application.name: '),
    });
    expect(run).not.toHaveBeenCalled();
  });

  it('logs a failure with the error and rethrows it unchanged, so Retry and Catch see its name', async () => {
    // Prepare
    const logs = captureLogs();
    const busy = Object.assign(new Error('busy'), { name: 'ApplicationBusyError' });
    const handler = step('Thing', z.object({}), async () => {
      throw busy;
    });

    // Act & Assess
    await expect(handler(undefined, context)).rejects.toBe(busy);
    expect(logs.lines()).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'Thing failed', function_request_id: 'request-42' }),
    ]);
  });
});

describe('Function: parseEvent', () => {
  it('names every wrong field, array indexes included', () => {
    // Act & Assess
    expect(() =>
      parseEvent(z.object({ a: z.array(z.object({ b: z.string() })) }), { a: [{ b: 'x' }, { b: 1 }] }),
    ).toThrow(/^The event is invalid: a\[1\]\.b: /);
  });
});
