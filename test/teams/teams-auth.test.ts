/**
 * Security of the Teams endpoint: with app credentials configured, botbuilder answers 401 before any
 * handler runs when the Bot Framework token is missing or unusable; without credentials the adapter
 * refuses to start unless the development flag is set, and then says loudly that auth is off.
 *
 * Tokens: real ones are signed by Microsoft's keys, published at login.botframework.com. Offline, a
 * loopback issuer (token-issuer.ts) publishes our own key, and the adapter is pointed at it with the Bot
 * Framework setting ToBotFromChannelOpenIdMetadataUrl; botbuilder's validation is otherwise untouched.
 * Only turns that need no outbound call are exercised with auth ON (a refused click is answered in the
 * invoke response): outbound calls would need a token from login.microsoftonline.com.
 */
import { createTeamsAdapter } from '../../adapters/teams/teams-adapter';
import { loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/core/errors';
import { ACTION_APPROVE } from '../../src/core/ports/chat';
import {
  ALEX,
  asDirectLine,
  executeInvoke,
  MEGAN,
  personalMessage,
  submitMessage,
  TENANT_ID,
} from './activities';
import { captureLogger, type Harness, type LogLine, startHarness } from './harness';
import { RecordingCore } from './recording-core';
import { startTokenIssuer, type TokenIssuer } from './token-issuer';

const CREDENTIALS = {
  MicrosoftAppId: '6f1c8f0e-2d1b-4a57-9c0e-0b6c2a7d9e11',
  MicrosoftAppPassword: 'not-a-real-secret',
  MicrosoftAppTenantId: TENANT_ID,
};
const refs = { save: () => undefined, get: () => undefined };

// botbuilder prints every rejected request's AuthenticationError with its stack; keep the output readable.
beforeAll(() => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterAll(() => {
  jest.restoreAllMocks();
});

describe('with app credentials configured', () => {
  let core: RecordingCore;
  let h: Harness;
  beforeAll(async () => {
    core = new RecordingCore();
    h = await startHarness({ core, env: CREDENTIALS });
  });
  afterAll(async () => {
    await h.close();
  });

  test.each([
    ['no Authorization header', {}],
    ['a malformed token', { authorization: 'Bearer not-a-jwt' }],
    ['a non-Bearer scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
  ])('a message with %s gets 401 and reaches nothing', async (_name, headers) => {
    const res = await h.post(personalMessage(h.connector.serviceUrl, 'cis 4.1 audit'), headers);
    expect(res.status).toBe(401);
    await h.teams.idle();
    expect(core.runs).toEqual([]);
    expect(h.refs.size).toBe(0);
    expect(h.connector.calls).toEqual([]);
  });

  test('an approval click without a token gets 401 and the core never sees it', async () => {
    const res = await h.post(
      executeInvoke(h.connector.serviceUrl, { verb: ACTION_APPROVE, value: 'apr-1', cardMessageId: '1' }),
    );
    expect(res.status).toBe(401);
    expect(core.clicks).toEqual([]);
    expect(h.connector.calls).toEqual([]);
  });
});

describe('start-up', () => {
  test('refuses to start without credentials and without the development flag', () => {
    const config = loadConfig({ document: {}, env: {} });
    const core = new RecordingCore();
    const logger = captureLogger([]);
    expect(() => createTeamsAdapter({ config, core, conversations: refs, logger })).toThrow(ConfigError);
    expect(() => createTeamsAdapter({ config, core, conversations: refs, logger })).toThrow(
      /MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId.*CIS_BOT_TEAMS_DEV_NO_AUTH=true/s,
    );
  });

  test('with the development flag it starts, warning loudly that authentication is off', () => {
    const logs: LogLine[] = [];
    const config = loadConfig({ document: {}, env: { CIS_BOT_TEAMS_DEV_NO_AUTH: 'true' } });
    createTeamsAdapter({
      config,
      core: new RecordingCore(),
      conversations: refs,
      logger: captureLogger(logs),
    });
    expect(logs).toEqual([
      {
        level: 'warn',
        message: expect.stringMatching(/TEAMS AUTHENTICATION IS OFF.*act as any Teams user/s),
      },
    ]);
  });

  test('credentials win over the development flag, and the flag being ignored is said', async () => {
    const core = new RecordingCore();
    const h = await startHarness({ core, env: { ...CREDENTIALS, CIS_BOT_TEAMS_DEV_NO_AUTH: 'true' } });
    try {
      expect(h.logs.map((l) => l.message)).toEqual([
        expect.stringMatching(/CIS_BOT_TEAMS_DEV_NO_AUTH is ignored/),
      ]);
      const res = await h.post(personalMessage(h.connector.serviceUrl, 'cis help'));
      expect(res.status).toBe(401);
      expect(core.runs).toEqual([]);
    } finally {
      await h.close();
    }
  });

  test('no secret reaches the log', async () => {
    const core = new RecordingCore();
    const h = await startHarness({ core, env: CREDENTIALS });
    try {
      await h.post(personalMessage(h.connector.serviceUrl, 'cis help'));
      expect(JSON.stringify(h.logs)).not.toContain(CREDENTIALS.MicrosoftAppPassword);
    } finally {
      await h.close();
    }
  });
});

describe('with app credentials and a token issuer the adapter trusts', () => {
  let issuer: TokenIssuer;
  let core: RecordingCore;
  let h: Harness;
  beforeAll(async () => {
    // The Azure Bot is also connected to Direct Line and Web Chat: tokens for those channels are valid too.
    issuer = await startTokenIssuer({ endorsements: ['msteams', 'directline', 'webchat'] });
    core = new RecordingCore();
    core.clickResult = async () => ({ kind: 'refused', message: 'Only approvers can approve.' });
    h = await startHarness({
      core,
      env: CREDENTIALS,
      authSettings: { ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl },
    });
  });
  afterAll(async () => {
    await h.close();
    await issuer.close();
  });
  beforeEach(() => {
    core.clicks.length = 0;
  });

  const click = (tenant = TENANT_ID) => {
    const activity = executeInvoke(h.connector.serviceUrl, {
      verb: ACTION_APPROVE,
      value: 'apr-1',
      cardMessageId: '1',
      from: ALEX,
    });
    activity.channelData.tenant.id = tenant;
    return activity;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const valid = () => ({ aud: CREDENTIALS.MicrosoftAppId, serviceurl: h.connector.serviceUrl });

  test('a valid token is accepted and the click reaches the core', async () => {
    const res = await h.post(click(), bearer(issuer.mint(valid())));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'Only approvers can approve.',
    });
    expect(core.clicks).toHaveLength(1);
  });

  test.each<[string, () => Record<string, unknown>]>([
    ['issued for another bot', () => ({ ...valid(), aud: '0b0b0b0b-0000-4000-8000-000000000000' })],
    ['expired', () => ({ ...valid(), exp: Math.floor(Date.now() / 1000) - 3600 })],
    [
      'bound to another service URL',
      () => ({ ...valid(), serviceurl: 'https://smba.trafficmanager.net/amer/' }),
    ],
    ['from another issuer', () => ({ ...valid(), iss: 'https://sts.example.com/' })],
  ])('a token %s is refused with 401 before the core', async (_name, claims) => {
    const res = await h.post(click(), bearer(issuer.mint(claims())));
    expect(res.status).toBe(401);
    expect(core.clicks).toEqual([]);
  });

  test('a token signed with a key the issuer does not publish is refused before the core', async () => {
    const res = await h.post(click(), bearer(issuer.mint(valid(), { signWith: issuer.foreignKey })));
    // botbuilder lets jsonwebtoken's "invalid signature" through as a 500; the endpoint answers it as the 401 it is.
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Unauthorized.' });
    expect(core.clicks).toEqual([]);
  });

  test('an authenticated activity from another tenant is ignored', async () => {
    const res = await h.post(click('11111111-2222-4333-8444-555555555555'), bearer(issuer.mint(valid())));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(core.clicks).toEqual([]);
    expect(h.logs.some((l) => l.message.includes('another tenant'))).toBe(true);
    expect(core.refusals.at(-1)).toMatchObject({
      actor: { platform: 'teams', userId: ALEX.aadObjectId },
      reason: 'not-served',
      request: 'invoke',
      detail: { why: 'it is from another tenant', tenant: '11111111-2222-4333-8444-555555555555' },
    });
  });

  test('an authenticated activity naming no tenant is ignored, not waved through', async () => {
    const activity = click();
    delete (activity.channelData as { tenant?: unknown }).tenant;
    const res = await h.post(activity, bearer(issuer.mint(valid())));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ value: 'cis-bot does not serve this conversation.' });
    expect(core.clicks).toEqual([]);
    expect(h.logs.some((l) => l.message.includes('names no tenant'))).toBe(true);
  });

  test('the tenant id is compared as a GUID, whatever its letter case', async () => {
    const res = await h.post(click(TENANT_ID.toUpperCase()), bearer(issuer.mint(valid())));
    expect(res.body).toMatchObject({ value: 'Only approvers can approve.' });
    expect(core.clicks).toHaveLength(1);
  });

  test("a Direct Line client with a valid token, claiming an approver's id, reaches nothing", async () => {
    // The reviewer's spoof: channelId directline, from.id = an approver's Entra object id, no tenant.
    const spoofed = asDirectLine(
      submitMessage(h.connector.serviceUrl, { verb: ACTION_APPROVE, value: 'apr-1', cardMessageId: '1' }),
      MEGAN.aadObjectId,
    );
    const refsBefore = h.refs.size;
    const callsBefore = h.connector.calls.length;
    const res = await h.post(spoofed, bearer(issuer.mint(valid())));
    expect(res.status).toBe(200);
    const invoke = asDirectLine(click(), MEGAN.aadObjectId);
    const answered = await h.post(invoke, bearer(issuer.mint(valid())));
    expect(answered.body).toMatchObject({ value: 'cis-bot does not serve this conversation.' });
    await h.teams.idle();
    expect(core.clicks).toEqual([]);
    expect(core.runs).toEqual([]);
    expect(h.refs.size).toBe(refsBefore);
    expect(h.connector.calls.length).toBe(callsBefore);
    expect(h.logs.filter((l) => l.message.includes('not from the Microsoft Teams channel'))).toHaveLength(2);
  });
});

describe('a MultiTenant bot serves only the tenants it is told', () => {
  const FOREIGN = '11111111-2222-4333-8444-555555555555';
  let issuer: TokenIssuer;
  let core: RecordingCore;
  let h: Harness;
  const env = {
    MicrosoftAppId: CREDENTIALS.MicrosoftAppId,
    MicrosoftAppPassword: CREDENTIALS.MicrosoftAppPassword,
    MicrosoftAppType: 'MultiTenant',
    CIS_BOT_TEAMS_ALLOWED_TENANTS: `${TENANT_ID}, 22222222-3333-4444-8555-666666666666`,
  };
  beforeAll(async () => {
    issuer = await startTokenIssuer();
    core = new RecordingCore();
    core.clickResult = async () => ({ kind: 'refused', message: 'reached the core' });
    h = await startHarness({
      core,
      env,
      authSettings: { ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl },
    });
  });
  afterAll(async () => {
    await h.close();
    await issuer.close();
  });

  test('without MicrosoftAppTenantId or CIS_BOT_TEAMS_ALLOWED_TENANTS it refuses to start', () => {
    const { CIS_BOT_TEAMS_ALLOWED_TENANTS: _, ...unrestricted } = env;
    expect(() => loadConfig({ document: {}, env: unrestricted })).toThrow(ConfigError);
    expect(() => loadConfig({ document: {}, env: unrestricted })).toThrow(
      /MultiTenant Teams bot needs the tenants it serves: set MicrosoftAppTenantId.*CIS_BOT_TEAMS_ALLOWED_TENANTS/s,
    );
  });

  test.each([
    ['a listed tenant reaches the core', TENANT_ID, 1],
    ['another tenant is ignored', FOREIGN, 0],
  ])('%s', async (_name, tenant, clicks) => {
    core.clicks.length = 0;
    const activity = executeInvoke(h.connector.serviceUrl, {
      verb: ACTION_APPROVE,
      value: 'apr-1',
      cardMessageId: '1',
      from: ALEX,
    });
    activity.channelData.tenant.id = tenant;
    const token = issuer.mint({ aud: env.MicrosoftAppId, serviceurl: h.connector.serviceUrl });
    const res = await h.post(activity, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(core.clicks).toHaveLength(clicks);
  });
});
