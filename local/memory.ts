/**
 * Gives V8's young generation back once the twin's process goes quiet. Under load V8 grows the young generation to
 * its 16 MB semi-spaces (about 32 MB resident) and keeps it: it shrinks it only in a GC that finds the allocation of
 * the last 5 s low, and a process at rest allocates nothing, so no GC comes. A twin holding a million records sat at
 * ~205 MB for good; after one full GC about 6 s into the quiet it usually holds ~173 MB (bench/kinesis-memory.ts;
 * whether V8 shrinks the young generation in that GC is its own heuristic, not always met: docs/performance.md). So while a
 * twin runs, a check each second reads the main thread's event loop utilization: after a busy second, once the
 * process has been quiet for QUIET_MS, one full GC (8 ms with a million records held: they are ArrayBuffers it
 * does not walk), then nothing until the next busy second. Real time, not the twin's Clock: this is
 * about the process, not about what the twin simulates. One timer for the process however many twins hold it.
 */
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Quiet this long before the GC: V8 judges the allocation rate over its last 5 s. */
export const QUIET_MS = 6_000;
const CHECK_MS = 1_000;
/** A second whose event loop utilization is above this is busy. */
const BUSY_UTILIZATION = 0.05;
/** A young generation below this is left alone (its smallest is 1 MB semi-spaces). */
const WORTH_BYTES = 4 * 1024 * 1024;

interface Reclaimer {
  holders: number;
  timer: NodeJS.Timeout;
  reclaims: number;
}

let current: Reclaimer | undefined;
let collect: (() => void) | undefined;

/** V8's full GC: the process's own `gc` when started with --expose-gc, else exposed now (as `expose-gc` does). */
function fullGc(): void {
  if (!collect) {
    const own = (globalThis as { gc?: () => void }).gc;
    if (own) collect = own;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  collect();
}

/**
 * Holds the process's quiet reclaim while a twin runs.
 *
 * @returns the release: the timer stops when the last holder releases
 */
export function holdQuietReclaim(): () => void {
  if (!current) {
    let last = performance.eventLoopUtilization();
    let quietSince = Date.now();
    let armed = true;
    const state: Reclaimer = {
      holders: 0,
      reclaims: 0,
      timer: setInterval(() => {
        const now = performance.eventLoopUtilization();
        const busy = performance.eventLoopUtilization(now, last).utilization > BUSY_UTILIZATION;
        last = now;
        if (busy) {
          quietSince = Date.now();
          armed = true;
        } else if (armed && Date.now() - quietSince >= QUIET_MS) {
          armed = false;
          if (youngGenerationBytes() >= WORTH_BYTES) {
            fullGc();
            state.reclaims++;
          }
        }
      }, CHECK_MS),
    };
    state.timer.unref();
    current = state;
  }
  const held = current;
  held.holders++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--held.holders === 0) {
      clearInterval(held.timer);
      if (current === held) current = undefined;
    }
  };
}

/** How many quiet reclaims the process has run while held (0 when not held). */
export function quietReclaims(): number {
  return current?.reclaims ?? 0;
}

/** The young generation's size now, in bytes. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}
