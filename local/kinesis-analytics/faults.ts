/**
 * Test-only fault injection for the runner: a share of output rows is dropped, written twice, or written to
 * another destination, so the load test's verifier can be shown to catch loss, duplicates and misroutes.
 * Deterministic: a fraction of 0.01 hits exactly every 100th row, so expected counts are exact.
 */

/** Fractions between 0 and 1 of output rows to drop, duplicate or misroute. */
export interface Faults {
  drop?: number;
  duplicate?: number;
  misroute?: number;
}

export type FaultKind = keyof Faults;
const KINDS: FaultKind[] = ['drop', 'duplicate', 'misroute'];

export class FaultsConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FaultsConfigError';
  }
}

/**
 * Reads `FANOUT_TWIN_FAULTS`: `drop=0.01,duplicate=0.005,misroute=0.002` (or the same as JSON). Empty or unset
 * means no faults.
 */
export function parseFaults(text: string | undefined): Faults | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let entries: [string, unknown][];
  if (text.trim().startsWith('{')) {
    try {
      entries = Object.entries(JSON.parse(text) as Record<string, unknown>);
    } catch (error) {
      throw new FaultsConfigError(`FANOUT_TWIN_FAULTS is not valid JSON: ${text}`, { cause: error });
    }
  } else {
    entries = text.split(',').map((part) => {
      const [key = '', value = ''] = part.split('=').map((s) => s.trim());
      return [key, value === '' ? Number.NaN : Number(value)];
    });
  }
  const faults: Faults = {};
  for (const [key, value] of entries) {
    if (!KINDS.includes(key as FaultKind)) {
      throw new FaultsConfigError(`Unknown fault ${key}; use ${KINDS.join(', ')} (e.g. drop=0.01)`);
    }
    faults[key as FaultKind] = checkFraction(key, value);
  }
  return faults;
}

function checkFraction(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new FaultsConfigError(`Fault ${key} must be a fraction between 0 and 1, got ${String(value)}`);
  }
  return value;
}

/** Validates faults given in code (startTwin options). */
export function checkFaults(faults: Faults): Faults {
  for (const kind of KINDS) if (faults[kind] !== undefined) checkFraction(kind, faults[kind]);
  return faults;
}

/** Decides, row after row, which fault (if any) hits it. */
export class FaultInjector {
  private readonly credit: Record<FaultKind, number> = { drop: 0, duplicate: 0, misroute: 0 };
  readonly injected: Record<FaultKind, number> = { drop: 0, duplicate: 0, misroute: 0 };

  constructor(private readonly faults: Faults) {}

  /**
   * The fault for the next row: each kind accrues its fraction per row and fires when a whole row is due; a kind
   * falling due on a row another kind took fires on the next row.
   */
  next(): FaultKind | undefined {
    let hit: FaultKind | undefined;
    for (const kind of KINDS) {
      const fraction = this.faults[kind] ?? 0;
      if (fraction <= 0) continue;
      this.credit[kind] += fraction;
      if (this.credit[kind] >= 1 - 1e-9 && hit === undefined) {
        this.credit[kind] -= 1;
        hit = kind;
      }
    }
    if (hit) this.injected[hit]++;
    return hit;
  }

  /** Takes back a fault that could not happen (a misroute in an application with one destination). */
  cancel(kind: FaultKind): void {
    this.injected[kind]--;
  }
}
