import { Command } from 'commander';
import { register } from '../../../bin/commands/twin';

function program(): Command {
  const p = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(p);
  return p;
}

describe('Command: twin', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('starts the twin, prints its endpoint, and stops on SIGINT', async () => {
    // Prepare
    const lines: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });

    // Act
    const run = program().parseAsync(['twin', '--port', '0', '--limits', 'off'], { from: 'user' });
    for (let i = 0; i < 200 && !lines.join('').includes('listening'); i++) await new Promise((r) => setTimeout(r, 10));
    const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(lines.join(''))?.[1];
    const health = await fetch(`${endpoint}/_twin/health`);
    process.emit('SIGINT');
    await run;

    // Assess
    expect(endpoint).toBeDefined();
    expect(health.status).toBe(200);
    expect(lines.join('')).toContain('limits off');
    expect(lines.join('')).toContain('stopping the twin');
  });

  it('refuses a limits switch other than on or off', async () => {
    // Act
    const error = await program()
      .parseAsync(['twin', '--limits', 'maybe'], { from: 'user' })
      .catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toContain('expected on or off');
  });
});
