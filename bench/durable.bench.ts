/**
 * The cost of --data-dir for the services beyond Kinesis (issue 11 §3), each measured against itself in memory in
 * the same run, alternating (memory, durable, memory, durable), best round of each kept:
 * - Step Functions: executions of a two-state machine started on the wire path (`handle('StartExecution')`,
 *   answered once durable), each run to its end; every history event is a journal entry.
 * - Lambda: records through a Kinesis event source mapping (batches of 100, one checkpoint entry per batch) into a
 *   warmed function, from the put to the last batch answered.
 * - Kinesis Analytics: control-plane changes (TagResource/UntagResource on the wire path, each answered durably).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisTwin } from '../local/kinesis';
import { KinesisAnalyticsTwin } from '../local/kinesis-analytics';
import { LambdaTwin } from '../local/lambda';
import { StepFunctionsTwin } from '../local/stepfunctions';
import type { Benchmark } from './index';

const ROUNDS = 2;
const EXECUTIONS = 60;
const RECORDS = 3000;
const TAG_CALLS = 200;

const MACHINE = JSON.stringify({
  StartAt: 'A',
  States: { A: { Type: 'Pass', Result: { ok: true }, Next: 'B' }, B: { Type: 'Pass', End: true } },
});

async function stepFunctions(dataDir: string | undefined): Promise<number> {
  const sfn = new StepFunctionsTwin(dataDir ? { dataDir } : {});
  try {
    const { stateMachineArn } = (await sfn.handle('CreateStateMachine', {
      name: 'bench',
      definition: MACHINE,
      roleArn: 'arn:aws:iam::000000000000:role/r',
    })) as { stateMachineArn: string };
    const started = performance.now();
    for (let i = 0; i < EXECUTIONS; i++) {
      const { executionArn } = (await sfn.handle('StartExecution', { stateMachineArn, name: `e${i}` })) as {
        executionArn: string;
      };
      await sfn.execution(executionArn).done;
    }
    return EXECUTIONS / ((performance.now() - started) / 1000);
  } finally {
    await sfn.close();
  }
}

async function lambda(dataDir: string | undefined, code: string): Promise<number> {
  const kinesis = new KinesisTwin({ limits: false });
  let seen = 0;
  const twin = new LambdaTwin({
    kinesis,
    pollIntervalMs: 5,
    retryDelayMs: 1,
    ...(dataDir ? { dataDir } : {}),
    onLog: (_fn, chunk) => {
      for (const m of chunk.matchAll(/N (\d+)/g)) seen += Number(m[1]);
    },
  });
  twin.endpoint = 'http://127.0.0.1:4779';
  try {
    kinesis.call('CreateStream', { StreamName: 'in', ShardCount: 1 });
    await twin.createFunction({
      Role: 'arn:aws:iam::000000000000:role/r',
      FunctionName: 'f',
      Handler: 'index.handler',
      Code: { Directory: code },
    });
    await twin.invokeText('f', '{"Records":[]}');
    seen = 0;
    await twin.createEventSourceMapping({
      FunctionName: 'f',
      EventSourceArn: kinesis.streamArn('in'),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
    });
    const started = performance.now();
    for (let i = 0; i < RECORDS; i += 500) {
      kinesis.putRecords(
        { StreamName: 'in' },
        Array.from({ length: 500 }, (_, j) => ({ data: Buffer.from(`r${i + j}`), partitionKey: 'k' })),
      );
    }
    while (seen < RECORDS) await new Promise((r) => setTimeout(r, 2));
    return RECORDS / ((performance.now() - started) / 1000);
  } finally {
    await twin.close();
    await kinesis.close();
  }
}

async function analytics(dataDir: string | undefined): Promise<number> {
  const kinesis = new KinesisTwin({ limits: false });
  const ka = new KinesisAnalyticsTwin({ kinesis, fast: true, ...(dataDir ? { dataDir } : {}) });
  try {
    const { ApplicationSummary } = (await ka.handle('CreateApplication', { ApplicationName: 'bench' })) as {
      ApplicationSummary: { ApplicationARN: string };
    };
    const started = performance.now();
    for (let i = 0; i < TAG_CALLS; i++) {
      await ka.handle('TagResource', {
        ResourceARN: ApplicationSummary.ApplicationARN,
        Tags: [{ Key: 'k', Value: `${i}` }],
      });
    }
    return TAG_CALLS / ((performance.now() - started) / 1000);
  } finally {
    await ka.close();
    await kinesis.close();
  }
}

const bench: Benchmark = async (log) => {
  const root = mkdtempSync(join(tmpdir(), 'durable-bench-'));
  const code = join(root, 'code');
  mkdirSync(code);
  writeFileSync(
    join(code, 'index.js'),
    "exports.handler = async (e) => { console.log('N ' + e.Records.length); return { batchItemFailures: [] }; };",
  );
  const best = { sfnMemory: 0, sfnDurable: 0, lambdaMemory: 0, lambdaDurable: 0, kaMemory: 0, kaDurable: 0 };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = (name: string) => join(root, `${name}-${round}`);
      best.sfnMemory = Math.max(best.sfnMemory, await stepFunctions(undefined));
      best.sfnDurable = Math.max(best.sfnDurable, await stepFunctions(dir('sfn')));
      best.lambdaMemory = Math.max(best.lambdaMemory, await lambda(undefined, code));
      best.lambdaDurable = Math.max(best.lambdaDurable, await lambda(dir('lambda'), code));
      best.kaMemory = Math.max(best.kaMemory, await analytics(undefined));
      best.kaDurable = Math.max(best.kaDurable, await analytics(dir('ka')));
      log(`round ${round + 1}: ${JSON.stringify(best)}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    'durable.sfnExecutionsPerSecondMemory': best.sfnMemory,
    'durable.sfnExecutionsPerSecondDurable': best.sfnDurable,
    'durable.sfnRatio': best.sfnDurable / best.sfnMemory,
    'durable.mappingRecordsPerSecondMemory': best.lambdaMemory,
    'durable.mappingRecordsPerSecondDurable': best.lambdaDurable,
    'durable.mappingRatio': best.lambdaDurable / best.lambdaMemory,
    'durable.kaChangesPerSecondMemory': best.kaMemory,
    'durable.kaChangesPerSecondDurable': best.kaDurable,
    'durable.kaRatio': best.kaDurable / best.kaMemory,
  };
};

export default bench;
