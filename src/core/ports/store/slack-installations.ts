/**
 * The Slack installation store port: the workspaces (or Enterprise Grid organisations, for org-wide
 * installs) that installed the app through OAuth, one record per installation key. What the record
 * carries is sealed by the Slack adapter before it gets here (tokens are never stored in clear); the
 * store keeps it as opaque text next to the ids it is found by.
 */

export interface SlackInstallationRecord {
  /** `<enterprise id or ->:<team id>` for a workspace install, `<enterprise id>:*` for an org-wide one. */
  key: string;
  enterpriseId?: string;
  teamId?: string;
  /** Installed org-wide (every workspace of `enterpriseId`). */
  enterpriseInstall: boolean;
  /** The installation, sealed (opaque to the store). */
  sealed: string;
  /** When it was (last) installed. */
  installedAt: string;
}

export interface SlackInstallationStore {
  /** Stores the installation under its key, replacing an earlier one (a re-install). */
  saveSlackInstallation(record: SlackInstallationRecord): Promise<void>;
  getSlackInstallation(key: string): Promise<SlackInstallationRecord | undefined>;
  /** Removes it; true when there was one (uninstall, tokens revoked). */
  deleteSlackInstallation(key: string): Promise<boolean>;
  /** Every installation, by key. */
  listSlackInstallations(): Promise<SlackInstallationRecord[]>;
}
