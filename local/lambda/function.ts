/**
 * One function of the Lambda twin: a pool of execution environments, each a worker thread running
 * local/lambda/runtime.cjs with the function's own environment. An environment serves one invocation at a time;
 * concurrent invocations get more environments, up to the function's concurrency limit.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** The configuration of a deployed function, as AWS::Lambda::Function describes it. */
export interface FunctionConfig {
  name: string;
  arn: string;
  /** `<file>.<export>`, relative to codeDir. */
  handler: string;
  runtime: string;
  /** Seconds. */
  timeout: number;
  /** MB. */
  memorySize: number;
  /** Directory holding the unpacked code. */
  codeDir: string;
  /** The complete environment of the function (template variables and the runtime's own). */
  environment: Record<string, string>;
  role?: string;
  /** Environments at most (reserved concurrency); invocations beyond wait for one to free up. */
  concurrency?: number;
}

/** What an invocation returns: the payload (JSON text) and, when the function failed, `Unhandled`. */
export interface InvokeResult {
  payload: string;
  functionError?: 'Unhandled';
  requestId: string;
  durationMs: number;
  logs: string;
}

interface Pending {
  resolve: (r: { ok: boolean; payload: string }) => void;
}

const RUNTIME = join(__dirname, 'runtime.cjs');
const LOG_TAIL = 4096;

class Environment {
  readonly worker: Worker;
  busy = false;
  dead = false;
  private pending: Pending | undefined;
  private logs = '';

  constructor(config: FunctionConfig, onLog: (chunk: string) => void, onExit: (env: Environment) => void) {
    this.worker = new Worker(RUNTIME, {
      workerData: {
        codeDir: config.codeDir,
        handler: config.handler,
        functionName: config.name,
        functionArn: config.arn,
        memorySize: config.memorySize,
        logGroupName: `/aws/lambda/${config.name}`,
      },
      env: config.environment,
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(256, config.memorySize) },
    });
    const capture = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.logs = (this.logs + text).slice(-LOG_TAIL);
      onLog(text);
    };
    this.worker.stdout.on('data', capture);
    this.worker.stderr.on('data', capture);
    this.worker.on('message', (message: { ok: boolean; payload: string }) => {
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(message);
    });
    const fail = (errorType: string, errorMessage: string): void => {
      this.dead = true;
      const p = this.pending;
      this.pending = undefined;
      p?.resolve({ ok: false, payload: JSON.stringify({ errorType, errorMessage, trace: [] }) });
      onExit(this);
    };
    this.worker.on('error', (error) => fail('Runtime.ExitError', `RequestId: worker crashed: ${error.message}`));
    this.worker.on('exit', (code) => fail('Runtime.ExitError', `Runtime exited with error: exit status ${code}`));
  }

  /** Runs one invocation; resolves with the runtime's answer, never rejects. */
  run(payload: string, requestId: string, deadline: number): Promise<{ ok: boolean; payload: string; logs: string }> {
    this.logs = '';
    return new Promise((resolve) => {
      this.pending = { resolve: (r) => resolve({ ...r, logs: this.logs }) };
      this.worker.postMessage({
        id: requestId,
        payload,
        requestId,
        deadline,
        logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${requestId.replaceAll('-', '')}`,
      });
    });
  }

  /** Loads the handler without invoking it. */
  init(): Promise<void> {
    return new Promise((resolve) => {
      this.pending = { resolve: () => resolve() };
      this.worker.postMessage({ id: 'init', init: true });
    });
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

/** A deployed function and its execution environments. */
export class LambdaFunction {
  private readonly environments = new Set<Environment>();
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  /** Invocations so far, and how many environments were started (cold starts). */
  invocations = 0;
  coldStarts = 0;

  constructor(
    readonly config: FunctionConfig,
    private readonly onLog: (functionName: string, chunk: string) => void = () => {},
  ) {}

  /** Invokes the function with a JSON payload (text); waits for a free environment when at the limit. */
  async invoke(payload: string): Promise<InvokeResult> {
    if (this.closed) throw new Error(`Function ${this.config.name} is deleted`);
    const env = await this.acquire();
    const requestId = randomUUID();
    const started = Date.now();
    const timeoutMs = this.config.timeout * 1000;
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const timedOut = new Promise<{ ok: boolean; payload: string; logs: string }>((resolve) => {
      timer = setTimeout(() => {
        expired = true;
        resolve({
          ok: false,
          logs: '',
          payload: JSON.stringify({
            errorType: 'Sandbox.Timedout',
            errorMessage: `RequestId: ${requestId} Error: Task timed out after ${this.config.timeout.toFixed(2)} seconds`,
          }),
        });
      }, timeoutMs);
      timer.unref();
    });
    this.invocations++;
    try {
      const answer = await Promise.race([env.run(payload, requestId, started + timeoutMs), timedOut]);
      if (answer.ok) return { payload: answer.payload, requestId, durationMs: Date.now() - started, logs: answer.logs };
      return {
        payload: answer.payload,
        functionError: 'Unhandled',
        requestId,
        durationMs: Date.now() - started,
        logs: answer.logs,
      };
    } finally {
      clearTimeout(timer);
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
    if (this.closed || this.environments.size > 0) return Promise.resolve();
    this.warming ??= (async () => {
      const env = await this.acquire(true);
      try {
        await env.init();
      } finally {
        this.release(env);
      }
    })();
    return this.warming;
  }

  private warming: Promise<void> | undefined;

  private async acquire(warming = false): Promise<Environment> {
    // the first invocation waits for the environment being warmed rather than starting a second one
    if (!warming && this.warming) await this.warming;
    for (;;) {
      for (const env of this.environments) {
        if (!env.busy && !env.dead) {
          env.busy = true;
          return env;
        }
      }
      const limit = this.config.concurrency ?? 64;
      if (this.environments.size < limit) {
        const env = new Environment(
          this.config,
          (chunk) => this.onLog(this.config.name, chunk),
          (e) => this.environments.delete(e),
        );
        this.coldStarts++;
        this.environments.add(env);
        env.busy = true;
        return env;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(env: Environment): void {
    env.busy = false;
    this.waiting.shift()?.();
  }

  /** Number of live execution environments. */
  get environmentCount(): number {
    return this.environments.size;
  }

  /** Stops every environment (worker thread) of the function. */
  async close(): Promise<void> {
    this.closed = true;
    const envs = [...this.environments];
    this.environments.clear();
    for (const w of this.waiting.splice(0)) w();
    await Promise.all(envs.map((e) => e.terminate()));
  }
}
