#!/usr/bin/env -S node --max-semi-space-size=8
/**
 * The CLI's launcher (package.json's `bin`, `npm start`, `npm run fanout`): Node itself with tsx's CommonJS hooks,
 * then bin/fanout.ts. Not the `tsx` command: that runs the program in a second Node process (so a SIGKILL of the
 * one a user sees leaves the twin running) with tsx's ESM loader on a thread of its own (about 37 MB resident and
 * slower calls); the project is CommonJS throughout and needs neither. `--max-semi-space-size=8` caps V8's young
 * generation at 8 MB semi-spaces (the default grows to 16): a twin holding records keeps them outside the JS heap,
 * so the young generation only ever holds one request's garbage (docs/architecture.md, "How the Kinesis twin holds
 * records"; `npm run bench -- --only=kinesis,ceiling` measures both with these flags).
 */
require('tsx/cjs');
require('./fanout.ts');
