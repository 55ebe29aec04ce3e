/**
 * The Dockerfile cannot be built here (no Docker engine), so what can be checked without one is checked:
 * every file the build stage copies exists and is not excluded by .dockerignore; what the runtime stage
 * copies and runs is what `npm run build` makes (dist/src/main.js for CMD, dist/cli.cjs behind the
 * `cis-bot` command on PATH); the HEALTHCHECK path is a route of the server; the image runs under tini as
 * uid 1000; and better-sqlite3, trimmed exactly as the Dockerfile trims it, still opens a database.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIVEZ_PATH } from '../../src/health';

const ROOT = join(__dirname, '..', '..');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined. */
const INSTRUCTIONS = DOCKERFILE.replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

function copies(fromBuild: boolean): string[][] {
  return INSTRUCTIONS.filter((l) => l.startsWith('COPY ') && l.includes('--from=build') === fromBuild).map(
    (l) => l.replace(/^COPY\s+(--from=\S+\s+)?/, '').split(/\s+/),
  );
}

test('the build stage copies files that exist and that .dockerignore lets through', () => {
  const sources = copies(false).flatMap((parts) => parts.slice(0, -1));
  expect(sources).toEqual(
    expect.arrayContaining(['package.json', 'package-lock.json', 'scripts', 'src', 'bin']),
  );
  for (const source of sources) {
    expect(existsSync(join(ROOT, source))).toBe(true);
    expect(ignored).not.toContain(source);
  }
});

test('the runtime stage copies and runs what the build makes', () => {
  const built = copies(true).map((parts) => parts[0]?.replace(/^\/app\//, '') ?? '');
  expect(built).toEqual(['package.json', 'node_modules', 'dist', 'bin', 'src/sandbox/scenarios']);
  expect(existsSync(join(ROOT, 'src', 'sandbox', 'scenarios', 'audit-demo.yaml'))).toBe(true);
  // CMD runs the server's compiled entry (in /app, the WORKDIR being the /data volume): src/main.ts
  // under tsconfig's outDir (dist, rootDir .).
  const cmd = INSTRUCTIONS.find((l) => l.startsWith('CMD '));
  expect(cmd).toBe('CMD ["node", "/app/dist/src/main.js"]');
  expect(existsSync(join(ROOT, 'src', 'main.ts'))).toBe(true);
  expect(existsSync(join(ROOT, 'dist', 'src', 'main.js'))).toBe(true);
  // `cis-bot` on PATH is bin/cis-bot.js, an executable script that runs the bundle the build makes.
  expect(DOCKERFILE).toContain('ln -s /app/bin/cis-bot.js /usr/local/bin/cis-bot');
  const bin = readFileSync(join(ROOT, 'bin', 'cis-bot.js'), 'utf8');
  expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
  expect(statSync(join(ROOT, 'bin', 'cis-bot.js')).mode & 0o111).toBe(0o111);
  expect(bin).toContain("join(__dirname, '..', 'dist', 'cli.cjs')");
  expect(readFileSync(join(ROOT, 'scripts', 'bundle-cli.js'), 'utf8')).toContain("outfile: 'dist/cli.cjs'");
  expect(existsSync(join(ROOT, 'dist', 'cli.cjs'))).toBe(true);
});

test('tini is PID 1, the user is uid 1000, and the health check asks a route the server has', () => {
  expect(INSTRUCTIONS).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
  expect(DOCKERFILE).toMatch(/apt-get install -y --no-install-recommends tini/);
  expect(INSTRUCTIONS).toContain('USER node');
  const health = INSTRUCTIONS.find((l) => l.startsWith('HEALTHCHECK '));
  const path = /127\.0\.0\.1:'\+process\.env\.PORT\+'(\/[a-z]+)'/.exec(health ?? '')?.[1];
  // Liveness (the process serves), not readiness: a database outage must not get containers replaced.
  expect(path).toBe(LIVEZ_PATH);
  expect(readFileSync(join(ROOT, 'src', 'health.ts'), 'utf8')).toContain('app.get(LIVEZ_PATH,');
});

test('better-sqlite3 trimmed as the image trims it still opens a database', () => {
  const trim = /cd node_modules\/better-sqlite3\s+&&\s+rm -rf ([^&]+)&&/.exec(INSTRUCTIONS.join('\n'));
  const removed = trim?.[1]?.trim().split(/\s+/) ?? [];
  expect(removed).toEqual(expect.arrayContaining(['deps', 'src', 'build/Release/obj.target']));
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-image-'));
  try {
    for (const pkg of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
      cpSync(join(ROOT, 'node_modules', pkg), join(dir, 'node_modules', pkg), { recursive: true });
    }
    const sqlite = join(dir, 'node_modules', 'better-sqlite3');
    for (const entry of removed) {
      // Globs (build/*.mk) as the shell expands them.
      spawnSync('sh', ['-c', `rm -rf ${entry}`], { cwd: sqlite });
    }
    expect(existsSync(join(sqlite, 'deps'))).toBe(false);
    expect(existsSync(join(sqlite, 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        "const D=require('better-sqlite3');console.log(new D(':memory:').prepare('select 6*7 v').get().v)",
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('42\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
