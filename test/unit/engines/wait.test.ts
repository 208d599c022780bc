import type { ApplicationStatus } from '../../../src/engines';
import { POLL_MS, waitForStatus } from '../../../src/engines/wait';

/** A status read that goes through `statuses` (the last one stays) on a fake clock that sleeps at once. */
function fakeWait(statuses: ApplicationStatus[]) {
  let now = 0;
  const reads: number[] = [];
  const sleeps: number[] = [];
  return {
    reads,
    sleeps,
    wait: {
      status: async () => {
        reads.push(now);
        return statuses[Math.min(reads.length - 1, statuses.length - 1)]!;
      },
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}

describe('waitForStatus', () => {
  it('reads again every POLL_MS until the status is one asked for', async () => {
    // Prepare
    const fake = fakeWait(['STARTING', 'STARTING', 'STARTING', 'RUNNING']);

    // Act
    const result = await waitForStatus(fake.wait, ['RUNNING'], 10_000);

    // Assess
    expect(result).toEqual({ status: 'RUNNING', waitedMs: 3 * POLL_MS });
    expect(fake.reads).toEqual([0, POLL_MS, 2 * POLL_MS, 3 * POLL_MS]);
  });

  it('stops at the end of the window, the last sleep cut to it, with the status it read last', async () => {
    // Prepare
    const fake = fakeWait(['STOPPING']);

    // Act
    const result = await waitForStatus(fake.wait, ['READY', 'NOT_FOUND'], 2 * POLL_MS + 100);

    // Assess
    expect(result).toEqual({ status: 'STOPPING', waitedMs: 2 * POLL_MS + 100 });
    expect(fake.sleeps).toEqual([POLL_MS, POLL_MS, 100]);
    expect(fake.reads).toHaveLength(4);
  });

  it('reads once with no window, with nothing to wait for, or when the status is there already', async () => {
    for (const [until, within, status] of [
      [['RUNNING'], 0, 'STARTING'],
      [['RUNNING'], -500, 'STARTING'],
      [[], 10_000, 'STARTING'],
      [['READY', 'RUNNING'], 10_000, 'READY'],
    ] as [ApplicationStatus[], number, ApplicationStatus][]) {
      const fake = fakeWait([status, 'DELETING']);
      await expect(waitForStatus(fake.wait, until, within)).resolves.toEqual({ status, waitedMs: 0 });
      expect(fake.reads).toHaveLength(1);
    }
  });
});
