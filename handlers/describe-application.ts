/**
 * DescribeApplication: the status of one application (NOT_FOUND when there is none), for the wait loops. Given
 * `until` and `withinSeconds`, it waits inside the function (src/engines/wait.ts): it reads the status again every
 * POLL_MS until it is one of `until` or the window has passed, so a wait loop sees a change as it happens and
 * takes a few transitions a window. The window is cut to the function's time left less a margin; `leftSeconds`
 * says how much of it the state machine still has to wait (a Wait state) when the status was not reached.
 */
import * as z from 'zod';
import { APPLICATION_STATUSES, type ApplicationStatus } from '../src/engines';
import { waitForStatus } from '../src/engines/wait';
import { applicationEvent, applicationName, stepContext } from './runtime';
import { step } from './step';

/** Time kept back from the function's timeout: the last read's round trip, and the answer. */
const MARGIN_MS = 5000;

const describeEvent = applicationEvent.extend({
  until: z.array(z.enum(APPLICATION_STATUSES)).optional(),
  withinSeconds: z.number().min(0).max(3600).optional(),
});

export interface DescribeApplicationResult {
  name: string;
  status: ApplicationStatus;
  /** Whole seconds of the window still to wait: 0 unless the function could not wait all of it. */
  leftSeconds: number;
}

export const handler = step(
  'Application status',
  describeEvent,
  async (input, context): Promise<DescribeApplicationResult> => {
    const { config, engine } = stepContext(input);
    const name = applicationName(input.name, config);
    const windowMs = (input.withinSeconds ?? 0) * 1000;
    const remaining = context?.getRemainingTimeInMillis?.();
    const withinMs = remaining === undefined ? windowMs : Math.min(windowMs, remaining - MARGIN_MS);
    const { status, waitedMs } = await waitForStatus(
      {
        status: () => engine.status(name),
        now: () => Date.now(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      input.until ?? [],
      withinMs,
    );
    const reached = input.until?.includes(status) ?? true;
    return { name, status, leftSeconds: reached ? 0 : Math.max(0, Math.ceil((windowMs - waitedMs) / 1000)) };
  },
);
