/** What a report says deserves a look even when its verdict passes. */
import { describeTruncation } from './truncation';
import type { LoadTestReport } from './types';
import { plural } from './verifier';

/** Below this share of the target rate, the run says it fell short. */
export const RATE_SHORTFALL = 0.9;

/** The warnings of a report, from its own figures. */
export function warningsOf(report: LoadTestReport): string[] {
  const warnings: string[] = [];
  const { targetRate, achievedRate } = report;
  if (
    report.mode !== 'live' &&
    targetRate !== undefined &&
    achievedRate !== undefined &&
    report.sent > 0 &&
    achievedRate < RATE_SHORTFALL * targetRate
  ) {
    const share = Math.round((achievedRate / targetRate) * 100);
    const throttled = report.throttledBy?.put
      ? ` (${plural(report.throttledBy.put, 'put')} throttled: each input shard takes 1,000 records/s)`
      : '';
    warnings.push(
      `records were sent at ${achievedRate.toLocaleString('en-US')}/s, ${share}% of the ${targetRate.toLocaleString('en-US')}/s target, so the fan-out was not tested at the rate asked${throttled}`,
    );
  }
  for (const t of report.truncated ?? []) warnings.push(describeTruncation(t));
  const outputs = Object.entries(report.outputs);
  const anyExpected = outputs.some(([, o]) => o.matchedBy !== 'rows' && o.expected > 0);
  for (const [name, o] of outputs) {
    if (o.matchedBy === 'rows')
      warnings.push(
        `${name}: its rows come from a windowed pump and depend on arrival times: ${plural(o.received, 'row')} arrived, counted but not matched to records`,
      );
    else if (o.expected === 0 && anyExpected && report.sent > 0)
      warnings.push(
        `${name}: the SQL routes none of the ${report.mode === 'live' ? 'records seen' : 'generated records'} here, so nothing was checked on it${report.mode === 'live' ? '' : ': give realistic records with loadTest.sample'}`,
      );
    else if (o.matchedBy === 'content' && report.mode !== 'live' && o.expected > 0)
      warnings.push(
        `${name}: the SQL keeps no column the run's token can travel in, so rows were matched by content; rows of other producers with the same content would count as this run's`,
      );
  }
  return warnings;
}
