#!/usr/bin/env tsx
/**
 * fanout: the command line of kinesis-fanout. Each command lives in bin/commands/<name>.ts and exports
 * `register(program)`.
 */
import '../src/polyfills';
import { Command } from 'commander';
import { commands, fileCommands } from './commands';

const program = new Command()
  .name('fanout')
  .description('Fan one Kinesis stream out to many with SQL; run the lifecycle on AWS or on the local twin')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

for (const register of [...fileCommands, ...commands]) register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`fanout: ${message}\n`);
  process.exitCode = 1;
});
