/**
 * TIMESTAMP_TO_CHAR and CHAR_TO_TIMESTAMP with the Java SimpleDateFormat patterns the guide's examples use
 * (yyyy, yy, MM, M, MMM, dd, d, HH, H, hh, h, mm, m, ss, s, SSS, a, 'quoted text'); times are UTC.
 */
import { SqlRuntimeError } from './errors';

type Part = { field: string; width: number } | { text: string };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const cache = new Map<string, Part[]>();

function parts(format: string): Part[] {
  const hit = cache.get(format);
  if (hit) return hit;
  const out: Part[] = [];
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      if (end === i + 1) out.push({ text: "'" });
      else out.push({ text: format.slice(i + 1, end < 0 ? format.length : end) });
      i = end < 0 ? format.length : end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (format[j] === c) j++;
      if (!'yMdHhmsSaE'.includes(c))
        throw new SqlRuntimeError('Invalid_Format', `unsupported date-time pattern letter '${c}' in '${format}'`);
      out.push({ field: c, width: j - i });
      i = j;
    } else {
      out.push({ text: c });
      i++;
    }
  }
  if (cache.size > 256) cache.clear();
  cache.set(format, out);
  return out;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Formats ms since the epoch (UTC) with a SimpleDateFormat pattern. */
export function timestampToChar(format: string, ms: number): string {
  const d = new Date(ms);
  let s = '';
  for (const p of parts(format)) {
    if ('text' in p) {
      s += p.text;
      continue;
    }
    const w = p.width;
    switch (p.field) {
      case 'y':
        s += w === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), w);
        break;
      case 'M':
        s += w >= 3 ? MONTHS[d.getUTCMonth()]! : pad(d.getUTCMonth() + 1, w);
        break;
      case 'd':
        s += pad(d.getUTCDate(), w);
        break;
      case 'H':
        s += pad(d.getUTCHours(), w);
        break;
      case 'h':
        s += pad(d.getUTCHours() % 12 || 12, w);
        break;
      case 'm':
        s += pad(d.getUTCMinutes(), w);
        break;
      case 's':
        s += pad(d.getUTCSeconds(), w);
        break;
      case 'S':
        s += pad(d.getUTCMilliseconds(), w);
        break;
      case 'a':
        s += d.getUTCHours() < 12 ? 'AM' : 'PM';
        break;
      default:
        s += ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
    }
  }
  return s;
}

/** Parses text with a SimpleDateFormat pattern to ms since the epoch (UTC); throws when it does not match. */
export function charToTimestamp(format: string, text: string): number {
  let year = 1970;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let pm: boolean | undefined;
  let i = 0;
  const fail = (): never => {
    throw new SqlRuntimeError('Type_Conversion_Error', `Unable to parse '${text}' with the format '${format}'`);
  };
  for (const p of parts(format)) {
    if ('text' in p) {
      if (!text.startsWith(p.text, i)) fail();
      i += p.text.length;
      continue;
    }
    if (p.field === 'a') {
      const m = /^(AM|PM)/i.exec(text.slice(i));
      if (!m) fail();
      pm = m![1]!.toUpperCase() === 'PM';
      i += 2;
      continue;
    }
    if (p.field === 'M' && p.width >= 3) {
      const idx = MONTHS.findIndex((n) => text.slice(i, i + 3).toLowerCase() === n.toLowerCase());
      if (idx < 0) fail();
      month = idx + 1;
      i += 3;
      continue;
    }
    if (p.field === 'E') {
      const m = /^[A-Za-z]+/.exec(text.slice(i));
      if (!m) fail();
      i += m![0].length;
      continue;
    }
    const m = /^\d+/.exec(
      text.slice(i, i + Math.max(p.width, p.field === 'y' && p.width !== 2 ? 4 : 2) + (p.field === 'S' ? 6 : 0)),
    );
    if (!m) fail();
    const n = Number(m![0]);
    i += m![0].length;
    switch (p.field) {
      case 'y':
        year = p.width === 2 ? 2000 + n : n;
        break;
      case 'M':
        month = n;
        break;
      case 'd':
        day = n;
        break;
      case 'H':
      case 'h':
        hour = n;
        break;
      case 'm':
        minute = n;
        break;
      case 's':
        second = n;
        break;
      default:
        ms = Math.floor(Number(`0.${m![0]}`) * 1000 + 1e-9);
    }
  }
  if (i !== text.length) fail();
  if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) fail();
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}
