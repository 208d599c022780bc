/**
 * Checks a request before an operation sees it as the SDK's request type: members of the JSON type the API model
 * gives them, required ones present, integers within the model's ranges, with Lambda's
 * InvalidParameterValueException. (To be replaced by the twin's one model-driven validator.)
 */
import { errors } from './errors';

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array';
/** `!` marks a required member; `[min,max]` an integer range. */
type Member = `${Kind}` | `${Kind}!` | [number, number];

const MAPPING: Record<string, Member> = {
  FunctionName: 'string',
  EventSourceArn: 'string',
  Enabled: 'boolean',
  BatchSize: [1, 10_000],
  MaximumBatchingWindowInSeconds: [0, 300],
  ParallelizationFactor: [1, 10],
  StartingPosition: 'string',
  MaximumRecordAgeInSeconds: [-1, 604_800],
  BisectBatchOnFunctionError: 'boolean',
  MaximumRetryAttempts: [-1, 10_000],
  TumblingWindowInSeconds: [0, 900],
  FunctionResponseTypes: 'array',
  DestinationConfig: 'object',
};

const FUNCTION: Record<string, Member> = {
  Runtime: 'string',
  Role: 'string',
  Handler: 'string',
  Description: 'string',
  Timeout: [1, 900],
  MemorySize: [128, 10_240],
  Environment: 'object',
};

const OPERATIONS: Record<string, Record<string, Member>> = {
  CreateFunction: { ...FUNCTION, FunctionName: 'string!', Code: 'object!', Publish: 'boolean' },
  UpdateFunctionConfiguration: { ...FUNCTION, FunctionName: 'string!', RevisionId: 'string' },
  UpdateFunctionCode: {
    FunctionName: 'string!',
    S3Bucket: 'string',
    S3Key: 'string',
    S3ObjectVersion: 'string',
    Publish: 'boolean',
    RevisionId: 'string',
  },
  CreateEventSourceMapping: { ...MAPPING, FunctionName: 'string!', StartingPositionTimestamp: 'number' },
  UpdateEventSourceMapping: { ...MAPPING, UUID: 'string!' },
  PublishVersion: { FunctionName: 'string!', Description: 'string', CodeSha256: 'string', RevisionId: 'string' },
  CreateAlias: { FunctionName: 'string!', Name: 'string!', FunctionVersion: 'string!', Description: 'string' },
  UpdateAlias: { FunctionName: 'string!', Name: 'string!', FunctionVersion: 'string', Description: 'string' },
};

/** Throws the InvalidParameterValueException Lambda answers for this input. */
export function validateInput(operation: string, input: Record<string, unknown>): void {
  const members = OPERATIONS[operation];
  if (!members) return;
  for (const [member, spec] of Object.entries(members)) {
    const value = input[member];
    if (Array.isArray(spec)) {
      if (value === undefined || value === null) continue;
      const [min, max] = spec;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
        throw errors.invalid(`${member} must be an integer between ${min} and ${max}`);
      continue;
    }
    if (value === undefined || value === null) {
      if (spec.endsWith('!')) throw errors.invalid(`${member} is required`);
      continue;
    }
    const kind = spec.replace('!', '');
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (actual !== kind) throw errors.invalid(`${member} must be of type ${kind}`);
  }
}
