/**
 * Report runs for the format tests: two controls (4.1 and 4.2) over accounts in every status, with
 * labels and reasons full of what breaks formats: formula starts, pipes, quotes, commas, line breaks,
 * markup, XML-forbidden control characters and non-ASCII text. Built from AuditReports as the CLI gets
 * them, so the tests go through reportRun too.
 */
import type { AccountFinding, AccountStatus, AuditReport, LinkName } from '../../src/core/evaluate/findings';
import { summarize } from '../../src/core/evaluate/findings';
import { type ReportRun, reportRun } from '../../src/core/report/results';

export const TOOL = { name: 'cis-bot', version: '9.9.9' };

function finding(
  control: string,
  accountId: string,
  status: AccountStatus,
  reason: string,
  label?: string,
): AccountFinding {
  const broken: LinkName | undefined =
    status === 'NON_COMPLIANT' || status === 'ACCEPTED'
      ? 'metric-filter'
      : status === 'ERROR'
        ? 'log-group'
        : undefined;
  return {
    control,
    accountId,
    ...(label !== undefined ? { label } : {}),
    status,
    reason,
    ...(broken ? { brokenLink: broken } : {}),
    links: [
      { link: 'trail', status: 'pass', detail: "Multi-region trail 'main'.", evidence: {} },
      ...(broken
        ? [
            {
              link: broken,
              status: status === 'ERROR' ? ('error' as const) : ('fail' as const),
              detail: reason,
              evidence: { pattern: '{ $.errorCode = "AccessDenied*" }' },
              ...(status === 'ERROR' ? { action: 'logs:DescribeMetricFilters' } : {}),
            },
          ]
        : []),
    ],
    chain: {},
    candidates: 1,
    ...(status === 'ACCEPTED' ? { exception: ACCEPTED_BY } : {}),
  };
}

/** The exception an ACCEPTED finding of these runs carries (its reason full of what breaks formats). */
export const ACCEPTED_BY = {
  id: 'ap-exception-1',
  reason: 'vendor tool <x> & "quoted", =cmd | pipe\nnext line',
  until: '2027-03-31',
  requestedBy: { platform: 'slack', userId: 'U_RITA', displayName: 'Rita' },
  approvedBy: { platform: 'slack', userId: 'U_BO', displayName: 'Bo' },
  grantedAt: '2026-12-01T09:00:00.000Z',
};

export const NASTY = [
  '=HYPERLINK("http://evil.example","click")',
  '+1+2',
  '-2+3',
  '@SUM(A1)',
  'a | b || c \\| d',
  'line one\nline two\r\nthree',
  '"quoted", with commas, and \'single\'',
  '<script>alert(1)</script> & *bold* _it_ `code` [x](y) ~~s~~ &amp;',
  'bell\u0007 and nul\u0000 and vt\u000b',
  'zürich ✓ 東京',
];

function report(control: string, title: string, accounts: AccountFinding[]): AuditReport {
  return {
    control,
    controlTitle: title,
    startedAt: '2026-12-04T10:00:00.000Z',
    finishedAt: '2026-12-04T10:00:02.500Z',
    region: 'eu-west-2',
    accounts,
    summary: summarize(accounts),
    stats: { durationMs: 2500 },
  };
}

export function auditReports(): AuditReport[] {
  const first = [
    finding('4.1', '111111111111', 'COMPLIANT', 'Chain holds.', 'prod'),
    finding('4.1', '222222222222', 'NON_COMPLIANT', NASTY[0] as string, NASTY[1]),
    finding('4.1', '333333333333', 'ERROR', 'access denied to logs:DescribeMetricFilters', NASTY[4]),
    ...NASTY.map((text, i) =>
      finding(
        '4.1',
        `4444444444${String(i).padStart(2, '0')}`,
        'NON_COMPLIANT',
        text,
        NASTY[(i + 3) % NASTY.length],
      ),
    ),
  ];
  const second = [
    finding(
      '4.2',
      '111111111111',
      'NON_COMPLIANT',
      'No filter catches console sign-ins without MFA.',
      'prod',
    ),
    finding('4.2', '222222222222', 'COMPLIANT', 'Chain holds.'),
    finding('4.2', '333333333333', 'ACCEPTED', 'Filter misses console sign-ins of the vendor role.'),
  ];
  return [
    report('4.1', 'Ensure unauthorized API calls are monitored', first),
    report('4.2', 'Ensure management console sign-in without MFA is monitored', second),
  ];
}

export function sampleRun(): ReportRun {
  return reportRun(auditReports(), TOOL);
}
