/**
 * The Slack `ChatPoster` with OAuth (`slack.oauth`): there is no one bot token, so every post looks up the
 * token of the installation of the workspace it goes to, in the bot's store, at the time of the post (an
 * uninstall or a re-install takes effect at once, on every replica).
 *
 * - Digests and drift alerts: the target names its workspace (`T…/C…`, src/config/slack-targets.ts).
 * - A resumed run posts in its approval's thread: the approval was requested on the platform of its
 *   installation (`slack:T…`, or `slack:E…` org-wide), which names the workspace.
 *
 * A workspace without an installation is an error for that post only (the scheduler and the drift alerts
 * log it per target and post to the others); nothing is retried with another workspace's token.
 */
import type { Logger } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import {
  parseSlackTarget,
  parseSlackWorkspace,
  SLACK_TARGET_FORM,
  type SlackWorkspaceRef,
  slackWorkspaceName,
} from '../../src/config/slack-targets';
import type { Card } from '../../src/core/cards';
import { CisBotError } from '../../src/core/errors';
import type { ChatPoster, Platform } from '../../src/core/ports/chat';
import { postCards } from './delivery';
import type { SealedInstallationStore } from './installation-store';
import { INSTALL_PATH } from './oauth';

/** A post to a workspace that has no installation (never installed, or uninstalled since). */
export class SlackNotInstalledError extends CisBotError {
  constructor(readonly workspace: string) {
    super(
      'SLACK_NOT_INSTALLED',
      `cis-bot is not installed in the Slack workspace ${workspace} (never installed, or uninstalled since): ` +
        `install it there (${INSTALL_PATH} on the cis-bot server), or remove this target from the configuration.`,
    );
  }
}

/** The workspace a platform id names (`slack:T…`, `slack:E…`); undefined for plain `slack` or another platform. */
export function workspaceOfPlatform(platform: Platform): SlackWorkspaceRef | undefined {
  const match = /^slack:(.+)$/.exec(platform);
  return match?.[1] === undefined ? undefined : parseSlackWorkspace(match[1]);
}

export interface InstallationPosterOptions {
  installations: SealedInstallationStore;
  /** The bot's Web API options (SLACK_API_URL, retries). */
  clientOptions: WebClientOptions;
  logger: Logger;
}

export function createInstallationPoster(options: InstallationPosterOptions): ChatPoster {
  const { installations, clientOptions, logger } = options;
  // One client per token: a re-install brings a new token, and with it a new client.
  const clients = new Map<string, WebClient>();
  const clientFor = async (ref: SlackWorkspaceRef): Promise<WebClient> => {
    const token = (await installations.findWorkspace(ref))?.bot?.token;
    if (token === undefined) throw new SlackNotInstalledError(slackWorkspaceName(ref));
    let client = clients.get(token);
    if (client === undefined) {
      client = new WebClient(token, { ...clientOptions, logger });
      clients.set(token, client);
    }
    return client;
  };
  return {
    platform: 'slack',
    async post(conversationId: string, cards: readonly Card[]): Promise<void> {
      const target = parseSlackTarget(conversationId);
      if (target?.workspace === undefined) {
        // The configuration is checked at load time; this is a target that bypassed it.
        throw new CisBotError(
          'SLACK_TARGET',
          `The Slack target "${conversationId}" names no workspace: write it as ${SLACK_TARGET_FORM}.`,
        );
      }
      await postCards(await clientFor(target.workspace), target.channel, cards);
    },
    async postInThread(where, cards): Promise<void> {
      const ref = workspaceOfPlatform(where.platform);
      if (ref === undefined) {
        throw new CisBotError(
          'SLACK_TARGET',
          `The approval was requested on "${where.platform}", which names no Slack workspace to post in with slack.oauth.`,
        );
      }
      await postCards(await clientFor(ref), where.id, cards, where.threadRef ?? where.messageRef);
    },
  };
}
