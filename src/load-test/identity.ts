/**
 * How a load-test record carries the run's identity: a token `<tag>-<seq>` in its text columns. The tag is a short
 * hash of the run id, so the token fits narrow VARCHAR columns, survives SQL that passes a column through (also
 * inside a longer text, or upper-cased), and tells this run's records from any other's.
 */
import { createHash } from 'node:crypto';

/** The longest tag; columns too narrow for it get a shorter prefix of the same tag (never under MIN_TAG). */
export const TAG_LENGTH = 8;
export const MIN_TAG = 4;

/** The run's tag: `t` and 7 base-36 digits of the run id's MD5, e.g. `t0k3x9qa`. */
export function tagOf(runId: string): string {
  const hash = BigInt(`0x${createHash('md5').update(runId).digest('hex')}`).toString(36);
  return `t${hash.padStart(TAG_LENGTH - 1, '0').slice(0, TAG_LENGTH - 1)}`;
}

/** The token of record `seq` for a column of at most `limit` characters; undefined when no tag prefix fits. */
export function tokenFor(tag: string, seq: number, limit = Number.POSITIVE_INFINITY): string | undefined {
  const suffix = `-${seq}`;
  const room = Math.min(tag.length, limit - suffix.length);
  if (room < MIN_TAG) return undefined;
  return `${tag.slice(0, room)}${suffix}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Finds tokens of one tag (or a prefix of it of at least MIN_TAG characters) in any text. */
export class TokenFinder {
  private readonly pattern: RegExp;

  constructor(readonly tag: string) {
    const optional = tag
      .slice(MIN_TAG)
      .split('')
      .reduceRight((rest, ch) => `(?:${escapeRegExp(ch)}${rest})?`, '');
    this.pattern = new RegExp(
      `(?<![A-Za-z0-9])${escapeRegExp(tag.slice(0, MIN_TAG))}${optional}-(\\d{1,15})(?![0-9])`,
      'i',
    );
  }

  /** The sequence number of the first token in `value` (a string, or the text of a number/boolean); undefined if none. */
  seqIn(value: unknown): number | undefined {
    if (typeof value !== 'string') return undefined;
    const match = this.pattern.exec(value);
    return match ? Number(match[1]) : undefined;
  }
}

/** Finds a value by column name regardless of case (unquoted SQL identifiers are upper case). */
export function columnValue(values: Record<string, unknown>, name: string): unknown {
  if (name in values) return values[name];
  const upper = name.toUpperCase();
  for (const [key, value] of Object.entries(values)) if (key.toUpperCase() === upper) return value;
  return undefined;
}
