/**
 * serverless.one-build.js: one esbuild build of every function's entry point must write exactly the files
 * serverless-esbuild's own per-entry builds write (the zips and the template stay what AWS would get), and leave
 * serverless-esbuild nothing to build. Checked on two small entries sharing a module, with the stack's bundling
 * options (bundle, sourcemap, node22, cjs, .sql as text, a define).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { type BuildOptions, build } from 'esbuild';

// the plugin is CommonJS, as the framework loads it
const OneBuild = require('../../../serverless.one-build.js') as new (
  serverless: unknown,
  options: unknown,
  logging: unknown,
) => { hooks: Record<string, () => Promise<void>> };

/** serverless-esbuild's options as it holds them after init() (its own keys among esbuild's). */
const buildOptions = {
  concurrency: Infinity,
  zipConcurrency: Infinity,
  bundle: true,
  minify: false,
  sourcemap: true,
  target: 'node22',
  platform: 'node' as const,
  format: 'cjs' as const,
  external: [],
  exclude: [],
  nativeZip: false,
  packager: 'npm',
  packagerOptions: { noInstall: false },
  installExtraArgs: [],
  watch: { pattern: './**/*.(js|ts)' },
  keepOutputDirectory: false,
  outputFileExtension: '.js',
  skipBuild: false,
  skipBuildExcludeFns: [],
  stripEntryResolveExtensions: false,
  disposeContext: true,
  loader: { '.sql': 'text' as const },
  define: { 'process.env.FANOUT_DEFINITION': '"{\\"outputs\\":2}"' },
};

/** What serverless-esbuild's bundle() hands esbuild for one entry: its own keys removed, one entry, its dir. */
function perEntryOptions(entry: string, buildDir: string): BuildOptions {
  const {
    concurrency,
    zipConcurrency,
    exclude,
    nativeZip,
    packager,
    packagerOptions,
    installExtraArgs,
    watch,
    keepOutputDirectory,
    outputFileExtension,
    skipBuild,
    skipBuildExcludeFns,
    stripEntryResolveExtensions,
    disposeContext,
    ...esbuildOptions
  } = buildOptions;
  return {
    ...esbuildOptions,
    external: [],
    plugins: [],
    entryPoints: [entry],
    outdir: join(buildDir, dirname(entry)),
    // esbuild takes the working directory once, when it is loaded; osls runs in the service directory from the start
    absWorkingDir: process.cwd(),
  };
}

class EsbuildServerlessPlugin {
  buildCache: Record<string, { result?: { rebuild?: () => Promise<unknown> } }> = {};
  readonly buildOptions = buildOptions;
  readonly plugins = [];
  constructor(
    readonly serviceDirPath: string,
    readonly buildDirPath: string,
    readonly functionEntries: { entry: string }[],
  ) {}
  bundle(): void {}
}

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('Plugin: serverless.one-build.js', () => {
  let dir: string;
  const cwd = process.cwd();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'one-build-'));
    mkdirSync(join(dir, 'handlers'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'shared.ts'), "export const greet = (who: string): string => 'hello ' + who;\n");
    writeFileSync(join(dir, 'src', 'query.sql'), 'SELECT 1;\n');
    writeFileSync(
      join(dir, 'handlers', 'a.ts'),
      "import { greet } from '../src/shared';\nexport const handler = async () => greet(String(process.env.FANOUT_DEFINITION));\n",
    );
    writeFileSync(
      join(dir, 'handlers', 'b.ts'),
      "import sql from '../src/query.sql';\nimport { greet } from '../src/shared';\nexport const handler = async () => greet(sql);\n",
    );
    writeFileSync(
      join(dir, 'src', 'types.d.ts'),
      "declare module '*.sql' { const text: string; export default text; }\n",
    );
    process.chdir(dir); // serverless-esbuild's entries are relative to the service directory, where osls runs
  });

  afterEach(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the files the per-entry builds write, byte for byte, and leaves serverless-esbuild nothing to build', async () => {
    // Prepare
    const entries = ['handlers/a.ts', 'handlers/b.ts'];
    const esbuildPlugin = new EsbuildServerlessPlugin(dir, join(dir, 'one'), [
      { entry: entries[0]! },
      { entry: entries[1]! },
      { entry: entries[0]! }, // two functions of one handler file: one entry
    ]);
    const plugin = new OneBuild({ pluginManager: { plugins: [esbuildPlugin] } }, {}, {});
    for (const entry of entries) await build(perEntryOptions(entry, join(dir, 'each')));

    // Act
    await plugin.hooks['before:package:createDeploymentArtifacts']!();

    // Assess
    const each = files(join(dir, 'each'));
    const one = files(join(dir, 'one'));
    expect([...one.keys()].sort()).toEqual([
      'handlers/a.js',
      'handlers/a.js.map',
      'handlers/b.js',
      'handlers/b.js.map',
    ]);
    expect(one).toEqual(each);
    expect(one.get('handlers/b.js')).toContain('SELECT 1;');
    expect(Object.keys(esbuildPlugin.buildCache).sort()).toEqual(entries);
    await expect(esbuildPlugin.buildCache[entries[0]!]!.result!.rebuild!()).resolves.toBeUndefined();
  });

  it('does nothing when serverless-esbuild is not loaded, or builds prebuilt artifacts', async () => {
    // Prepare
    const prebuilt = new EsbuildServerlessPlugin(dir, join(dir, 'one'), [
      { entry: 'handlers/a.ts' },
      { entry: 'handlers/b.ts' },
    ]);
    Object.assign(prebuilt, { buildOptions: { ...buildOptions, skipBuild: true } });

    // Act
    await new OneBuild({ pluginManager: { plugins: [] } }, {}, {}).hooks['before:package:createDeploymentArtifacts']!();
    await new OneBuild({ pluginManager: { plugins: [prebuilt] } }, {}, {}).hooks[
      'before:package:createDeploymentArtifacts'
    ]!();

    // Assess
    expect(prebuilt.buildCache).toEqual({});
    expect(readdirSync(dir).sort()).toEqual(['handlers', 'src']);
  });
});
