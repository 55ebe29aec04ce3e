/**
 * OAuth: what a request's handlers depend on, from the installation Bolt's `authorize` found for it
 * (oauth.ts puts it in the context). Each installation is a platform of its own (`slack:<T…>`, or
 * `slack:<E…>` for an org-wide Enterprise Grid install), so an approval requested in one workspace cannot
 * be decided from another (the core refuses it and audit-logs the refusal), and `slack.workspaces.<id>`
 * gives it its own allowed channels, levels and approvers. Approver user groups are read with that
 * installation's token, in that workspace.
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { platformCatalog, slackWorkspacePlatform } from '../../src/config/platform-settings';
import type { Config } from '../../src/config/schema';
import { settingsFor } from '../../src/core/platforms';
import type { HandlerDeps } from './context';
import { INSTALLED, type InstalledWorkspace } from './oauth';
import { createGroupResolver } from './user-groups';

/** The Events API events the app listens to with OAuth (the request guard lets them through). */
export const UNINSTALL_EVENTS: readonly string[] = ['app_uninstalled', 'tokens_revoked'];

export function perInstallationDeps(
  base: HandlerDeps,
  config: Config,
  logger: Logger,
): (context: Readonly<Record<string, unknown>>, client: WebClient) => HandlerDeps {
  const catalog = platformCatalog(config);
  // One set per installation and token (a re-install brings a new token): group lookups stay cached.
  const built = new Map<string, HandlerDeps>();
  return (context, client) => {
    const installed = context[INSTALLED] as InstalledWorkspace | undefined;
    if (installed === undefined) {
      // No installation: oauth.ts refuses the request before any handler; nothing here may serve it.
      return { ...base, forRequest: undefined, workspace: () => undefined };
    }
    const key = `${installed.id}\n${String(context.botToken)}`;
    const known = built.get(key);
    if (known) return known;
    const platform = slackWorkspacePlatform(installed.id);
    const settings = settingsFor(catalog, platform);
    const deps: HandlerDeps = {
      ...base,
      forRequest: undefined,
      platform,
      workspace: () => installed.workspace,
      allowedChannels: settings?.allowedConversations ?? [],
      allowedChannelsSetting: settings?.wording.allowedConversationsSetting ?? 'slack.allowed_channels',
      groupsOf: createGroupResolver({ client, groups: settings?.approvers.groups ?? [], logger }),
    };
    built.set(key, deps);
    return deps;
  };
}
