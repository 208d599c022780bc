import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisTwin } from '../../../../local/kinesis';
import { LambdaTwin } from '../../../../local/lambda';

const CODE = `
exports.echo = async (event, context) => ({
  event,
  own: process.env.OWN,
  region: process.env.AWS_REGION,
  endpoint: process.env.AWS_ENDPOINT_URL,
  key: process.env.AWS_ACCESS_KEY_ID,
  name: context.functionName,
  remaining: context.getRemainingTimeInMillis() > 0,
});
exports.fail = async () => { const e = new RangeError('out of range'); throw e; };
exports.callback = (event, context, callback) => { callback(null, { viaCallback: event.x }); };
exports.sleep = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); return 'slept'; };
exports.consume = async (event) => {
  const data = event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
  console.log('BATCH ' + JSON.stringify(data));
  if (data.includes('poison')) throw new Error('poison in a batch of ' + data.length);
  return { batchItemFailures: [] };
};
exports.slowKeys = async (event) => {
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 30));
  console.log('KEYED ' + JSON.stringify({ t0, t1: Date.now(), records: event.Records.map((r) => [r.kinesis.partitionKey, Buffer.from(r.kinesis.data, 'base64').toString()]) }));
  return {};
};
exports.partial = async (event) => {
  const bad = event.Records.find((r) => Buffer.from(r.kinesis.data, 'base64').toString() === 'retry-me');
  console.log('BATCH ' + JSON.stringify(event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString())));
  return { batchItemFailures: bad && !globalThis.seen ? (globalThis.seen = true, [{ itemIdentifier: bad.kinesis.sequenceNumber }]) : [] };
};
`;

describe('Class: LambdaTwin', () => {
  let dir: string;
  let lambda: LambdaTwin;
  let kinesis: KinesisTwin;
  const logs: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-twin-'));
    writeFileSync(join(dir, 'index.js'), CODE);
    logs.length = 0;
    kinesis = new KinesisTwin({ limits: false });
    lambda = new LambdaTwin({ kinesis, pollIntervalMs: 5, retryDelayMs: 1, onLog: (_fn, chunk) => logs.push(chunk) });
    lambda.endpoint = 'http://127.0.0.1:4566';
  });

  afterEach(async () => {
    await lambda.close();
    await kinesis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = (name: string, handler: string, extra: { Timeout?: number } = {}) =>
    lambda.createFunction({
      Role: 'arn:aws:iam::000000000000:role/lambda-role',
      FunctionName: name,
      Handler: handler,
      Code: { Directory: dir },
      Environment: { Variables: { OWN: 'mine', AWS_REGION: 'eu-west-1' } },
      ...extra,
    });

  describe('Method: invoke', () => {
    it('runs the handler in a worker with its own environment, the twin endpoint and test credentials', async () => {
      // Prepare
      await create('echo', 'index.echo');

      // Act
      const result = await lambda.invokeText('arn:aws:lambda:us-east-1:000000000000:function:echo', '{"a":1}');

      // Assess
      expect(result.functionError).toBeUndefined();
      expect(JSON.parse(result.payload)).toEqual({
        event: { a: 1 },
        own: 'mine',
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:4566',
        key: 'test',
        name: 'echo',
        remaining: true,
      });
    });

    it('reports a thrown error as Lambda does: Unhandled with errorType and errorMessage', async () => {
      // Prepare
      await create('fail', 'index.fail');

      // Act
      const result = await lambda.invokeText('fail', '{}');

      // Assess
      expect(result.functionError).toBe('Unhandled');
      expect(JSON.parse(result.payload)).toMatchObject({ errorType: 'RangeError', errorMessage: 'out of range' });
    });

    it('supports callback handlers', async () => {
      // Prepare
      await create('cb', 'index.callback');

      // Act
      const result = await lambda.invokeText('cb', '{"x":7}');

      // Assess
      expect(JSON.parse(result.payload)).toEqual({ viaCallback: 7 });
    });

    it('stops an invocation at the function timeout and discards its environment', async () => {
      // Prepare
      await create('slow', 'index.sleep', { Timeout: 1 });

      // Act
      const result = await lambda.invokeText('slow', '{"ms":5000}');

      // Assess
      expect(result.functionError).toBe('Unhandled');
      expect(JSON.parse(result.payload)).toMatchObject({
        errorType: 'Sandbox.Timedout',
        errorMessage: expect.stringContaining('Task timed out after 1.00 seconds'),
      });
      expect(lambda.runtimeOf('slow').environmentCount).toBe(0);
    });

    it('serves concurrent invocations from separate environments', async () => {
      // Prepare
      await create('sleepy', 'index.sleep');

      // Act
      const results = await Promise.all([1, 2, 3].map(() => lambda.invokeText('sleepy', '{"ms":200}')));

      // Assess
      expect(results.map((r) => JSON.parse(r.payload))).toEqual(['slept', 'slept', 'slept']);
      expect(lambda.runtimeOf('sleepy').coldStarts).toBe(3);
    });

    it('fails with ResourceNotFoundException for an unknown function', async () => {
      // Act
      const error = await lambda.invokeText('nope', '{}').catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    });
  });

  describe('Method: createEventSourceMapping', () => {
    const put = (stream: string, items: string[]): void => {
      const out = kinesis.putRecords(
        { StreamName: stream },
        items.map((d) => ({ data: Buffer.from(d), partitionKey: 'one-shard-key' })),
      );
      expect(out.FailedRecordCount).toBe(0);
    };
    const batches = (): string[][] =>
      logs
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('BATCH '))
        .map((l) => JSON.parse(l.slice(6)) as string[]);
    const until = async (cond: () => boolean): Promise<void> => {
      for (let i = 0; i < 3000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    };

    it('retries a failing batch, bisects it down to the poison record and discards only that one', async () => {
      // Prepare
      await kinesis.handle('CreateStream', { StreamName: 's', ShardCount: 1 });
      await create('consume', 'index.consume');
      put('s', ['a', 'b', 'c', 'poison', 'e', 'f', 'g', 'h']);

      // Act
      const mapping = await lambda.createEventSourceMapping({
        FunctionName: 'consume',
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 8,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 3,
      });
      const esm = lambda.mapping(String(mapping['UUID']));
      // a worker's stdout and its answer travel apart: wait for the log of every invocation too
      await until(
        () => esm.stats.records + esm.stats.discardedRecords >= 8 && batches().length >= esm.stats.invocations,
      );

      // Assess
      const seen = batches();
      expect(seen[0]).toEqual(['a', 'b', 'c', 'poison', 'e', 'f', 'g', 'h']);
      expect(seen).toContainEqual(['a', 'b', 'c', 'poison']);
      expect(seen).toContainEqual(['e', 'f', 'g', 'h']);
      expect(seen).toContainEqual(['poison']);
      expect(esm.stats).toMatchObject({ records: 7, discardedRecords: 1 });
      expect(esm.stats.bisections).toBeGreaterThanOrEqual(2);
      expect(esm.checkpoints.size).toBe(1);
    });

    it('retries from the first reported item failure (ReportBatchItemFailures)', async () => {
      // Prepare
      await kinesis.handle('CreateStream', { StreamName: 'p', ShardCount: 1 });
      await create('partial', 'index.partial');
      put('p', ['one', 'retry-me', 'three']);

      // Act
      const mapping = await lambda.createEventSourceMapping({
        FunctionName: 'partial',
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/p',
        StartingPosition: 'TRIM_HORIZON',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const esm = lambda.mapping(String(mapping['UUID']));
      await until(() => esm.stats.records >= 3 && batches().length >= esm.stats.invocations);

      // Assess
      expect(batches()).toEqual([
        ['one', 'retry-me', 'three'],
        ['retry-me', 'three'],
      ]);
      expect(esm.stats).toMatchObject({ partialFailures: 1, records: 3, discardedRecords: 0 });
    });

    it('stops polling when disabled and resumes from its checkpoint when enabled', async () => {
      // Prepare
      await kinesis.handle('CreateStream', { StreamName: 'd', ShardCount: 1 });
      await create('consume', 'index.consume');
      const mapping = await lambda.createEventSourceMapping({
        FunctionName: 'consume',
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/d',
        StartingPosition: 'LATEST',
      });
      const uuid = String(mapping['UUID']);
      const esm = lambda.mapping(uuid);
      await until(() => esm.state === 'Enabled');
      put('d', ['first']);
      await until(() => esm.stats.records >= 1);

      // Act
      await lambda.updateEventSourceMapping({ UUID: uuid, Enabled: false });
      await until(() => esm.state === 'Disabled');
      put('d', ['while-off']);
      await new Promise((r) => setTimeout(r, 50));
      const whileOff = esm.stats.records;
      await lambda.updateEventSourceMapping({ UUID: uuid, Enabled: true });
      await until(() => esm.stats.records >= 2 && batches().length >= esm.stats.invocations);

      // Assess
      expect(whileOff).toBe(1);
      expect(batches()).toEqual([['first'], ['while-off']]);
      expect(esm.describe()).toMatchObject({ State: 'Enabled', LastProcessingResult: 'OK' });
    });

    it('runs up to ParallelizationFactor batches of one shard at once, each partition key in order', async () => {
      // Prepare: one shard, 6 keys, 10 records of each in turn; a function that takes 30 ms a batch
      await kinesis.handle('CreateStream', { StreamName: 'pf', ShardCount: 1 });
      await create('slowKeys', 'index.slowKeys');
      const keys = Array.from({ length: 6 }, (_, i) => `key-${i}`);
      kinesis.putRecords(
        { StreamName: 'pf' },
        Array.from({ length: 60 }, (_, i) => ({ data: Buffer.from(String(i)), partitionKey: keys[i % 6]! })),
      );

      // Act
      const mapping = await lambda.createEventSourceMapping({
        FunctionName: 'slowKeys',
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/pf',
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 4,
        ParallelizationFactor: 3,
      });
      const esm = lambda.mapping(String(mapping['UUID']));
      const keyed = () =>
        logs
          .join('')
          .split('\n')
          .filter((l) => l.startsWith('KEYED '))
          .map((l) => JSON.parse(l.slice(6)) as { t0: number; t1: number; records: [string, string][] });
      await until(() => esm.stats.records >= 60 && keyed().length >= esm.stats.invocations);

      // Assess: every record once, each key's in the order put, and batches of the shard overlapping in time
      const runs = keyed();
      const all = runs.flatMap((r) => r.records);
      expect(all).toHaveLength(60);
      for (const key of keys) {
        const values = all.filter(([k]) => k === key).map(([, v]) => Number(v));
        expect(values).toEqual([...values].sort((a, b) => a - b));
      }
      const overlapping = runs.some((a) => runs.some((b) => a !== b && a.t0 < b.t1 && b.t0 < a.t1));
      expect(overlapping).toBe(true);
      expect(Math.max(...runs.map((r) => r.records.length))).toBeLessThanOrEqual(4);
      expect(esm.describe()).toMatchObject({ ParallelizationFactor: 3 });
      // the checkpoint is the shard's last record once every lane is done
      const iterator = (await kinesis.handle('GetShardIterator', {
        StreamName: 'pf',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      })) as { ShardIterator: string };
      const read = await kinesis.getRecords(iterator.ShardIterator, 100);
      expect(esm.checkpoints.get('shardId-000000000000')).toBe(read.Records.at(-1)!.SequenceNumber);
    });

    it('refuses a second mapping of the same function and stream', async () => {
      // Prepare
      await kinesis.handle('CreateStream', { StreamName: 'x', ShardCount: 1 });
      await create('consume', 'index.consume');
      const input = {
        FunctionName: 'consume',
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/x',
        StartingPosition: 'LATEST' as const,
      };
      await lambda.createEventSourceMapping(input);

      // Act
      const error = await lambda.createEventSourceMapping(input).catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ name: 'ResourceConflictException' });
    });
  });
});
