/**
 * Platforms are data: the core knows a chat platform (or the CLI) only by its id string and the settings
 * it receives for it, keyed by that id. Who may approve, which conversations are served, each
 * conversation's notification level, and the words used to point people at the configuration all come
 * from here; the configuration layer (src/config/platform-settings.ts) builds them from each platform's
 * section of the configuration file.
 */
import type { NotificationLevel } from './levels';
import type { Platform } from './ports/chat';

/** Who may approve or reject on one platform. Empty users and groups: nobody there. */
export interface ApproverRules {
  /** Platform user ids (Slack U…, Entra object ids, CLI operator names). */
  users: readonly string[];
  /** Group ids whose members are approvers (Slack user groups S…). */
  groups: readonly string[];
  /** The requester may not approve their own request. */
  requireDistinctApprover: boolean;
}

/** How messages point people at a platform's configuration (refusals, configuration errors). */
export interface PlatformWording {
  /** What approvers are and where they are configured, e.g. `Azure AD object ids in approvals.teams.users`. */
  approvers: string;
  /** The setting that turns require_distinct_approver on, e.g. `approvals.slack.require_distinct_approver`. */
  distinctApproverSetting: string;
  /** The setting listing the conversations served, e.g. `slack.allowed_channels`. */
  allowedConversationsSetting: string;
  /** Its schedule targets, e.g. `Slack channels`. */
  targets: string;
  /** Where schedule targets go, e.g. `Slack channel ids under targets.slack`. */
  targetsSetting: string;
  /** Why it cannot be used when it is not set up, e.g. `Slack is not configured (set SLACK_BOT_TOKEN)`. */
  notConfigured: string;
}

export interface PlatformSettings {
  id: Platform;
  /** Its name in sentences and cards, e.g. `Slack`. */
  label: string;
  /** When non-empty, commands and clicks are served only in these conversations. */
  allowedConversations: readonly string[];
  /** Notification levels of particular conversations, keyed by conversation id. */
  levels: Readonly<Record<string, NotificationLevel>>;
  approvers: ApproverRules;
  wording: PlatformWording;
}

/** Every platform's settings, keyed by platform id. */
export type PlatformCatalog = Readonly<Record<Platform, PlatformSettings>>;

/**
 * The settings of a platform. An instance of a platform (`slack:T0123`: one Slack workspace of an OAuth
 * app) is a platform of its own, so its approvals, approvers and conversations are its own; without
 * settings of its own it is served with its family's (`slack`), under its own id.
 */
export function settingsFor(catalog: PlatformCatalog, platform: Platform): PlatformSettings | undefined {
  const own = catalog[platform];
  if (own !== undefined) return own;
  const family = platformFamily(platform);
  const settings = family === undefined ? undefined : catalog[family];
  return settings === undefined ? undefined : { ...settings, id: platform };
}

/** The family of an instance of a platform (`slack` for `slack:T0123`); undefined for a platform that is none. */
export function platformFamily(platform: Platform): Platform | undefined {
  return platform.includes(':') ? platform.slice(0, platform.indexOf(':')) : undefined;
}

/** A platform's label, or its id when it has no settings. */
export function platformLabel(catalog: PlatformCatalog, platform: Platform): string {
  return settingsFor(catalog, platform)?.label ?? platform;
}
