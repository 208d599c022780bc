/**
 * The Lambda twin's state under `--data-dir` (issue 11 §3), in one journal (`<dataDir>/lambda/journal`, a
 * DurableMap of local/storage): every function (`f/<name>`: `$LATEST`, published versions, aliases, tags,
 * concurrency, each version's configuration and where its code lies) and every event source mapping
 * (`m/<uuid>`: settings, state and its checkpoint per shard). It is the store's journal (`changed()`): each
 * change is written as the entry's whole new value. `commit()` resolves once all of it is durable; the twin
 * answers a changing call only then, and writes checkpoint moves in the background.
 *
 * On start, `restore` builds the functions again (their environments start on the first invocation, as after a
 * cold start) and the mappings with their checkpoints, each reader resuming after the last sequence number the
 * function processed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { kinesisAs } from '../iam/guard';
import { DurableMap, type DurableMapOptions } from '../storage/durable-map';
import type { FunctionConfig } from './environment';
import { EventSourceMapping } from './mapping/event-source-mapping';
import type { MappingSettings, MappingState } from './mapping/types';
import { makeVersion } from './operations/functions';
import { type MappingContext, mappingReader } from './operations/mappings';
import type { Alias, FunctionRecord, FunctionVersion, Journal, LambdaStore, StoreChange } from './store';

interface SavedVersion {
  config: Omit<FunctionConfig, 'environment' | 'arn'>;
  variables: Record<string, string>;
  description: string;
  code: { sha256: string; size: number };
  lastModified: number;
  revisionId: string;
}

interface SavedFunction {
  name: string;
  latest: SavedVersion;
  versions: [string, SavedVersion][];
  aliases: Alias[];
  nextVersion: number;
  tags: Record<string, string>;
  reservedConcurrency?: number;
}

interface SavedMapping {
  uuid: string;
  settings: MappingSettings;
  state: MappingState;
  lastModified: number;
  checkpoints: [string, string][];
}

type Saved = SavedFunction | SavedMapping;

function saveVersion(v: FunctionVersion): SavedVersion {
  const { environment: _environment, arn: _arn, ...config } = v.runtime.config;
  return {
    config,
    variables: v.variables,
    description: v.description,
    code: v.code,
    lastModified: v.lastModified,
    revisionId: v.revisionId,
  };
}

function saveFunction(r: FunctionRecord): SavedFunction {
  return {
    name: r.name,
    latest: saveVersion(r.latest),
    versions: [...r.versions].map(([n, v]) => [n, saveVersion(v)]),
    aliases: [...r.aliases.values()],
    nextVersion: r.nextVersion,
    tags: r.tags,
    ...(r.reservedConcurrency !== undefined ? { reservedConcurrency: r.reservedConcurrency } : {}),
  };
}

function saveMapping(m: EventSourceMapping): SavedMapping {
  return {
    uuid: m.uuid,
    settings: m.settings,
    state: m.state,
    lastModified: m.lastModified,
    checkpoints: [...m.checkpoints],
  };
}

export class LambdaPersistence implements Journal {
  readonly dir: string;
  private readonly map: DurableMap<Saved>;
  private store: LambdaStore | undefined;

  constructor(dataDir: string, opts: DurableMapOptions = {}) {
    this.dir = join(dataDir, 'lambda', 'journal');
    this.map = DurableMap.open<Saved>(this.dir, opts);
  }

  /** The store whose changes this journal writes (set before the first change). */
  attach(store: LambdaStore): void {
    this.store = store;
  }

  append(change: StoreChange): void {
    const store = this.store;
    if (!store) return;
    if (change.type === 'function-put') {
      const record = store.functions.get(change.name);
      if (record) this.map.set(`f/${change.name}`, saveFunction(record));
    } else if (change.type === 'function-deleted') this.map.delete(`f/${change.name}`);
    else if (change.type === 'mapping-deleted') this.map.delete(`m/${change.uuid}`);
    else {
      const mapping = store.mappings.get(change.uuid);
      if (mapping) this.map.set(`m/${change.uuid}`, saveMapping(mapping));
    }
    // changes nobody waits for (checkpoints, states on the Clock) are written too
    void this.map.commit().catch(() => undefined);
  }

  commit(): Promise<void> {
    return this.map.commit();
  }

  close(): Promise<void> {
    return this.map.close();
  }

  /**
   * Builds the kept functions and mappings into the (empty) store. Returns what sets the mappings going again
   * (those that were enabled read again from their checkpoints): call it once functions can reach the twin.
   */
  restore(c: MappingContext, warn: (message: string) => void): () => void {
    const store = c.store;
    // said once every service is built (the CloudFormation twin unpacks again the code of the stacks it keeps)
    const codeGone = (): void => {
      for (const r of store.functions.values())
        if (!existsSync(r.latest.runtime.config.codeDir))
          warn(`Lambda: the code of ${r.name} (${r.latest.runtime.config.codeDir}) is gone; its invocations will fail`);
    };
    for (const [key, value] of this.map.entries()) {
      if (!key.startsWith('f/')) continue;
      const saved = value as SavedFunction;
      const record: FunctionRecord = {
        name: saved.name,
        arn: store.functionArn(saved.name),
        latest: restoreVersion(store, saved.latest),
        versions: new Map(saved.versions.map(([n, v]) => [n, restoreVersion(store, v)])),
        aliases: new Map(saved.aliases.map((a) => [a.name, a])),
        nextVersion: saved.nextVersion,
        tags: saved.tags,
        ...(saved.reservedConcurrency !== undefined ? { reservedConcurrency: saved.reservedConcurrency } : {}),
      };
      store.functions.set(record.name, record);
    }
    const resume: EventSourceMapping[] = [];
    if (!c.kinesis) return codeGone;
    for (const [key, value] of this.map.entries()) {
      if (!key.startsWith('m/')) continue;
      const saved = value as SavedMapping;
      const role = roleOf(store, saved.settings.functionArn);
      const mapping: EventSourceMapping = new EventSourceMapping(
        saved.settings,
        {
          ...c.deps,
          kinesis: kinesisAs(c.kinesis, c.iam, mappingReader(c, saved.settings)),
          ...(role ? { roleArn: role } : {}),
          onCheckpoint: (shardId, sequenceNumber) =>
            store.changed({ type: 'checkpoint', uuid: mapping.uuid, shardId, sequenceNumber }),
        },
        saved.uuid,
      );
      for (const [shard, sequence] of saved.checkpoints) mapping.checkpoints.set(shard, sequence);
      mapping.lastModified = saved.lastModified;
      mapping.state = saved.state === 'Disabled' || saved.state === 'Disabling' ? 'Disabled' : saved.state;
      store.mappings.set(mapping.uuid, mapping);
      resume.push(mapping);
    }
    return () => {
      codeGone();
      for (const m of resume) {
        if (m.state === 'Deleting') c.lifecycle.delete(m);
        else if (m.state !== 'Disabled') {
          m.state = 'Enabling';
          c.lifecycle.settle(m, 'Enabled');
        }
      }
    };
  }
}

function restoreVersion(store: LambdaStore, saved: SavedVersion): FunctionVersion {
  const v = makeVersion(store, saved.config, saved.variables, { description: saved.description, code: saved.code });
  v.lastModified = saved.lastModified;
  v.revisionId = saved.revisionId;
  return v;
}

function roleOf(store: LambdaStore, functionArn: string): string | undefined {
  try {
    const { record, qualifier } = store.find(functionArn);
    return store.version(record, qualifier).version.runtime.config.role;
  } catch {
    return undefined;
  }
}
