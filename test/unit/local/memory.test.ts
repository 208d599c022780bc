import { holdQuietReclaim, QUIET_MS, quietReclaims, youngGenerationBytes } from '../../../local/memory';

/** Busy for `ms`: objects that survive a scavenge or two, so V8 grows its young generation. */
function churn(ms: number): number {
  const window: { n: number; s: string }[] = new Array(200_000);
  const end = Date.now() + ms;
  let i = 0;
  while (Date.now() < end) {
    for (let k = 0; k < 10_000; k++, i++) window[i % window.length] = { n: i, s: `r${i}` };
  }
  return window.length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the quiet reclaim', () => {
  it('gives the young generation back once the process has been quiet, and only once', async () => {
    const release = holdQuietReclaim();
    try {
      // two busy seconds, seen by the one-second check as busy
      churn(1_100);
      await sleep(10);
      churn(1_100);
      const grown = youngGenerationBytes();
      expect(grown).toBeGreaterThanOrEqual(8 * 1024 * 1024);
      expect(quietReclaims()).toBe(0);
      await sleep(QUIET_MS + 3_000);
      expect(quietReclaims()).toBe(1);
      expect(youngGenerationBytes()).toBeLessThan(grown / 2);
      // still quiet: no second GC
      await sleep(2_000);
      expect(quietReclaims()).toBe(1);
    } finally {
      release();
    }
    expect(quietReclaims()).toBe(0);
  }, 30_000);
});
