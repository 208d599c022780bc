#!/usr/bin/env node
// Writes the part of an AWS API model (botocore JSON, shared/reference/aws-api-models) that a twin service
// serves: the named operations and every shape they reach, without documentation. The twin's protocol code reads
// it to decode requests and encode answers by shape.
//   node .ci/trim-api-model.js <model.json> <Operation,Operation,...> > local/<service>/api-model.json
const { readFileSync } = require('node:fs');

const [file, list] = process.argv.slice(2);
if (!file || !list) {
  process.stderr.write('usage: trim-api-model.js <model.json> <Operation,...>\n');
  process.exit(2);
}
const model = JSON.parse(readFileSync(file, 'utf8'));
const strip = (value) => {
  if (Array.isArray(value)) return value.map(strip);
  if (!value || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'documentation' && k !== 'examples') out[k] = strip(v);
  return out;
};
const shapes = {};
const reach = (name) => {
  if (!name || shapes[name]) return;
  const shape = model.shapes[name];
  if (!shape) throw new Error(`no shape ${name}`);
  shapes[name] = strip(shape);
  for (const member of Object.values(shape.members ?? {})) reach(member.shape);
  reach(shape.member?.shape);
  reach(shape.key?.shape);
  reach(shape.value?.shape);
};
const operations = {};
for (const op of list.split(',')) {
  const o = model.operations[op];
  if (!o) throw new Error(`no operation ${op}`);
  operations[op] = strip(o);
  reach(o.input?.shape);
  reach(o.output?.shape);
  for (const e of o.errors ?? []) reach(e.shape);
}
const metadata = model.metadata;
process.stdout.write(`${JSON.stringify({ metadata, operations, shapes })}\n`);
