/** How the verifier recognises a load-test record in any output row: by its USERNAME `<runId>-<seq>`. */
import { parseUsername } from './generator';

/** Finds a value by column name regardless of case (unquoted SQL identifiers are upper case). */
export function columnValue(values: Record<string, unknown>, name: string): unknown {
  if (name in values) return values[name];
  const upper = name.toUpperCase();
  for (const [key, value] of Object.entries(values)) if (key.toUpperCase() === upper) return value;
  return undefined;
}

/** The record of `runId` an output row stands for, from its USERNAME (`<runId>-<seq>`), checked against ID. */
export function identify(values: Record<string, unknown>, runId: string, total: number): number | undefined {
  const username = columnValue(values, 'USERNAME');
  if (typeof username !== 'string') return undefined;
  const parsed = parseUsername(username);
  if (!parsed || parsed.runId !== runId || parsed.seq >= total) return undefined;
  const id = columnValue(values, 'ID');
  if (id !== undefined && id !== null && Number(id) !== parsed.seq) return undefined;
  return parsed.seq;
}
