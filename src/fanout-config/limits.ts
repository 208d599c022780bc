/**
 * The limits a fan-out runs into, each with where it comes from. `checks.ts` refuses a file that exceeds them before
 * anything is packaged; `plan.ts` shows them.
 */
import type { EngineName } from '../config';

export interface EngineLimits {
  /** Outputs one application can write. */
  readonly outputsPerApplication: number;
  /** Applications the engine can run for one stage. */
  readonly applications: number;
  readonly source: string;
}

/** What each engine can take. */
export const ENGINE_LIMITS: Readonly<Record<EngineName, EngineLimits>> = {
  'kinesis-analytics': {
    outputsPerApplication: 3,
    applications: 50,
    source:
      'Kinesis Data Analytics for SQL developer guide, Limits: up to three destinations per application, ' +
      '50 applications per Region by default',
  },
  lambda: {
    outputsPerApplication: Number.POSITIVE_INFINITY,
    applications: 1,
    source: 'one fan-out function writes every output; the template limits below bound the count',
  },
};

/** The most outputs an engine can take (before template limits). */
export function maxOutputs(engine: EngineName): number {
  const limits = ENGINE_LIMITS[engine];
  return limits.outputsPerApplication * limits.applications;
}

/** CloudFormation and IAM limits the generated template must stay within. */
export const TEMPLATE_LIMITS = {
  /** CloudFormation quotas: resources and outputs per template. */
  resources: 500,
  outputs: 200,
  /** IAM: the inline policies of one role together, in characters (whitespace not counted). */
  rolePolicyCharacters: 10_240,
  source:
    'CloudFormation quotas (500 resources, 200 outputs per template); IAM quotas (10,240 characters of inline policy per role)',
} as const;
