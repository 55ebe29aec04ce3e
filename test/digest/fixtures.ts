/** Findings and reports for digest tests, shaped like the audit core's output. */
import type { AccountFinding, AccountStatus, AuditReport } from '../../src/core/evaluate/findings';
import { summarize } from '../../src/core/evaluate/findings';

const REASONS: Record<AccountStatus, string> = {
  COMPLIANT:
    "Chain holds: trail 'main' -> log group ct -> filter 'cis' -> alarm 'cis' -> topic alarms (confirmed subscriber).",
  NON_COMPLIANT: "Trail 'main' is not logging since 2025-01-01T00:00:00.000Z.",
  ACCEPTED: "Trail 'main' is not logging since 2025-01-01T00:00:00.000Z.",
  ERROR:
    'Access denied to logs:DescribeMetricFilters on log group ct: grant logs:DescribeMetricFilters to the audit role.',
};

export function finding(
  accountId: string,
  status: AccountStatus,
  label?: string,
  control = '4.1',
): AccountFinding {
  return {
    control,
    accountId,
    ...(label !== undefined ? { label } : {}),
    status,
    reason: REASONS[status],
    ...(status === 'NON_COMPLIANT' ? { brokenLink: 'logging' as const } : {}),
    links:
      status === 'NON_COMPLIANT'
        ? [
            {
              link: 'trail',
              status: 'pass',
              detail: "Multi-region trail 'main'.",
              evidence: { trailArn: 'arn:x' },
            },
            { link: 'logging', status: 'fail', detail: 'Not logging.', evidence: { isLogging: false } },
          ]
        : [],
    chain: {},
    candidates: 1,
  };
}

export function report(accounts: AccountFinding[], control = '4.1'): AuditReport {
  return {
    control,
    controlTitle: 'Ensure unauthorized API calls are monitored',
    startedAt: '2025-03-01T07:00:01.000Z',
    finishedAt: '2025-03-01T07:00:02.000Z',
    region: 'eu-west-2',
    accounts,
    summary: summarize(accounts),
    stats: { apiCalls: 42, durationMs: 1234 },
  };
}

export const SCHEDULE = { name: 'daily', timezone: 'Europe/London', level: 'info' as const };
