#!/usr/bin/env node
/**
 * The CLI's launcher (package.json's `bin`, `npm start`, `npm run fanout`): bin/fanout.ts in one bundle made by
 * esbuild and kept until a source changes (bin/cli-bundle.cjs), or under tsx's CommonJS hooks when the bundle cannot
 * be made (or FANOUT_CLI_TSX=1). Not the `tsx` command: that runs the program in a second Node process (so a SIGKILL
 * of the one a user sees leaves the twin running) with tsx's ESM loader on a thread of its own (about 37 MB resident
 * and slower calls); the project is CommonJS throughout and needs neither. V8's young generation keeps its default
 * (16 MB semi-spaces): 8 MB took 20 MB off a twin holding a million records but about 15% off the sustained
 * fan-out (docs/performance.md); node flags for the twin's process go on the #! line, where the memory bench reads
 * them (bench/kinesis.bench.ts).
 */
require('./cli-bundle.cjs').run(require('node:path').resolve(__dirname, '..'), 'bin/fanout.ts');
