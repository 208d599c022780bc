/**
 * Checks a wire request before an operation sees it as the SDK's input type: required members present, members of
 * the JSON type the API model gives them. (To be replaced by the twin's one model-driven validator.)
 */
import { errors } from './errors';

type Kind = 'string' | 'number' | 'boolean' | 'object';
/** Members of an operation's input: `!` after the kind marks a required one. */
type Members = Record<string, `${Kind}` | `${Kind}!`>;

const OPERATIONS: Record<string, Members> = {
  CreateStateMachine: {
    name: 'string!',
    definition: 'string!',
    roleArn: 'string!',
    type: 'string',
    loggingConfiguration: 'object',
    tracingConfiguration: 'object',
  },
  UpdateStateMachine: {
    stateMachineArn: 'string!',
    definition: 'string',
    roleArn: 'string',
    loggingConfiguration: 'object',
    tracingConfiguration: 'object',
  },
  DescribeStateMachine: { stateMachineArn: 'string!' },
  ListStateMachines: { maxResults: 'number', nextToken: 'string' },
  DeleteStateMachine: { stateMachineArn: 'string!' },
  StartExecution: { stateMachineArn: 'string!', name: 'string', input: 'string', traceHeader: 'string' },
  DescribeExecution: { executionArn: 'string!' },
  ListExecutions: { stateMachineArn: 'string!', statusFilter: 'string', maxResults: 'number', nextToken: 'string' },
  GetExecutionHistory: {
    executionArn: 'string!',
    maxResults: 'number',
    nextToken: 'string',
    reverseOrder: 'boolean',
    includeExecutionData: 'boolean',
  },
  StopExecution: { executionArn: 'string!', error: 'string', cause: 'string' },
};

/** Operations the twin serves. */
export function isServed(operation: string): boolean {
  return operation in OPERATIONS;
}

/** Throws the ValidationException (or SerializationException) Step Functions answers for this input. */
export function validateInput(operation: string, input: Record<string, unknown>): void {
  const members = OPERATIONS[operation];
  if (!members) return;
  for (const [member, spec] of Object.entries(members)) {
    const kind = spec.replace('!', '') as Kind;
    const value = input[member];
    const required = spec.endsWith('!');
    if (value === undefined || value === null || (required && value === '')) {
      if (required) throw errors.required(member);
      continue;
    }
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (actual !== kind) throw errors.serialization(`Expected ${kind} for '${member}', got ${actual}`);
  }
}
