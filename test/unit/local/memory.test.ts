import { constants, PerformanceObserver } from 'node:perf_hooks';
import { holdQuietReclaim, QUIET_MS, quietReclaims } from '../../../local/memory';

/** Busy for `ms`: objects that survive a scavenge or two, so V8 grows its young generation. */
function churn(ms: number): void {
  const window: { n: number; s: string }[] = new Array(200_000);
  const end = Date.now() + ms;
  let i = 0;
  while (Date.now() < end) {
    for (let k = 0; k < 10_000; k++, i++) window[i % window.length] = { n: i, s: `r${i}` };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the quiet reclaim', () => {
  // Whether V8 shrinks its young generation in that GC is V8's own choice (it judges the allocation of the last
  // seconds, and not always the same way: docs/performance.md); what the reclaim does is run the one full GC.
  it('runs one full GC once the process has been quiet, none before and no second one', async () => {
    let forced = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as unknown as { detail?: { kind: number; flags: number } }).detail;
        if (
          detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR &&
          (detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0
        ) {
          forced++;
        }
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    const release = holdQuietReclaim();
    try {
      // two busy seconds, seen by the one-second check as busy
      churn(1_100);
      await sleep(10);
      churn(1_100);
      await sleep(QUIET_MS - 2_000);
      expect(forced).toBe(0);
      expect(quietReclaims()).toBe(0);
      await sleep(5_000);
      expect(forced).toBe(1);
      expect(quietReclaims()).toBe(1);
      // still quiet: no second GC
      await sleep(2_000);
      expect(forced).toBe(1);
    } finally {
      release();
      observer.disconnect();
    }
  }, 30_000);
});
