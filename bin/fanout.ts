#!/usr/bin/env tsx
/**
 * fanout: the command line of kinesis-fanout. Each command lives in bin/commands/<name>.ts and exports
 * `register(program)`.
 */
import '../src/polyfills';
import { Command } from 'commander';
import { commands, fileCommands } from './commands';

// Output into a reader that has gone (`fanout run | head -3`): stop as a Unix tool stops on SIGPIPE, quietly and
// with its status (128 + 13), instead of dying of an unhandled EPIPE with a stack trace on the first line after.
// The twin lives in this process and goes with it; a lock or a kept data directory survives that as it survives
// a SIGKILL.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(128 + 13);
  });
}

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
