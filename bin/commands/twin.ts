/**
 * `fanout twin [--port N] [--limits on|off] [--data-dir DIR [--fsync on|off]] [--auth on|off] [--allow-origin O...]`: the bare twin (every service built so far,
 * nothing deployed) until Ctrl-C.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { IAM_MODES, type IamMode } from '../../local/iam';
import type { AccessOptions } from '../../local/protocols/access';
import { interrupted } from '../interrupt';
import { twinServices } from '../twin-modules';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port 0-65535');
  return port;
}

function parseSwitch(value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new InvalidArgumentError('expected on or off');
}

/** `--auth on|off` (twin, up, run): refuse requests without SigV4 credentials, as AWS does. */
export function authOption(): Option {
  return new Option(
    '--auth <on|off>',
    'refuse requests without SigV4 credentials, as AWS does (off: tools that send none)',
  )
    .argParser(parseSwitch)
    .default(true, 'on');
}

/** `--allow-origin <origins...>` (twin, up, run): web pages besides the twin's own that may call it (CORS). */
export function allowOriginOption(): Option {
  return new Option('--allow-origin <origins...>', "web origins besides the twin's own whose pages may call it (CORS)");
}

function parseIamMode(value: string): IamMode {
  if (!(IAM_MODES as readonly string[]).includes(value))
    throw new InvalidArgumentError('expected off, warn or enforce');
  return value as IamMode;
}

/**
 * `--iam off|warn|enforce` (twin, up, run): evaluate the roles of the template for every call a function, an
 * application, a state machine or a mapping makes.
 */
export function iamOption(): Option {
  return new Option(
    '--iam <mode>',
    "evaluate the template's roles for the calls of functions, applications, state machines and mappings: enforce (AccessDenied as AWS), warn (log each would-be denial once), off",
  )
    .argParser(parseIamMode)
    .default('enforce');
}

export interface AccessFlags {
  auth?: boolean;
  allowOrigin?: string[];
}

export function accessOf(o: AccessFlags): AccessOptions {
  return { auth: o.auth ?? true, allowedOrigins: o.allowOrigin ?? [] };
}

export function register(program: Command): void {
  program
    .command('twin')
    .description('start the local twin of AWS (Kinesis and the other services) on 127.0.0.1')
    .option('--port <n>', 'port to listen on (0 = any free port)', parsePort, 4566)
    .addOption(
      new Option('--limits <on|off>', 'enforce Kinesis shard throughput limits and quotas')
        .argParser(parseSwitch)
        .default(true, 'on'),
    )
    .option(
      '--data-dir <dir>',
      'keep state across restarts in this directory: streams, applications, functions, mappings, executions, rules, buckets, stacks, roles (default: memory only)',
    )
    .addOption(
      new Option(
        '--fsync <on|off>',
        'with --data-dir: answer a put once its records are synced to disk (on), or once written to the journal file (off: they survive a crash of the twin, not of the machine)',
      )
        .argParser(parseSwitch)
        .default(true, 'on'),
    )
    .addOption(authOption())
    .addOption(allowOriginOption())
    .addOption(iamOption())
    .action(
      async (opts: {
        iam: IamMode;
        port: number;
        limits: boolean;
        dataDir?: string;
        fsync: boolean;
        auth: boolean;
        allowOrigin?: string[];
      }) => {
        const twin = await twinServices().startTwin({
          port: opts.port,
          limits: opts.limits,
          access: accessOf(opts),
          iam: opts.iam,
          ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir, fsync: opts.fsync } : {}),
        });
        const stopped = interrupted();
        process.stdout.write(
          `twin listening on ${twin.endpoint} (region ${twin.region}, limits ${opts.limits ? 'on' : 'off'}, auth ${opts.auth ? 'on' : 'off'}, iam ${opts.iam}` +
            `${opts.dataDir !== undefined ? `, data in ${opts.dataDir}` : ', in memory'})\n` +
            `  console ${twin.console.url}\n` +
            `  aws kinesis list-streams --endpoint-url ${twin.endpoint}\n` +
            'Ctrl-C stops it.\n',
        );
        await stopped;
        process.stdout.write('stopping the twin\n');
        await twin.close().catch((error: unknown) => {
          process.stderr.write(`fanout: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exitCode = 1;
        });
      },
    );
}
