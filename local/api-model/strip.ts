/**
 * `npx tsx local/api-model/strip.ts <botocore model> <out.json>`: writes the model without its documentation
 * (and examples), the form a twin service keeps beside it as `api-model.json`. For example:
 *
 *   npx tsx local/api-model/strip.ts ../shared/reference/aws-api-models/kinesis-2013-12-02.json \
 *     local/kinesis/api-model.json
 */
import { readFileSync, writeFileSync } from 'node:fs';

const DROP = new Set(['documentation', 'documentationUrl', 'examples', 'deprecatedMessage']);

export function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!DROP.has(k)) out[k] = strip(v);
  return out;
}

if (require.main === module) {
  const [from, to] = process.argv.slice(2);
  if (!from || !to) {
    process.stderr.write('usage: strip.ts <botocore model.json> <out.json>\n');
    process.exit(2);
  }
  writeFileSync(to, `${JSON.stringify(strip(JSON.parse(readFileSync(from, 'utf8'))))}\n`);
}
