import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { KinesisTwin } from '../../../../local/kinesis';
import { type FunctionLogEvent, LambdaTwin } from '../../../../local/lambda';

/** A zip holding index.js with `code`. */
const zip = (code: string): Uint8Array => zipSync({ 'index.js': strToU8(code) });

const V1 = `exports.handler = async (event) => { console.log('v1 got', event.n); return { code: 'v1', n: event.n, env: process.env.COLOR ?? null, version: process.env.AWS_LAMBDA_FUNCTION_VERSION }; };`;
const V2 = `exports.handler = async (event) => ({ code: 'v2', n: event.n, env: process.env.COLOR ?? null, version: process.env.AWS_LAMBDA_FUNCTION_VERSION });`;
const SLOW = `exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); return { code: 'slow', env: process.env.COLOR ?? null }; };`;
const FAILS = `exports.handler = async () => { throw new TypeError('bad input'); };`;

describe('Class: LambdaTwin (in-process API for the deployer)', () => {
  let cache: string;
  let lambda: LambdaTwin;
  let kinesis: KinesisTwin;

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'lambda-api-'));
    kinesis = new KinesisTwin({ limits: false });
    lambda = new LambdaTwin({ kinesis, codeCacheDir: cache, pollIntervalMs: 5, retryDelayMs: 1 });
  });

  afterEach(async () => {
    await lambda.close();
    await kinesis.close();
    rmSync(cache, { recursive: true, force: true });
  });

  const call = async (name: string, payload: unknown = {}): Promise<Record<string, unknown>> =>
    JSON.parse((await lambda.invokeText(name, JSON.stringify(payload))).payload) as Record<string, unknown>;

  /** Creates function `name` running `code` (index.handler, the test role), with `extra` settings. */
  const createFn = (name: string, code: string, extra: Partial<Parameters<LambdaTwin['createFunction']>[0]> = {}) =>
    lambda.createFunction({
      Role: 'arn:aws:iam::000000000000:role/lambda-role',
      FunctionName: name,
      Handler: 'index.handler',
      Code: { ZipFile: zip(code) },
      ...extra,
    });

  describe('Method: createFunction', () => {
    it('runs code given as zip bytes and reports its CodeSha256 and CodeSize as Lambda does', async () => {
      // Prepare
      const bytes = zip(V1);

      // Act
      const config = await lambda.createFunction({
        Role: 'arn:aws:iam::000000000000:role/lambda-role',
        FunctionName: 'f',
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Code: { ZipFile: bytes },
      });
      const answer = await call('f', { n: 1 });

      // Assess
      expect(config).toMatchObject({
        FunctionName: 'f',
        FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
        Version: '$LATEST',
        Runtime: 'nodejs22.x',
        CodeSize: bytes.length,
        CodeSha256: createHash('sha256').update(bytes).digest('base64'),
        State: 'Active',
      });
      expect(answer).toEqual({ code: 'v1', n: 1, env: null, version: '$LATEST' });
    });

    it('refuses a second function of the same name with ResourceConflictException', async () => {
      // Prepare
      const input = {
        Role: 'arn:aws:iam::000000000000:role/lambda-role',
        FunctionName: 'f',
        Handler: 'index.handler',
        Code: { ZipFile: zip(V1) },
      };
      await lambda.createFunction(input);

      // Act
      const error = await lambda.createFunction({ ...input, Code: { ZipFile: zip(V2) } }).catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ name: 'ResourceConflictException', status: 409 });
      expect(await call('f', { n: 1 })).toMatchObject({ code: 'v1' });
    });

    it('refuses bytes that are not a zip with InvalidParameterValueException', async () => {
      // Act
      const error = await lambda
        .createFunction({
          Role: 'arn:aws:iam::000000000000:role/lambda-role',
          FunctionName: 'f',
          Handler: 'index.handler',
          Code: { ZipFile: strToU8('not a zip') },
        })
        .catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ name: 'InvalidParameterValueException' });
    });
  });

  describe('Method: updateFunctionCode', () => {
    it('runs the new code from the next invocation while one under way finishes on the old code', async () => {
      // Prepare
      await createFn('f', SLOW, {
        Timeout: 60, // a cold environment on a loaded machine takes seconds
      });
      await call('f', { ms: 0 });
      const underWay = lambda.invokeText('f', JSON.stringify({ ms: 300 }));
      await new Promise((r) => setTimeout(r, 50));

      // Act
      const v2 = zip(V2); // once: a zip holds its files' times, so two zips of one text differ across a second
      const updated = await lambda.updateFunctionCode({ FunctionName: 'f', ZipFile: v2 });
      const next = await call('f', { n: 2 });
      const old = JSON.parse((await underWay).payload) as Record<string, unknown>;

      // Assess
      expect(old).toEqual({ code: 'slow', env: null });
      expect(next).toMatchObject({ code: 'v2', n: 2 });
      expect(updated.CodeSha256).toBe(createHash('sha256').update(v2).digest('base64'));
    });
  });

  describe('Method: updateFunctionConfiguration', () => {
    it('gives the next invocation the new environment, keeps the code, and leaves one under way alone', async () => {
      // Prepare
      await createFn('f', SLOW, {
        Environment: { Variables: { COLOR: 'red' } },
        Timeout: 60, // the invocation under way starts a cold environment: 3 s is not enough on a loaded machine
      });
      const underWay = lambda.invokeText('f', JSON.stringify({ ms: 300 }));
      await new Promise((r) => setTimeout(r, 50));

      // Act
      const updated = await lambda.updateFunctionConfiguration({
        FunctionName: 'f',
        Environment: { Variables: { COLOR: 'blue' } },
        Timeout: 50,
      });
      const next = await call('f', { ms: 0 });

      // Assess
      expect(JSON.parse((await underWay).payload)).toEqual({ code: 'slow', env: 'red' });
      expect(next).toEqual({ code: 'slow', env: 'blue' });
      expect(updated).toMatchObject({ Timeout: 50, Environment: { Variables: { COLOR: 'blue' } } });
    });
  });

  describe('Method: warm', () => {
    it('warms the new environment of a function warmed ahead when its configuration changes', async () => {
      // Prepare
      await createFn('f', V1);
      await lambda.warm('f');

      // Act
      await lambda.updateFunctionConfiguration({ FunctionName: 'f', Environment: { Variables: { COLOR: 'green' } } });
      // at most 5 s, within the test's 20-s timeout: an environment never warmed fails the assertions below
      for (let i = 0; i < 500 && lambda.runtimeOf('f').environmentCount === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      const result = await lambda.invokeText('f', '{"n":1}');

      // Assess: the invocation ran in the environment warmed ahead, not in a cold one of its own
      expect(JSON.parse(result.payload)).toMatchObject({ code: 'v1', env: 'green' });
      expect(lambda.runtimeOf('f').coldStarts).toBe(1);
      expect(result.logs).not.toContain('Init Duration');
    }, 20_000);
  });

  describe('Method: warm (a function replaced while it warms)', () => {
    it('stops the warm-up of the replaced environment instead of letting it load on beside the new one', async () => {
      // Prepare: a handler whose module takes 1.5 s to load, then leaves a file named after its COLOR
      const marks = mkdtempSync(join(cache, 'marks-'));
      const slowLoad = `const end = Date.now() + 1500; while (Date.now() < end);
require('node:fs').writeFileSync(require('node:path').join(${JSON.stringify(marks)}, 'loaded-' + (process.env.COLOR ?? 'none')), '');
exports.handler = async () => ({ env: process.env.COLOR ?? null });`;
      await createFn('f', slowLoad);
      const warming = lambda.warm('f');
      for (let i = 0; i < 500 && lambda.runtimeOf('f').environmentCount === 0; i++)
        await new Promise((r) => setTimeout(r, 10));

      // Act: replaced while its one environment is still loading the module
      await lambda.updateFunctionConfiguration({ FunctionName: 'f', Environment: { Variables: { COLOR: 'green' } } });
      await warming;
      const result = await lambda.invokeText('f', '{}');

      // Assess: the new environment loaded and answered; the replaced one never finished loading
      expect(JSON.parse(result.payload)).toEqual({ env: 'green' });
      expect(existsSync(join(marks, 'loaded-green'))).toBe(true);
      expect(existsSync(join(marks, 'loaded-none'))).toBe(false);
    }, 20_000);
  });

  describe("Runtime: V8's code cache beside the bundle", () => {
    /** The cache file of the one unpacked code directory: its first byte is the stage (0 loaded, 1 invoked). */
    const cacheFile = (): string => {
      const dirs = readdirSync(cache).filter((d) => existsSync(join(cache, d, 'index.js')));
      expect(dirs).toHaveLength(1);
      return join(cache, dirs[0]!, 'index.js.v8cache');
    };
    const stageOf = (file: string): number | undefined => (existsSync(file) ? readFileSync(file)[0] : undefined);
    const stageBecomes = async (file: string, stage: number): Promise<number | undefined> => {
      // at most 5 s, within the test's 20-s timeout: written after the answer, off the caller's path
      for (let i = 0; i < 500 && stageOf(file) !== stage; i++) await new Promise((r) => setTimeout(r, 10));
      return stageOf(file);
    };

    it('is written after the load, again after the first invocation, and then kept by later environments', async () => {
      // Prepare: f warmed ahead (loaded, never invoked)
      await createFn('f', V1);
      await lambda.warm('f');
      const file = cacheFile();
      const loaded = stageOf(file);

      // Act: the first invocation, then another function of the same code in an environment of its own
      const first = await call('f', { n: 1 });
      const invoked = await stageBecomes(file, 1);
      const written = statSync(file).mtimeMs;
      await createFn('g', V1);
      const second = await call('g', { n: 2 });
      await lambda.invokeText('g', '{"n":3}');

      // Assess
      expect(loaded).toBe(0);
      expect(first).toMatchObject({ code: 'v1', n: 1 });
      expect(invoked).toBe(1);
      expect(second).toMatchObject({ code: 'v1', n: 2 });
      expect(statSync(file).mtimeMs).toBe(written);
    }, 20_000);

    it('is replaced when it is not a cache this runtime wrote (an older format, a damaged file)', async () => {
      // Prepare: a cache of another format beside the bundle
      await createFn('f', V1);
      await lambda.warm('f');
      const file = cacheFile();
      writeFileSync(file, Buffer.from('not a V8 code cache'));
      await createFn('g', V1);

      // Act
      const answer = await call('g', { n: 1 });

      // Assess: the function ran, and the file is a cache of this runtime's again
      expect(answer).toMatchObject({ code: 'v1', n: 1 });
      expect(await stageBecomes(file, 1)).toBe(1);
    }, 20_000);
  });

  describe('Method: warm (published versions)', () => {
    it('warms a version published from a function warmed ahead, and leaves one of a function never warmed cold', async () => {
      // Prepare
      await createFn('f', V1);
      await createFn('g', V1);
      await lambda.warm('f');

      // Act
      await lambda.publishVersion({ FunctionName: 'f' });
      await lambda.publishVersion({ FunctionName: 'g' });
      // at most 5 s, within the test's 20-s timeout: an environment never warmed fails the assertions below
      for (let i = 0; i < 500 && lambda.runtimeOf('f:1').environmentCount === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      const warm = await lambda.invokeText('f:1', '{"n":1}');
      const cold = await lambda.invokeText('g:1', '{"n":1}');

      // Assess: f's version ran in the environment warmed ahead; g's started one at its first invocation
      expect(JSON.parse(warm.payload)).toMatchObject({ code: 'v1', version: '1' });
      expect(warm.logs).not.toContain('Init Duration');
      expect(lambda.runtimeOf('f:1').coldStarts).toBe(1);
      expect(cold.logs).toContain('Init Duration');
    }, 20_000);
  });

  describe('Method: deleteFunction', () => {
    it('removes the function and its event source mappings', async () => {
      // Prepare
      await kinesis.handle('CreateStream', { StreamName: 's', ShardCount: 1 });
      await createFn('f', V2);
      const mapping = await lambda.createEventSourceMapping({
        FunctionName: 'f',
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
        StartingPosition: 'LATEST',
      });

      // Act
      await lambda.deleteFunction({ FunctionName: 'f' });
      const invoked = await lambda.invokeText('f', '{}').catch((e: unknown) => e);
      const listed = await lambda.listEventSourceMappings();
      const got = await lambda.getEventSourceMapping({ UUID: mapping.UUID! }).catch((e: unknown) => e);

      // Assess
      expect(invoked).toMatchObject({ name: 'ResourceNotFoundException' });
      expect(listed.EventSourceMappings).toEqual([]);
      expect(got).toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });

  describe('Versions and aliases', () => {
    it('keeps a published version as it was, and an alias invokes the version it points to', async () => {
      // Prepare
      await createFn('f', V1);
      const v1 = await lambda.publishVersion({ FunctionName: 'f' });
      await lambda.createAlias({ FunctionName: 'f', Name: 'live', FunctionVersion: v1.Version! });

      // Act
      await lambda.updateFunctionCode({ FunctionName: 'f', ZipFile: zip(V2) });
      const v2 = await lambda.publishVersion({ FunctionName: 'f', Description: 'second' });
      const beforeMove = await call('f:live', { n: 1 });
      await lambda.updateAlias({ FunctionName: 'f', Name: 'live', FunctionVersion: v2.Version! });
      const afterMove = await call('arn:aws:lambda:us-east-1:000000000000:function:f:live', { n: 2 });
      const pinned = (await lambda.invokeText('f', JSON.stringify({ n: 3 }), '1')).payload;
      const again = await lambda.publishVersion({ FunctionName: 'f' });
      const versions = await lambda.listVersionsByFunction({ FunctionName: 'f' });

      // Assess
      expect(v1).toMatchObject({ Version: '1', FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f:1' });
      expect(beforeMove).toEqual({ code: 'v1', n: 1, env: null, version: '1' });
      expect(afterMove).toEqual({ code: 'v2', n: 2, env: null, version: '2' });
      expect(JSON.parse(pinned)).toMatchObject({ code: 'v1', version: '1' });
      expect(again.Version).toBe('2');
      expect(versions.Versions!.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
    });

    it('refuses to delete a version an alias points to, and an alias to a version that does not exist', async () => {
      // Prepare
      await createFn('f', V1);
      await lambda.publishVersion({ FunctionName: 'f' });
      await lambda.createAlias({ FunctionName: 'f', Name: 'live', FunctionVersion: '1' });

      // Act
      const deleting = await lambda.deleteFunction({ FunctionName: 'f', Qualifier: '1' }).catch((e: unknown) => e);
      const dangling = await lambda
        .createAlias({ FunctionName: 'f', Name: 'next', FunctionVersion: '7' })
        .catch((e: unknown) => e);

      // Assess
      expect(deleting).toMatchObject({ name: 'ResourceConflictException' });
      expect(dangling).toMatchObject({ name: 'ResourceNotFoundException' });
    });

    it('moves an event source mapping to an alias with UpdateEventSourceMapping, its checkpoint kept', async () => {
      // Prepare
      await kinesis.handle('CreateStream', { StreamName: 's', ShardCount: 1 });
      await createFn('f', V1);
      await lambda.publishVersion({ FunctionName: 'f' });
      await lambda.createAlias({ FunctionName: 'f', Name: 'live', FunctionVersion: '1' });
      const created = await lambda.createEventSourceMapping({
        FunctionName: 'f',
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
        StartingPosition: 'TRIM_HORIZON',
      });
      const m = lambda.mapping(created.UUID!);
      kinesis.putRecords({ StreamName: 's' }, [{ data: strToU8('{"n":1}'), partitionKey: 'k' }]);
      for (let i = 0; i < 500 && m.stats.records < 1; i++) await new Promise((r) => setTimeout(r, 10));
      const checkpoint = [...m.checkpoints.values()][0];

      // Act
      const updated = await lambda.updateEventSourceMapping({ UUID: created.UUID!, FunctionName: 'f:live' });
      for (let i = 0; i < 500 && m.state !== 'Enabled'; i++) await new Promise((r) => setTimeout(r, 10));

      // Assess
      expect(updated.FunctionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:f:live');
      expect(checkpoint).toBeDefined();
      expect([...m.checkpoints.values()][0]).toBe(checkpoint);
      expect(m.stats.records).toBe(1);
    });
  });

  describe('Method: onFunctionLog', () => {
    it("publishes each invocation's lines as Lambda writes them to CloudWatch Logs", async () => {
      // Prepare
      const events: FunctionLogEvent[] = [];
      lambda.onFunctionLog((e) => events.push(e));
      await createFn('f', V1);

      // Act
      const first = await lambda.invokeText('f', '{"n":1}');
      const second = await lambda.invokeText('f', '{"n":2}');

      // Assess
      const lines = events.map((e) => e.message);
      expect(lines[0]).toMatch(/^INIT_START Runtime Version: /);
      expect(lines.slice(1, 5)).toEqual([
        `START RequestId: ${first.requestId} Version: $LATEST\n`,
        expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${first.requestId}\\tINFO\\tv1 got 1\\n$`)),
        `END RequestId: ${first.requestId}\n`,
        expect.stringMatching(
          new RegExp(
            `^REPORT RequestId: ${first.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms\\t\\n$`,
          ),
        ),
      ]);
      expect(lines.filter((l) => l.startsWith('START'))).toHaveLength(2);
      expect(lines.at(-1)).not.toContain('Init Duration');
      expect(new Set(events.map((e) => e.logStreamName)).size).toBe(1);
      expect(events[0]).toMatchObject({ functionName: 'f', logGroupName: '/aws/lambda/f', version: '$LATEST' });
      expect(events[0]!.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(events.filter((e) => e.requestId === second.requestId).map((e) => e.message.split(' ')[0])).toEqual([
        'START',
        expect.stringMatching(/INFO/),
        'END',
        'REPORT',
      ]);
    });

    it('writes the Invoke Error line and a REPORT with Status: error when the handler throws', async () => {
      // Prepare
      const events: FunctionLogEvent[] = [];
      lambda.onFunctionLog((e) => events.push(e));
      await createFn('bad', FAILS);

      // Act
      const result = await lambda.invokeText('bad', '{}');

      // Assess
      const mine = events.filter((e) => e.requestId === result.requestId).map((e) => e.message);
      expect(result.functionError).toBe('Unhandled');
      expect(mine[1]).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"bad input"/);
      expect(mine.at(-1)).toMatch(/Status: error\t\n$/);
      expect(result.logs).toContain(`END RequestId: ${result.requestId}`);
    });
  });
});
