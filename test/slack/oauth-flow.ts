/**
 * Slack's install flow driven over loopback as a browser would drive it: GET /slack/install (the state and
 * its cookie, then Slack's authorize URL), GET /slack/oauth_redirect with the code Slack granted (the
 * bot then calls oauth.v2.access on the fake Web API). And the two workspaces the OAuth tests install.
 */
import { FakeSlackOAuth } from '../support/fake-slack-oauth';
import { CAROL, type E2E, type E2EOptions, type RequestTeam, startE2E } from './e2e-harness';

export const DEV = '333333333333';
export const ACME: RequestTeam = { teamId: 'T0ACME0001' };
export const BETA: RequestTeam = { teamId: 'T0BETA0001' };
export const ACME_TOKEN = 'xoxb-acme-0000000000-installed';
export const BETA_TOKEN = 'xoxb-beta-0000000000-installed';

export interface InstallAttempt {
  status: number;
  text: string;
  state: string;
  cookie: string;
}

export interface InstallFlow {
  /** The browser's first step: the install link sets the state cookie and sends the user to Slack. */
  startInstall(): Promise<{ state: string; cookie: string; location: string }>;
  /** Slack's redirect back, with the code and the state, in the browser that holds the cookie. */
  redirect(query: string, cookie: string): Promise<{ status: number; text: string }>;
  /** Both steps, for a code granted by FakeSlackOAuth. */
  install(code: string): Promise<InstallAttempt>;
}

export function installFlow(baseUrl: () => string): InstallFlow {
  const startInstall = async () => {
    const res = await fetch(`${baseUrl()}/slack/install`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    const state = new URL(location).searchParams.get('state') ?? '';
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    return { state, cookie, location };
  };
  const redirect = async (query: string, cookie: string) => {
    const res = await fetch(`${baseUrl()}/slack/oauth_redirect?${query}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    return { status: res.status, text: await res.text() };
  };
  return {
    startInstall,
    redirect,
    async install(code) {
      const { state, cookie } = await startInstall();
      const answer = await redirect(`code=${code}&state=${encodeURIComponent(state)}`, cookie);
      return { ...answer, state, cookie };
    },
  };
}

export interface Installed {
  e: E2E;
  oauth: FakeSlackOAuth;
  flow: InstallFlow;
}

/**
 * The bot with OAuth and ACME and BETA installed through Slack's flow; BETA has approvers of its own
 * (Carol, slack.workspaces), ACME uses the top-level ones.
 */
export async function startInstalled(options: Omit<E2EOptions, 'oauth'> = {}): Promise<Installed> {
  const oauth = new FakeSlackOAuth();
  const { document } = options;
  const e = await startE2E({
    ...options,
    oauth,
    document: (run) => ({
      ...(typeof document === 'function' ? document(run) : document),
      slack: { workspaces: { [BETA.teamId]: { approvers: { users: [CAROL.id] } } } },
    }),
  });
  const flow = installFlow(() => e.baseUrl);
  oauth.grant('code-acme', { token: ACME_TOKEN, teamId: ACME.teamId });
  oauth.grant('code-beta', { token: BETA_TOKEN, teamId: BETA.teamId });
  expect((await flow.install('code-acme')).status).toBe(200);
  expect((await flow.install('code-beta')).status).toBe(200);
  return { e, oauth, flow };
}
