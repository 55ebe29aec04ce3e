/**
 * A cis-bot replica as a real process: `npm start`'s entry point (src/main.ts, compiled on load by tsx's
 * require hook, so the process is the bot itself and SIGKILL ends it) with its
 * settings from the environment and a YAML file only, exactly as a deployment runs it: PostgreSQL at
 * DATABASE_URL, AWS at AWS_ENDPOINT_URL (the parent's sandbox), Slack's Web API at SLACK_API_URL (the
 * parent's fake). Its port comes from its "cis-bot listening" log line; `kill('SIGKILL')` is a crash.
 * Used by the replica tests (test/slack/e2e-takeover.test.ts) and bench/replicas.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
// tsx as a require hook in ONE process (its CLI runs the program in a child it would outlive a SIGKILL in).
const TSX_HOOK = require.resolve('tsx/cjs', { paths: [ROOT] });

export interface ReplicaSettings {
  /** The configuration file's text (YAML). */
  configYaml: string;
  databaseUrl: string;
  aws: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
  slack: { apiUrl: string; botToken: string; signingSecret: string };
  /** At least info: the port is read from the "cis-bot listening" line. */
  logLevel?: 'debug' | 'info';
  /** Give up (and kill it) if it does not listen within this long; default 60 s. */
  startTimeoutMs?: number;
}

export interface ReplicaProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  /** http://127.0.0.1:PORT/slack/events */
  slackUrl: string;
  /** Its log lines so far, parsed (one JSON object a line). */
  logs(): Array<Record<string, unknown>>;
  /** Sends `signal` and waits for the process to end. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function parseLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .slice(0, -1)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** Starts one replica and resolves once it listens (its start-up error, with its log, otherwise). */
export async function startReplicaProcess(settings: ReplicaSettings): Promise<ReplicaProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-replica-'));
  writeFileSync(join(dir, 'cis-bot.yaml'), settings.configYaml);
  const child = spawn(process.execPath, ['--require', TSX_HOOK, join(ROOT, 'src', 'main.ts')], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      NO_PROXY: '127.0.0.1,localhost',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL: settings.aws.endpoint,
      AWS_ACCESS_KEY_ID: settings.aws.accessKeyId,
      AWS_SECRET_ACCESS_KEY: settings.aws.secretAccessKey,
      AWS_REGION: settings.aws.region,
      AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
      CIS_BOT_CONFIG: join(dir, 'cis-bot.yaml'),
      DATABASE_URL: settings.databaseUrl,
      SLACK_BOT_TOKEN: settings.slack.botToken,
      SLACK_SIGNING_SECRET: settings.slack.signingSecret,
      SLACK_API_URL: settings.slack.apiUrl,
      PORT: '0',
      LOG_LEVEL: settings.logLevel ?? 'info',
    },
  });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      done({ code, signal });
    }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const port = await new Promise<number>((ready, fail) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const listening = parseLines(stderr).find((l) => l.msg === 'cis-bot listening');
      if (listening) ready(Number(listening.port));
    });
    void exited.then(({ code, signal }) =>
      fail(new Error(`the replica exited (${code ?? signal}) before listening:\n${stderr.slice(-4000)}`)),
    );
    timer = setTimeout(() => child.kill('SIGKILL'), settings.startTimeoutMs ?? 60_000);
  }).finally(() => clearTimeout(timer));
  return {
    child,
    pid: child.pid as number,
    port,
    slackUrl: `http://127.0.0.1:${port}/slack/events`,
    logs: () => parseLines(stderr),
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
