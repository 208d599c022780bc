/**
 * Reading an output row and what it says, independent of how it was written: a JSON object or a CSV line becomes
 * column values, and a row's content becomes a 53-bit key that is the same for the same values however they were
 * formatted (`12.5` or `"12.50"`, any key case), so expected and arrived rows can be matched by content.
 */

const decoder = new TextDecoder();

/** Parses an output record: a JSON object, or a CSV row read with the output's column names. */
export function parseOutputRecord(
  data: Uint8Array,
  columns: readonly string[] | undefined,
): Record<string, unknown> | undefined {
  const text = decoder.decode(data).trim();
  if (text.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  if (!columns || columns.length === 0) return undefined;
  const cells = splitCsv(text);
  return Object.fromEntries(columns.map((name, i) => [name, cells[i]]));
}

function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cell);
      cell = '';
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** One value in the form both sides agree on. */
function normal(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'number' || typeof value === 'bigint') return `#${Number(value)}`;
  if (typeof value === 'boolean') return `?${value}`;
  if (typeof value === 'string') {
    if (NUMBER.test(value.trim())) return `#${Number(value)}`;
    if (value === 'true' || value === 'false') return `?${value}`;
    return `'${value}`;
  }
  return `'${JSON.stringify(value)}`;
}

/** cyrb53: a fast 53-bit string hash (public domain, bryc). */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The content key of a row, leaving out `excluded` columns (upper-case names). */
export function contentKey(values: Record<string, unknown>, excluded: ReadonlySet<string> = new Set()): number {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const name = key.toUpperCase();
    if (!excluded.has(name)) parts.push(`${name}=${normal(value)}`);
  }
  parts.sort();
  return hash53(parts.join('\u0001'));
}

/** Two values mean the same (`12.5` and `"12.50"`, `1` and `"1"`). */
export function sameValue(a: unknown, b: unknown): boolean {
  return normal(a) === normal(b);
}
