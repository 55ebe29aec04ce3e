/**
 * Slack's OAuth side for tests, on the fake Web API: `oauth.v2.access` exchanges a code granted with
 * `grant()` (once, for this app's client id and secret) for an installation's answer as Slack documents
 * it, and makes the fake accept the new bot token for that workspace (auth.test then names it);
 * `auth.revoke` records the token given back. Plus the app's OAuth settings for the bot's environment.
 */
import type { FakeSlackApi, FakeWorkspace, MethodHandler } from './fake-slack-api';

export const CLIENT_ID = '1111111111.2222222222';
export const CLIENT_SECRET = 'f00dfeedf00dfeedf00dfeedf00dfeed';
export const STATE_SECRET = 'state-secret-for-tests-0123456789abcdef';
/** 32 bytes, base64 (CIS_BOT_ENCRYPTION_KEY). */
export const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
export const OAUTH_ENV = {
  SLACK_CLIENT_ID: CLIENT_ID,
  SLACK_CLIENT_SECRET: CLIENT_SECRET,
  SLACK_STATE_SECRET: STATE_SECRET,
  CIS_BOT_ENCRYPTION_KEY: ENCRYPTION_KEY,
};

export interface Grant extends FakeWorkspace {
  /** The bot token the installation gets. */
  token: string;
  /** Who installed it. */
  installerId?: string;
}

export class FakeSlackOAuth {
  private readonly codes = new Map<string, Grant>();
  readonly revoked: string[] = [];
  private fake: FakeSlackApi | undefined;

  /** Connects it to the fake Web API it answers on (the methods are registered at the fake's start). */
  attach(fake: FakeSlackApi): void {
    this.fake = fake;
  }

  /** A code Slack would put in the redirect after the user approved the installation. */
  grant(code: string, grant: Grant): void {
    this.codes.set(code, grant);
  }

  get methods(): Record<string, MethodHandler> {
    return {
      'oauth.v2.access': (args, _token, headers) => {
        const basic = headers.authorization?.startsWith('Basic ')
          ? Buffer.from(headers.authorization.slice(6), 'base64').toString('utf8').split(':')
          : [];
        const id = args.client_id ?? basic[0];
        const secret = args.client_secret ?? basic[1];
        if (id !== CLIENT_ID || secret !== CLIENT_SECRET) return { ok: false, error: 'invalid_client_id' };
        const code = String(args.code ?? '');
        const grant = this.codes.get(code);
        if (grant === undefined) return { ok: false, error: 'invalid_code' };
        this.codes.delete(code);
        this.fake?.addWorkspace(grant.token, grant);
        return {
          ok: true,
          app_id: 'A0CISBOT01',
          authed_user: { id: grant.installerId ?? 'U0ADMIN001' },
          scope: 'commands,chat:write,chat:write.public,usergroups:read',
          token_type: 'bot',
          access_token: grant.token,
          bot_user_id: 'UCISBOT01',
          team: grant.isEnterpriseInstall ? null : { id: grant.teamId, name: `Workspace ${grant.teamId}` },
          enterprise: grant.enterpriseId ? { id: grant.enterpriseId, name: 'Grid' } : null,
          is_enterprise_install: grant.isEnterpriseInstall === true,
        };
      },
      'auth.revoke': (_args, token) => {
        if (token === undefined) return { ok: false, error: 'not_authed' };
        this.revoked.push(token);
        this.fake?.workspaces.delete(token);
        return { ok: true, revoked: true };
      },
    };
  }
}
