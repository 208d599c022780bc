import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisTwin } from '../../../../local/kinesis';
import { LambdaTwin } from '../../../../local/lambda';

const CODE = `
exports.echo = async (event) => ({ event, endpoint: process.env.AWS_ENDPOINT_URL, own: process.env.OWN });
exports.consume = async (event) => {
  console.log('BATCH ' + JSON.stringify(event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString())));
  return { batchItemFailures: [] };
};
`;

/** The files of a data directory as a SIGKILL leaves them: what was committed, the live owner's LOCK aside. */
function crashCopy(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (source) => !source.endsWith('LOCK') });
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('Lambda twin with a data directory', () => {
  let dir: string;
  let code: string;
  let kinesis: KinesisTwin;
  const open: LambdaTwin[] = [];
  const batches: string[][] = [];

  const start = (dataDir: string): LambdaTwin => {
    const lambda = new LambdaTwin({
      kinesis,
      dataDir,
      pollIntervalMs: 5,
      retryDelayMs: 1,
      onLog: (_fn, chunk) => {
        for (const m of chunk.matchAll(/BATCH (\[.*\])/g)) batches.push(JSON.parse(m[1]!) as string[]);
      },
    });
    open.push(lambda);
    return lambda;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-durable-'));
    code = join(dir, 'code');
    mkdirSync(code);
    writeFileSync(join(code, 'index.js'), CODE);
    kinesis = new KinesisTwin({ limits: false });
    batches.length = 0;
  });

  afterEach(async () => {
    for (const lambda of open.splice(0)) await lambda.close();
    await kinesis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps functions, versions, aliases and concurrency that were answered, and runs them after a crash', async () => {
    // Prepare
    const first = start(join(dir, 'a'));
    first.endpoint = 'http://127.0.0.1:4771';
    await first.createFunction({
      Role: 'arn:aws:iam::000000000000:role/r',
      FunctionName: 'echo',
      Handler: 'index.echo',
      Code: { Directory: code },
      Environment: { Variables: { OWN: 'v1' } },
      Tags: { team: 'data' },
    });
    await first.publishVersion({ FunctionName: 'echo' });
    await first.updateFunctionConfiguration({ FunctionName: 'echo', Environment: { Variables: { OWN: 'v2' } } });
    await first.createAlias({ FunctionName: 'echo', Name: 'live', FunctionVersion: '1' });
    await first.putFunctionConcurrency({ FunctionName: 'echo', ReservedConcurrentExecutions: 3 });
    const before = await first.getFunctionConfiguration({ FunctionName: 'echo' });

    // Act: a crash right after the answers, then a twin on another port
    crashCopy(join(dir, 'a'), join(dir, 'b'));
    const second = start(join(dir, 'b'));
    second.endpoint = 'http://127.0.0.1:4772';
    const after = await second.getFunctionConfiguration({ FunctionName: 'echo' });
    const viaAlias = JSON.parse((await second.invokeText('echo:live', '{"n":1}')).payload) as Record<string, unknown>;
    const latest = JSON.parse((await second.invokeText('echo', '{"n":2}')).payload) as Record<string, unknown>;
    const versions = await second.listVersionsByFunction({ FunctionName: 'echo' });
    const concurrency = await second.getFunctionConcurrency({ FunctionName: 'echo' });

    // Assess
    expect(after).toEqual(before);
    expect(viaAlias).toEqual({ event: { n: 1 }, own: 'v1', endpoint: 'http://127.0.0.1:4772' });
    expect(latest).toEqual({ event: { n: 2 }, own: 'v2', endpoint: 'http://127.0.0.1:4772' });
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1']);
    expect(concurrency.ReservedConcurrentExecutions).toBe(3);
  }, 60_000);

  it('forgets a deleted function, and resumes a mapping after its durable checkpoint: nothing twice, nothing skipped', async () => {
    // Prepare
    kinesis.call('CreateStream', { StreamName: 'in', ShardCount: 1 });
    const first = start(join(dir, 'a'));
    first.endpoint = 'http://127.0.0.1:4771';
    await first.createFunction({
      Role: 'arn:aws:iam::000000000000:role/r',
      FunctionName: 'consume',
      Handler: 'index.consume',
      Code: { Directory: code },
    });
    await first.createFunction({
      Role: 'arn:aws:iam::000000000000:role/r',
      FunctionName: 'gone',
      Handler: 'index.echo',
      Code: { Directory: code },
    });
    await first.deleteFunction({ FunctionName: 'gone' });
    const mapping = await first.createEventSourceMapping({
      FunctionName: 'consume',
      EventSourceArn: kinesis.streamArn('in'),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
    });
    const put = (from: number, to: number) =>
      kinesis.putRecords(
        { StreamName: 'in' },
        Array.from({ length: to - from }, (_, i) => ({ data: Buffer.from(`r${from + i}`), partitionKey: 'k' })),
      );
    const last = put(0, 5).Records.at(-1) as { SequenceNumber: string };
    await until('the first records', () => batches.flat().length === 5);
    // the function has answered; its checkpoint moves once the mapping has its answer
    const shard = () => first.store.mappings.get(mapping.UUID!)?.checkpoints.get('shardId-000000000000');
    await until('the checkpoint', () => shard() === last.SequenceNumber);
    await first.flush();

    // Act: a crash once the checkpoint is durable; more records; a new twin on what the crash left
    crashCopy(join(dir, 'a'), join(dir, 'b'));
    await first.close();
    open.splice(0);
    put(5, 8);
    const second = start(join(dir, 'b'));
    second.endpoint = 'http://127.0.0.1:4772';
    await until('the records put since', () => batches.flat().length >= 8);
    await new Promise((r) => setTimeout(r, 100));
    const kept = await second.getEventSourceMapping({ UUID: mapping.UUID! });
    const functions = await second.listFunctions();

    // Assess
    expect(batches.flat()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    expect(kept).toMatchObject({ UUID: mapping.UUID, State: 'Enabled', BatchSize: 10 });
    expect(functions.Functions?.map((f) => f.FunctionName)).toEqual(['consume']);
  }, 60_000);
});
