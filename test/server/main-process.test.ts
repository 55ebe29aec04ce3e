/**
 * `npm start` as a real process: src/main.ts reads its settings from the environment and the YAML file
 * only (the AWS SDK's standard AWS_ENDPOINT_URL / credentials / region chain points it at the sandbox;
 * SLACK_API_URL at the fake Slack Web API), serves a signed slash command with a real audit, and shuts
 * down cleanly on SIGTERM. Without any chat platform configured it refuses to start with an actionable
 * message and a non-zero exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledScenario, type SandboxRun, startSandboxRun } from '../../adapters/cli/sandbox-run';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../slack/helpers';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../support/fake-slack-api';

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

/** Spawns src/main.ts and resolves with the port from its "listening" log line. */
function startMain(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  port: Promise<number>;
  stderr: () => string;
} {
  const child = spawn(TSX, [join(ROOT, 'src', 'main.ts')], {
    env,
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const port = new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /"message":"cis-bot listening","port":(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`main exited with ${code} before listening:\n${stderr}`)));
  });
  return { child, port, stderr: () => stderr };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

test('serves a signed /cis command with a real audit, then stops cleanly on SIGTERM', async () => {
  const main = startMain({
    ...baseEnv(),
    SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackApi.apiUrl,
  });
  try {
    const port = await main.port;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const res = await postSigned(`http://127.0.0.1:${port}/slack/events`, {
      body: slashCommandBody({ text: '4.1 audit', response_url: slackApi.responseUrl() }),
    });
    expect(res.status).toBe(200);
    // The work continues after the ack: wait for the result to replace the progress message.
    for (let i = 0; i < 200 && slackApi.callsTo('chat.update').length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const update = slackApi.callsTo('chat.update').at(-1);
    expect(String(update?.args.text)).toMatch(/CIS 4\.1 audit: 0 of 1 account compliant/);
    expect(run.sandbox.calls.some((c) => c.accountId === DEV && c.service === 'logs')).toBe(true);
    // Secrets never reach the log.
    expect(main.stderr()).not.toContain(SIGNING_SECRET);
    expect(main.stderr()).not.toContain(FAKE_BOT_TOKEN);
  } finally {
    main.child.kill('SIGTERM');
  }
  expect(await exitCode(main.child)).toBe(0);
});

test('refuses to start without a chat platform, saying what to set', async () => {
  const main = startMain(baseEnv());
  await expect(main.port).rejects.toThrow(/Neither Slack nor Teams is configured\. Set SLACK_BOT_TOKEN/);
  expect(await exitCode(main.child)).toBe(2);
});

test('refuses to start with CIS_BOT_TEAMS_DEV_NO_AUTH when NODE_ENV=production', async () => {
  const main = startMain({ ...baseEnv(), CIS_BOT_TEAMS_DEV_NO_AUTH: 'true', NODE_ENV: 'production' });
  await expect(main.port).rejects.toThrow(
    /CIS_BOT_TEAMS_DEV_NO_AUTH=true .* refused when NODE_ENV=production/s,
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
    expect(main.stderr()).toMatch(/"message":"cis-bot listening","port":\d+,"host":"127\.0\.0\.1"/);
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
