/**
 * Another process holding an SQLite file's write lock (an EXCLUSIVE transaction left open), as a second
 * cis-bot, the CLI, a backup tool or an operator's `sqlite3` shell can: for tests of what the bot does
 * while its database cannot be written. `release()` rolls back and ends the process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

const HOLDER = `
const Database = require('better-sqlite3');
const db = new Database(process.env.LOCK_FILE, { timeout: 5000 });
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
process.stdin.resume();
`;

export interface SqliteLock {
  release(): Promise<void>;
}

/** Starts a process that takes the write lock of `file` and keeps it until `release()`. */
export async function lockSqliteFile(file: string): Promise<SqliteLock> {
  const child: ChildProcess = spawn(process.execPath, ['-e', HOLDER], {
    cwd: ROOT,
    env: { ...process.env, LOCK_FILE: file },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('locked\n')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`the lock holder exited (${code}) before locking ${file}`)),
    );
  });
  return {
    async release() {
      child.stdin?.end();
      await exited;
    },
  };
}
