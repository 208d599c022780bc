/**
 * Helpers that compiled pumps call (as `rt.*`). Each takes values in their in-memory representation (see types.ts)
 * and returns null for null input, so generated code stays short and V8 can inline them.
 */
import { SqlRuntimeError } from './errors';
import { formatDecimal, POW10N, rescaleBig } from './types';

const divisionByZero = (): never => {
  throw new SqlRuntimeError('Division_By_Zero', 'Division by zero');
};

/** LIKE (`%`, `_`) or SIMILAR TO (LIKE plus `|`, `*`, `+`, `?`, `{m,n}`, groups and classes) -> an anchored RegExp. */
function likeToRegExp(pattern: string, esc: string | null, similar = false): RegExp {
  let re = '^(?:';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (esc !== null && c === esc) {
      const next = pattern[++i];
      if (next === undefined) throw new SqlRuntimeError('Invalid_Escape', 'pattern ends with its escape character');
      re += next.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else if (similar && '|*+?{}()[],'.includes(c)) re += c;
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  try {
    return new RegExp(`${re})$`);
  } catch (error) {
    throw new SqlRuntimeError('Invalid_Pattern', `invalid SIMILAR TO pattern '${pattern}'`, { cause: error });
  }
}

const likeCache = new Map<string, RegExp>();

/** The helpers compiled code calls as `rt.name(...)`. */
export const rt = {
  likeToRegExp,
  like(s: string | null, p: string | null, esc: string | null, similar = false): boolean | null {
    if (s === null || p === null) return null;
    const key = `${similar ? 'S' : 'L'}${esc ?? ''}\u0000${p}`;
    let re = likeCache.get(key);
    if (!re) {
      if (likeCache.size > 1000) likeCache.clear();
      re = likeToRegExp(p, esc, similar);
      likeCache.set(key, re);
    }
    return re.test(s);
  },
  divInt(a: number | null, b: number | null): number | null {
    if (a === null || b === null) return null;
    if (b === 0) return divisionByZero();
    return Math.trunc(a / b);
  },
  divBig(a: bigint | null, b: bigint | null): bigint | null {
    if (a === null || b === null) return null;
    if (b === 0n) return divisionByZero();
    return a / b;
  },
  divFloat(a: number | null, b: number | null): number | null {
    if (a === null || b === null) return null;
    if (b === 0) return divisionByZero();
    return a / b;
  },
  modInt(a: number | null, b: number | null): number | null {
    if (a === null || b === null) return null;
    if (b === 0) return divisionByZero();
    return a % b;
  },
  modBig(a: bigint | null, b: bigint | null): bigint | null {
    if (a === null || b === null) return null;
    if (b === 0n) return divisionByZero();
    return a % b;
  },
  /** Exact decimal division: a (scale sa) / b (scale sb) -> unscaled bigint at scale so, rounded half away from zero. */
  divDec(a: number | bigint | null, sa: number, b: number | bigint | null, sb: number, so: number): bigint | null {
    if (a === null || b === null) return null;
    const bb = BigInt(b);
    if (bb === 0n) return divisionByZero();
    // a/10^sa / (b/10^sb) * 10^so = a * 10^(so - sa + sb) / b, computed with one extra digit for rounding
    const shift = so - sa + sb + 1;
    let num = BigInt(a);
    let den = bb;
    if (shift >= 0) num *= POW10N[shift]!;
    else den *= POW10N[-shift]!;
    return rescaleBig(num / den, 1, 0);
  },
  /** Decimal (number or bigint unscaled) -> decimal of another scale/precision/rep. */
  decConv(
    v: number | bigint | null,
    from: number,
    to: number,
    precision: number,
    big: boolean,
  ): number | bigint | null {
    if (v === null) return null;
    const u = rescaleBig(BigInt(v), from, to);
    if ((u < 0n ? -u : u) >= POW10N[precision]!)
      throw new SqlRuntimeError(
        'Type_Conversion_Error',
        `Value ${formatDecimal(u, to)} does not fit DECIMAL(${precision},${to})`,
      );
    return big ? u : Number(u);
  },
  /** Decimal -> number (DOUBLE). */
  decToFloat(v: number | bigint | null, scale: number): number | null {
    if (v === null) return null;
    if (typeof v === 'number') return v / 10 ** scale;
    return Number(formatDecimal(v, scale));
  },
  /** Decimal -> integer, truncating toward zero, range-checked. */
  decToInt(v: number | bigint | null, scale: number, min: number, max: number): number | null {
    if (v === null) return null;
    const n = Number(BigInt(v) / POW10N[scale]!);
    if (n < min || n > max)
      throw new SqlRuntimeError('Type_Conversion_Error', `Value ${formatDecimal(v, scale)} is out of range`);
    return n;
  },
  decToBig(v: number | bigint | null, scale: number): bigint | null {
    if (v === null) return null;
    return BigInt(v) / POW10N[scale]!;
  },
  checkInt(v: number | null, min: number, max: number): number | null {
    if (v === null) return null;
    if (v < min || v > max || Number.isNaN(v))
      throw new SqlRuntimeError('Type_Conversion_Error', `Value ${v} is out of range`);
    return v;
  },
  floatToInt(v: number | null, min: number, max: number): number | null {
    if (v === null) return null;
    const n = Math.trunc(v);
    if (!(n >= min && n <= max)) throw new SqlRuntimeError('Type_Conversion_Error', `Value ${v} is out of range`);
    return n;
  },
  bigToInt(v: bigint | null, min: number, max: number): number | null {
    if (v === null) return null;
    if (v < BigInt(min) || v > BigInt(max))
      throw new SqlRuntimeError('Type_Conversion_Error', `Value ${v} is out of range`);
    return Number(v);
  },
  toBig(v: number | null): bigint | null {
    return v === null ? null : BigInt(Math.trunc(v));
  },
  toNum(v: bigint | null): number | null {
    return v === null ? null : Number(v);
  },
  substring(s: string | null, from: number | null, len?: number | null): string | null {
    if (s === null || from === null || len === null) return null;
    // SQL positions are 1-based; characters before position 1 count against the length
    let start = from - 1;
    let end = len === undefined ? s.length : start + len;
    if (len !== undefined && len < 0) throw new SqlRuntimeError('Substring_Error', 'SUBSTRING length is negative');
    if (start < 0) start = 0;
    if (end > s.length) end = s.length;
    return end <= start ? '' : s.slice(start, end);
  },
  position(needle: string | null, hay: string | null): number | null {
    if (needle === null || hay === null) return null;
    return hay.indexOf(needle) + 1;
  },
  trim(s: string | null, chars: string | null, side: number): string | null {
    if (s === null || chars === null) return null;
    let start = 0;
    let end = s.length;
    if (side !== 2) while (start < end && chars.includes(s[start]!)) start++;
    if (side !== 1) while (end > start && chars.includes(s[end - 1]!)) end--;
    return s.slice(start, end);
  },
  /** FLOOR(ts TO unit) / CEIL(ts TO unit). */
  floorTo(ts: number | null, unit: string, ceil: boolean): number | null {
    if (ts === null) return null;
    const d = new Date(ts);
    let f: number;
    switch (unit) {
      case 'YEAR':
        f = Date.UTC(d.getUTCFullYear(), 0, 1);
        break;
      case 'MONTH':
        f = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
        break;
      default: {
        const size = UNIT_MS[unit]!;
        f = Math.floor(ts / size) * size;
      }
    }
    if (!ceil || f === ts) return f;
    switch (unit) {
      case 'YEAR':
        return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
      case 'MONTH':
        return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      default:
        return f + UNIT_MS[unit]!;
    }
  },
  step(v: number | null, size: number | null): number | null {
    if (v === null || size === null) return null;
    if (size <= 0) throw new SqlRuntimeError('Step_Error', 'STEP interval must be positive');
    return Math.floor(v / size) * size;
  },
  extract(unit: string, ts: number | null): bigint | null {
    if (ts === null) return null;
    const d = new Date(ts);
    switch (unit) {
      case 'YEAR':
        return BigInt(d.getUTCFullYear());
      case 'MONTH':
        return BigInt(d.getUTCMonth() + 1);
      case 'DAY':
        return BigInt(d.getUTCDate());
      case 'HOUR':
        return BigInt(d.getUTCHours());
      case 'MINUTE':
        return BigInt(d.getUTCMinutes());
      case 'SECOND':
        return BigInt(d.getUTCSeconds());
      default:
        return BigInt(d.getUTCMilliseconds());
    }
  },
};

/** Milliseconds per time unit, for intervals and windows (MONTH and YEAR vary, so they are absent). */
export const UNIT_MS: Record<string, number> = {
  MILLISECOND: 1,
  SECOND: 1000,
  MINUTE: 60000,
  HOUR: 3600000,
  DAY: 86400000,
};

export type Runtime = typeof rt;
