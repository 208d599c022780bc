/**
 * EventBridge schedule expressions: `rate(N unit)` and AWS's 6-field `cron(min hour dom month dow year)`, as the
 * next firing time after a given moment (croner for the cron fields, in UTC).
 */
import { Cron } from 'croner';
import { AwsServiceError } from '../service';

/** Raised for a schedule expression EventBridge would reject (ValidationException on the wire). */
export class ScheduleExpressionError extends AwsServiceError {
  constructor(expression: string, reason: string) {
    super('ValidationException', `Parameter ScheduleExpression is not valid: ${expression} (${reason})`);
  }
}

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Computes the next fire time (ms epoch) strictly after `from`. */
export type NextFire = (from: number) => number | undefined;

/** Parses `rate(N unit)` or AWS's 6-field `cron(min hour dom month dow year)`. */
export function parseSchedule(expression: string): NextFire {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '');
    if (n < 1) throw new ScheduleExpressionError(expression, 'the value must be a positive integer');
    if ((n === 1) !== (rate[2] === unit))
      throw new ScheduleExpressionError(expression, 'use the singular unit for 1 only');
    const period = n * UNITS[unit]!;
    return (from) => from + period;
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new ScheduleExpressionError(expression, 'expected rate(...) or cron(...)');
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleExpressionError(expression, 'cron() takes 6 fields');
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (dom !== '?' && dow !== '?')
    throw new ScheduleExpressionError(expression, "one of day-of-month and day-of-week must be '?'");
  // AWS numbers weekdays 1-7 from Sunday; croner 0-6
  const weekday = dow.replace(/\d+/g, (d) => String((Number(d) + 6) % 7));
  let job: Cron;
  try {
    job = new Cron(`0 ${minutes} ${hours} ${dom === '?' ? '*' : dom} ${month} ${dow === '?' ? '*' : weekday}`, {
      paused: true,
      // UTC as an offset of 0 minutes: the same times as timezone 'Etc/UTC' without Intl (whose first use, loading
      // the zone data, took 22 ms of the deploy's main thread)
      utcOffset: 0,
    });
  } catch (error) {
    throw new ScheduleExpressionError(expression, (error as Error).message);
  }
  const years = year === '*' ? undefined : expandYears(year, expression);
  return (from) => {
    let cursor = new Date(from);
    for (let i = 0; i < 1000; i++) {
      const next = job.nextRun(cursor);
      if (!next) return undefined;
      if (!years || years.has(next.getUTCFullYear())) return next.getTime();
      cursor = next;
    }
    return undefined;
  };
}

function expandYears(field: string, expression: string): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\d{4})(?:-(\d{4}))?$/.exec(part);
    if (!m) throw new ScheduleExpressionError(expression, `bad year field '${field}'`);
    for (let y = Number(m[1]); y <= Number(m[2] ?? m[1]); y++) out.add(y);
  }
  return out;
}
