#!/usr/bin/env node
/**
 * `npm run build`, second step: bundles the CLI (adapters/cli/main.ts and everything it reaches) into one
 * minified file, dist/cli.cjs, which bin/cis-bot.js runs. One file instead of ~370 modules is what makes a
 * command start fast: Node's module loader (resolving, stat-ing and reading each file) was a third of an
 * `audit --sandbox` run, and esbuild also drops what the CLI never uses (zod's 40 locales, most of each AWS
 * client's commands). The lazy require()s of src/cli-runtime.ts stay lazy (esbuild wraps each module in an
 * init function run on first require), so `--help` still evaluates neither the AWS SDK nor the sandbox.
 * better-sqlite3 stays outside: a native addon is loaded from node_modules by its own path.
 * The audit worker thread's entry is bundled the same way, to dist/audit-worker.js beside it.
 * esbuild is a devDependency: the image builds the bundle in its build stage and ships only the result.
 */
const { build } = require('esbuild');
const { join } = require('node:path');

const root = join(__dirname, '..');

/** What both bundles share. */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // ESM entry points of the dependencies, so that unused exports are dropped.
  mainFields: ['module', 'main'],
  minify: true,
  // Function and class names survive minification: they are in error names and stack traces.
  keepNames: true,
  external: ['better-sqlite3'],
  // A `import('node:http')` of the SDK becomes a require: the bundle is CommonJS and the compile-cache
  // loader of bin/cis-bot.js runs it as a plain script, which has no dynamic-import hook.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
};

Promise.all([
  build({ ...common, entryPoints: ['adapters/cli/main.ts'], outfile: 'dist/cli.cjs' }),
  // The audit worker thread's entry, next to the CLI bundle: an audit of many accounts started by the
  // CLI finds it as `audit-worker.js` beside itself (src/aws/audit-workers.ts, auditWorkerEntry).
  build({ ...common, entryPoints: ['src/aws/audit-worker.ts'], outfile: 'dist/audit-worker.js' }),
]).catch(() => {
  process.exitCode = 1;
});
