#!/usr/bin/env node
// Adds lock entries for optional platform packages the registry here does not serve (other OS/CPU builds),
// so `npm ci` accepts the lock; npm skips them on this platform by their os/cpu fields.
const fs = require('node:fs');
const file = process.argv[2] || 'package-lock.json';
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pk = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(pk)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies || {})) {
    // resolve as npm would: nested first, then hoisted
    const nested = `${path ? path + '/' : ''}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (pk[nested] || pk[hoisted]) continue;
    const n = name.toLowerCase();
    const os = [
      'darwin',
      'win32',
      'linux',
      'freebsd',
      'android',
      'openbsd',
      'netbsd',
      'sunos',
      'aix',
      'openharmony',
    ].find((o) => n.includes(o));
    const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'].find(
      (c) => n.includes(c),
    );
    if (!os && !n.includes('wasm')) {
      console.error('cannot infer platform of', name);
      continue;
    }
    const entry = { version: String(version).replace(/^[\^~=]/, ''), dev: meta.dev, optional: true };
    if (os) entry.os = [os];
    if (cpu && !n.includes('wasm')) entry.cpu = [cpu];
    if (n.includes('musl')) entry.libc = ['musl'];
    else if (n.includes('gnu') && os === 'linux') entry.libc = ['glibc'];
    if (n.includes('wasm')) {
      entry.cpu = ['wasm32'];
    }
    if (!meta.dev) delete entry.dev;
    pk[hoisted] = entry;
    added++;
  }
}
const sorted = {};
for (const k of Object.keys(pk).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)))
  sorted[k] = pk[k];
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
