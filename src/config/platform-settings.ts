/**
 * Each platform's section of the configuration file as the core's platform settings (see
 * src/core/platforms.ts): the file keeps its `slack:`, `teams:` and `approvals.<platform>:` sections, and
 * this is the one place that reads them per platform. A new chat platform adds its builder here.
 */
import type { NotificationLevel } from '../core/levels';
import type { ApproverRules, PlatformCatalog, PlatformSettings } from '../core/platforms';
import type { Config } from './schema';

/** The sections of the configuration that platform settings are built from. */
export type PlatformConfig = Pick<Config, 'slack' | 'teams' | 'approvals'>;
type ApproversConfig = Config['approvals']['slack'];

function approverRules(rules: ApproversConfig, distinctByDefault: boolean): ApproverRules {
  return {
    users: rules.users,
    groups: rules.user_groups,
    requireDistinctApprover: rules.require_distinct_approver ?? distinctByDefault,
  };
}

function levelsOf(conversations: Readonly<Record<string, { level?: NotificationLevel | undefined }>>) {
  const levels: Record<string, NotificationLevel> = {};
  for (const [id, settings] of Object.entries(conversations)) {
    if (settings.level !== undefined) levels[id] = settings.level;
  }
  return levels;
}

function slack(config: PlatformConfig): PlatformSettings {
  return {
    id: 'slack',
    label: 'Slack',
    allowedConversations: config.slack.allowed_channels,
    levels: levelsOf(config.slack.channels),
    approvers: approverRules(config.approvals.slack, true),
    wording: {
      approvers:
        'Slack user ids (U…) in approvals.slack.users or user-group ids (S…) in approvals.slack.user_groups',
      distinctApproverSetting: 'approvals.slack.require_distinct_approver',
      allowedConversationsSetting: 'slack.allowed_channels',
      targets: 'Slack channels',
      targetsSetting: 'Slack channel ids under targets.slack',
      notConfigured: 'Slack is not configured (set SLACK_BOT_TOKEN)',
    },
  };
}

function teams(config: PlatformConfig): PlatformSettings {
  return {
    id: 'teams',
    label: 'Teams',
    allowedConversations: config.teams.allowed_conversations,
    levels: levelsOf(config.teams.conversations),
    approvers: approverRules(config.approvals.teams, true),
    wording: {
      approvers: 'Azure AD object ids in approvals.teams.users',
      distinctApproverSetting: 'approvals.teams.require_distinct_approver',
      allowedConversationsSetting: 'teams.allowed_conversations',
      targets: 'Teams conversations',
      targetsSetting: 'Teams conversation ids under targets.teams',
      notConfigured: 'Teams is not configured (set MicrosoftAppId and MicrosoftAppPassword)',
    },
  };
}

/** The platform id of one Slack workspace (T…) or org-wide installation (E…) of an OAuth app. */
export function slackWorkspacePlatform(id: string): string {
  return `slack:${id}`;
}

/**
 * `slack.workspaces.<id>`: a workspace's own channels, allowed channels and approvers, as a platform of
 * its own (`slack:<id>`), so its approvals can be decided there only. Workspaces without an entry are
 * served with the top-level settings under their own id (settingsFor in src/core/platforms.ts).
 */
function slackWorkspaces(config: PlatformConfig): PlatformSettings[] {
  return Object.entries(config.slack.workspaces).map(([id, workspace]) => {
    const base = slack(config);
    const at = `slack.workspaces.${id}`;
    return {
      id: slackWorkspacePlatform(id),
      label: `Slack (${id})`,
      allowedConversations: workspace.allowed_channels,
      levels: levelsOf(workspace.channels),
      approvers: approverRules(workspace.approvers, true),
      wording: {
        ...base.wording,
        approvers: `Slack user ids (U…) in ${at}.approvers.users or user-group ids (S…) in ${at}.approvers.user_groups`,
        distinctApproverSetting: `${at}.approvers.require_distinct_approver`,
        allowedConversationsSetting: `${at}.allowed_channels`,
      },
    };
  });
}

/** The CLI operator approves with their own AWS credentials anyway: no distinct approver by default. */
function cli(config: PlatformConfig): PlatformSettings {
  return {
    id: 'cli',
    label: 'CLI',
    allowedConversations: [],
    levels: {},
    approvers: approverRules(config.approvals.cli, false),
    wording: {
      approvers: 'operator names in approvals.cli.users',
      distinctApproverSetting: 'approvals.cli.require_distinct_approver',
      allowedConversationsSetting: '',
      targets: 'CLI',
      targetsSetting: '',
      notConfigured: 'the CLI cannot be posted to',
    },
  };
}

/** Every platform's settings, keyed by platform id, in the order schedule targets are listed. */
export function platformCatalog(config: PlatformConfig): PlatformCatalog {
  const catalog: Record<string, PlatformSettings> = {};
  for (const settings of [slack(config), ...slackWorkspaces(config), teams(config), cli(config)]) {
    catalog[settings.id] = settings;
  }
  return catalog;
}
