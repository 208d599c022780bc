/**
 * How many outputs one application of each engine holds: the one fact the plan, the engines and the input
 * validation share (kept apart from the engines so that validating an input loads no SDK client).
 */
import type { EngineName } from '../config';

/** Kinesis Analytics accepts at most three destinations per application. */
export const KINESIS_ANALYTICS_MAX_OUTPUTS = 3;
/** A function has no limit on the streams it writes: one application holds every output. */
export const LAMBDA_MAX_OUTPUTS = Number.MAX_SAFE_INTEGER;

const MAX_OUTPUTS: Record<EngineName, number> = {
  'kinesis-analytics': KINESIS_ANALYTICS_MAX_OUTPUTS,
  lambda: LAMBDA_MAX_OUTPUTS,
};

/** The most outputs one application of `engine` holds. */
export function maxOutputsPerApplication(engine: EngineName): number {
  return MAX_OUTPUTS[engine];
}
