/**
 * Which Slack workspace the bot serves (from `auth.test` at start-up) and whether a request comes from
 * it. A signed request proves only that Slack sent it: in a Slack Connect channel, members of other
 * workspaces or organisations can run commands and click buttons too, and they must not approve or
 * start remediations in our AWS accounts.
 */

export interface Workspace {
  /** The workspace the bot token belongs to (T…). */
  teamId: string;
  /** The Enterprise Grid organisation (E…), when the workspace is part of one. */
  enterpriseId?: string;
  /** The app is installed org-wide: every workspace of `enterpriseId` is ours. */
  enterpriseInstall: boolean;
}

/** The identity fields a request carries (those present). */
export interface RequestOrigin {
  /** Commands: `team_id`; block_actions: `team.id`. */
  teamId?: string | undefined;
  /** block_actions: `user.team_id` (the clicker's home workspace, or organisation on Enterprise Grid). */
  userTeamId?: string | undefined;
  /** Commands: `enterprise_id`; block_actions: `enterprise.id` or `team.enterprise_id`. */
  enterpriseId?: string | undefined;
}

/** The workspace from an `auth.test` answer; undefined when it names none. */
export function workspaceFromAuthTest(result: {
  team_id?: string;
  enterprise_id?: string;
  is_enterprise_install?: boolean;
}): Workspace | undefined {
  const enterpriseInstall = result.is_enterprise_install === true;
  const teamId = result.team_id ?? '';
  const enterpriseId = result.enterprise_id || undefined;
  if (enterpriseInstall ? enterpriseId === undefined : teamId === '') return undefined;
  return { teamId, enterpriseInstall, ...(enterpriseId ? { enterpriseId } : {}) };
}

/**
 * True only when every identity field the request carries names our workspace (or, org-wide installs,
 * our organisation) and at least one does. Unknown workspace (auth.test not run yet): false.
 */
export function isFromWorkspace(workspace: Workspace | undefined, origin: RequestOrigin): boolean {
  if (workspace === undefined) return false;
  const { teamId, userTeamId, enterpriseId } = origin;
  if (workspace.enterpriseInstall) {
    // Any workspace of the organisation is ours; on Grid, user.team_id names the organisation (E…).
    return (
      enterpriseId !== undefined &&
      enterpriseId === workspace.enterpriseId &&
      (userTeamId === undefined || userTeamId === workspace.enterpriseId)
    );
  }
  // The request's workspace must be ours when given; without it, the user's home workspace decides.
  if (teamId !== undefined ? teamId !== workspace.teamId : userTeamId === undefined) return false;
  if (enterpriseId !== undefined && enterpriseId !== workspace.enterpriseId) return false;
  // On Grid, user.team_id is the organisation id rather than the workspace id.
  return (
    userTeamId === undefined ||
    userTeamId === workspace.teamId ||
    (workspace.enterpriseId !== undefined && userTeamId === workspace.enterpriseId && teamId !== undefined)
  );
}
