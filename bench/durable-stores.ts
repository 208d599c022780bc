/**
 * Why the twin's --data-dir is a journal of its own (local/storage) and not an embedded store: the same durable
 * workload on each, side by side in one run. A "batch" is what one PutRecords of 500 records of 100 bytes asks
 * for: its records on disk, synced, before the answer. One producer waits for each batch; eight put at once
 * (what group commit is for). Not part of `npm run bench` (the stores are not dependencies of the project):
 *
 *   npm install --no-save better-sqlite3@12.11.1 lmdb@3   # better-sqlite3 13 crashes on Node 20
 *   npx tsx bench/durable-stores.ts
 *
 * better-sqlite3 runs in WAL mode with synchronous=FULL (a commit syncs the WAL) and commits on the event loop;
 * LMDB (lmdb-js) commits in its own thread and syncs each commit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../local/storage/journal';

const BATCHES = Number(process.env['BATCHES'] ?? 300);
const BATCH = 500;
const ROUNDS = 3;

interface Record_ {
  key: string;
  data: Buffer;
}

const batches: Record_[][] = Array.from({ length: BATCHES }, (_, b) =>
  Array.from({ length: BATCH }, (_, j) => ({ key: `pk-${b * BATCH + j}`, data: Buffer.alloc(100, j & 255) })),
);

function encode(batch: Record_[]): Buffer {
  let n = 0;
  for (const r of batch) n += 1 + r.key.length + 4 + r.data.length;
  const buf = Buffer.alloc(n);
  let at = 0;
  for (const r of batch) {
    buf[at++] = r.key.length;
    at += buf.write(r.key, at, 'latin1');
    at = buf.writeUInt32LE(r.data.length, at);
    at += r.data.copy(buf, at);
  }
  return buf;
}

/** Time the store's calls kept the event loop (nothing else of the twin runs meanwhile), per label. */
let blocked = 0;

/** Runs `put` for every batch with `producers` callers at once; returns ms. */
async function drive(producers: number, put: (b: Record_[]) => Promise<void> | void): Promise<number> {
  let next = 0;
  blocked = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (next < batches.length) {
        const t0 = performance.now();
        const done = put(batches[next++]!);
        blocked += performance.now() - t0;
        await done;
      }
    }),
  );
  return performance.now() - t;
}

async function journal(dir: string, producers: number): Promise<number> {
  const j = Journal.open(join(dir, `journal-${producers}`), () => undefined);
  const ms = await drive(producers, async (b) => {
    j.append(2, encode(b));
    await j.commit();
  });
  await j.close();
  return ms;
}

function sqlite(dir: string, perRow: boolean): Promise<number> {
  const Database = require('better-sqlite3') as new (
    file: string,
  ) => {
    pragma(s: string): unknown;
    exec(s: string): void;
    prepare(s: string): { run(...a: unknown[]): unknown };
    transaction(fn: (b: Record_[]) => void): (b: Record_[]) => void;
    close(): void;
  };
  const db = new Database(join(dir, perRow ? 'rows.db' : 'blobs.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE r (shard INTEGER, idx INTEGER, time REAL, key TEXT, data BLOB, PRIMARY KEY (shard, idx))');
  db.exec('CREATE TABLE b (id INTEGER PRIMARY KEY, data BLOB)');
  const row = db.prepare('INSERT INTO r VALUES (?, ?, ?, ?, ?)');
  const blob = db.prepare('INSERT INTO b (data) VALUES (?)');
  let idx = 0;
  const rows = db.transaction((b: Record_[]) => {
    for (const r of b) row.run(idx % 4, idx++, 1, r.key, r.data);
  });
  return drive(1, (b) => {
    if (perRow) rows(b);
    else blob.run(encode(b));
  }).finally(() => db.close());
}

async function lmdb(dir: string, producers: number): Promise<number> {
  const { open } = require('lmdb') as {
    open(o: { path: string; encoding: string }): {
      put(k: number, v: Buffer): Promise<boolean>;
      close(): Promise<void>;
    };
  };
  const db = open({ path: join(dir, `lmdb-${producers}`), encoding: 'binary' });
  let idx = 0;
  const ms = await drive(producers, async (b) => {
    let last: Promise<boolean> | undefined;
    for (const r of b) last = db.put(idx++, r.data);
    await last;
  });
  await db.close();
  return ms;
}

async function main(): Promise<void> {
  const best: Record<string, number> = {};
  /** How long each batch held the event loop (what every other request of the twin waits meanwhile). */
  const stall: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'durable-stores-'));
    const runs: Record<string, () => Promise<number>> = {
      'journal (local/storage), 1 producer': () => journal(dir, 1),
      'journal (local/storage), 8 producers': () => journal(dir, 8),
      'better-sqlite3, a row per record': () => sqlite(dir, true),
      'better-sqlite3, a blob per batch': () => sqlite(dir, false),
      'lmdb, 1 producer': () => lmdb(dir, 1),
      'lmdb, 8 producers': () => lmdb(dir, 8),
    };
    for (const [label, run] of Object.entries(runs)) {
      best[label] = Math.min(best[label] ?? Infinity, await run());
      stall[label] = Math.min(stall[label] ?? Infinity, blocked / BATCHES);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [label, ms] of Object.entries(best)) {
    const rate = Math.round((BATCHES * BATCH) / (ms / 1000)).toLocaleString('en-US');
    process.stdout.write(
      `${label.padEnd(40)} ${(ms / BATCHES).toFixed(2)} ms a batch, ${rate} records/s, ` +
        `event loop held ${stall[label]!.toFixed(2)} ms a batch\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
