/**
 * The CloudFormation twin's stacks under `--data-dir` (issue 11 §3), in one journal (`<dataDir>/cloudformation/
 * journal`, a DurableMap of local/storage): each stack (`s/<stack id>`: status, template, parameters, what it
 * holds — every resource with its physical id, attributes, properties and fingerprint —, outputs, the latest
 * status of each resource, change sets) written whole when its status or what it holds changes, and each stack
 * event on its own as it happens (`e/<stack id>#<n>`), so a deploy's hundreds of events do not each rewrite the
 * stack. It is the store's journal (`changed()`). The twin answers a changing call once it is durable, and writes
 * a status that ends an operation once the resources' services hold what the deploy did (lifecycle.ts).
 *
 * After a restart, kept stacks are what DescribeStacks, GetTemplate and the next deploy see: an update that
 * changes nothing is "No updates are to be performed", a changed template updates only what changed. A stack
 * operation under way when the twin stopped does not resume (the deploy engine's journal of what it made is not
 * kept): it comes back in the FAILED status CloudFormation gives an operation it could not finish — CREATE_FAILED,
 * ROLLBACK_FAILED, UPDATE_ROLLBACK_FAILED (what stood before the update, or after it once its cleanup began),
 * DELETE_FAILED — with a reason naming the restart and that status's event. Resources an interrupted create or
 * update had made already are the ones the stack does not name; deleting the stack removes what it names.
 */
import { join } from 'node:path';
import type { StackResource, StackState } from '../deploy';
import { DurableMap, type DurableMapOptions } from '../storage/durable-map';
import type { ChangeSet, Journal, Stack, StackEventRecord, StackStatus, StackStore, StoreChange } from './store';

interface SavedState extends Omit<StackState, 'resources'> {
  resources: StackResource[];
}

interface SavedStack extends Omit<Stack, 'events' | 'resourceStatus' | 'changeSets' | 'running' | 'state'> {
  state?: SavedState;
  resourceStatus: [string, string][];
  changeSets: ChangeSet[];
  /** Events the stack had when written: later ones (kept on their own) update `resourceStatus` on restore. */
  eventCount: number;
}

type Saved = SavedStack | StackEventRecord;

export const RESTART_REASON =
  'The CloudFormation twin stopped while this stack operation was running (killed or restarted with --data-dir); ' +
  'stack operations do not resume after a restart of the twin.';

/** The status an operation under way at a restart ends in. */
const INTERRUPTED: Partial<Record<StackStatus, StackStatus>> = {
  CREATE_IN_PROGRESS: 'CREATE_FAILED',
  ROLLBACK_IN_PROGRESS: 'ROLLBACK_FAILED',
  UPDATE_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  UPDATE_ROLLBACK_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  DELETE_IN_PROGRESS: 'DELETE_FAILED',
};

function saveStack(stack: Stack): SavedStack {
  const { events, resourceStatus, changeSets, running: _running, state, ...fields } = stack;
  return {
    ...fields,
    ...(state ? { state: { ...state, resources: [...state.resources.values()] } } : {}),
    resourceStatus: [...resourceStatus],
    changeSets: [...changeSets.values()],
    eventCount: events.length,
  };
}

const eventKey = (stackId: string, index: number) => `e/${stackId}#${index}`;

export class StackPersistence implements Journal {
  readonly dir: string;
  private readonly map: DurableMap<Saved>;

  constructor(dataDir: string, opts: DurableMapOptions = {}) {
    this.dir = join(dataDir, 'cloudformation', 'journal');
    this.map = DurableMap.open<Saved>(this.dir, opts);
  }

  append(change: StoreChange): void {
    const { stack } = change;
    if (change.type === 'stack-put') this.map.set(`s/${stack.id}`, saveStack(stack));
    else if (change.type === 'event') {
      const event = stack.events[change.index];
      if (event) this.map.set(eventKey(stack.id, change.index), event);
    } else {
      this.map.delete(`s/${stack.id}`);
      for (let i = 0; i < stack.events.length; i++) this.map.delete(eventKey(stack.id, i));
    }
    // what nobody waits for (events and statuses of an operation running in the background) is written too
    void this.map.commit().catch(() => undefined);
  }

  commit(): Promise<void> {
    return this.map.commit();
  }

  close(): Promise<void> {
    return this.map.close();
  }

  /**
   * Builds the kept stacks into the (empty) store; an operation that was under way ends in its FAILED status.
   * `status` sets a stack's status with its event, as the lifecycle does.
   */
  restore(store: StackStore, status: (stack: Stack, to: StackStatus, reason: string) => void): void {
    const events = new Map<string, [number, StackEventRecord][]>();
    for (const [key, value] of this.map.entries()) {
      if (!key.startsWith('e/')) continue;
      const at = key.lastIndexOf('#');
      const id = key.slice(2, at);
      const list = events.get(id) ?? [];
      if (list.length === 0) events.set(id, list);
      list.push([Number(key.slice(at + 1)), value as StackEventRecord]);
    }
    const interrupted: [Stack, StackStatus][] = [];
    for (const [key, value] of this.map.entries()) {
      if (!key.startsWith('s/')) continue;
      const { state, resourceStatus, changeSets, eventCount, ...fields } = value as SavedStack;
      const kept = (events.get(fields.id) ?? []).sort((a, b) => a[0] - b[0]);
      const stack: Stack = {
        ...fields,
        ...(state ? { state: { ...state, resources: new Map(state.resources.map((r) => [r.logicalId, r])) } } : {}),
        events: kept.map(([, e]) => e),
        resourceStatus: new Map(resourceStatus),
        changeSets: new Map(changeSets.map((cs) => [cs.id, cs])),
      };
      // events written after the stack was: the resources' latest statuses move on with them
      for (const [index, e] of kept)
        if (index >= eventCount && e.ResourceType !== 'AWS::CloudFormation::Stack')
          stack.resourceStatus.set(e.LogicalResourceId, e.ResourceStatus);
      store.restore(stack);
      const to = INTERRUPTED[stack.status];
      if (to) interrupted.push([stack, to]);
    }
    for (const [stack, to] of interrupted) status(stack, to, RESTART_REASON);
  }
}
