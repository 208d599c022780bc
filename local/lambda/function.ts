/**
 * One function version of the Lambda twin: a pool of execution environments (local/lambda/environment.ts). An
 * environment serves one invocation at a time; concurrent invocations get more environments, up to the function's
 * concurrency limit. The function's timeout runs on the twin's Clock. Every invocation's log lines (START, what the
 * handler writes, END, REPORT) go to the log sink.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { Environment, type FunctionConfig, type RuntimeAnswer } from './environment';
import { type LogSink, runtimeLines } from './logs';

export type { FunctionConfig } from './environment';

/** What an invocation returns: the payload (JSON text) and, when the function failed, `Unhandled`. */
export interface InvokeResult {
  payload: string;
  functionError?: 'Unhandled';
  requestId: string;
  /** `$LATEST` or the version that ran. */
  executedVersion: string;
  durationMs: number;
  /** The invocation's log, as Lambda's LogType Tail returns it (the last 4 KB). */
  logs: string;
}

export interface FunctionDeps {
  clock: Clock;
  sink: LogSink;
  /** Raw stdout/stderr of the function's environments. */
  onStdout: (functionName: string, chunk: string) => void;
}

/** Raised to an invocation that reached a function replaced or deleted before it got an environment. */
export class FunctionGoneError extends Error {
  constructor(name: string) {
    super(`Function ${name} is deleted`);
    this.name = 'FunctionGoneError';
  }
}

const LOG_TAIL = 4096;
/** Environments at most, without reserved concurrency. */
const DEFAULT_CONCURRENCY = 64;

/** A function version and its execution environments. */
export class LambdaFunction {
  private readonly environments = new Set<Environment>();
  private readonly waiting: (() => void)[] = [];
  /** Log lines of the invocation running in each environment (for LogType Tail). */
  private readonly tails = new Map<string, string>();
  private closed = false;
  private warming: Promise<void> | undefined;
  /** Warmed ahead of invocations (the twin's provisioned concurrency): its replacement is warmed too. */
  provisioned = false;
  /** Invocations so far, and how many environments were started (cold starts). */
  invocations = 0;
  coldStarts = 0;

  constructor(
    readonly config: FunctionConfig,
    private readonly deps: FunctionDeps,
  ) {}

  /** False once the function was replaced or deleted: new invocations go elsewhere. */
  get open(): boolean {
    return !this.closed;
  }

  private log(env: Environment, message: string, requestId?: string): void {
    if (requestId !== undefined) {
      const tail = this.tails.get(requestId);
      if (tail !== undefined) this.tails.set(requestId, (tail + message).slice(-LOG_TAIL));
    }
    if (!this.deps.sink.active) return;
    this.deps.sink.publish({
      functionName: this.config.name,
      version: this.config.version,
      logGroupName: `/aws/lambda/${this.config.name}`,
      logStreamName: env.logStreamName,
      ...(requestId !== undefined ? { requestId } : {}),
      timestamp: this.deps.clock.now(),
      message,
    });
  }

  /** Invokes the function with a JSON payload (text); waits for a free environment when at the limit. */
  async invoke(payload: string): Promise<InvokeResult> {
    if (this.closed) throw new FunctionGoneError(this.config.name);
    const env = await this.acquire();
    const requestId = randomUUID();
    const { clock } = this.deps;
    const started = performance.now();
    this.tails.set(requestId, '');
    this.log(env, runtimeLines.start(requestId, this.config.version), requestId);
    let timer: unknown;
    let expired = false;
    const timedOut = new Promise<RuntimeAnswer>((resolve) => {
      timer = clock.setTimeout(() => {
        expired = true;
        resolve({
          ok: false,
          memoryMb: 0,
          payload: JSON.stringify({
            errorType: 'Sandbox.Timedout',
            errorMessage: `RequestId: ${requestId} Error: Task timed out after ${this.config.timeout.toFixed(2)} seconds`,
          }),
        });
      }, this.config.timeout * 1000);
    });
    this.invocations++;
    const first = env.invocations === 0 && !env.warmed;
    try {
      const answer = await Promise.race([env.run(payload, requestId), timedOut]);
      const durationMs = performance.now() - started;
      if (expired) this.log(env, runtimeLines.timedOut(clock.now(), requestId, this.config.timeout), requestId);
      else if (!answer.ok) this.log(env, runtimeLines.invokeError(clock.now(), requestId, answer.payload), requestId);
      this.log(env, runtimeLines.end(requestId), requestId);
      this.log(
        env,
        runtimeLines.report({
          requestId,
          durationMs,
          memorySize: this.config.memorySize,
          maxMemoryUsedMb: answer.memoryMb,
          ...(first && answer.initMs !== undefined ? { initDurationMs: answer.initMs } : {}),
          ...(expired ? { status: 'timeout' as const } : answer.ok ? {} : { status: 'error' as const }),
        }),
        requestId,
      );
      const result: InvokeResult = {
        payload: answer.payload,
        requestId,
        executedVersion: this.config.version,
        durationMs,
        logs: this.tails.get(requestId) ?? '',
      };
      if (!answer.ok) result.functionError = 'Unhandled';
      return result;
    } finally {
      clock.clearTimeout(timer);
      this.tails.delete(requestId);
      // a timed-out environment may still be running the handler: it is discarded, as Lambda does
      if (expired) {
        this.environments.delete(env);
        void env.terminate();
      }
      this.release(env);
    }
  }

  /**
   * Starts an environment and loads the handler ahead of the first invocation, as provisioned concurrency does, so
   * that a run does not pay every function's cold start in turn.
   */
  warm(): Promise<void> {
    this.provisioned = true;
    if (this.closed || this.environments.size > 0) return Promise.resolve();
    this.warming ??= (async () => {
      const env = await this.acquire(true);
      try {
        await env.init();
      } finally {
        this.warmingEnv = undefined;
        this.release(env);
      }
    })();
    return this.warming;
  }

  private async acquire(warming = false): Promise<Environment> {
    // the first invocation waits for the environment being warmed rather than starting a second one
    if (!warming && this.warming) await this.warming;
    for (;;) {
      if (this.closed) throw new FunctionGoneError(this.config.name);
      for (const env of this.environments) {
        if (!env.busy && !env.dead) {
          env.busy = true;
          if (warming) this.warmingEnv = env;
          return env;
        }
      }
      if (this.environments.size < (this.config.concurrency ?? DEFAULT_CONCURRENCY)) {
        const env = new Environment(this.config, this.deps.clock, {
          stdout: (chunk) => this.deps.onStdout(this.config.name, chunk),
          log: (e, line, requestId) => this.log(e, line, requestId),
          exited: (e) => this.environments.delete(e),
        });
        this.coldStarts++;
        this.environments.add(env);
        this.log(env, runtimeLines.initStart(this.config.runtime));
        env.busy = true;
        // marked before the caller resumes: a retire in between stops this warm-up too
        if (warming) this.warmingEnv = env;
        return env;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(env: Environment): void {
    env.busy = false;
    if (this.retiring && !env.dead) void env.terminate().then(() => this.environments.delete(env));
    this.waiting.shift()?.();
  }

  private retiring = false;
  /** The environment loading its handler ahead of any invocation (warm), until it has. */
  private warmingEnv: Environment | undefined;

  /** Number of live execution environments. */
  get environmentCount(): number {
    return this.environments.size;
  }

  /**
   * Takes no new invocations; the running ones finish in their environments, which then stop (what Lambda does to
   * the old environments of a function whose code or configuration changes). An environment still loading its
   * handler ahead of time stops at once: nothing can run in it any more, and its load would take a core from the
   * replacement's (seen: a deploy's warm-up of the fan-out function, replaced by the engine's configuration a moment
   * later, loading on for 0.6 s beside the new one and the version published from it).
   */
  async retire(): Promise<void> {
    this.closed = true;
    this.retiring = true;
    for (const w of this.waiting.splice(0)) w();
    await Promise.all([...this.environments].filter((e) => !e.busy || e === this.warmingEnv).map((e) => e.terminate()));
  }

  /** Stops every environment (worker thread) of the function at once. */
  async close(): Promise<void> {
    this.closed = true;
    const envs = [...this.environments];
    this.environments.clear();
    for (const w of this.waiting.splice(0)) w();
    await Promise.all(envs.map((e) => e.terminate()));
  }
}
