import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

describe('CLI: output into a reader that has gone', () => {
  it('stops quietly with the status of SIGPIPE, as a Unix tool does, instead of dying of EPIPE', async () => {
    // Prepare: the bare twin, which says one line when it listens and another when it stops
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'fanout.cjs'), 'twin', '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));

    // Act: the reader goes (as `| head -1` does), then the twin is asked to stop and writes its line
    child.stdout.destroy();
    child.kill('SIGINT');
    const code = await exited;

    // Assess
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(141);
  }, 60_000);
});
