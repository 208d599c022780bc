/**
 * The CLI as one bundle. bin/fanout.ts and every project module it imports are bundled by esbuild (node_modules left
 * to Node) into node_modules/.cache/kinesis-fanout/, and run from there: one file compiled by V8 instead of about
 * 300 modules each resolved, looked up in tsx's cache and compiled (docs/performance.md: a cached `fanout run` 0.5 s
 * sooner, a first run more). The bundle is built again when any file it was built from changes (its size or time),
 * when esbuild or the options change, or when the project moves, so nothing run can be stale against the sources
 * checked out, and there is no build step to forget: a first run builds it in about half a second (esbuild is
 * installed anyway: tsx runs on it). If it cannot be built or stored, the CLI runs under tsx as before.
 *
 * Each module keeps its own `__dirname` and `__filename` (where its source is), as under tsx. A `.ts` file the CLI
 * requires at run time (a load-test generator named in a fan-out file) is handed to tsx, registered at that moment.
 * Plain CommonJS: it runs before anything that could compile TypeScript.
 */
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

/** Bumped when the build options below change. */
const FORMAT = 2;
/** Files besides the modules that shape the output. */
const SETTINGS = ['tsconfig.json', 'package.json'];

/** Names, sizes and times of the inputs, the esbuild version and where the project is: equal means up to date. */
function signatureOf(root, inputs, esbuildVersion) {
  const parts = [`${FORMAT}`, root, esbuildVersion];
  for (const input of [...SETTINGS, ...inputs]) {
    let stat;
    try {
      stat = fs.statSync(path.join(root, input));
    } catch {
      return undefined;
    }
    parts.push(`${input}:${stat.size}:${stat.mtimeMs}`);
  }
  return parts.join('\n');
}

function esbuildVersionOf(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * The bundle's name: one per project directory, so clones that share a node_modules (linked) do not build over each
 * other's (FNV-1a of the path: no crypto module to load at start-up).
 */
function nameOf(root) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < root.length; i++) hash = Math.imul(hash ^ root.charCodeAt(i), 0x01000193) >>> 0;
  return `cli-${hash.toString(16).padStart(8, '0')}`;
}

/** Removes the bundles of project directories that are gone (a clone deleted). */
function prune(cacheDir) {
  for (const file of fs.readdirSync(cacheDir)) {
    if (!file.endsWith('.inputs.json')) continue;
    const name = file.slice(0, -'.inputs.json'.length);
    let root;
    try {
      root = JSON.parse(fs.readFileSync(path.join(cacheDir, file), 'utf8')).root;
    } catch {
      continue;
    }
    if (typeof root !== 'string' || fs.existsSync(root)) continue;
    for (const suffix of ['.cjs', '.cjs.map', '.inputs.json'])
      fs.rmSync(path.join(cacheDir, name + suffix), { force: true });
  }
}

/** The bundle's path when it is up to date with the sources, else undefined. */
function upToDate(root, cacheDir, name) {
  let stored;
  try {
    stored = JSON.parse(fs.readFileSync(path.join(cacheDir, `${name}.inputs.json`), 'utf8'));
  } catch {
    return undefined;
  }
  const version = esbuildVersionOf(root);
  if (!version || !Array.isArray(stored.inputs) || typeof stored.signature !== 'string') return undefined;
  const bundle = path.join(cacheDir, `${name}.cjs`);
  return signatureOf(root, stored.inputs, version) === stored.signature && fs.existsSync(bundle) ? bundle : undefined;
}

/** Gives each project module its own `__dirname` and `__filename`, declared at its top (esbuild renames them apart). */
function ownDirname(root) {
  return {
    name: 'own-dirname',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?tsx?$/ }, async (args) => {
        if (!args.path.startsWith(root + path.sep) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return;
        const source = await fs.promises.readFile(args.path, 'utf8');
        if (!/\b__(?:dirname|filename)\b/.test(source)) return { contents: source, loader: loaderOf(args.path) };
        // on the first line (after a #! line), so the source map's lines stay the file's own
        const header =
          `const __dirname = ${JSON.stringify(path.dirname(args.path))}; ` +
          `const __filename = ${JSON.stringify(args.path)}; `;
        const at = source.startsWith('#!') ? source.indexOf('\n') + 1 : 0;
        const contents = source.slice(0, at) + header + source.slice(at);
        return { contents, loader: loaderOf(args.path) };
      });
    },
  };
}

function loaderOf(file) {
  return file.endsWith('x') ? 'tsx' : 'ts';
}

/** Writes a file whole or not at all (a rename), so a concurrent start reads the old one or the new one. */
function writeWhole(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
}

/** Builds `entry` (relative to root) into cacheDir; resolves to the bundle's path. */
async function build(root, cacheDir, entry, name) {
  const esbuild = require(path.join(root, 'node_modules', 'esbuild'));
  const outfile = path.join(cacheDir, `${name}.cjs`);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    // the maps point at the sources on disk: stack traces need only the mappings
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [ownDirname(root)],
  });
  const inputs = Object.keys(result.metafile.inputs);
  // the signature taken before writing: a source saved during the build makes the next start build again
  const signature = signatureOf(root, inputs, esbuild.version);
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const file of result.outputFiles.filter((f) => f.path !== outfile)) writeWhole(file.path, file.contents);
  writeWhole(outfile, result.outputFiles.find((f) => f.path === outfile).contents);
  if (signature) writeWhole(path.join(cacheDir, `${name}.inputs.json`), JSON.stringify({ root, signature, inputs }));
  prune(cacheDir);
  return outfile;
}

/** TypeScript required at run time goes to tsx, registered the first time one is. */
function typescriptOnDemand() {
  const extensions = ['.ts', '.tsx', '.cts', '.mts'];
  const lazy = {};
  for (const ext of extensions) {
    if (Module._extensions[ext]) continue;
    lazy[ext] = function compileTypeScript(module, filename) {
      for (const e of extensions) if (Module._extensions[e] === lazy[e]) delete Module._extensions[e];
      require('tsx/cjs');
      const handler = Module._extensions[ext] ?? Module._extensions['.js'];
      return handler(module, filename);
    };
    Module._extensions[ext] = lazy[ext];
  }
}

/**
 * Runs `entry` (a path relative to root) from its bundle, built first when it is missing or stale; under tsx when
 * it cannot be built. FANOUT_CLI_TSX=1 skips the bundle.
 */
function run(
  root,
  entry,
  { cacheDir = path.join(root, 'node_modules', '.cache', 'kinesis-fanout'), name = nameOf(root) } = {},
) {
  const underTsx = () => {
    require('tsx/cjs');
    require(path.join(root, entry));
  };
  if (process.env.FANOUT_CLI_TSX === '1') return underTsx();
  const start = (bundle) => {
    process.setSourceMapsEnabled(true);
    typescriptOnDemand();
    require(bundle);
  };
  const ready = upToDate(root, cacheDir, name);
  if (ready) return start(ready);
  // out of the promise, so the CLI's start-up errors are thrown as they would be without the bundle
  build(root, cacheDir, entry, name).then(
    (bundle) => setImmediate(start, bundle),
    () => setImmediate(underTsx),
  );
}

module.exports = { run, build, upToDate };
