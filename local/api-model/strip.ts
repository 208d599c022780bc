/**
 * `npx tsx local/api-model/strip.ts <botocore model> <out.json> [Operation,Operation,...]`: writes the model without
 * its documentation (and examples), the form a twin service keeps beside it as `api-model.json`; with a list of
 * operations, only those and the shapes they reach (what a service that serves part of an API keeps). For example:
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

type Ref = { shape: string } | undefined;
type RawShape = { members?: Record<string, Ref>; member?: Ref; key?: Ref; value?: Ref };
type RawOperation = { input?: Ref; output?: Ref; errors?: Ref[] };
type RawModel = { metadata: unknown; operations: Record<string, RawOperation>; shapes: Record<string, RawShape> };

/** The model with only `operations` and every shape their inputs, outputs and errors reach, stripped. */
export function keepOperations(model: RawModel, operations: string[]): unknown {
  const shapes: Record<string, unknown> = {};
  const reach = (ref: Ref): void => {
    if (!ref || shapes[ref.shape]) return;
    const shape = model.shapes[ref.shape];
    if (!shape) throw new Error(`the model has no shape ${ref.shape}`);
    shapes[ref.shape] = strip(shape);
    for (const member of Object.values(shape.members ?? {})) reach(member);
    for (const inner of [shape.member, shape.key, shape.value]) reach(inner);
  };
  const kept: Record<string, unknown> = {};
  for (const name of operations) {
    const op = model.operations[name];
    if (!op) throw new Error(`the model has no operation ${name}`);
    kept[name] = strip(op);
    for (const ref of [op.input, op.output, ...(op.errors ?? [])]) reach(ref);
  }
  return { metadata: strip(model.metadata), operations: kept, shapes };
}

if (require.main === module) {
  const [from, to, list] = process.argv.slice(2);
  if (!from || !to) {
    process.stderr.write('usage: strip.ts <botocore model.json> <out.json> [Operation,...]\n');
    process.exit(2);
  }
  const model = JSON.parse(readFileSync(from, 'utf8')) as RawModel;
  writeFileSync(to, `${JSON.stringify(list ? keepOperations(model, list.split(',')) : strip(model))}\n`);
}
