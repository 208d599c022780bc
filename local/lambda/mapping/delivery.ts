/**
 * Delivery of one batch of a shard to the mapped function, as Lambda does it: the batch is retried until every
 * record is processed or discarded (MaximumRetryAttempts, -1 = until the records expire, which on the twin means
 * for ever), bisected on a function error (BisectBatchOnFunctionError), retried from the first reported item with
 * ReportBatchItemFailures, and checkpointed only as far as the function processed it.
 */
import type { KinesisRecord, MappingSettings, MappingStats } from './types';

export interface DeliveryDeps {
  settings: MappingSettings;
  stats: MappingStats;
  /** Invokes the function with a batch; resolves to its answer and whether it failed as a whole. */
  invoke: (records: KinesisRecord[]) => Promise<{ payload: string; failed: boolean }>;
  /** Marks the records as processed (the shard's checkpoint moves past the last one). */
  checkpoint: (records: KinesisRecord[]) => void;
  /** Pause before a retry; resolves early when the mapping stops. */
  pause: () => Promise<void>;
  /** False once the mapping is stopped: the rest is not checkpointed and is read again when enabled. */
  running: () => boolean;
  result: (text: string) => void;
}

/** Delivers `records` until each is processed or discarded, or the mapping stops. */
export async function deliver(records: KinesisRecord[], d: DeliveryDeps): Promise<void> {
  d.stats.batches++;
  const queue: { records: KinesisRecord[]; attempts: number }[] = [{ records, attempts: 0 }];
  while (queue.length > 0) {
    if (!d.running()) return;
    const item = queue[0]!;
    d.stats.invocations++;
    const result = await d.invoke(item.records);
    let failedFrom = result.failed ? 0 : firstFailure(d.settings, result.payload, item.records);
    if (result.failed) d.stats.functionErrors++;
    if (failedFrom < 0) {
      queue.shift();
      d.checkpoint(item.records);
      d.stats.records += item.records.length;
      d.result('OK');
      continue;
    }
    if (!result.failed) d.stats.partialFailures++;
    d.result('PROBLEM: Function call failed');
    // the records before the first reported failure are done
    if (failedFrom > 0) {
      d.checkpoint(item.records.slice(0, failedFrom));
      d.stats.records += failedFrom;
    }
    const rest = item.records.slice(failedFrom);
    failedFrom = 0;
    const attempts = item.attempts + 1;
    const max = d.settings.maximumRetryAttempts;
    if (max >= 0 && attempts > max) {
      queue.shift();
      d.stats.discardedRecords += rest.length;
      d.checkpoint(rest);
      continue;
    }
    d.stats.retries++;
    if (result.failed && d.settings.bisectBatchOnFunctionError && rest.length > 1) {
      d.stats.bisections++;
      const half = Math.ceil(rest.length / 2);
      queue.splice(0, 1, { records: rest.slice(0, half), attempts }, { records: rest.slice(half), attempts });
    } else {
      queue[0] = { records: rest, attempts };
    }
    await d.pause();
  }
}

/** Index of the first record reported in `batchItemFailures`, or -1 when the whole batch succeeded. */
function firstFailure(settings: MappingSettings, payload: string, records: KinesisRecord[]): number {
  if (!settings.functionResponseTypes.includes('ReportBatchItemFailures')) return -1;
  let response: unknown;
  try {
    response = JSON.parse(payload);
  } catch {
    return -1;
  }
  const failures = (response as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return -1;
  let first = records.length;
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = records.findIndex((r) => r.SequenceNumber === id);
    // an identifier that is empty or not in the batch fails the whole batch, as Lambda does
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}
