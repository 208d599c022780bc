/**
 * A Lambda event source mapping killed with SIGKILL (issue 11 §3): the whole twin in a child process with a data
 * directory, a function that appends every record it is handed to a file (written before the function answers, so
 * the file outlives the kill), a mapping reading a stream from its start. Records are put, the twin is killed once
 * the function has seen some, and started again on the same directory; more records are put. Then the mapping has
 * its UUID and is Enabled, every record reached the function at least once, and after the restart the mapping
 * read on from its kept checkpoint (not from the stream's start): what it handed over again is the run of records
 * after the last durable checkpoint, in order, with no gap (Lambda's at-least-once).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { Child } from '../kinesis/crash';
import { crashRun } from './harness';

const SCRIPT = join(__dirname, 'fanout-twin.ts');
const HANDLER = `const fs = require('node:fs');
exports.handler = async (event) => {
  const lines = event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString() + '\\n').join('');
  fs.appendFileSync(process.env.SEEN, lines);
  return {};
};
`;
const config = (url: string) => ({
  endpoint: url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});

jest.setTimeout(300_000);

describe('Integration: an event source mapping killed with SIGKILL and restarted on its data directory', () => {
  const run = crashRun('mapping-crash-');

  const connect = (url: string) => {
    const c = { kinesis: new KinesisClient(config(url)), lambda: new LambdaClient(config(url)) };
    run.clients.push(c.kinesis, c.lambda);
    return c;
  };

  it('keeps the mapping and its checkpoint: every record at least once, again only what followed the durable checkpoint', async () => {
    // Prepare
    const seenFile = join(run.dataDir, 'seen.txt');
    const seen = (): string[] => {
      try {
        return readFileSync(seenFile, 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    };
    run.child = await Child.start(join(run.dataDir, 'twin'), SCRIPT, [run.codeDir]);
    let c = connect(run.child.url);
    await c.kinesis.send(new CreateStreamCommand({ StreamName: 'mapped', ShardCount: 1 }));
    const fn = await c.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'recorder',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/recorder',
        Code: { ZipFile: zipSync({ 'index.js': strToU8(HANDLER) }) },
        Environment: { Variables: { SEEN: seenFile } },
      }),
    );
    const mapping = await c.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fn.FunctionArn!,
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/mapped',
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
      }),
    );
    const put = async (from: number, count: number) => {
      for (let i = from; i < from + count; i += 10) {
        const ids = Array.from({ length: Math.min(10, from + count - i) }, (_, k) => `r${i + k}`);
        await c.kinesis.send(
          new PutRecordsCommand({
            StreamName: 'mapped',
            Records: ids.map((id) => ({ PartitionKey: 'k', Data: Buffer.from(id) })),
          }),
        );
      }
    };

    // Act: 300 records; kill once the function has seen 50 of them, mid-stream
    await put(0, 300);
    for (let i = 0; seen().length < 50; i++) {
      if (i === 24_000) throw new Error(`the function saw ${seen().length} records in 2 minutes`);
      await sleep(5);
    }
    await run.child.kill();
    const beforeRestart = seen();
    run.child = await Child.start(join(run.dataDir, 'twin'), SCRIPT, [run.codeDir]);
    c = connect(run.child.url);
    await put(300, 50);
    for (let i = 0; new Set(seen()).size < 350; i++) {
      if (i === 1200) throw new Error(`after the restart the function saw ${new Set(seen()).size} of 350 records`);
      await sleep(100);
    }
    const mappings = (await c.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
    const all = seen();

    // Assess
    process.stdout.write(
      `mapping crash: ${beforeRestart.length} seen before the kill, ${all.length} handed over for 350 records\n`,
    );
    expect(mappings.map((m) => [m.UUID, m.State])).toEqual([[mapping.UUID, 'Enabled']]);
    const ids = (lines: string[]) => lines.map((l) => Number(l.slice(1)));
    expect(new Set(all)).toEqual(new Set(Array.from({ length: 350 }, (_, i) => `r${i}`)));
    // before the kill: in order, each once
    expect(ids(beforeRestart)).toEqual(beforeRestart.map((_, i) => i));
    // after it: the mapping went on from its checkpoint (not from the stream's start), in order, with no gap; what
    // it hands over again is what the function had seen after the last checkpoint that was durable (checkpoints
    // are written in the background, a group commit behind: at least once for the batches since, as Lambda says)
    const after = ids(all.slice(beforeRestart.length));
    const resumedAt = after[0]!;
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(beforeRestart.length);
    expect(after).toEqual(after.map((_, i) => resumedAt + i));
  });
});
