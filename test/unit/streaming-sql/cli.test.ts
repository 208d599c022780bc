import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register } from '../../../bin/commands/sql';

const fanoutSql = join(__dirname, '../../../sql/fanout.sql');

async function fanoutSqlCommand(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const program = new Command().exitOverride();
  register(program);
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const saved = process.exitCode;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'fanout', 'sql', ...args]);
    return { stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = saved;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('Command: fanout sql', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-sql-'));
  const recordsFile = join(dir, 'records.jsonl');
  writeFileSync(
    recordsFile,
    ['{"ID":1,"USERNAME":"alice","AMOUNT":12.5}', '{"ID":2,"USERNAME":"bob","AMOUNT":-3.25}', 'not json', ''].join(
      '\n',
    ),
  );

  it('prints output rows as JSON lines, then error-stream rows, then a summary on stderr', async () => {
    // Act
    const { stdout, stderr, exitCode } = await fanoutSqlCommand([
      '--sql',
      fanoutSql,
      '--discover',
      '--records',
      recordsFile,
    ]);

    // Assess
    expect(exitCode).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual([
      '{"stream":"POSITIVE_TRANSACTIONS","record":{"ID":1,"USERNAME":"alice","AMOUNT":12.50}}',
      '{"stream":"NEGATIVE_TRANSACTIONS","record":{"ID":2,"USERNAME":"bob","AMOUNT":-3.25}}',
    ]);
    expect(JSON.parse(lines[2]!)).toMatchObject({ stream: 'error_stream', ERROR_NAME: 'Parse_Error' });
    expect(stderr).toBe(
      '3 records -> 2 rows (POSITIVE_TRANSACTIONS: 1, NEGATIVE_TRANSACTIONS: 1), 1 error-stream rows\n',
    );
  });

  it('prints CSV records and reads a schema file holding a DiscoverInputSchema answer', async () => {
    // Prepare
    const schemaFile = join(dir, 'schema.json');
    writeFileSync(
      schemaFile,
      JSON.stringify({
        InputSchema: {
          RecordFormat: {
            RecordFormatType: 'JSON',
            MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } },
          },
          RecordColumns: [
            { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
            { Name: 'USERNAME', SqlType: 'VARCHAR(8)', Mapping: '$.USERNAME' },
            { Name: 'AMOUNT', SqlType: 'DECIMAL(5,2)', Mapping: '$.AMOUNT' },
          ],
        },
      }),
    );

    // Act
    const { stdout } = await fanoutSqlCommand([
      '--sql',
      fanoutSql,
      '--schema',
      schemaFile,
      '--records',
      recordsFile,
      '--format',
      'csv',
    ]);

    // Assess
    expect(stdout.split('\n')[0]).toBe('{"stream":"POSITIVE_TRANSACTIONS","record":"1,alice,12.50"}');
  });

  it('prints the discovered schema alone with --print-schema and no --sql', async () => {
    // Act
    const { stdout } = await fanoutSqlCommand(['--discover', '--print-schema', '--records', recordsFile]);

    // Assess
    expect(JSON.parse(stdout).RecordColumns.map((c: { Name: string }) => c.Name)).toEqual(['ID', 'USERNAME', 'AMOUNT']);
  });

  it('shows a compile error with its line and column and exits 1', async () => {
    // Prepare
    const badSql = join(dir, 'bad.sql');
    writeFileSync(
      badSql,
      'CREATE STREAM S (A INTEGER);\nCREATE PUMP P AS INSERT INTO S SELECT STREAM NOPE FROM SOURCE_SQL_STREAM_001;\n',
    );

    // Act
    const { stdout, stderr, exitCode } = await fanoutSqlCommand([
      '--sql',
      badSql,
      '--discover',
      '--records',
      recordsFile,
    ]);

    // Assess
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `${badSql}:2:46: CodeValidationException: column NOPE not found in stream SOURCE_SQL_STREAM_001`,
    );
    expect(stderr).toContain('\n' + ' '.repeat(2 + 45) + '^');
  });

  it('refuses --schema together with --discover', async () => {
    // Act
    const act = fanoutSqlCommand(['--sql', fanoutSql, '--discover', '--schema', 'x.json', '--records', recordsFile]);

    // Assess
    await expect(act).rejects.toThrow('give either --schema FILE or --discover, not both');
  });
});
