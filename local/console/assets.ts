/**
 * The console's page and its assets, all served by the twin (no CDN: it works offline). The page code lives in
 * web/ (Preact, TypeScript) and is bundled by esbuild the first time a page asks for it, then kept in memory
 * until a source file changes: `npm ci` and `npm start` need no build step, nothing built can be stale against
 * the sources checked out (no build output to forget to rebuild or commit), and a bundle takes a fraction of a
 * second (esbuild is installed anyway: tsx runs on it).
 * Chart.js is served from node_modules, the same file the CLI inlines into `.fanout/report.html`.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RestResponse, RestRoute } from '../service';
import { SECURITY_HEADERS } from './http';

export const CONSOLE_PATH = '/_console/';
export const CHART_JS_PATH = '/_console/assets/chart.umd.min.js';
/** Where the page code is. */
export const WEB_DIR = resolve(__dirname, '..', '..', 'web');

/** The console's own pages run only their own scripts, and no other site may frame them. */
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; object-src 'none'";

/** The load-test report page (src/load-test/report-html.ts) draws its charts with an inline script. */
export const REPORT_HEADERS: Record<string, string> = {
  ...SECURITY_HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; " +
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
};

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kinesis-fanout · twin console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/_console/assets/app.css">
<script src="${CHART_JS_PATH}" defer></script>
<script src="/_console/assets/app.js" defer></script>
</head>
<body>
<div id="app"><p style="padding:24px;font:14px system-ui">Loading the console…</p></div>
<noscript>The console needs JavaScript.</noscript>
</body>
</html>
`;

interface Bundle {
  js: string;
  css: string;
}

let bundle: Promise<Bundle> | undefined;
let builtFrom = '';

/** Names, sizes and times of the page sources: a bundle is made again when they change (a few stats). */
function sourcesSignature(): string {
  const parts: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const s = statSync(path);
        parts.push(`${path}:${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(join(WEB_DIR, 'src'));
  return parts.join('|');
}

/** Bundles web/src/main.tsx; kept until a source changes (a failed build is tried again on the next request). */
export function buildBundle(): Promise<Bundle> {
  const signature = sourcesSignature();
  if (signature !== builtFrom) bundle = undefined;
  builtFrom = signature;
  bundle ??= (async () => {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [join(WEB_DIR, 'src', 'main.tsx')],
      absWorkingDir: WEB_DIR,
      bundle: true,
      write: false,
      outdir: 'out',
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      // Chart.js comes as its own script (the same file the report page loads)
      external: ['chart.js'],
    });
    const js = out.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';
    const css = out.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
    return { js, css };
  })();
  bundle.catch(() => {
    bundle = undefined;
  });
  return bundle;
}

let chartJs: string | undefined;

function chartJsText(): string {
  chartJs ??= readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}

function asset(text: string, type: string): RestResponse {
  return {
    status: 200,
    headers: {
      ...SECURITY_HEADERS,
      'cache-control': 'no-cache',
      etag: `"${createHash('sha1').update(text).digest('hex').slice(0, 16)}"`,
      'content-type': `${type}; charset=utf-8`,
    },
    body: text,
  };
}

export function assetRoutes(): RestRoute[] {
  return [
    {
      method: 'GET',
      path: /^\/_console$/,
      handle: async () => ({ status: 302, headers: { location: CONSOLE_PATH }, body: '' }),
    },
    {
      method: 'GET',
      path: /^\/_console\/(index\.html)?$/,
      handle: async () => {
        // start bundling now, so the script is ready (or nearly) when the page asks for it
        buildBundle().catch(() => undefined);
        return {
          status: 200,
          headers: {
            ...SECURITY_HEADERS,
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': PAGE_CSP,
          },
          body: SHELL,
        };
      },
    },
    {
      method: 'GET',
      path: /^\/_console\/assets\/app\.js$/,
      handle: async () => asset((await buildBundle()).js, 'text/javascript'),
    },
    {
      method: 'GET',
      path: /^\/_console\/assets\/app\.css$/,
      handle: async () => asset((await buildBundle()).css, 'text/css'),
    },
    {
      method: 'GET',
      path: /^\/_console\/assets\/chart\.umd\.min\.js$/,
      handle: async () => asset(chartJsText(), 'text/javascript'),
    },
  ];
}
