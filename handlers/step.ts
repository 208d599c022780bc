/**
 * The one wrapper around every Lambda handler (middy's idea, in the few lines this service needs): the Lambda
 * context on every log line, the event parsed with its zod schema (a bad event fails with InvalidInputError naming
 * the field, before anything is called), one log line for the outcome, and the error rethrown with its name, which
 * is what the state machine's Retry and Catch match.
 *
 * Why not @middy/core: its current major needs Node 22 and is published as ESM only (import-only exports), while
 * this project runs on Node 20 and bundles CommonJS; parse, context and logging are all it would do here.
 */
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { parseWith } from '../src/validation';
import { logger, useLambdaContext } from './logger';

/**
 * Parses `value` with `schema`.
 *
 * @throws InvalidInputError naming every field that is wrong
 */
export function parseEvent<S extends z.ZodType>(schema: S, value: unknown, what = 'The event is invalid'): z.output<S> {
  return parseWith(schema, value, what);
}

export interface StepOptions<R> {
  /** What the outcome line logs; the whole result by default. */
  readonly summary?: (result: R) => Record<string, unknown>;
}

/**
 * Wraps a step: `handler = step('Application stop', schema, async (input) => ...)`.
 *
 * @param name - what the outcome line says (`<name> done`, `<name> failed`)
 * @param schema - the event's schema; `undefined` and `null` events parse as `{}`
 * @param run - the business logic, given the parsed event and the Lambda context
 */
export function step<S extends z.ZodType, R>(
  name: string,
  schema: S,
  run: (input: z.output<S>, context: Context | undefined) => Promise<R>,
  options: StepOptions<R> = {},
): (event: unknown, context?: Context) => Promise<R> {
  return async (event, context) => {
    useLambdaContext(context);
    try {
      const input = parseEvent(schema, event ?? {});
      const result = await run(input, context);
      logger.info(`${name} done`, options.summary ? options.summary(result) : toFields(result));
      return result;
    } catch (error) {
      logger.error(`${name} failed`, error as Error);
      throw error;
    }
  };
}

function toFields(result: unknown): Record<string, unknown> {
  return typeof result === 'object' && result !== null && !Array.isArray(result)
    ? (result as Record<string, unknown>)
    : { result };
}
