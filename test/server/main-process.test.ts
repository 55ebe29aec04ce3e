/**
 * `npm start` as a real process: src/main.ts reads its settings from the environment and the YAML file
 * only (the AWS SDK's standard AWS_ENDPOINT_URL / credentials / region chain points it at the sandbox;
 * SLACK_API_URL at the fake Slack Web API), serves a signed slash command with a real audit, and shuts
 * down cleanly on SIGTERM; every log line, Bolt's debug lines included, is one JSON object on stderr in
 * the bot's one format, and no secret of its environment reaches it. Without any chat platform
 * configured it refuses to start with an actionable message and a non-zero exit. With DATABASE_URL it keeps
 * its state in PostgreSQL (the test run's server), migrating at start-up, never logging the password.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledScenario, type SandboxRun, startSandboxRun } from '../../src/sandbox-run';
import { SCHEMA_MIGRATIONS } from '../../src/store';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../slack/helpers';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../support/fake-slack-api';
import { createTestDatabase, queryRows } from '../support/postgres';
import { scrape, total } from '../support/prometheus-scrape';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const DEV = '333333333333';

let run: SandboxRun;
let slackApi: FakeSlackApi;
let dir: string;

beforeAll(async () => {
  run = await startSandboxRun(bundledScenario('audit-demo'), { roleAccounts: [] });
  slackApi = await FakeSlackApi.start();
  dir = mkdtempSync(join(tmpdir(), 'cis-bot-main-'));
  writeFileSync(join(dir, 'cis-bot.yaml'), `aws:\n  region: ${run.defaultRegion}\n  accounts: ["${DEV}"]\n`);
});

afterAll(async () => {
  await slackApi?.close();
  await run?.close();
  rmSync(dir, { recursive: true, force: true });
});

function baseEnv(): NodeJS.ProcessEnv {
  const credentials = run.sandbox.credentialsFor(run.callerAccount);
  return {
    PATH: process.env.PATH,
    HOME: dir,
    NO_PROXY: '127.0.0.1,localhost',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL: run.sandbox.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: run.defaultRegion,
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    CIS_BOT_CONFIG: join(dir, 'cis-bot.yaml'),
    CIS_BOT_DB: join(dir, 'cis-bot.db'),
    PORT: '0',
  };
}

type LogLine = Record<string, unknown>;

/** The complete lines written so far, each parsed as JSON (a line that is not JSON fails the test). */
function logLines(text: string): LogLine[] {
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as LogLine);
}

/** Spawns src/main.ts and resolves with the port from its "listening" log line. */
function startMain(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  port: Promise<number>;
  stderr: () => string;
  stdout: () => string;
  listening: () => LogLine | undefined;
} {
  const child = spawn(TSX, [join(ROOT, 'src', 'main.ts')], {
    env,
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  const listening = () =>
    stderr.includes('"msg":"cis-bot listening"')
      ? logLines(stderr).find((l) => l.msg === 'cis-bot listening')
      : undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const port = new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const line = listening();
      if (line) resolve(Number(line.port));
    });
    child.on('exit', (code) => reject(new Error(`main exited with ${code} before listening:\n${stderr}`)));
  });
  return { child, port, stderr: () => stderr, stdout: () => stdout, listening };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

const TEAMS_APP_PASSWORD = 'teams-app-password-SECRET';

test('serves a signed /cis command with a real audit, then stops cleanly on SIGTERM', async () => {
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackApi.apiUrl,
    MicrosoftAppId: '00000000-0000-0000-0000-00000000a99d',
    MicrosoftAppPassword: TEAMS_APP_PASSWORD,
    MicrosoftAppTenantId: '00000000-0000-0000-0000-0000000074e7',
    // Bolt logs every request body at debug: the response_url in it is a credential too.
    LOG_LEVEL: 'debug',
  };
  const main = startMain(env);
  let responseUrl = '';
  try {
    const port = await main.port;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    responseUrl = slackApi.responseUrl();
    const res = await postSigned(`http://127.0.0.1:${port}/slack/events`, {
      body: slashCommandBody({ text: '4.1 audit', response_url: responseUrl }),
    });
    expect(res.status).toBe(200);
    // The work continues after the ack: wait for the result to replace the progress message (up to 40 s:
    // a loaded machine runs the child's audit, at debug level, slowly).
    for (let i = 0; i < 800 && slackApi.callsTo('chat.update').length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const update = slackApi.callsTo('chat.update').at(-1);
    expect(String(update?.args.text)).toMatch(/CIS 4\.1 audit: 0 of 1 account compliant/);
    expect(run.sandbox.calls.some((c) => c.accountId === DEV && c.service === 'logs')).toBe(true);
  } finally {
    main.child.kill('SIGTERM');
  }
  expect(await exitCode(main.child)).toBe(0);

  // One format on stderr only: time (ISO 8601), level (a label), component, msg, then the fields.
  expect(main.stdout()).toBe('');
  const lines = logLines(main.stderr());
  for (const line of lines) {
    expect(Object.keys(line).slice(0, 3)).toEqual(['level', 'time', 'component']);
    expect(Object.keys(line).at(-1)).toBe('msg');
    expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
    expect(typeof line.msg).toBe('string');
  }
  expect(main.listening()).toEqual({
    level: 'info',
    time: expect.any(String),
    component: 'server',
    port: expect.any(Number),
    host: '0.0.0.0',
    slack: 'http',
    teams: 'on',
    metrics: 'off',
    msg: 'cis-bot listening',
  });
  const components = new Set(lines.map((l) => l.component));
  for (const c of ['server', 'slack', 'scheduler']) expect(components).toContain(c);
  expect(lines.some((l) => l.component === 'slack' && l.level === 'debug')).toBe(true);
  // The server's last word is the shutdown (work accepted before it may still log as it finishes).
  expect(lines.filter((l) => l.component === 'server').at(-1)).toMatchObject({
    component: 'server',
    msg: 'SIGTERM: shutting down',
  });
  // Secrets never reach the log: tokens, signing secret, Teams app password, AWS secret key, hook URLs.
  const secrets = [
    SIGNING_SECRET,
    FAKE_BOT_TOKEN,
    TEAMS_APP_PASSWORD,
    String(env.AWS_SECRET_ACCESS_KEY),
    new URL(responseUrl).pathname,
  ];
  for (const secret of secrets) expect(main.stderr()).not.toContain(secret);
});

test('with metrics.enabled it serves /metrics on its own port, counting the audit and its AWS calls', async () => {
  const config = join(dir, 'cis-bot-metrics.yaml');
  writeFileSync(
    config,
    `aws:\n  region: ${run.defaultRegion}\n  accounts: ["${DEV}"]\nmetrics:\n  enabled: true\n  port: 0\n`,
  );
  const main = startMain({
    ...baseEnv(),
    CIS_BOT_CONFIG: config,
    SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackApi.apiUrl,
  });
  try {
    const port = await main.port;
    const metricsPort = Number(main.listening()?.metrics);
    expect(metricsPort).toBeGreaterThan(0);
    expect(metricsPort).not.toBe(port);
    const updates = slackApi.callsTo('chat.update').length;
    const res = await postSigned(`http://127.0.0.1:${port}/slack/events`, {
      body: slashCommandBody({ text: '4.1 audit', response_url: slackApi.responseUrl() }),
    });
    expect(res.status).toBe(200);
    for (let i = 0; i < 800 && slackApi.callsTo('chat.update').length === updates; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const s = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(
      total(s, 'cisbot_audits_total', { control: '4.1', trigger: 'slack', result: 'non_compliant' }),
    ).toBe(1);
    expect(
      total(s, 'cisbot_aws_calls_total', { service: 'CloudTrail', operation: 'DescribeTrails' }),
    ).toBeGreaterThan(0);
    expect(total(s, 'cisbot_chat_ack_duration_seconds_count', { platform: 'slack', status: '200' })).toBe(1);
    expect(total(s, 'cisbot_store_operation_duration_seconds_count', { store: 'sqlite' })).toBeGreaterThan(0);
    expect(s.text).not.toContain(DEV);
  } finally {
    main.child.kill('SIGTERM');
  }
  expect(await exitCode(main.child)).toBe(0);
});

test('refuses to start without a chat platform, saying what to set', async () => {
  const main = startMain(baseEnv());
  await expect(main.port).rejects.toThrow(/Neither Slack nor Teams is configured\. Set SLACK_BOT_TOKEN/);
  expect(await exitCode(main.child)).toBe(2);
  // Said as a log line like any other, on stderr.
  expect(logLines(main.stderr())).toEqual([
    {
      level: 'error',
      time: expect.any(String),
      component: 'server',
      msg: expect.stringMatching(/^Neither Slack nor Teams is configured\./),
    },
  ]);
  expect(main.stdout()).toBe('');
});

test('refuses to start with CIS_BOT_TEAMS_DEV_NO_AUTH when NODE_ENV=production', async () => {
  const main = startMain({ ...baseEnv(), CIS_BOT_TEAMS_DEV_NO_AUTH: 'true', NODE_ENV: 'production' });
  await expect(main.port).rejects.toThrow(
    /CIS_BOT_TEAMS_DEV_NO_AUTH=true .* accepted only when NODE_ENV is development or test, or unset .*NODE_ENV is \\"production\\"/s,
  );
  expect(await exitCode(main.child)).toBe(2);
});

/** This machine's first non-loopback IPv4 address, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

test('with CIS_BOT_TEAMS_DEV_NO_AUTH it listens on 127.0.0.1 only, saying so loudly', async () => {
  const main = startMain({ ...baseEnv(), CIS_BOT_TEAMS_DEV_NO_AUTH: 'true' });
  try {
    const port = await main.port;
    expect(main.listening()).toMatchObject({ host: '127.0.0.1', teams: 'on' });
    expect(main.stderr()).toMatch(/TEAMS AUTHENTICATION IS OFF/);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Not reachable through any other interface of the machine.
    const external = externalAddress();
    if (external) await expect(fetch(`http://${external}:${port}/healthz`)).rejects.toThrow();
  } finally {
    main.child.kill('SIGTERM');
  }
  expect(await exitCode(main.child)).toBe(0);
});

test('with DATABASE_URL it keeps its state in PostgreSQL, migrated at start-up, never logging the password', async () => {
  const databaseUrl = await createTestDatabase();
  const password = decodeURIComponent(new URL(databaseUrl).password);
  const { CIS_BOT_DB: sqliteFile, ...env } = baseEnv();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqliteFile}${suffix}`, { force: true });
  const main = startMain({
    ...env,
    DATABASE_URL: databaseUrl,
    SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackApi.apiUrl,
    LOG_LEVEL: 'debug',
  });
  try {
    const port = await main.port;
    const res = await postSigned(`http://127.0.0.1:${port}/slack/events`, {
      body: slashCommandBody({ text: '4.1 audit', response_url: slackApi.responseUrl() }),
    });
    expect(res.status).toBe(200);
    for (
      let i = 0;
      i < 200 && (await queryRows(databaseUrl, 'SELECT id FROM audit_runs')).length === 0;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    main.child.kill('SIGTERM');
  }
  expect(await exitCode(main.child)).toBe(0);
  expect(await queryRows(databaseUrl, 'SELECT control, source FROM audit_runs')).toEqual([
    { control: '4.1', source: 'slack' },
  ]);
  // The signature of the command is in the replay cache that replicas share.
  expect(await queryRows(databaseUrl, 'SELECT count(*)::int AS n FROM once_keys')).toEqual([{ n: 1 }]);
  expect(logLines(main.stderr()).find((l) => l.msg === 'database ready')).toMatchObject({
    component: 'store',
    store: 'postgresql',
    schemaVersion: SCHEMA_MIGRATIONS.length,
    migrated: SCHEMA_MIGRATIONS.map((m) => m.version),
  });
  expect(main.stderr()).not.toContain(password);
  expect(existsSync(String(sqliteFile))).toBe(false);
});

test('refuses to start with both DATABASE_URL and CIS_BOT_DB, naming both', async () => {
  const main = startMain({ ...baseEnv(), DATABASE_URL: 'postgres://cis:SECRET-pw@127.0.0.1:1/cis' });
  await expect(main.port).rejects.toThrow(
    /Both DATABASE_URL \(a PostgreSQL database\) and CIS_BOT_DB \(an SQLite file\)/,
  );
  expect(await exitCode(main.child)).toBe(2);
  expect(main.stderr()).not.toContain('SECRET-pw');
});
