/**
 * The JSONPath subset of Kinesis Analytics mappings (about-json-path.md): `$`, `.name`, `['name']`, `[n]`, and `[0:]`
 * (all elements: the array as text when last, one row per element when followed by more steps).
 */
export type PathStep = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'all' };

/** Parses a path; returns an error reason as a string. */
export function parsePath(path: string): PathStep[] | string {
  const p = path.trim();
  if (!p.startsWith('$')) return `JSONPath '${path}' must start with $`;
  const steps: PathStep[] = [];
  let i = 1;
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      const m = /^[^.[\]]+/.exec(p.slice(i + 1));
      if (!m) return `JSONPath '${path}' has an empty name at ${i + 1}`;
      steps.push({ kind: 'key', key: m[0] });
      i += 1 + m[0].length;
    } else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) return `JSONPath '${path}' has an unclosed [`;
      const inner = p.slice(i + 1, end).trim();
      if (inner === '0:' || inner === '*' || inner === ':') steps.push({ kind: 'all' });
      else if (/^[0-9]+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'key', key: inner.slice(1, -1) });
      else return `JSONPath '${path}': unsupported selector [${inner}]; use [0:], [n] or ['name']`;
      i = end + 1;
    } else return `JSONPath '${path}': unexpected '${c}' at ${i + 1}`;
  }
  return steps;
}

/** Follows key/index steps; missing elements give undefined. */
export function follow(value: unknown, steps: PathStep[], from = 0, to = steps.length): unknown {
  let v = value;
  for (let i = from; i < to; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    const s = steps[i]!;
    if (s.kind === 'key') v = Array.isArray(v) ? undefined : (v as Record<string, unknown>)[s.key];
    else if (s.kind === 'index') v = Array.isArray(v) ? v[s.index] : undefined;
    else return v;
  }
  return v;
}

/** JavaScript code reading a key/index-only path from variable `o` (undefined when missing). */
export function pathCode(steps: PathStep[], root: string, temp: () => string): string {
  let code = root;
  for (const s of steps) {
    const t = temp();
    const access = s.kind === 'key' ? `[${JSON.stringify(s.key)}]` : `[${(s as { index: number }).index}]`;
    code = `((${t} = ${code}) !== null && typeof ${t} === 'object' ? ${t}${access} : undefined)`;
  }
  return code;
}
