/**
 * The execution lease settings: defaults that let a survivor take over within 45 s (a 30 s lease renewed
 * every 10 s, a resume scan every 15 s), fractions for short test intervals, and a renewal interval that
 * would lose the lease after one late renewal refused, naming the setting.
 */
import { coreSettings } from '../../src/config/core-settings';
import { loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/core/errors';

const executions = (approvals: Record<string, unknown>) =>
  coreSettings(loadConfig({ document: { approvals }, env: {} })).approvals.executions;

it('defaults to a 30 s lease renewed every 10 s and a 15 s resume scan (takeover within 45 s)', () => {
  const timing = executions({});
  expect(timing).toEqual({ leaseMs: 30_000, renewMs: 10_000, resumeScanMs: 15_000 });
  expect((timing?.leaseMs ?? 0) + (timing?.resumeScanMs ?? 0)).toBeLessThanOrEqual(45_000);
});

it('takes seconds with fractions, for short intervals', () => {
  expect(
    executions({ execution_lease_seconds: 1.5, lease_renew_seconds: 0.25, resume_scan_seconds: 0.5 }),
  ).toEqual({ leaseMs: 1500, renewMs: 250, resumeScanMs: 500 });
});

it('refuses a renewal interval longer than half the lease, and non-positive values, naming the setting', () => {
  expect(() => executions({ execution_lease_seconds: 10, lease_renew_seconds: 6 })).toThrow(ConfigError);
  expect(() => executions({ execution_lease_seconds: 10, lease_renew_seconds: 6 })).toThrow(
    /lease_renew_seconds must be at most half of approvals.execution_lease_seconds/,
  );
  expect(() => executions({ resume_scan_seconds: 0 })).toThrow(/resume_scan_seconds/);
});
