// Every function's bundle in one esbuild build (issue 20: packaging was ~60% of a first `npm start`).
//
// serverless-esbuild runs one esbuild build per handler file; each of them parses and links the AWS SDK and src/
// again. esbuild given every entry point at once (no code splitting) writes the very same files, byte for byte, as
// those builds would, while parsing each module once. This plugin, listed before serverless-esbuild, makes that one
// build with the options serverless-esbuild gives each of its builds, and hands the result to serverless-esbuild
// as already built, so everything after the build (its zips, the template) stays serverless-esbuild's own.
//
// It leans on serverless-esbuild 1.x's internals (buildOptions, functionEntries, buildDirPath, plugins and the
// rebuild cache it keeps for watch mode); when they are not what it expects it does nothing and serverless-esbuild
// builds each function itself, as before.

// serverless-esbuild's own settings, which it strips before handing the rest to esbuild (its bundle.ts)
const PLUGIN_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

const strings = (value) =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v) => typeof v === 'string');

class OneBuild {
  constructor(serverless, _options, logging) {
    this.serverless = serverless;
    this.log = logging?.log;
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.buildAll(),
      'before:deploy:function:packageFunction': () => this.buildAll(),
    };
  }

  /** serverless-esbuild's instance, when it is loaded and shaped as this plugin expects. */
  esbuildPlugin() {
    const plugin = this.serverless.pluginManager.plugins.find(
      (p) => p?.constructor?.name === 'EsbuildServerlessPlugin',
    );
    if (!plugin || typeof plugin.bundle !== 'function' || typeof plugin.buildCache !== 'object') return undefined;
    if (!plugin.buildOptions || typeof plugin.buildDirPath !== 'string') return undefined;
    return plugin;
  }

  async buildAll() {
    const plugin = this.esbuildPlugin();
    if (!plugin) return;
    const options = plugin.buildOptions;
    // a metafile per entry, or prebuilt artifacts, are serverless-esbuild's own business
    if (options.metafile || options.skipBuild) return;
    const entries = [...new Set(plugin.functionEntries.map(({ entry }) => entry))];
    if (entries.length < 2 || entries.some((entry) => entry in plugin.buildCache)) return;
    const exclude = strings(options.exclude);
    const config = { ...options };
    for (const name of PLUGIN_OPTIONS) delete config[name];
    config.external = [...strings(options.external), ...(exclude.includes('*') ? [] : exclude)];
    config.plugins = plugin.plugins;
    if (options.outputFileExtension !== '.js') config.outExtension = { '.js': options.outputFileExtension };
    const esbuild = require('esbuild');
    const started = Date.now();
    // each of serverless-esbuild's builds writes <buildDir>/<dir of entry>/<name>.js: the same paths from one build
    await esbuild.build({
      ...config,
      entryPoints: entries,
      outdir: plugin.buildDirPath,
      outbase: plugin.serviceDirPath,
      // esbuild's default, the directory osls runs in (named here: esbuild takes it once, when it is loaded)
      absWorkingDir: process.cwd(),
    });
    this.log?.verbose?.(`One esbuild build of ${entries.length} entry points: ${Date.now() - started} ms`);
    // serverless-esbuild rebuilds what its cache holds instead of building it: here, nothing left to do
    for (const entry of entries) plugin.buildCache[entry] = { result: { rebuild: async () => undefined } };
  }
}

module.exports = OneBuild;
