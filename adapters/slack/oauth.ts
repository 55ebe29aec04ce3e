/**
 * Installation in many workspaces through OAuth (`slack.oauth`): Slack's own InstallProvider
 * (@slack/oauth) for the install link and the redirect (oauth.v2.access at SLACK_API_URL), mounted on
 * the bot's one HTTP server in both modes (GET /slack/install, GET /slack/oauth_redirect); the
 * installations sealed in the bot's database (installation-store.ts); Bolt's `authorize` choosing each
 * request's token by its workspace or organisation; uninstalls (`app_uninstalled`, `tokens_revoked`)
 * removing them.
 *
 * What is refused, audit-logged, and changes nothing: an OAuth `state` that is forged, expired, for
 * another browser, or used before (each state is accepted once, by every replica: the store's once-keys);
 * a redirect without `code`; a workspace or organisation outside `slack.allowed_teams` (its fresh token
 * is revoked, nothing is stored); a command or click from a workspace without an installation.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyMiddlewareArgs, App, Authorize, AuthorizeResult, Logger } from '@slack/bolt';
import {
  type CallbackOptions,
  ClearStateStore,
  type CodedError,
  type Installation,
  InstallProvider,
  type InstallURLOptions,
  InvalidStateError,
  type OrgInstallation,
  type StateStore,
} from '@slack/oauth';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Application } from 'express';
import { slackWorkspacePlatform } from '../../src/config/platform-settings';
import type { Config } from '../../src/config/schema';
import type { AdapterRefusal, ChatCore } from '../../src/core/ports/chat';
import type { AuditLogStore, SlackInstallationStore } from '../../src/core/ports/store';
import {
  type InstallationIds,
  installationId,
  installationKey,
  type SealedInstallationStore,
  sealedInstallationStore,
} from './installation-store';
import type { OnceKeys } from './request-guard';
import type { Workspace } from './workspace';

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';
/** How long an install link's state is valid (Slack's InstallProvider default). */
const STATE_TTL_SECONDS = 600;

/** What `authorize` puts in Bolt's context for the handlers: the installation the request came through. */
export interface InstalledWorkspace {
  workspace: Workspace;
  /** The id its settings and platform are keyed by: the organisation (org-wide) or the workspace. */
  id: string;
}

/** The context key carrying it (undefined: no installation for the request's workspace). */
export const INSTALLED = 'cisInstalled';

/**
 * The OAuth state of @slack/oauth's ClearStateStore (signed with SLACK_STATE_SECRET, expires) accepted
 * once: a state seen before is refused like a forged one, on every replica and after a restart.
 */
function onceStateStore(secret: string, onceKeys: OnceKeys): StateStore {
  const signed = new ClearStateStore(secret, STATE_TTL_SECONDS);
  return {
    generateStateParam: (installOptions, now) => signed.generateStateParam(installOptions, now),
    async verifyStateParam(now, state) {
      const options = await signed.verifyStateParam(now, state);
      const digest = createHash('sha256').update(state).digest('hex');
      const expires = new Date(now.getTime() + 2 * STATE_TTL_SECONDS * 1000).toISOString();
      if (!(await onceKeys.rememberOnce(`slack:oauth-state:${digest}`, expires, now))) {
        throw new InvalidStateError('The state parameter was used before.');
      }
      return options;
    },
  };
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`,
  );
}

/** Why an install redirect failed, as the audit log's reason and the installer's message. */
function installFailure(error: CodedError): { reason: string; status: number; text: string } {
  switch (error.code) {
    case 'slack_oauth_missing_code':
      return {
        reason: 'oauth-code-missing',
        status: 400,
        text: `The redirect from Slack carries no code, so nothing was installed. Start again at ${INSTALL_PATH}.`,
      };
    case 'slack_oauth_invalid_state':
    case 'slack_oauth_missing_state':
      return {
        reason: 'oauth-state-invalid',
        status: 400,
        text: `This installation link is not valid (forged, expired, used before or opened in another browser), so nothing was installed. Start again at ${INSTALL_PATH} in one browser.`,
      };
    case 'slack_oauth_installer_authorization_error':
      return {
        reason: 'oauth-cancelled',
        status: 400,
        text: `The installation was cancelled in Slack; nothing was installed. Start again at ${INSTALL_PATH}.`,
      };
    default:
      return {
        reason: 'oauth-failed',
        status: 502,
        text: `Slack did not complete the installation, so nothing was installed. Start again at ${INSTALL_PATH}; if it fails again, the bot's log says why.`,
      };
  }
}

export interface SlackOAuthOptions {
  config: Config;
  /** Where installations are kept, and installs and uninstalls audit-logged (the bot's Store). */
  installations: SlackInstallationStore & AuditLogStore;
  /** Where used OAuth states are remembered (the bot's Store). */
  onceKeys: OnceKeys;
  core: ChatCore;
  logger: Logger;
  clientOptions: WebClientOptions;
}

export interface SlackOAuth {
  readonly installer: InstallProvider;
  readonly installations: SealedInstallationStore;
  /** Bolt's `authorize`: the token of the request's installation, or none (then refused by `refuseUninstalled`). */
  readonly authorize: Authorize<boolean>;
  /** Mounts GET /slack/install and GET /slack/oauth_redirect. */
  mount(app: Application): void;
  /** Uninstall listeners and the refusal of requests from workspaces without an installation. */
  listen(app: App): void;
}

export function createSlackOAuth(options: SlackOAuthOptions): SlackOAuth {
  const { config, core, logger } = options;
  const oauth = config.env.slack?.oauth;
  const settings = config.slack.oauth;
  if (oauth === undefined || settings === undefined) throw new Error('slack.oauth is not configured');
  const installations = sealedInstallationStore({
    store: options.installations,
    key: Buffer.from(oauth.encryptionKey, 'base64'),
  });
  const installer = new InstallProvider({
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    stateStore: onceStateStore(oauth.stateSecret, options.onceKeys),
    installationStore: installations,
    logger,
    directInstall: true,
    clientOptions: options.clientOptions,
  });
  const installOptions: InstallURLOptions = {
    scopes: [...settings.scopes],
    ...(settings.redirect_url ? { redirectUri: settings.redirect_url } : {}),
  };
  const allowed = config.slack.allowed_teams;

  const refuse = async (refusal: AdapterRefusal) => {
    logger.warn({ event: 'slack.oauth.refused', reason: refusal.reason, ...refusal.detail });
    try {
      await core.recordRefusal(refusal);
    } catch (error) {
      logger.error({ event: 'slack.refusal.not_recorded', reason: refusal.reason, error });
    }
  };

  /**
   * Puts an install or uninstall on the audit log, on the installation's platform (`slack:<id>`). The
   * installation itself is already stored or removed: a failed write is logged, not undone.
   */
  const record = async (entry: {
    kind: 'app-installed' | 'app-uninstalled';
    ids: InstallationIds;
    actor?: string | undefined;
    detail: Record<string, unknown>;
  }) => {
    const id = installationId(entry.ids) ?? 'unknown';
    const platform = slackWorkspacePlatform(id);
    try {
      await options.installations.appendAuditLog({
        at: new Date().toISOString(),
        kind: entry.kind,
        platform,
        ...(entry.actor ? { actor: { platform, userId: entry.actor } } : {}),
        detail: {
          team: entry.ids.teamId ?? null,
          enterprise: entry.ids.enterpriseId ?? null,
          orgWide: entry.ids.isEnterpriseInstall === true,
          installation: installationKey(entry.ids) ?? null,
          ...entry.detail,
        },
      });
    } catch (error) {
      logger.error({
        event: 'slack.oauth.not_recorded',
        kind: entry.kind,
        team: entry.ids.teamId ?? null,
        error,
      });
    }
  };

  const callbackOptions: CallbackOptions = {
    async afterInstallation(installation: Installation | OrgInstallation, _opts, _req, res) {
      const ids = {
        teamId: installation.team?.id,
        enterpriseId: installation.enterprise?.id,
        isEnterpriseInstall: installation.isEnterpriseInstall === true,
      };
      const permitted =
        allowed.length === 0 ||
        (ids.teamId !== undefined && !ids.isEnterpriseInstall && allowed.includes(ids.teamId)) ||
        (ids.enterpriseId !== undefined && allowed.includes(ids.enterpriseId));
      if (permitted) return true;
      const id = installationId(ids) ?? 'unknown';
      await refuse({
        actor: { platform: 'slack', userId: installation.user.id },
        reason: 'team-not-allowed',
        request: 'install',
        detail: {
          team: ids.teamId ?? null,
          enterprise: ids.enterpriseId ?? null,
          orgWide: ids.isEnterpriseInstall,
        },
      });
      // Nothing is stored; the token Slack has just issued is given back so it cannot be used either.
      const token = installation.bot?.token;
      if (token !== undefined) {
        await new WebClient(token, { ...options.clientOptions, logger })
          .apiCall('auth.revoke')
          .catch((error: unknown) => logger.warn({ event: 'slack.oauth.revoke_failed', error }));
      }
      page(
        res,
        403,
        'cis-bot cannot be installed here',
        `This ${ids.isEnterpriseInstall ? 'organisation' : 'workspace'} (${id}) is not one cis-bot serves: ask the cis-bot operator to add ${id} to slack.allowed_teams, then install again.`,
      );
      return false;
    },
    async successAsync(installation, _opts, _req, res) {
      const ids = {
        teamId: installation.team?.id,
        enterpriseId: installation.enterprise?.id,
        isEnterpriseInstall: installation.isEnterpriseInstall === true,
      };
      const id = installationId(ids);
      logger.info({
        event: 'slack.oauth.installed',
        team: ids.teamId ?? null,
        enterprise: ids.enterpriseId ?? null,
        orgWide: ids.isEnterpriseInstall,
      });
      // Who installed it, where and when, with what it may do; never the token.
      await record({
        kind: 'app-installed',
        ids,
        actor: installation.user.id,
        detail: {
          scopes: installation.bot?.scopes ?? [],
          botUserId: installation.bot?.userId ?? null,
          appId: installation.appId ?? null,
        },
      });
      page(res, 200, 'cis-bot is installed', `cis-bot now serves ${id}: try /cis help in a channel.`);
    },
    async failureAsync(error, _opts, req, res) {
      const failure = installFailure(error);
      await refuse({
        reason: failure.reason,
        request: 'install',
        detail: { code: error.code ?? null, path: (req.url ?? '').split('?')[0] ?? '' },
      });
      page(res, failure.status, 'cis-bot was not installed', failure.text);
    },
  };

  const authorize: Authorize<boolean> = async (source) => {
    const ids: InstallationIds = {
      teamId: source.teamId,
      enterpriseId: source.enterpriseId,
      isEnterpriseInstall: source.isEnterpriseInstall,
    };
    const found = await installations.find(ids);
    const id = found ? installationId(ids) : undefined;
    if (found?.bot === undefined || id === undefined) {
      return { [INSTALLED]: undefined } as AuthorizeResult;
    }
    const workspace: Workspace = {
      teamId: found.team?.id ?? '',
      enterpriseInstall: found.isEnterpriseInstall === true,
      ...(found.enterprise?.id ? { enterpriseId: found.enterprise.id } : {}),
    };
    return {
      botToken: found.bot.token,
      botId: found.bot.id,
      botUserId: found.bot.userId,
      ...(source.teamId ? { teamId: source.teamId } : {}),
      ...(source.enterpriseId ? { enterpriseId: source.enterpriseId } : {}),
      [INSTALLED]: { workspace, id } satisfies InstalledWorkspace,
    } as AuthorizeResult;
  };

  return {
    installer,
    installations,
    authorize,
    mount(app) {
      app.get(INSTALL_PATH, (req: IncomingMessage, res: ServerResponse, next: (e?: unknown) => void) => {
        installer.handleInstallPath(req, res, {}, installOptions).catch(next);
      });
      app.get(REDIRECT_PATH, (req: IncomingMessage, res: ServerResponse, next: (e?: unknown) => void) => {
        installer.handleCallback(req, res, callbackOptions).catch(next);
      });
    },
    listen(app) {
      // A request from a workspace without an installation: refused (no token to act with), audit-logged,
      // told where to install. Events need no answer.
      app.use(
        async (args: AnyMiddlewareArgs & { context: Record<string, unknown>; next: () => Promise<void> }) => {
          if (args.context[INSTALLED] !== undefined || !('ack' in args) || typeof args.ack !== 'function') {
            await args.next();
            return;
          }
          const body = args.body as Record<string, unknown>;
          const team = (body.team_id ?? (body.team as { id?: string } | undefined)?.id) as string | undefined;
          const user = (body.user_id ?? (body.user as { id?: string } | undefined)?.id) as string | undefined;
          const channel = (body.channel_id ?? (body.channel as { id?: string } | undefined)?.id) as
            | string
            | undefined;
          const enterprise = (body.enterprise_id ??
            (body.enterprise as { id?: string } | null | undefined)?.id) as string | undefined;
          await refuse({
            ...(user ? { actor: { platform: 'slack', userId: user } } : {}),
            ...(channel ? { conversation: { platform: 'slack', id: channel } } : {}),
            reason: 'not-installed',
            request: typeof body.command === 'string' ? body.command : String(body.type ?? 'request'),
            detail: { team: team ?? null, enterprise: enterprise ?? null },
          });
          const text = `cis-bot is not installed in this workspace${team ? ` (${team})` : ''}: ask an admin to install it (${INSTALL_PATH} on the cis-bot server).`;
          // A command's ack carries the refusal (shown to the user only); a click's goes to its response_url.
          if (typeof body.command === 'string') {
            const ackCommand = args.ack as (response: Record<string, unknown>) => Promise<void>;
            await ackCommand({ response_type: 'ephemeral', text });
            return;
          }
          await args.ack();
          if ('respond' in args && typeof args.respond === 'function') {
            await args
              .respond({ response_type: 'ephemeral', replace_original: false, text })
              .catch((error: unknown) => logger.warn({ event: 'slack.oauth.refusal_not_shown', error }));
          }
        },
      );
      const remove = async (
        context: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean },
        why: string,
      ) => {
        const ids: InstallationIds = {
          teamId: context.teamId,
          enterpriseId: context.enterpriseId,
          isEnterpriseInstall: context.isEnterpriseInstall,
        };
        const key = installationKey(ids);
        // Slack sends both events when an app is uninstalled: the one that removed it is recorded.
        const removed = key !== undefined && (await options.installations.deleteSlackInstallation(key));
        logger.info({
          event: 'slack.oauth.uninstalled',
          why,
          removed,
          team: ids.teamId ?? null,
          enterprise: ids.enterpriseId ?? null,
        });
        if (removed) await record({ kind: 'app-uninstalled', ids, detail: { why } });
      };
      app.event('app_uninstalled', async ({ context }) => {
        await remove(context, 'app_uninstalled');
      });
      app.event('tokens_revoked', async ({ event, context }) => {
        // Only the bot token matters: user tokens are never used.
        if ((event.tokens.bot ?? []).length > 0) await remove(context, 'tokens_revoked');
      });
    },
  };
}
