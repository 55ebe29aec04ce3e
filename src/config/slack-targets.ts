/**
 * Slack channels that cis-bot posts to on its own (schedules' `targets.slack`, `events.targets.slack`).
 * With one bot token a target is a channel id (`C0123SECOPS`). With OAuth (`slack.oauth`) every workspace
 * has its own token and a channel id alone does not say which one to post with, so a target names its
 * workspace first, the way `slack.workspaces` and `slack.allowed_teams` name it:
 *
 *   T0123ACME/C0123SECOPS        a channel of workspace T0123ACME (its own installation)
 *   E0456GRID/C0456ALERTS        a channel reached through the org-wide install of organisation E0456GRID
 *   E0456GRID:T0789WS/C0789OPS   a channel of workspace T0789WS of organisation E0456GRID: its own
 *                                installation, else the organisation's org-wide one
 *
 * Mistakes are configuration errors at load time, before any network call.
 */
import { ConfigError } from '../core/errors';
import type { FileConfig } from './schema';

/** Which installation a target (or a resumed run's thread) posts with. */
export interface SlackWorkspaceRef {
  /** The workspace (T…); absent for an org-wide install's target (`E…/C…`). */
  teamId?: string;
  /** The Enterprise Grid organisation (E…), when named. */
  enterpriseId?: string;
}

export interface SlackTarget {
  channel: string;
  /** Absent: a plain channel id (one bot token). */
  workspace?: SlackWorkspaceRef;
}

const TEAM = /^T[A-Z0-9]{2,}$/;
const ENTERPRISE = /^E[A-Z0-9]{2,}$/;
const CHANNEL = /^[A-Z0-9]{2,}$/;

export const SLACK_TARGET_FORM =
  'WORKSPACE/CHANNEL, e.g. "T0123ACME/C0123SECOPS" (T… the workspace id; "E…/C…" for an org-wide Enterprise Grid install, "E…:T…/C…" for a workspace of an organisation)';

/** The workspace part of a target (`T…`, `E…`, `E…:T…`), or undefined when it is none of them. */
export function parseSlackWorkspace(text: string): SlackWorkspaceRef | undefined {
  const [first, second, ...rest] = text.split(':');
  if (first === undefined || rest.length > 0) return undefined;
  if (second !== undefined) {
    return ENTERPRISE.test(first) && TEAM.test(second) ? { enterpriseId: first, teamId: second } : undefined;
  }
  if (TEAM.test(first)) return { teamId: first };
  if (ENTERPRISE.test(first)) return { enterpriseId: first };
  return undefined;
}

/**
 * A target as configured: `CHANNEL`, or `WORKSPACE/CHANNEL`. Undefined when it has a workspace part that
 * is not one, or a channel that is not a Slack id.
 */
export function parseSlackTarget(text: string): SlackTarget | undefined {
  const slash = text.indexOf('/');
  if (slash === -1) return { channel: text };
  const workspace = parseSlackWorkspace(text.slice(0, slash));
  const channel = text.slice(slash + 1);
  return workspace && CHANNEL.test(channel) ? { channel, workspace } : undefined;
}

/** How a workspace is named in messages and settings: the organisation alone for org-wide installs. */
export function slackWorkspaceName(ref: SlackWorkspaceRef): string {
  if (ref.teamId === undefined) return ref.enterpriseId ?? '';
  return ref.enterpriseId ? `${ref.enterpriseId}:${ref.teamId}` : ref.teamId;
}

/** Every Slack target of the configuration, with the setting it is under. */
export function slackTargets(
  file: Pick<FileConfig, 'schedules' | 'events'>,
): Array<{ at: string; id: string }> {
  return [
    ...file.schedules.flatMap((s, i) =>
      s.targets.slack.map((id) => ({ at: `schedules[${i}] "${s.name}" targets.slack`, id })),
    ),
    ...file.events.targets.slack.map((t) => ({
      at: 'events.targets.slack',
      id: typeof t === 'string' ? t : t.id,
    })),
  ];
}

/** The problems of the Slack targets for the configured set-up (one token, or OAuth), as sentences. */
export function slackTargetProblems(file: Pick<FileConfig, 'schedules' | 'events' | 'slack'>): string[] {
  const oauth = file.slack.oauth !== undefined;
  const allowed = file.slack.allowed_teams;
  const problems: string[] = [];
  for (const { at, id } of slackTargets(file)) {
    const target = parseSlackTarget(id);
    if (target === undefined) {
      problems.push(`${at}: "${id}" is not a Slack target: write it as ${SLACK_TARGET_FORM}.`);
    } else if (oauth && target.workspace === undefined) {
      problems.push(
        `${at}: "${id}" names no workspace. With slack.oauth every workspace has its own token: write it as ${SLACK_TARGET_FORM}.`,
      );
    } else if (!oauth && target.workspace !== undefined) {
      problems.push(
        `${at}: "${id}" names a workspace, which only slack.oauth (many workspaces) uses: with one bot token write the channel id alone ("${target.channel}").`,
      );
    } else if (target.workspace && allowed.length > 0) {
      const { teamId, enterpriseId } = target.workspace;
      const named = [teamId, enterpriseId].filter((x): x is string => x !== undefined);
      if (!named.some((x) => allowed.includes(x))) {
        problems.push(
          `${at}: "${id}" names ${slackWorkspaceName(target.workspace)}, which is not in slack.allowed_teams: add it there, or post elsewhere.`,
        );
      }
    }
  }
  return problems;
}

/** Throws one ConfigError listing every problem of the Slack targets. */
export function checkSlackTargets(file: Pick<FileConfig, 'schedules' | 'events' | 'slack'>): void {
  const problems = slackTargetProblems(file);
  if (problems.length > 0) {
    throw new ConfigError(
      `Invalid Slack targets in the configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}
