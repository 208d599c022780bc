/**
 * ValidateInput, the first state of both state machines: checks the execution input (types, ranges, unknown keys)
 * and merges it over the stack's defaults, so a bad input fails before anything is created, naming the field.
 */
import * as z from 'zod';
import { loadConfig } from '../src/config';
import { type LifecycleOptions, lifecycleOptions, type TeardownOptions, teardownOptions } from '../src/execution-input';
import { step } from './step';

const event = z.discriminatedUnion('machine', [
  z.object({
    machine: z.literal('lifecycle'),
    input: z.unknown(),
    defaults: z.unknown(),
    teardownMaxChecks: z.int().positive(),
  }),
  z.object({ machine: z.literal('teardown'), input: z.unknown() }),
]);

export type ValidateInputResult = { options: LifecycleOptions } | { options: TeardownOptions };

export const handler = step('Input validation', event, async (e): Promise<ValidateInputResult> => {
  if (e.machine === 'teardown') return { options: teardownOptions(e.input) };
  const config = loadConfig();
  return {
    options: lifecycleOptions(e.input, e.defaults, {
      outputs: config.outputs.length,
      teardownMaxChecks: e.teardownMaxChecks,
      inputIsUsers: !config.fanout.input.created,
    }),
  };
});
