/**
 * No endpoint ever answers with a stack trace, an absolute path or a library's words, whatever NODE_ENV
 * is: the real bot server (startBot: Slack over Bolt's receiver, Teams over botbuilder with app
 * credentials and a loopback token issuer, /healthz) is walked with hostile requests on every route,
 * unknown paths, wrong methods, oversized bodies and wrong content types. Each gets the status that says
 * what was wrong (400 malformed, 401 unauthenticated, 404, 405, 413, 415) at once, with a short JSON body
 * of cis-bot's own words or none; and the server still serves afterwards.
 */

import { createHmac } from 'node:crypto';
import { loadConfig } from '../../src/config/load';
import { createLoggerFactory } from '../../src/logger';
import { createCoreServices } from '../../src/runtime';
import { bundledScenario, type SandboxRun, startSandboxRun } from '../../src/sandbox-run';
import { type BotServer, startBot } from '../../src/server';
import { openStore } from '../../src/store';
import { blockActionsBody, nowSeconds, SIGNING_SECRET, sign, slashCommandBody } from '../slack/helpers';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../support/fake-slack-api';
import { executeInvoke, personalMessage, TENANT_ID } from '../teams/activities';
import { startTokenIssuer, type TokenIssuer } from '../teams/token-issuer';

process.env.NO_PROXY = '127.0.0.1,localhost';

const APP_ID = '6f1c8f0e-2d1b-4a57-9c0e-0b6c2a7d9e11';
const ROOT = process.cwd();

interface Hostile {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sign the body as Slack would (x-slack-signature and timestamp). */
  signed?: boolean;
  status: number;
}

const form = 'application/x-www-form-urlencoded';
const payload = (value: unknown) => `payload=${encodeURIComponent(JSON.stringify(value))}`;
const click = (fields: Partial<Parameters<typeof blockActionsBody>[0]>) =>
  blockActionsBody({
    actionId: 'cis:approve',
    value: 'a',
    response_url: 'https://x',
    messageTs: '1.2',
    ...fields,
  });

function slackCases(): Hostile[] {
  const slack = (name: string, body: string | Buffer, status: number, contentType = form): Hostile => ({
    name: `Slack: ${name}`,
    path: '/slack/events',
    headers: { 'content-type': contentType },
    body,
    signed: true,
    status,
  });
  const clickPayload = JSON.parse(decodeURIComponent(click({}).slice('payload='.length)));
  return [
    {
      ...slack('unsigned command', slashCommandBody({ text: 'help', response_url: 'https://x' }), 401),
      signed: false,
    },
    slack('payload that is not JSON', 'payload=%7Bnot-json', 400),
    slack('payload {}', payload({}), 400),
    slack('payload null', payload(null), 400),
    slack('block_actions without a user', payload({ ...clickPayload, user: undefined }), 400),
    slack('block_actions without actions', payload({ ...clickPayload, actions: [] }), 400),
    slack('an action of another app', click({ actionId: 'other:thing' }), 400),
    slack('an action without action_id', payload({ ...clickPayload, actions: [{ type: 'button' }] }), 400),
    slack('a view submission', payload({ type: 'view_submission', user: { id: 'U1' }, view: {} }), 400),
    slack(
      'another slash command',
      slashCommandBody({ text: 'x', response_url: 'https://x' }).replace('%2Fcis', '%2Fother'),
      400,
    ),
    slack(
      'a command without user',
      slashCommandBody({ text: 'x', response_url: 'https://x' }).replace(/user_id=[^&]*&/, ''),
      400,
    ),
    slack('an empty body', '', 400),
    slack(
      // (Slack's url_verification is answered: the manifest subscribes to the uninstall events.)
      'an event cis-bot does not listen to, as JSON',
      JSON.stringify({ type: 'event_callback', event: { type: 'message', text: 'hi' } }),
      400,
      'application/json',
    ),
    slack(
      'a command as text/plain',
      slashCommandBody({ text: 'help', response_url: 'https://x' }),
      400,
      'text/plain',
    ),
    slack(
      'form with a charset',
      slashCommandBody({ text: 'status', response_url: 'https://x' }),
      400,
      `${form}; charset=utf-8`,
    ),
    slack('broken percent-encoding', 'payload=%E0%A4%A', 400),
    slack('binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b]), 400),
    slack('3 MiB body', `payload=${'a'.repeat(3 * 1024 * 1024)}`, 413),
    { name: 'Slack: GET', method: 'GET', path: '/slack/events', status: 405 },
    { name: 'Slack: PUT', method: 'PUT', path: '/slack/events', body: 'x', status: 405 },
  ];
}

function teamsCases(issuer: TokenIssuer): Hostile[] {
  const json = { 'content-type': 'application/json' };
  const activity = JSON.stringify(personalMessage('https://smba.trafficmanager.net/amer/', 'cis help'));
  const bearer = (token: string) => ({ ...json, authorization: `Bearer ${token}` });
  const valid = { aud: APP_ID, serviceurl: 'https://smba.trafficmanager.net/amer/' };
  const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(valid)).toString('base64url')}.`;
  const teams = (name: string, extra: Partial<Hostile>): Hostile => ({
    name: `Teams: ${name}`,
    path: '/api/messages',
    method: 'POST',
    headers: json,
    body: activity,
    status: 401,
    ...extra,
  });
  return [
    teams('malformed JSON', { body: '{"type": "message",', status: 400 }),
    teams('a JSON array', { body: '[1,2]', status: 400 }),
    teams('an empty object', { body: '{}', status: 400 }),
    teams('a numeric type', { body: '{"type":5}', status: 400 }),
    teams('JSON null', { body: 'null', status: 400 }),
    teams('text/plain', { headers: { 'content-type': 'text/plain' }, status: 415 }),
    teams('no content type', { headers: {}, status: 415 }),
    teams('an unknown charset', {
      headers: { 'content-type': 'application/json; charset=klingon' },
      status: 415,
    }),
    teams('an unknown content encoding', { headers: { ...json, 'content-encoding': 'bogus' }, status: 415 }),
    teams('a gzip body that is not gzip', { headers: { ...json, 'content-encoding': 'gzip' }, status: 400 }),
    teams('2 MB body', {
      body: JSON.stringify({ type: 'message', text: 'a'.repeat(2_000_000) }),
      status: 413,
    }),
    teams('no token', {}),
    teams('a token that is not a JWT', { headers: bearer('not-a-jwt') }),
    teams('a Basic credential', { headers: { ...json, authorization: 'Basic dXNlcjpwYXNz' } }),
    teams('an unsigned (alg none) token', { headers: bearer(none) }),
    teams('a token signed with a forged key', {
      headers: bearer(issuer.mint(valid, { signWith: issuer.foreignKey })),
    }),
    teams('an expired token', { headers: bearer(issuer.mint({ ...valid, exp: nowSeconds() - 3600 })) }),
    teams('a token for another bot', { headers: bearer(issuer.mint({ ...valid, aud: 'someone-else' })) }),
    teams('a forged approval click', {
      headers: bearer(issuer.mint(valid, { signWith: issuer.foreignKey })),
      body: JSON.stringify(
        executeInvoke('https://smba.trafficmanager.net/amer/', {
          verb: 'cis:approve',
          value: 'x',
          cardMessageId: '1',
        }),
      ),
    }),
    teams('GET', { method: 'GET', headers: {}, status: 405 }),
    teams('DELETE', { method: 'DELETE', headers: {}, status: 405 }),
  ];
}

const OTHER_CASES: Hostile[] = [
  {
    name: 'health: POST',
    method: 'POST',
    path: '/healthz',
    body: '{}',
    headers: { 'content-type': 'application/json' },
    status: 405,
  },
  { name: 'health: DELETE', method: 'DELETE', path: '/healthz', status: 405 },
  { name: 'livez: POST', method: 'POST', path: '/livez', body: '{}', status: 405 },
  { name: 'readyz: PUT', method: 'PUT', path: '/readyz', body: '{}', status: 405 },
  { name: 'unknown: /', path: '/', status: 404 },
  { name: 'unknown: /admin', path: '/admin', status: 404 },
  { name: 'unknown: traversal', path: '/..%2f..%2fetc%2fpasswd', status: 404 },
  { name: 'unknown: broken escape', path: '/%E0%A4%A', status: 404 },
  {
    name: 'unknown: POST JSON',
    method: 'POST',
    path: '/api/other',
    body: '{bad',
    headers: { 'content-type': 'application/json' },
    status: 404,
  },
  { name: 'unknown: OPTIONS', method: 'OPTIONS', path: '/api/messages', status: 405 },
];

/** What must never be in an answer: a stack frame, a path on this machine, a library's error name or text. */
const LEAKS: Array<[string, RegExp]> = [
  ['a stack frame', /\bat\s+\S.*:\d+:\d+/],
  ['this checkout', new RegExp(ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))],
  ['an absolute file path', /(^|[\s"'(=])\/[\w.-]+\/[\w./-]+\.(js|ts|cjs|mjs|json)\b/],
  ['node_modules', /node_modules/],
  ['an HTML page', /<(!DOCTYPE|html|pre)\b/i],
  [
    'a library error',
    /SyntaxError|TypeError|PayloadTooLarge|UnsupportedMediaType|AuthenticationError|JsonWebToken|TokenExpired|ZodError|Unauthorized\. No valid identity|req\.body|botbuilder|body-parser|raw-body|express|jsonwebtoken|Bolt/i,
  ],
];

async function send(base: string, c: Hostile): Promise<{ status: number; type: string; body: string }> {
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  if (c.signed) {
    const ts = nowSeconds();
    const text = typeof c.body === 'string' ? c.body : (c.body ?? Buffer.alloc(0)).toString('latin1');
    headers['x-slack-request-timestamp'] = String(ts);
    headers['x-slack-signature'] = Buffer.isBuffer(c.body)
      ? signBuffer(c.body, ts)
      : sign(text, ts, SIGNING_SECRET);
  }
  const method = c.method ?? (c.body === undefined ? 'GET' : 'POST');
  const res = await fetch(`${base}${c.path}`, {
    method,
    headers,
    ...(c.body !== undefined && method !== 'GET' && method !== 'HEAD'
      ? { body: typeof c.body === 'string' ? c.body : new Uint8Array(c.body) }
      : {}),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

function signBuffer(body: Buffer, ts: number): string {
  return `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:`).update(body).digest('hex')}`;
}

let run: SandboxRun;
let slackApi: FakeSlackApi;
let issuer: TokenIssuer;
const savedEnv = process.env.NODE_ENV;

beforeAll(async () => {
  run = await startSandboxRun(bundledScenario('audit-demo'), { roleAccounts: [] });
  slackApi = await FakeSlackApi.start();
  issuer = await startTokenIssuer();
  // botbuilder prints refused tokens with console.error; the answers are what this test reads.
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterAll(async () => {
  jest.restoreAllMocks();
  process.env.NODE_ENV = savedEnv;
  await issuer?.close();
  await slackApi?.close();
  await run?.close();
});

describe.each([undefined, 'development', 'production', 'test', 'staging'])('NODE_ENV=%s', (nodeEnv) => {
  let bot: BotServer;
  let base = '';
  const logLines: string[] = [];

  beforeAll(async () => {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    const config = loadConfig({
      document: { aws: { accounts: run.otherAccounts, region: run.defaultRegion } },
      env: {
        PORT: '0',
        SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slackApi.apiUrl,
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: 'not-a-real-secret',
        MicrosoftAppTenantId: TENANT_ID,
      },
    });
    const services = createCoreServices({
      config,
      session: run.session,
      region: run.defaultRegion,
      store: openStore(':memory:'),
    });
    bot = await startBot(config, services, {
      port: 0,
      host: '127.0.0.1',
      startTimers: false,
      teamsAuthSettings: { ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl },
      loggers: createLoggerFactory({ write: (line) => logLines.push(line) }),
    });
    base = `http://127.0.0.1:${bot.port}`;
  });

  afterAll(async () => {
    await bot?.close();
    process.env.NODE_ENV = savedEnv;
  });

  test("every hostile request gets its status at once, in cis-bot's words, with nothing internal", async () => {
    const cases = [...slackCases(), ...teamsCases(issuer), ...OTHER_CASES];
    const answers: Array<{ name: string; status: number; type: string; body: string }> = [];
    for (const c of cases) answers.push({ name: c.name, ...(await send(base, c)) });

    expect(answers.map((a) => [a.name, a.status])).toEqual(cases.map((c) => [c.name, c.status]));
    for (const a of answers) {
      for (const [what, pattern] of LEAKS) {
        if (pattern.test(a.body))
          throw new Error(`${a.name}: the answer shows ${what}: ${a.body.slice(0, 400)}`);
      }
      if (a.body !== '') {
        expect([a.name, a.type]).toEqual([a.name, expect.stringMatching(/^application\/json/)]);
        const parsed = JSON.parse(a.body) as { error?: unknown };
        expect([a.name, typeof parsed.error]).toEqual([a.name, 'string']);
      }
    }
    // Still serving.
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, checks: { database: { ok: true } } });
    // Nothing reached the core: no audit, no approval.
    expect(await bot.slack?.idle()).toBeUndefined();
    expect(run.sandbox.calls.filter((c) => c.operation === 'DescribeTrails')).toEqual([]);
    // Every refused token was logged with its reason, for the operator (not the caller).
    expect(logLines.filter((l) => l.includes('Bot Framework token was not accepted')).length).toBe(
      cases.filter((c) => c.name.startsWith('Teams') && c.status === 401).length,
    );
  });
});
