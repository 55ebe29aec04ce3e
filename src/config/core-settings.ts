/**
 * The configuration as the plain settings the core receives (src/core/settings.ts). Wiring (the runtime)
 * calls `coreSettings(config)` once; nothing in src/core reads the configuration's own types.
 */
import type { ApprovalSettings, CoreSettings } from '../core/settings';
import { type PlatformConfig, platformCatalog } from './platform-settings';
import type { Config } from './schema';

export function approvalSettings(config: PlatformConfig): ApprovalSettings {
  const { approvals } = config;
  return {
    ttlMinutes: approvals.ttl_minutes,
    platforms: platformCatalog(config),
    ...(approvals.execution_lease_seconds !== undefined
      ? {
          executions: {
            leaseMs: Math.round(approvals.execution_lease_seconds * 1000),
            renewMs: Math.round(approvals.lease_renew_seconds * 1000),
            resumeScanMs: Math.round(approvals.resume_scan_seconds * 1000),
          },
        }
      : {}),
  };
}

export function coreSettings(config: Config): CoreSettings {
  const approvals = approvalSettings(config);
  return {
    defaultLevel: config.notifications.default_level,
    controls: config.controls,
    remediation: config.remediation,
    drill: { waitSeconds: config.drill.wait_seconds },
    approvals,
    platforms: approvals.platforms,
    exceptions: { maxDays: config.exceptions.max_days },
  };
}
