/**
 * The IAM twin's roles and policies under `--data-dir` (issue 11 §3), in one journal (`<dataDir>/iam/journal`, a
 * DurableMap of local/storage): each role (`r/<arn>`: name, inline policies as parsed and as written, managed
 * policy ARNs), each customer-managed policy (`m/<arn>`) and each policy attached to roles by name (`a/<physical
 * id>`), as the store's journal (`changed()`) writes them. On start they come back as they were, so every call of
 * a kept function, application, state machine or mapping is evaluated against the same grants as before the
 * restart (a role the twin forgot would make its sessions the account root: nothing evaluated).
 *
 * Changes come from the deployer in process; `commit()` resolves once they are durable (the CloudFormation twin
 * waits for it before a stack's status says the roles stand).
 */
import { join } from 'node:path';
import { DurableMap, type DurableMapOptions } from '../storage/durable-map';
import type { Policy } from './policy';
import type { Attachment, IamStore, InlinePolicyInput, Journal, StoreChange } from './store';

interface SavedRole {
  arn: string;
  name: string;
  inline: [string, Policy][];
  documents: InlinePolicyInput[];
  managedArns: string[];
}

type Saved = SavedRole | Policy | Attachment;

export class IamPersistence implements Journal {
  readonly dir: string;
  private readonly map: DurableMap<Saved>;

  constructor(dataDir: string, opts: DurableMapOptions = {}) {
    this.dir = join(dataDir, 'iam', 'journal');
    this.map = DurableMap.open<Saved>(this.dir, opts);
  }

  append(change: StoreChange): void {
    switch (change.type) {
      case 'role-put': {
        const r = change.role;
        this.map.set(`r/${r.arn}`, {
          arn: r.arn,
          name: r.name,
          inline: [...r.inline],
          documents: [...r.documents],
          managedArns: [...r.managedArns],
        });
        break;
      }
      case 'role-deleted':
        this.map.delete(`r/${change.arn}`);
        break;
      case 'managed-put':
        this.map.set(`m/${change.arn}`, change.policy);
        break;
      case 'managed-deleted':
        this.map.delete(`m/${change.arn}`);
        break;
      case 'attachment-put':
        this.map.set(`a/${change.id}`, change.attachment);
        break;
      case 'attachment-deleted':
        this.map.delete(`a/${change.id}`);
        break;
    }
    // the deployer does not wait on each change; the CloudFormation twin commits before a stack's status moves
    void this.map.commit().catch(() => undefined);
  }

  commit(): Promise<void> {
    return this.map.commit();
  }

  close(): Promise<void> {
    return this.map.close();
  }

  /** Puts the kept roles and policies into the (empty) store, as they were (nothing is checked again). */
  restore(store: IamStore): void {
    for (const [key, value] of this.map.entries()) {
      const id = key.slice(2);
      if (key.startsWith('r/')) {
        const saved = value as SavedRole;
        store.roles.set(id, { ...saved, inline: new Map(saved.inline) });
      } else if (key.startsWith('m/')) store.managed.set(id, value as Policy);
      else if (key.startsWith('a/')) store.attachments.set(id, value as Attachment);
    }
  }
}
