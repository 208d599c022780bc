/**
 * What every engine takes besides its clients and settings, and the defaults of every engine's options: one home,
 * so the engines cannot drift apart.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FanoutConfig } from '../config';
import { schemaSample } from '../schema-sample';

/** The options both engines take. */
export interface EngineOptions {
  readonly config: FanoutConfig;
  /** Records put into an empty input stream before discovery; sql/fanout.sample.json by default. */
  readonly sample?: readonly Record<string, unknown>[];
  /** How an engine pauses between two checks; node:timers/promises by default (tests hand in a fake). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The defaults of the engines' options. */
export const ENGINE_DEFAULTS = {
  sample: schemaSample,
  sleep: sleep as (ms: number) => Promise<void>,
  /** The pause between two checks of something that takes a moment: records showing, a state changing. */
  checkDelayMs: 1000,
  /** kinesis-analytics: discovery attempts after putting the sample (records take a moment to show). */
  discoverAttempts: 5,
  /**
   * lambda: checks of a consumer or mapping that is changing state, so at most ~10 s of waiting in one call: a step
   * function has 30 s, and the state machine retries busy errors.
   */
  waitAttempts: 10,
} as const;
