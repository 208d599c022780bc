/**
 * The child of fanout-crash.test.ts: the whole twin with --data-dir on a free port of 127.0.0.1 (fast, limits
 * off). Given a packaged template, it deploys it first (only into an empty data directory: after a restart the
 * deployed resources are what the data directory kept). It prints `listening <url>` once what it deployed is
 * durable, and runs until it is killed.
 * Usage: node --require tsx/cjs test/integration/crash/fanout-twin.ts <data dir> <code dir> [<template path>]
 */
import { dirname, join } from 'node:path';
import { deploy, readTemplate } from '../../../local/deploy';
import { startTwin } from '../../../local/twin';

async function main(): Promise<void> {
  const [dataDir, codeDir, templatePath] = process.argv.slice(2);
  if (!dataDir || !codeDir) throw new Error('usage: fanout-twin.ts <data dir> <code dir> [<template path>]');
  const twin = await startTwin({ port: 0, fast: true, limits: false, dataDir, codeDir });
  // definitions validated before are remembered there (compiling the ASL schema takes seconds)
  twin.stepFunctions.validationCacheDir = join(process.cwd(), '.fanout', 'validated-definitions');
  if (templatePath && (twin.stepFunctions.listStateMachines().stateMachines ?? []).length === 0) {
    await deploy(twin, readTemplate(templatePath), {
      artifactDir: dirname(templatePath),
      codeDir: `${codeDir}/lambda`,
    });
    await Promise.all([twin.lambda.flush(), twin.stepFunctions.flush(), twin.events.flush(), twin.iam.flush()]);
  }
  process.stdout.write(`listening ${twin.endpoint}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
