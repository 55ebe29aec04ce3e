/**
 * Slack's install flow driven over loopback as a browser would drive it: GET /slack/install (the state and
 * its cookie, then Slack's authorize URL), GET /slack/oauth_redirect with the code Slack granted (the
 * bot then calls oauth.v2.access on the fake Web API).
 */

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
