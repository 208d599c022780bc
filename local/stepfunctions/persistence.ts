/**
 * The Step Functions twin's state under `--data-dir` (issue 11 §3), in one journal (`<dataDir>/stepfunctions/
 * journal`, a DurableMap of local/storage): state machines (`m/<arn>`: definition, role, revision, logging),
 * executions (`e/<arn>`: status, input, output, error, the revision they run) and each history event as it
 * happens (`h/<arn>#<id>`, so a history costs one entry per event, not a rewrite of all of it). It is the store's
 * journal (`changed()`) and listens to every history event. The twin answers a changing call once it is durable.
 *
 * After a restart, an execution that was running when the twin stopped does not resume (aws-local-stepfunctions
 * cannot take up an interpreter's state): it comes back FAILED, error `States.Runtime`, with a cause that names
 * the restart and a last ExecutionFailed event in its history, kept too. Nothing of it runs on.
 */
import { join } from 'node:path';
import { DurableMap, type DurableMapOptions } from '../storage/durable-map';
import { History, type HistoryEvent } from './history';
import { revisionOf } from './operations/state-machines';
import type { ExecutionEvent } from './run';
import type { Execution, ExecutionStatus, Journal, Machine, Revision, StepFunctionsStore, StoreChange } from './store';

interface SavedRevision {
  revisionId: string;
  definition: string;
  roleArn: string;
  updateDate: number;
}

interface SavedMachine {
  arn: string;
  name: string;
  type: Machine['type'];
  creationDate: number;
  revision: SavedRevision;
  loggingConfiguration: Machine['loggingConfiguration'];
  tracingConfiguration: Machine['tracingConfiguration'];
}

interface SavedExecution {
  arn: string;
  name: string;
  stateMachineArn: string;
  revision: SavedRevision;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
}

type Saved = SavedMachine | SavedExecution | HistoryEvent;

/** What a running execution's history and status say after the twin restarted under it. */
export const RESTART_ERROR = 'States.Runtime';
export const RESTART_CAUSE =
  'The Step Functions twin stopped while this execution was running (killed or restarted with --data-dir); ' +
  'executions do not resume after a restart of the twin. Start it again.';

function saveRevision(r: Revision): SavedRevision {
  return { revisionId: r.revisionId, definition: r.definition, roleArn: r.roleArn, updateDate: r.updateDate };
}

function saveExecution(e: Execution): SavedExecution {
  return {
    arn: e.arn,
    name: e.name,
    stateMachineArn: e.stateMachineArn,
    revision: saveRevision(e.revision),
    status: e.status,
    input: e.input,
    ...(e.output !== undefined ? { output: e.output } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
    startDate: e.startDate,
    ...(e.stopDate !== undefined ? { stopDate: e.stopDate } : {}),
  };
}

export class StepFunctionsPersistence implements Journal {
  readonly dir: string;
  private readonly map: DurableMap<Saved>;
  private sealed = false;

  constructor(dataDir: string, opts: DurableMapOptions = {}) {
    this.dir = join(dataDir, 'stepfunctions', 'journal');
    this.map = DurableMap.open<Saved>(this.dir, opts);
  }

  append(change: StoreChange): void {
    if (this.sealed) return;
    if (change.type === 'machine-put') {
      const m = change.machine;
      this.map.set(`m/${m.arn}`, {
        arn: m.arn,
        name: m.name,
        type: m.type,
        creationDate: m.creationDate,
        revision: saveRevision(m.revision),
        loggingConfiguration: m.loggingConfiguration,
        tracingConfiguration: m.tracingConfiguration,
      });
    } else if (change.type === 'machine-deleted') this.map.delete(`m/${change.arn}`);
    else this.map.set(`e/${change.execution.arn}`, saveExecution(change.execution));
    this.background();
  }

  /** One history event, as it is recorded. */
  event(e: ExecutionEvent): void {
    if (this.sealed) return;
    this.map.set(`h/${e.executionArn}#${e.event.id}`, e.event);
    this.background();
  }

  /** Takes no more changes (the twin is closing: the executions it stops were running as far as a restart knows). */
  seal(): void {
    this.sealed = true;
  }

  commit(): Promise<void> {
    return this.map.commit();
  }

  close(): Promise<void> {
    return this.map.close();
  }

  /** Builds the kept machines and executions into the (empty) store; running executions come back FAILED. */
  restore(store: StepFunctionsStore): void {
    const revisions = new Map<string, Revision>();
    const revision = (name: string, saved: SavedRevision): Revision => {
      let r = revisions.get(saved.revisionId);
      if (!r) {
        r = revisionOf(store, name, saved.definition, saved.roleArn, saved);
        revisions.set(saved.revisionId, r);
      }
      return r;
    };
    const histories = new Map<string, HistoryEvent[]>();
    for (const [key, value] of this.map.entries()) {
      if (!key.startsWith('h/')) continue;
      const arn = key.slice(2, key.lastIndexOf('#'));
      const events = histories.get(arn) ?? [];
      if (events.length === 0) histories.set(arn, events);
      events.push(value as HistoryEvent);
    }
    for (const [key, value] of this.map.entries()) {
      if (key.startsWith('m/')) {
        const saved = value as SavedMachine;
        store.machines.set(saved.arn, { ...saved, revision: revision(saved.name, saved.revision) });
      } else if (key.startsWith('e/')) {
        const saved = value as SavedExecution;
        const history = new History(store.clock);
        const events = (histories.get(saved.arn) ?? []).sort((a, b) => a.id - b.id);
        for (const event of events) history.events.push(event);
        const machineName = saved.stateMachineArn.slice(saved.stateMachineArn.lastIndexOf(':') + 1);
        const execution: Execution = {
          ...saved,
          revision: revision(machineName, saved.revision),
          history,
          done: Promise.resolve(),
          abort: () => undefined,
        };
        store.executions.set(saved.arn, execution);
        if (execution.status === 'RUNNING') this.failRestarted(store, execution);
      }
    }
  }

  private failRestarted(store: StepFunctionsStore, execution: Execution): void {
    execution.status = 'FAILED';
    execution.error = RESTART_ERROR;
    execution.cause = RESTART_CAUSE;
    execution.stopDate = store.clock.now();
    const history = execution.history;
    const before = history.events.length;
    history.add('ExecutionFailed', 'executionFailedEventDetails', { error: RESTART_ERROR, cause: RESTART_CAUSE });
    const failed = history.events[before];
    if (failed) this.map.set(`h/${execution.arn}#${failed.id}`, failed);
    this.map.set(`e/${execution.arn}`, saveExecution(execution));
    this.background();
  }

  private background(): void {
    // changes nobody waits for (history events, an execution that ends) are written too
    void this.map.commit().catch(() => undefined);
  }
}
