/**
 * `fanout plan [--config FILE] [--engine E] [--rate N] [--record-size B] [--stage S] [--json]`: what the fan-out file
 * will make exist with that engine (streams created or referenced, applications and their outputs, the lambda
 * engine's function and mapping, consumers) and what it costs a month at the rate given, with every price used
 * and where it comes from (src/pricing.ts). Reads the file only: nothing is packaged or deployed.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { ENGINE_NAMES, type EngineName } from '../../src/config';
import { type Plan, planOf } from '../../src/fanout-config/plan';
import { FUNCTIONS } from '../../src/fanout-config/template/functions';
import {
  DEFAULT_ASSUMPTIONS,
  DEFAULT_TABLE_ASSUMPTIONS,
  type EngineTableAssumptions,
  type EngineTableRow,
  engineTable,
  HOURS_PER_MONTH,
  PRICES,
  shardWriteRate,
} from '../../src/pricing';
import { configOption, useConfig } from '../config-option';

export interface PlanFlags {
  config?: string;
  engine: EngineName;
  rate: number;
  recordSize: number;
  stage: string;
  json?: boolean;
}

const SERVICE = 'kinesis-fanout';

/** The engine serverless.yml packages for by default: FANOUT_ENGINE, else lambda. */
export function defaultEngine(env: Record<string, string | undefined> = process.env): EngineName {
  const engine = env['FANOUT_ENGINE'];
  return (ENGINE_NAMES as readonly string[]).includes(engine ?? '') ? (engine as EngineName) : 'lambda';
}

export function parseEngine(value: string): EngineName {
  if (!(ENGINE_NAMES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected ${ENGINE_NAMES.join(' or ')}`);
  return value as EngineName;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0');
  return n;
}

const usd = (n: number): string =>
  `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The plan as the terminal shows it. */
export function formatPlan(plan: Plan, file: string, colored = false): string {
  const c = pc.createColors(colored);
  const out: string[] = [];
  const width = Math.max(...plan.streams.map((s) => s.name.length), 10);
  out.push(`${c.bold(file)} with the ${c.bold(plan.engine)} engine`, '', c.bold('streams'));
  for (const s of plan.streams) {
    const feeds = s.sqlStream ? `  <- ${s.sqlStream}` : '';
    const consumer = s.consumer ? '  + logging consumer' : '';
    out.push(`  ${s.role.padEnd(6)} ${s.name.padEnd(width)}  ${s.source.padEnd(10)} ${s.detail}${feeds}${consumer}`);
  }
  const application =
    plan.application === 'copy' ? 'copy application, generated from the input columns' : plan.application;
  if (plan.engine === 'kinesis-analytics') {
    out.push('', `${c.bold('applications')} ${c.dim(`(kinesis-analytics: up to 3 outputs each; ${application})`)}`);
  } else {
    out.push('', `${c.bold('application')} ${c.dim(`(lambda: one function writes every output; ${application})`)}`);
  }
  for (const a of plan.applications) out.push(`  ${a.name}  -> ${a.outputs.join(', ') || '(no named output)'}`);
  if (plan.lambda) {
    out.push('', c.bold('fan-out function'), `  ${plan.lambda.functionName}`, `  mapping: ${plan.lambda.mapping}`);
    if (plan.lambda.outputPrefix) out.push(`  also every stream named ${plan.lambda.outputPrefix}, found at run time`);
  }
  out.push('', c.bold('consumers'), ...(plan.consumers.length ? plan.consumers.map((n) => `  ${n}`) : ['  none']));

  const a = plan.cost.assumptions;
  out.push(
    '',
    `${c.bold('monthly cost')} ${c.dim(`(${HOURS_PER_MONTH} h at ${a.rate.toLocaleString('en-US')} records/s of ${a.recordBytes.toLocaleString('en-US')} bytes; every output at the input's rate)`)}`,
  );
  const line = (what: string, amount: number, indent = '  ') =>
    `${`${indent}${what}`.padEnd(72)} ${usd(amount).padStart(11)}`;
  out.push(line('streams the stack creates', plan.cost.streams.usd));
  for (const l of plan.cost.streams.lines) out.push(line(l.what, l.usd, '    '));
  if (plan.cost.streams.lines.length === 0) out.push('    (none: every stream is referenced, billed to its owner)');
  for (const engine of ENGINE_NAMES) {
    const e = plan.cost.engines[engine];
    const mark = engine === plan.engine ? ' (planned)' : '';
    out.push(line(`${engine}${mark}`, e.usd));
    for (const l of e.lines) out.push(line(l.what, l.usd, '    '));
  }
  if (plan.streams[0]?.source === 'referenced') {
    out.push(c.dim('  the input is yours: its shard count is not in the file (one assumed for its consumer)'));
  }
  out.push(line(`total with ${plan.engine}`, plan.cost.streams.usd + plan.cost.engines[plan.engine].usd));
  if (plan.engine === 'kinesis-analytics') {
    out.push(
      c.dim('  KPUs estimated at 1 MB/s of input each; the service scales them with the SQL and the load.'),
      c.dim(
        '  AWS takes no new Kinesis Analytics SQL applications since 15 Oct 2025: the twin runs them; on AWS, lambda.',
      ),
    );
  } else {
    out.push(
      c.dim(`  invocations of ${a.batchSize} records taking ${a.invocationMs} ms each: an estimate; measure yours.`),
    );
  }

  out.push('', ...formatAwsTable(awsTable(plan), c));

  out.push('', `${c.bold('prices')} ${c.dim('(src/pricing.ts)')}`);
  for (const name of plan.cost.prices) {
    const p = PRICES[name];
    out.push(`  ${name.padEnd(24)} $${p.usd} ${p.unit}`, c.dim(`  ${''.padEnd(24)} ${p.source}, as of ${p.asOf}`));
  }
  return `${out.join('\n')}\n`;
}

/** The shard counts of the on-paper table (docs/performance.md), with a row for the plan's own rate after them. */
export const TABLE_SHARDS = [1, 10, 100, 1000] as const;

/** The lambda engine on AWS against Kinesis Analytics at 1-1,000 input shards and at the plan's rate, on paper. */
export function awsTable(plan: Plan): {
  assumptions: EngineTableAssumptions;
  manyKeys: EngineTableRow[];
  fourKeysPerShard: EngineTableRow[];
} {
  const a = plan.cost.assumptions;
  const outputs = plan.streams.filter((s) => s.role !== 'input').length;
  const assumptions: EngineTableAssumptions = {
    ...DEFAULT_TABLE_ASSUMPTIONS,
    recordBytes: a.recordBytes,
    batchSize: a.batchSize,
    memoryMb: a.memoryMb,
    outputs: Math.max(1, outputs),
  };
  const rows = [
    ...TABLE_SHARDS,
    { shards: Math.max(1, Math.ceil(a.rate / shardWriteRate(a.recordBytes))), rate: a.rate },
  ];
  return {
    assumptions,
    manyKeys: engineTable(rows, assumptions),
    fourKeysPerShard: engineTable(rows, { ...assumptions, keysPerShard: 4 }),
  };
}

function formatAwsTable(table: ReturnType<typeof awsTable>, c: ReturnType<typeof pc.createColors>): string[] {
  const a = table.assumptions;
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const perM = (v: number) => `$${v.toFixed(4)}`;
  const out = [
    `${c.bold('on AWS, by input shards')} ${c.dim(`(on paper: docs/performance.md; ${a.outputs} output${a.outputs === 1 ? '' : 's'}, records of ${n(a.recordBytes)} bytes, batches of ${a.batchSize})`)}`,
    `  ${'shards'.padStart(6)} ${'records/s in'.padStart(12)} ${'lambda rec/s'.padStart(12)} ${'4 keys/shard'.padStart(12)} ${'lambda $/M'.padStart(10)} ${'KPUs'.padStart(5)} ${'KA $/M'.padStart(8)}`,
  ];
  table.manyKeys.forEach((r, i) => {
    const few = table.fourKeysPerShard[i]!;
    out.push(
      `  ${n(r.shards).padStart(6)} ${n(r.inputRate).padStart(12)} ${n(r.lambdaRate).padStart(12)} ${n(few.lambdaRate).padStart(12)} ${perM(r.lambdaUsdPerMillionRecords).padStart(10)} ${n(r.kpus).padStart(5)} ${perM(r.analyticsUsdPerMillionRecords).padStart(8)}${i === TABLE_SHARDS.length ? c.dim('  <- --rate') : ''}`,
    );
  });
  out.push(
    c.dim(
      `  a batch: ${a.cpuMsPer100Records} ms of compute per 100 records (measured) + ${a.putRoundTripMs} ms a PutRecords round trip (estimate); one batch per shard at a time`,
    ),
    c.dim(
      '  4 keys/shard: a key has one record in flight at a time (its order), so each of its records is a round trip',
    ),
  );
  return out;
}

/** Checks the file and builds its plan; throws FanoutConfigError on a bad file. */
export function planFor(projectDir: string, flags: PlanFlags): { plan: Plan; file: string } {
  const { definition } = useConfig(projectDir, flags.config, flags.engine);
  const plan = planOf(definition, {
    engine: flags.engine,
    prefix: `${SERVICE}-${flags.stage}`,
    assumptions: {
      ...DEFAULT_ASSUMPTIONS,
      // what the fan-out function is given in the template
      memoryMb: FUNCTIONS.fanout.memorySize,
      rate: flags.rate,
      recordBytes: flags.recordSize,
    },
  });
  return { plan, file: definition.file };
}

/** Options init shares with plan. */
export function addPlanOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--engine <name>', 'the engine to plan for (default: FANOUT_ENGINE, else lambda, as serverless.yml)')
        .argParser(parseEngine)
        .default(defaultEngine()),
    )
    .option('--rate <n>', 'records per second into the input, for the cost', positiveNumber, 1000)
    .option('--record-size <bytes>', 'bytes per record, for the cost', positiveNumber, DEFAULT_ASSUMPTIONS.recordBytes)
    .option('--stage <name>', 'the stage the names are planned for', 'dev');
}

export function register(program: Command): void {
  addPlanOptions(
    program
      .command('plan')
      .description('print what the fan-out file will create, and what it costs a month at a given rate')
      .addOption(configOption()),
  )
    .option('--json', 'print the plan as JSON')
    .action((flags: PlanFlags) => {
      const { plan, file } = planFor(process.cwd(), flags);
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ ...plan, onAws: awsTable(plan) }, null, 2)}\n`
          : formatPlan(plan, file, !!process.stdout.isTTY),
      );
    });
}
