/**
 * `fanout init` and `fanout plan`: the commands in process (their output and errors), and the real CLI once for
 * the exit code and the one line a bad file gives, before anything is packaged.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { register as registerInit } from '../../../bin/commands/init';
import { register as registerPlan } from '../../../bin/commands/plan';

const ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'bin', 'fanout.ts');
const ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/Clicks';

/** The real CLI, as a user runs it. */
async function cli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', require.resolve('tsx'), CLI, ...args],
      {
        cwd,
        env: { ...process.env, FANOUT_CONFIG: '', FANOUT_ENGINE: '', NO_COLOR: '1' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { code: e.code ?? 1, stdout: e.stdout, stderr: e.stderr };
  }
}

/** init or plan in process, in `cwd`: what it printed, or the error it stopped with. */
async function fanout(cwd: string, ...args: string[]): Promise<{ stdout: string; error?: string }> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerInit(program);
  registerPlan(program);
  const chunks: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const before = process.cwd();
  const saved = { config: process.env['FANOUT_CONFIG'], engine: process.env['FANOUT_ENGINE'] };
  delete process.env['FANOUT_CONFIG'];
  delete process.env['FANOUT_ENGINE'];
  process.chdir(cwd);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { stdout: chunks.join('') };
  } catch (error) {
    return { stdout: chunks.join(''), error: (error as Error).message };
  } finally {
    process.chdir(before);
    write.mockRestore();
    stderr.mockRestore();
    for (const [key, name] of [
      ['config', 'FANOUT_CONFIG'],
      ['engine', 'FANOUT_ENGINE'],
    ] as const) {
      if (saved[key] === undefined) delete process.env[name];
      else process.env[name] = saved[key];
    }
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fanout-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Command: init', () => {
  it('writes N copies of an existing stream, prints the plan, and refuses to overwrite without --force', async () => {
    // Act
    const first = await fanout(dir, 'init', '--input-arn', ARN, '--copies', '5', '--engine', 'kinesis-analytics');
    const again = await fanout(dir, 'init', '--copies', '2');
    const forced = await fanout(dir, 'init', '--copies', '2', '--force');

    // Assess
    expect(first.error).toBeUndefined();
    expect(first.stdout).toContain('wrote fanout.yml');
    expect(first.stdout).toMatch(/input\s+Clicks\s+referenced\s+arn:aws:kinesis:eu-west-1:123456789012:stream\/Clicks/);
    expect(first.stdout).toContain('kinesis-fanout-dev-1  -> Clicks-copy-1, Clicks-copy-2, Clicks-copy-3');
    expect(first.stdout).toContain('kinesis-fanout-dev-2  -> Clicks-copy-4, Clicks-copy-5');
    expect(first.stdout).toMatch(/kpuHour\s+\$0\.11 per KPU-hour/);
    expect(again.error).toBe('fanout.yml exists: not overwritten (--force replaces it)');
    expect(forced.error).toBeUndefined();
    expect(readFileSync(join(dir, 'fanout.yml'), 'utf8')).toContain('  - stream: Input-copy-2\n');
  }, 300_000);

  it('binds --outputs to the in-application streams of --sql in order', async () => {
    // Prepare
    mkdirSync(join(dir, 'sql'));
    writeFileSync(
      join(dir, 'sql', 'split.sql'),
      'CREATE STREAM "BIG" (x INTEGER);\nCREATE STREAM "SMALL" (x INTEGER);\n' +
        'CREATE PUMP "P1" AS INSERT INTO "BIG" SELECT STREAM x FROM "SOURCE_SQL_STREAM_001" WHERE x >= 10;\n' +
        'CREATE PUMP "P2" AS INSERT INTO "SMALL" SELECT STREAM x FROM "SOURCE_SQL_STREAM_001" WHERE x < 10;\n',
    );

    // Act
    const result = await fanout(dir, 'init', '--input', 'Numbers', '--outputs', 'big,small', '--sql', 'sql/split.sql');

    // Assess
    expect(result.error).toBeUndefined();
    expect(readFileSync(join(dir, 'fanout.yml'), 'utf8')).toContain(
      'input:\n  stream: Numbers\n  shards: 1\nsql: sql/split.sql\noutputs:\n  - stream: big\n    sqlStream: BIG\n  - stream: small\n    sqlStream: SMALL\n',
    );
    expect(result.stdout).toMatch(/output\s+big\s+created\s+1 shard\s+<- BIG/);
  }, 300_000);

  it('writes nothing when the flags make a bad file', async () => {
    // Act
    const result = await fanout(dir, 'init', '--outputs', `Input,${ARN.replace('kinesis', 'sqs')}`);

    // Assess
    expect(result.error).toBe('arn:aws:sqs:eu-west-1:123456789012:stream/Clicks is not a Kinesis stream ARN');
    expect(() => readFileSync(join(dir, 'fanout.yml'))).toThrow();
  }, 300_000);
});

describe('Command: plan', () => {
  it('plans the project file with the lambda engine at a rate, and refuses a bad file on one line', async () => {
    // Prepare
    writeFileSync(join(dir, 'bad.yml'), 'input: {stream: In}\noutputs:\n  - stream: A\n  - stream: A\n');

    // Act
    const plan = await fanout(ROOT, 'plan', '--engine', 'lambda', '--rate', '500');
    const bad = await cli(dir, 'plan', '--config', 'bad.yml');

    // Assess
    expect(plan.error).toBeUndefined();
    expect(plan.stdout).toContain('fanout.yml with the lambda engine');
    expect(plan.stdout).toContain('mapping: Transactions -> kinesis-fanout-dev-fanout');
    expect(plan.stdout).toContain('at 500 records/s of 1,024 bytes');
    expect(plan.stdout).toMatch(/total with lambda\s+\$\d/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'fanout: bad.yml:4:5: outputs[1].stream: stream A is already outputs[0]; every stream may appear once\n',
    );
  }, 300_000);
});

describe('Option: --config', () => {
  it('stops fanout run and fanout up on a bad --config before anything is packaged', async () => {
    // Prepare
    writeFileSync(join(dir, 'five.yml'), 'input: {stream: In}\noutputs:\n  - stream: A\n    shard: 2\n');

    // Act
    const run = await cli(dir, 'run', '--config', 'five.yml');
    const up = await cli(dir, 'up', '--config', 'five.yml', '--port', '0');

    // Assess
    for (const result of [run, up]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('fanout: five.yml:4:5: outputs[0].shard: unknown key\n');
    }
    expect(existsSync(join(dir, '.serverless'))).toBe(false);
  }, 300_000);
});
