/**
 * A status check that waits: reads an application's status every POLL_MS until it is one of the statuses asked
 * for or the window has passed, and answers with the last status read. The state machines' wait loops call it
 * through DescribeApplication with their own window (waitSeconds, teardownWaitSeconds), so an application that
 * gets there half a second into the window is seen then, not at the next whole-second Wait, and a minute of
 * waiting on AWS is a few Lambda invocations, not a Task, a Choice, a Wait and a Pass (four billed transitions)
 * every second. The window is cut to what the function has left before its timeout.
 */
import type { ApplicationStatus } from './types';

/**
 * How often the status is read within a window: twice a second an application. Quicker would find a change sooner
 * but crowd the quotas the reads share with everything else in the account: the lambda engine's status is a
 * ListEventSourceMappings (Lambda's control plane: 15 requests a second an API) and a DescribeStreamConsumer (20 a
 * second a stream), and a Map waits for several applications at once.
 */
export const POLL_MS = 500;

/** What a wait needs: the status read and a clock (real time in a function; fake in tests). */
export interface StatusWait {
  status(): Promise<ApplicationStatus>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface StatusWaitResult {
  status: ApplicationStatus;
  /** Milliseconds spent in the window, from the first read to the last. */
  waitedMs: number;
}

/**
 * Reads the status, and again every POLL_MS while it is not one of `until` and `withinMs` has not passed.
 *
 * @param until - the statuses that end the wait; empty: one read
 * @param withinMs - the window; 0 (or less): one read
 */
export async function waitForStatus(
  wait: StatusWait,
  until: readonly ApplicationStatus[],
  withinMs: number,
): Promise<StatusWaitResult> {
  const start = wait.now();
  let status = await wait.status();
  for (;;) {
    const elapsed = wait.now() - start;
    if (until.length === 0 || until.includes(status) || elapsed >= withinMs) return { status, waitedMs: elapsed };
    await wait.sleep(Math.min(POLL_MS, withinMs - elapsed));
    status = await wait.status();
  }
}
