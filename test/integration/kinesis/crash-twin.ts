/**
 * The child of crash.test.ts: a Kinesis twin with --data-dir on a free port of 127.0.0.1, limits off. It prints
 * `listening <url>` once it takes requests, and runs until it is killed.
 * Usage: node --require tsx/cjs test/integration/kinesis/crash-twin.ts <data dir>
 */
import { KinesisTwin } from '../../../local/kinesis';
import { startServer } from '../../../local/server';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: crash-twin.ts <data dir>');
  const twin = new KinesisTwin({ dataDir, limits: false });
  const server = await startServer({ port: 0, services: [twin] });
  process.stdout.write(`listening ${server.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
