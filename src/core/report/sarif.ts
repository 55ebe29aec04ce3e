/**
 * `--output sarif`: a SARIF 2.1.0 log (OASIS), one run, one rule per control, one result per (account x
 * control). Accounts are not files, so each result's location is a logical location (the account, kind
 * `resource`, fully qualified as Security Hub names it: `AWS::::Account:<id>`). The result's kind and
 * level come from STATUS_MAP (pass / fail / open); accounts that could not be audited are also tool
 * execution notifications, and make the invocation unsuccessful. partialFingerprints carry the stable
 * finding id, so SARIF viewers match a result across runs. Validated against the official schema in tests.
 */
import type { Severity } from '../controls/types';
import { findingId, generatorId } from './finding-id';
import {
  acceptanceText,
  accountLabel,
  BENCHMARK,
  type ControlResult,
  type ReportRun,
  recommendation,
} from './results';
import { STATUS_MAP } from './status-map';

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** GitHub code scanning's `security-severity` (a CVSS-like score as text) per control severity. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  low: '3.0',
  medium: '5.5',
  high: '8.0',
  critical: '9.5',
};

export const FINGERPRINT_KEY = 'cisBotFindingId/v1';

function accountLocation(result: ControlResult) {
  const { accountId } = result.finding;
  return {
    logicalLocations: [
      {
        name: accountLabel(result.finding),
        fullyQualifiedName: `AWS::::Account:${accountId}`,
        kind: 'resource',
      },
    ],
  };
}

function sarifResult(result: ControlResult, ruleIndex: number, region: string) {
  const { control, finding } = result;
  const { kind, level } = STATUS_MAP[finding.status].sarif;
  return {
    ruleId: control.id,
    ruleIndex,
    kind,
    level,
    message: { text: `${accountLabel(finding)}: ${finding.reason}` },
    locations: [accountLocation(result)],
    partialFingerprints: { [FINGERPRINT_KEY]: findingId(control.id, finding.accountId) },
    // An accepted exception is a suppression decided outside the log (SARIF §3.35: kind `external`).
    ...(finding.exception
      ? {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              justification: acceptanceText(finding),
              properties: { exceptionId: finding.exception.id, until: finding.exception.until },
            },
          ],
        }
      : {}),
    properties: {
      accountId: finding.accountId,
      ...(finding.label ? { accountLabel: finding.label } : {}),
      status: finding.status,
      ...(finding.brokenLink ? { brokenLink: finding.brokenLink } : {}),
      region,
      recommendation: recommendation(result),
      links: finding.links.map((l) => ({
        link: l.link,
        status: l.status,
        detail: l.detail,
        ...(l.action ? { action: l.action } : {}),
      })),
    },
  };
}

export function renderSarif(run: ReportRun): string {
  const ruleIndex = new Map(run.controls.map((c, i) => [c.id, i]));
  const unaudited = run.results.filter((r) => r.finding.status === 'ERROR');
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: run.tool.name,
            version: run.tool.version,
            ...(run.tool.informationUri ? { informationUri: run.tool.informationUri } : {}),
            rules: run.controls.map((c) => ({
              id: c.id,
              name: generatorId(c.id),
              shortDescription: { text: `${BENCHMARK.name} ${BENCHMARK.version} ${c.cisId}: ${c.title}` },
              fullDescription: { text: c.rationale },
              defaultConfiguration: { level: 'error' },
              properties: {
                tags: ['security', 'compliance', 'aws', `CIS ${BENCHMARK.version}`],
                'security-severity': SECURITY_SEVERITY[c.severity],
                severity: c.severity,
              },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: unaudited.length === 0,
            startTimeUtc: run.startedAt,
            endTimeUtc: run.finishedAt,
            toolExecutionNotifications: unaudited.map((r) => ({
              level: 'error',
              message: { text: `${r.control.id} ${accountLabel(r.finding)}: ${r.finding.reason}` },
              locations: [accountLocation(r)],
            })),
          },
        ],
        results: run.results.map((r) => sarifResult(r, ruleIndex.get(r.control.id) ?? 0, run.region)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
