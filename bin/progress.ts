/**
 * Live progress for long steps. On a terminal a step is one line with a spinner and its elapsed time, redrawn in
 * place, then replaced by its outcome; elsewhere (CI, pipes) each step prints one line when it starts and one when it
 * ends, with no control characters.
 */
import pc from 'picocolors';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Step {
  /** Replaces the detail shown after the label while the step runs. */
  update(detail: string): void;
  succeed(detail?: string): void;
  fail(detail?: string): void;
  /** Ends the step with a neutral mark (skipped, cached...). */
  skip(detail?: string): void;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export class Progress {
  private readonly live: boolean;
  private readonly c: ReturnType<typeof pc.createColors>;
  private active: { label: string; detail: string; started: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.live = !!out.isTTY && process.env['CI'] !== 'true' && process.env['TERM'] !== 'dumb';
    this.c = pc.createColors(!!out.isTTY && pc.isColorSupported);
  }

  get colors(): ReturnType<typeof pc.createColors> {
    return this.c;
  }

  /** Whether the output is coloured (a terminal that supports it). */
  get colored(): boolean {
    return !!this.out.isTTY && pc.isColorSupported;
  }

  /** Shows `text` as the detail of the live step (what it is doing now). */
  activity(text: string): void {
    if (!this.active) return;
    this.active.detail = text;
    this.draw();
  }

  /** Prints a line above the live step (if any). */
  line(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
    this.draw();
  }

  /** Starts a step; only one runs at a time (a new one ends nothing, it replaces the live line). */
  step(label: string, detail = ''): Step {
    const started = Date.now();
    this.active = { label, detail, started };
    if (this.live) {
      this.timer ??= setInterval(() => this.draw(), 80);
      this.timer.unref();
      this.draw();
    } else this.out.write(`… ${label}${detail ? ` ${detail}` : ''}\n`);
    const end = (mark: string, detail?: string): void => {
      this.clear();
      if (this.active?.started === started && this.active.label === label) this.active = undefined;
      const took = this.c.dim(formatMs(Date.now() - started));
      this.out.write(`${mark} ${label}${detail ? ` ${detail}` : ''} ${took}\n`);
      if (!this.active) this.stopTimer();
      this.draw();
    };
    return {
      update: (d) => {
        if (this.active?.started === started) this.active.detail = d;
        if (!this.live) return;
        this.draw();
      },
      succeed: (d) => end(this.c.green('✔'), d),
      fail: (d) => end(this.c.red('✖'), d),
      skip: (d) => end(this.c.dim('•'), d),
    };
  }

  private draw(): void {
    if (!this.live || !this.active) return;
    const { label, detail, started } = this.active;
    const spin = this.c.cyan(FRAMES[this.frame++ % FRAMES.length]!);
    const text = `${spin} ${label}${detail ? ` ${this.c.dim(detail)}` : ''} ${this.c.dim(formatMs(Date.now() - started))}`;
    const width = this.out.columns || 120;
    this.out.write(`\r\x1b[2K${text.length > width + 30 ? text.slice(0, width + 30) : text}`);
  }

  private clear(): void {
    if (this.live && this.active !== undefined) this.out.write('\r\x1b[2K');
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops redrawing (always call before exiting). */
  close(): void {
    this.clear();
    this.active = undefined;
    this.stopTimer();
  }
}
