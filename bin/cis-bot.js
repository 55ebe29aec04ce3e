#!/usr/bin/env node
// The `cis-bot` command. It runs dist/cli.cjs, the CLI bundled into one file by `npm run build`
// (scripts/bundle-cli.js; `npm ci` builds it through `prepare`), with V8's code cache.

const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'cli.cjs');

/**
 * ~/.cache/cis-bot/cli-<hash>-<command>.v8: one cache per bundle text and Node version (V8 itself checks
 * little more than the source's length) and per command, since each command runs different code.
 */
function cachePath(source) {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cis-bot');
  const bundleKey = createHash('sha256')
    .update(`${process.version} ${process.arch}\n`)
    .update(source)
    .digest('hex')
    .slice(0, 20);
  const word = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? 'help';
  const command = /^[a-z][a-z-]{0,19}$/.test(word) ? word : 'other';
  return { dir, prefix: `cli-${bundleKey}-`, file: join(dir, `cli-${bundleKey}-${command}.v8`) };
}

/** Writes the cache atomically and drops caches of older bundles; a cache that cannot be written is skipped. */
function saveCache(script, { dir, prefix, file }) {
  try {
    // The cache folder and its parent only, one at a time: a recursive mkdir can loop forever on a path
    // like /proc/x, and an exit must never hang on a cache.
    for (const folder of [dirname(dir), dir]) {
      try {
        mkdirSync(folder, { mode: 0o700 });
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
      }
    }
    for (const name of readdirSync(dir)) {
      if (name.startsWith('cli-') && name.endsWith('.v8') && !name.startsWith(prefix)) {
        rmSync(join(dir, name), { force: true });
      }
    }
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // A read-only home or a full disk costs speed only.
  }
}

let source;
try {
  source = readFileSync(bundle, 'utf8');
} catch {
  process.stderr.write(`cis-bot: ${bundle} is missing: run \`npm run build\` (npm ci runs it).\n`);
  process.exit(2);
}

// Peak memory of audits of many accounts: V8's heap growth as the server sets it (src/heap-tuning.ts,
// compiled by the same build).
require('../dist/src/heap-tuning.js').tuneHeapGrowth();

let cache;
let cachedData;
try {
  cache = cachePath(source);
  cachedData = readFileSync(cache.file);
} catch {
  cachedData = undefined;
}
// The code cache holds the bytecode of every function compiled so far, so it is made when the process
// exits, after a whole command has run, not right after compiling (as Node's own compile cache and
// require hooks do, which caches the top level only): a second run skips parsing and compiling what the
// first one ran. The bundle runs as the CommonJS module it is, with a require() rooted at dist/.
const script = new vm.Script(require('node:module').wrap(source), { filename: bundle, cachedData });
if (cache !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
  process.once('exit', () => saveCache(script, cache));
}
const cliModule = { exports: {}, filename: bundle, id: bundle, loaded: false };
const cliRequire = require('node:module').createRequire(bundle);
script
  .runInThisContext()
  .call(cliModule.exports, cliModule.exports, cliRequire, cliModule, bundle, join(__dirname, '..', 'dist'));
cliModule.exports.main();
