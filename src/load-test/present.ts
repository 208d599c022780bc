/**
 * What the CLI does with a load-test report (`fanout run`, `fanout smoke`): print the summary table and write
 * `.fanout/report.json` and `.fanout/report.html`. CLI only (reads the chart library from node_modules).
 */
import { writeReports } from './report-html';
import { renderSummaryTable } from './report-terminal';
import type { LoadTestReport } from './types';

export interface PresentOptions {
  /** Where the files go (default `.fanout`). */
  dir?: string;
  /** Where the table goes (default stdout). */
  write?: (text: string) => void;
  color?: boolean;
}

/** Prints the summary table, writes both report files and names them; returns their paths. */
export async function presentReport(
  report: LoadTestReport,
  options: PresentOptions = {},
): Promise<{ json: string; html: string }> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  write(renderSummaryTable(report, options.color === undefined ? {} : { color: options.color }));
  const paths = await writeReports(report, options.dir ?? '.fanout');
  write(`Report: ${paths.json}, ${paths.html}\n`);
  return paths;
}
