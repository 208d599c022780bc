import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashInputs } from '../../../local/package';

describe('Function: hashInputs (the fan-out file)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'package-config-'));
    mkdirSync(join(dir, 'other'));
    writeFileSync(join(dir, 'serverless.yml'), 'service: s\n');
    writeFileSync(join(dir, 'fanout.yml'), 'input: {stream: In}\noutputs: [{stream: A}]\n');
    writeFileSync(join(dir, 'other', 'five.yml'), 'input: {stream: In}\nsql: five.sql\noutputs: []\n');
    writeFileSync(join(dir, 'other', 'five.sql'), '-- v1\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hashes the fan-out file in use and the SQL it names, wherever they are', () => {
    // Prepare
    const other = join(dir, 'other', 'five.yml');
    const byDefault = hashInputs(dir);
    const before = hashInputs(dir, 'dev', other);

    // Act
    writeFileSync(join(dir, 'other', 'five.sql'), '-- v2\n');
    const sqlEdited = hashInputs(dir, 'dev', other);
    writeFileSync(join(dir, 'fanout.yml'), 'input: {stream: In}\noutputs: [{stream: B}]\n');

    // Assess
    expect(before).not.toBe(byDefault);
    expect(sqlEdited).not.toBe(before);
    expect(hashInputs(dir)).not.toBe(byDefault);
  });
});
