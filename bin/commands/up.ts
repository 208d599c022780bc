/**
 * `fanout up [--port 4566]`: package if needed, start the twin, deploy the service into it, print the endpoint and
 * the stack outputs, and keep running (schedules fire) until Ctrl-C.
 */
import type { Command } from 'commander';
import type { IamMode } from '../../local/iam';
import { useConfig } from '../config-option';
import { interrupted } from '../interrupt';
import { Progress } from '../progress';
import { bringUp } from '../session';
import { parsePort } from './run';
import { type ServiceFlags, serviceOf, serviceOptions } from './service';
import { type AccessFlags, accessOf, allowOriginOption, authOption, iamOption } from './twin';

export function register(program: Command): void {
  const command = program
    .command('up')
    .description('deploy the service into the local twin and keep it running until Ctrl-C')
    .option('--port <n>', 'port to listen on (0 = any free port)', parsePort, 4566)
    .option('--no-limits', 'turn off Kinesis throughput limits on the twin')
    .option('--fast', 'zero delays for status transitions on the twin')
    .option('--verbose', "print the functions' logs")
    .addOption(authOption())
    .addOption(allowOriginOption())
    .addOption(iamOption());
  serviceOptions(command).action(
    async (
      o: { port: number; limits: boolean; fast?: boolean; verbose?: boolean; iam: IamMode } & AccessFlags &
        ServiceFlags,
    ) => {
      // A bad fan-out file stops here, on its one line, before anything is packaged.
      useConfig(process.cwd(), o.config);
      const progress = new Progress();
      const c = progress.colors;
      const session = await bringUp(progress, {
        projectDir: process.cwd(),
        port: o.port,
        limits: o.limits,
        fast: o.fast ?? false,
        access: accessOf(o),
        ...serviceOf(o),
        iam: o.iam,
        ...(o.verbose ? { verbose: true } : {}),
      });
      progress.close();
      const { twin, stack } = session;
      const lines = [
        '',
        `${c.bold('twin')} ${twin.endpoint} ${c.dim(`(region ${twin.region}, account 000000000000, any credentials)`)}`,
        `${c.bold('console')} ${twin.console.url}`,
        '',
        c.bold('outputs'),
        ...Object.entries(stack.outputs).map(([k, v]) => `  ${k.padEnd(28)} ${v}`),
        '',
        c.bold('schedules'),
        ...twin.events.schedules().map((r) => {
          const next = r.nextFire;
          return `  ${r.name.padEnd(28)} ${r.scheduleExpression}${next ? c.dim(` next ${new Date(next).toISOString()}`) : c.dim(' disabled')}`;
        }),
        '',
        c.bold('try'),
        `  npx fanout invoke lifecycle --endpoint ${twin.endpoint}${o.stage && o.stage !== 'dev' ? ` --stage ${o.stage}` : ''}`,
        `  aws --endpoint-url ${twin.endpoint} kinesis list-streams`,
        `  aws --endpoint-url ${twin.endpoint} stepfunctions list-state-machines`,
        '',
        c.dim('Ctrl-C stops the twin.'),
      ];
      const stopped = interrupted();
      process.stdout.write(`${lines.join('\n')}\n`);
      twin.events.onDelivery((d, error) => {
        const when = new Date(d.at).toISOString();
        process.stdout.write(
          error
            ? `${c.red('✖')} ${when} schedule ${d.rule}: ${error instanceof Error ? error.message : String(error)}\n`
            : `${c.cyan('⏰')} ${when} schedule ${d.rule} started ${d.target.split(':').pop()} with ${d.input}\n`,
        );
      });
      await stopped;
      process.stdout.write('stopping the twin\n');
      await session.close();
    },
  );
}
