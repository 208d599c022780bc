/**
 * Stacks (live and deleted), their events and change sets. Every change goes through `changed()`, the one seam
 * `--data-dir` writes through (./persistence.ts): a stack's fields as a whole when its status or what it holds
 * changes, each event on its own as it happens.
 */
import { randomUUID } from 'node:crypto';
import type { StackState } from '../deploy';
import type { Template } from '../deploy/template';
import { stackMissing } from './errors';

export type StackStatus =
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_FAILED'
  | 'CREATE_COMPLETE'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_FAILED'
  | 'ROLLBACK_COMPLETE'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_FAILED'
  | 'DELETE_COMPLETE'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_FAILED'
  | 'UPDATE_ROLLBACK_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_FAILED'
  | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_COMPLETE'
  | 'REVIEW_IN_PROGRESS';

export interface StackEventRecord {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceType: string;
  Timestamp: number;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  ResourceProperties?: string;
}

export interface ChangeRecord {
  action: 'Add' | 'Modify' | 'Remove';
  logicalId: string;
  physicalId?: string;
  type: string;
  replacement?: 'True' | 'False' | 'Conditional';
}

export interface ChangeSet {
  id: string;
  name: string;
  stackId: string;
  type: 'CREATE' | 'UPDATE';
  template: Template;
  templateBody: string;
  parameters: Record<string, string>;
  status: 'CREATE_PENDING' | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'DELETE_COMPLETE' | 'FAILED';
  executionStatus:
    | 'UNAVAILABLE'
    | 'AVAILABLE'
    | 'EXECUTE_IN_PROGRESS'
    | 'EXECUTE_COMPLETE'
    | 'EXECUTE_FAILED'
    | 'OBSOLETE';
  statusReason?: string;
  changes: ChangeRecord[];
  created: number;
  description?: string;
  capabilities: string[];
  tags: { Key: string; Value: string }[];
}

export interface Stack {
  id: string;
  name: string;
  status: StackStatus;
  statusReason?: string;
  created: number;
  updated?: number;
  deleted?: number;
  description?: string;
  /** What stands (after the last operation that completed, or rolled back). */
  state?: StackState;
  templateBody: string;
  capabilities: string[];
  tags: { Key: string; Value: string }[];
  terminationProtection: boolean;
  disableRollback: boolean;
  events: StackEventRecord[];
  /** The latest status of each resource (from its events). */
  resourceStatus: Map<string, string>;
  changeSets: Map<string, ChangeSet>;
  /** The operation now running (its promise), so that a close waits for it. */
  running?: Promise<void>;
}

/** A change of the store, as a journal writes it. */
export type StoreChange =
  | { type: 'stack-put'; stack: Stack }
  | { type: 'stack-forgotten'; stack: Stack }
  /** `stack.events[index]` was added. */
  | { type: 'event'; stack: Stack; index: number };

export interface Journal {
  append(change: StoreChange): void;
}

export class StackStore {
  /** Stacks by id, deleted ones included (DescribeStacks by id still finds them, as on AWS). */
  private readonly stacks = new Map<string, Stack>();
  /** Where changes are written (`--data-dir`); set by the twin. */
  journal: Journal | undefined;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  changed(change: StoreChange): void {
    this.journal?.append(change);
  }

  /** A kept stack, as a journal brings it back. */
  restore(stack: Stack): void {
    this.stacks.set(stack.id, stack);
  }

  newStack(name: string, fields: Omit<Stack, 'id' | 'name' | 'events' | 'resourceStatus' | 'changeSets'>): Stack {
    const id = `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${name}/${randomUUID()}`;
    const stack: Stack = { id, name, events: [], resourceStatus: new Map(), changeSets: new Map(), ...fields };
    this.stacks.set(id, stack);
    return stack;
  }

  /** The live stack a name or id designates (a deleted one only by its id). */
  find(nameOrId: string): Stack | undefined {
    const byId = this.stacks.get(nameOrId);
    if (byId) return byId;
    return [...this.stacks.values()].find((s) => s.name === nameOrId && s.status !== 'DELETE_COMPLETE');
  }

  get(nameOrId: string): Stack {
    const s = this.find(nameOrId);
    if (!s) throw stackMissing(nameOrId);
    return s;
  }

  /** Live stacks (not deleted), oldest first. */
  live(): Stack[] {
    return [...this.stacks.values()].filter((s) => s.status !== 'DELETE_COMPLETE');
  }

  all(): Stack[] {
    return [...this.stacks.values()];
  }

  /** Drops a stack that never got past REVIEW_IN_PROGRESS (its only change set deleted). */
  forget(stack: Stack): void {
    this.stacks.delete(stack.id);
    this.changed({ type: 'stack-forgotten', stack });
  }
}
