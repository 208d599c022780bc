import { compile, type SourceSchema, SqlCompileError } from '../../../src/streaming-sql';
import { AGGREGATES, BUILT_INS, unknownFunction } from '../../../src/streaming-sql/functions';
import { jsonSchema, records } from './helpers';

const schema: SourceSchema = jsonSchema([
  ['N', 'INTEGER'],
  ['S', 'VARCHAR(32)'],
  ['T', 'TIMESTAMP'],
]);

/** Compiles one select item into a VARCHAR column; returns the compile error's message, or undefined. */
function compileError(item: string): string | undefined {
  const sql = `CREATE STREAM OUT_S (V VARCHAR(64));
    CREATE PUMP P AS INSERT INTO OUT_S SELECT STREAM ${item} FROM SOURCE_SQL_STREAM_001;`;
  try {
    compile(sql, { schema });
    return undefined;
  } catch (error) {
    if (error instanceof SqlCompileError) return error.message;
    throw error;
  }
}

const SYNTAX_OF_THEIR_OWN = new Set(['FLOOR', 'CEIL', 'POSITION', 'EXTRACT']);

/** A call of `name` with `n` arguments of the type its registry entry asks for. */
function callWith(name: string, n: number): string {
  const fn = BUILT_INS.get(name)!;
  const arg = (i: number): string => {
    const type = fn.args[Math.min(i, fn.args.length - 1)];
    if (type === 'string') return 'S';
    if (type === 'datetime') return 'T';
    if (type === 'unit') return 'HOUR';
    return 'N';
  };
  if (name === 'EXTRACT') return 'EXTRACT(HOUR FROM T)';
  if (name === 'POSITION') return 'POSITION(S IN S)';
  return `${name}(${Array.from({ length: n }, (_, i) => arg(i)).join(', ')})`;
}

describe('Module: functions (the built-in registry)', () => {
  it('lists every built-in, special form and aggregate in the error for an unknown function', () => {
    // Act
    const message = compileError('NOSUCH(N)');

    // Assess
    expect(message).toBe(`line 2, column 54: ${unknownFunction('NOSUCH')}`);
    for (const name of [...BUILT_INS.keys(), ...AGGREGATES]) expect(message).toContain(name);
    expect(message).toContain('TRIM');
    expect(message).toContain('FLOOR/CEIL(ts TO unit)');
    expect(BUILT_INS.size).toBe(28);
  });

  it.each([...BUILT_INS.values()].map((fn) => [fn.name, fn.arity[0], fn.arity[1]] as const))(
    '%s compiles with its least arity and refuses one argument too many',
    (name, min, max) => {
      // Act
      const least = compileError(`CAST(${callWith(name, min)} AS VARCHAR(64))`);
      const tooMany = max === Number.POSITIVE_INFINITY ? undefined : compileError(callWith(name, max + 1));

      // Assess
      expect(least).toBeUndefined();
      // the parser reads these calls as syntax of their own (FLOOR(x TO unit), POSITION(a IN b), EXTRACT(u FROM t))
      if (max !== Number.POSITIVE_INFINITY && !SYNTAX_OF_THEIR_OWN.has(name)) expect(tooMany).toMatch(`${name} takes `);
    },
  );

  it('checks argument types before the function runs: a string function refuses a number, a number function a string', () => {
    expect(compileError('UPPER(N)')).toMatch(/UPPER needs a character string, not INTEGER$/);
    expect(compileError('CAST(ABS(S) AS VARCHAR(8))')).toMatch(/ABS needs a number, not VARCHAR\(32\)$/);
    expect(compileError('CAST(SUBSTRING(S, S) AS VARCHAR(8))')).toMatch(/SUBSTRING needs a number, not VARCHAR\(32\)$/);
  });

  it('runs a registry function on records (alias names included)', () => {
    // Prepare
    const sql = `CREATE STREAM OUT_S (U VARCHAR(32), L INTEGER, P INTEGER);
      CREATE PUMP P AS INSERT INTO OUT_S SELECT STREAM UPPER(S), LENGTH(S), POSITION('l' IN S) FROM SOURCE_SQL_STREAM_001;`;

    // Act
    const { rows } = compile(sql, { schema })
      .createRunner()
      .push(records(['{"N":1,"S":"hello","T":"2024-01-01"}']));

    // Assess
    expect(rows.map((r) => r.values)).toEqual([{ U: 'HELLO', L: 5, P: 3 }]);
  });
});
