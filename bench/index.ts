/**
 * `npm run bench [-- --json] [-- --only name,...]`: runs every bench/*.bench.ts and prints its figures.
 * Each benchmark measures its subject and its baseline side by side in the same run and reports ratios;
 * nothing here asserts a time.
 */
import '../src/polyfills';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What a benchmark module default-exports. */
export type Benchmark = (log: (line: string) => void) => Promise<Record<string, number | string>>;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const results: Record<string, Record<string, number | string>> = {};
  for (const file of files) {
    const name = file.replace(/\.bench\.ts$/, '');
    if (only && !only.has(name)) continue;
    log(`# ${name}`);
    // require, not import(): the bench runs under tsx's CommonJS hooks alone (no ESM loader thread), as the CLI does
    const mod = require(join(__dirname, file)) as { default: Benchmark };
    const figures = await mod.default(log);
    for (const [key, value] of Object.entries(figures)) {
      const [group, ...rest] = key.split('.');
      results[group!] ??= {};
      const g = results[group!]!;
      g[rest.join('.')] = value;
      if (!json)
        process.stdout.write(
          `${key.padEnd(40)} ${typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 3 }) : value}\n`,
        );
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
