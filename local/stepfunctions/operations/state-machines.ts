/**
 * State machines: CreateStateMachine, UpdateStateMachine, DescribeStateMachine, ListStateMachines,
 * DeleteStateMachine. An update makes a new revision that later executions run; running ones keep theirs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  CreateStateMachineInput,
  CreateStateMachineOutput,
  DeleteStateMachineInput,
  DeleteStateMachineOutput,
  DescribeStateMachineInput,
  DescribeStateMachineOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
  UpdateStateMachineInput,
  UpdateStateMachineOutput,
} from '@aws-sdk/client-sfn';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { prepare } from '../definition';
import { errors } from '../errors';
import type { Machine, Revision, StepFunctionsStore } from '../store';
import { checkArn, NAME, paginate } from './shared';

/** Validation results are only reused with the validator that made them. */
const VALIDATOR = ((): string => {
  try {
    const pkg = join(dirname(require.resolve('aws-local-stepfunctions')), '..', 'package.json');
    return `aws-local-stepfunctions@${(JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version}`;
  } catch {
    return 'aws-local-stepfunctions';
  }
})();

/**
 * Parses, validates (once per definition text and validator) and prepares a definition. `kept`: a revision that
 * was validated before a restart (--data-dir), prepared again under its own id and date, not validated again.
 */
export function revisionOf(
  store: StepFunctionsStore,
  name: string,
  definition: string,
  roleArn: string,
  kept?: { revisionId: string; updateDate: number },
): Revision {
  let parsed: StateMachineDefinition;
  try {
    parsed = JSON.parse(definition) as StateMachineDefinition;
  } catch (error) {
    throw errors.invalidDefinition(`INVALID_JSON_DESCRIPTION: ${(error as Error).message}`);
  }
  const dir = store.validationCacheDir;
  const marker = dir ? join(dir, createHash('sha256').update(`${VALIDATOR}\n${definition}`).digest('hex')) : undefined;
  const known = kept !== undefined || (marker !== undefined && existsSync(marker));
  let runner: StateMachine;
  let prepared: Revision['prepared'];
  try {
    // the definition as written is what is validated; the prepared one (waits on the twin's Clock) is what runs
    if (!known) new StateMachine(parsed, { validationOptions: { checkArn: false } });
    prepared = prepare(parsed, store.opts.scales);
    runner = new StateMachine(prepared.runnable, { validationOptions: { noValidate: true } });
  } catch (error) {
    throw errors.invalidDefinition((error as Error).message);
  }
  if (kept) return { ...kept, definition, roleArn, prepared, runner };
  if (marker && !known) {
    mkdirSync(dir!, { recursive: true });
    writeFileSync(marker, `${name}\n`);
  }
  return { revisionId: randomUUID(), definition, roleArn, prepared, runner, updateDate: store.clock.now() };
}

export function machineOf(store: StepFunctionsStore, arn: string): Machine {
  checkArn(arn, 'stateMachine');
  const m = store.machines.get(arn);
  if (!m) throw errors.noMachine(arn);
  return m;
}

export function createStateMachine(
  store: StepFunctionsStore,
  input: CreateStateMachineInput,
): CreateStateMachineOutput {
  const name = input.name!;
  if (!NAME.test(name)) throw errors.invalidName(name);
  const arn = store.machineArn(name);
  const existing = store.machines.get(arn);
  if (existing) {
    // CreateStateMachine is idempotent for the same definition and role
    if (existing.revision.definition === input.definition && existing.revision.roleArn === input.roleArn)
      return { stateMachineArn: arn, creationDate: new Date(existing.creationDate) };
    throw errors.machineExists(arn);
  }
  const revision = revisionOf(store, name, input.definition!, input.roleArn!);
  const machine: Machine = {
    arn,
    name,
    type: input.type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    creationDate: revision.updateDate,
    revision,
    loggingConfiguration: {
      level: input.loggingConfiguration?.level ?? 'OFF',
      includeExecutionData: input.loggingConfiguration?.includeExecutionData ?? false,
      ...(input.loggingConfiguration?.destinations ? { destinations: input.loggingConfiguration.destinations } : {}),
    },
    tracingConfiguration: { enabled: input.tracingConfiguration?.enabled ?? false },
  };
  store.machines.set(arn, machine);
  store.changed({ type: 'machine-put', machine });
  return { stateMachineArn: arn, creationDate: new Date(machine.creationDate) };
}

export function updateStateMachine(
  store: StepFunctionsStore,
  input: UpdateStateMachineInput,
): UpdateStateMachineOutput {
  const machine = machineOf(store, input.stateMachineArn!);
  if (
    input.definition === undefined &&
    input.roleArn === undefined &&
    input.loggingConfiguration === undefined &&
    input.tracingConfiguration === undefined
  )
    throw errors.validation(
      'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
    );
  const definition = input.definition ?? machine.revision.definition;
  const roleArn = input.roleArn ?? machine.revision.roleArn;
  if (definition !== machine.revision.definition || roleArn !== machine.revision.roleArn)
    machine.revision = revisionOf(store, machine.name, definition, roleArn);
  if (input.loggingConfiguration)
    machine.loggingConfiguration = {
      level: input.loggingConfiguration.level ?? machine.loggingConfiguration.level,
      includeExecutionData:
        input.loggingConfiguration.includeExecutionData ?? machine.loggingConfiguration.includeExecutionData,
      ...(input.loggingConfiguration.destinations ? { destinations: input.loggingConfiguration.destinations } : {}),
    };
  if (input.tracingConfiguration) machine.tracingConfiguration = { enabled: !!input.tracingConfiguration.enabled };
  store.changed({ type: 'machine-put', machine });
  return { updateDate: new Date(store.clock.now()), revisionId: machine.revision.revisionId };
}

export function describeStateMachine(
  store: StepFunctionsStore,
  input: DescribeStateMachineInput,
): DescribeStateMachineOutput {
  const m = machineOf(store, input.stateMachineArn!);
  return {
    stateMachineArn: m.arn,
    name: m.name,
    status: 'ACTIVE',
    definition: m.revision.definition,
    roleArn: m.revision.roleArn,
    type: m.type,
    creationDate: new Date(m.creationDate),
    revisionId: m.revision.revisionId,
    loggingConfiguration: m.loggingConfiguration as DescribeStateMachineOutput['loggingConfiguration'],
    tracingConfiguration: m.tracingConfiguration,
  };
}

export function listStateMachines(store: StepFunctionsStore, input: ListStateMachinesInput): ListStateMachinesOutput {
  const all = [...store.machines.values()].sort((a, b) => a.name.localeCompare(b.name));
  const { page, nextToken } = paginate(all, input);
  return {
    stateMachines: page.map((m) => ({
      stateMachineArn: m.arn,
      name: m.name,
      type: m.type,
      creationDate: new Date(m.creationDate),
    })),
    ...(nextToken ? { nextToken } : {}),
  };
}

export function deleteStateMachine(
  store: StepFunctionsStore,
  input: DeleteStateMachineInput,
): DeleteStateMachineOutput {
  const arn = input.stateMachineArn!;
  checkArn(arn, 'stateMachine');
  if (store.machines.has(arn)) {
    // AWS stops the running executions of a deleted state machine
    for (const e of store.executions.values()) if (e.stateMachineArn === arn && e.status === 'RUNNING') e.abort();
    store.machines.delete(arn);
    store.changed({ type: 'machine-deleted', arn });
  }
  return {};
}
