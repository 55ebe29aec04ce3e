/**
 * The plain settings the core receives (built from the configuration by src/config/core-settings.ts):
 * the core never reads the configuration file's types. Remediation and control settings keep the
 * configuration file's field names, so the configuration's values can be passed as they are.
 */
import type { NotificationLevel } from './levels';
import type { PlatformCatalog } from './platforms';

/** What happens when a control fails: tell people (default), say nothing, or fix automatically. */
export type DefaultAction = 'notify' | 'skip' | 'remediate';

export interface ControlSettings {
  default_action: DefaultAction;
}

/** Per control id; a control without settings notifies. */
export type ControlSettingsMap = Readonly<Record<string, ControlSettings>>;

/** How remediation plans are built (the configuration's `remediation:` section). */
export interface RemediationSettings {
  /** Reuse this topic (same account and region as the alarm) instead of creating one. */
  topic_arn?: string | undefined;
  /** Name of the topic created when no topic_arn is given and none exists. */
  topic_name: string;
  subscription?: { protocol: string; endpoint: string } | undefined;
  /** Overrides of a control's metric/alarm defaults, keyed by control id. */
  overrides: Readonly<
    Record<
      string,
      {
        filter_name?: string | undefined;
        metric_name?: string | undefined;
        metric_namespace?: string | undefined;
        alarm_name?: string | undefined;
      }
    >
  >;
}

/** What the approval workflow needs: how long a request stays open, and each platform's approvers. */
export interface ApprovalSettings {
  ttlMinutes: number;
  platforms: PlatformCatalog;
  /** How executions hold their lease and how often replicas resume lapsed ones (default 30 s, 10 s, 15 s). */
  executions?: ExecutionTimingSettings;
}

export interface ExecutionTimingSettings {
  /** An execution's lease lasts this long without renewal. */
  leaseMs: number;
  /** The executing replica renews it this often. */
  renewMs: number;
  /** Every replica looks for executions whose lease lapsed this often. */
  resumeScanMs: number;
}

/** Which accounts are audited is not a setting here: the AccountDirectory port (./ports/account-directory). */
export interface CoreSettings {
  /** The level of a conversation that has none of its own. */
  defaultLevel: NotificationLevel;
  controls: ControlSettingsMap;
  remediation: RemediationSettings;
  /** Fire drills (the configuration's `drill:` section); default: wait 60 s. */
  drill?: { waitSeconds: number };
  approvals: ApprovalSettings;
  platforms: PlatformCatalog;
  exceptions: ExceptionSettings;
}

/** Accepted exceptions (the configuration's `exceptions:` section). */
export interface ExceptionSettings {
  /** The furthest an exception's last day may be from today, in days (default 365). */
  maxDays: number;
}
