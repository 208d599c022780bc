/**
 * One execution environment of a function: a worker thread running local/lambda/runtime.cjs with the function's
 * own environment variables, one invocation at a time, with its own log stream.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../clock';
import { logStreamName } from './logs';

/** The configuration of a function version, as its environments run it. */
export interface FunctionConfig {
  name: string;
  /** Unqualified ARN. */
  arn: string;
  /** `$LATEST` or a published version number. */
  version: string;
  /** `<file>.<export>`, relative to codeDir. */
  handler: string;
  runtime: string;
  /** Seconds. */
  timeout: number;
  /** MB. */
  memorySize: number;
  /** Directory holding the unpacked code. */
  codeDir: string;
  /** The complete environment of the function (its own variables and the runtime's). */
  environment: Record<string, string>;
  role?: string;
  /** Environments at most (reserved concurrency); invocations beyond wait for one to free up. */
  concurrency?: number;
}

/** What the runtime answers for one invocation. */
export interface RuntimeAnswer {
  ok: boolean;
  payload: string;
  memoryMb: number;
  /** ms from the environment's start to its handler being loaded (once loaded). */
  initMs?: number;
}

const RUNTIME = join(__dirname, 'runtime.cjs');

export interface EnvironmentHooks {
  /** Raw stdout/stderr of the worker. */
  stdout: (chunk: string) => void;
  /** One log line as Lambda sends it to CloudWatch, with the invocation that wrote it. */
  log: (env: Environment, line: string, requestId: string | undefined) => void;
  exited: (env: Environment) => void;
}

export class Environment {
  readonly worker: Worker;
  readonly logStreamName: string;
  readonly startedAt: number;
  busy = false;
  dead = false;
  /** Invocations served; the first one of an environment not warmed ahead reports the Init Duration. */
  invocations = 0;
  warmed = false;
  private pending: ((answer: RuntimeAnswer) => void) | undefined;

  constructor(
    private readonly config: FunctionConfig,
    private readonly clock: Clock,
    hooks: EnvironmentHooks,
  ) {
    this.startedAt = clock.now();
    this.logStreamName = logStreamName(this.startedAt, config.version, randomUUID().replaceAll('-', ''));
    this.worker = new Worker(RUNTIME, {
      workerData: {
        codeDir: config.codeDir,
        handler: config.handler,
        functionName: config.name,
        functionArn: config.version === '$LATEST' ? config.arn : `${config.arn}:${config.version}`,
        functionVersion: config.version,
        memorySize: config.memorySize,
        logGroupName: `/aws/lambda/${config.name}`,
      },
      env: config.environment,
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(256, config.memorySize) },
    });
    const capture = (chunk: Buffer): void => hooks.stdout(chunk.toString('utf8'));
    this.worker.stdout.on('data', capture);
    this.worker.stderr.on('data', capture);
    this.worker.on('message', (message: RuntimeAnswer | { log: string; requestId?: string }) => {
      if ('log' in message) {
        hooks.log(this, message.log, message.requestId);
        return;
      }
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(message);
    });
    const fail = (errorType: string, errorMessage: string): void => {
      this.dead = true;
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.({ ok: false, payload: JSON.stringify({ errorType, errorMessage, trace: [] }), memoryMb: 0 });
      hooks.exited(this);
    };
    this.worker.on('error', (error) => fail('Runtime.ExitError', `RequestId: worker crashed: ${error.message}`));
    this.worker.on('exit', (code) => fail('Runtime.ExitError', `Runtime exited with error: exit status ${code}`));
  }

  /** Runs one invocation; resolves with the runtime's answer, never rejects. */
  run(payload: string, requestId: string): Promise<RuntimeAnswer> {
    this.invocations++;
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage({
        id: requestId,
        payload,
        requestId,
        timeoutMs: this.config.timeout * 1000,
        clockNow: this.clock.now(),
        logStreamName: this.logStreamName,
      });
    });
  }

  /** Loads the handler without invoking it (provisioned concurrency). */
  init(): Promise<RuntimeAnswer> {
    this.warmed = true;
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage({ id: 'init', init: true, clockNow: this.clock.now() });
    });
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}
