/**
 * An ACCEPTED finding (a failing control an approved exception accepts) in every report format: still a
 * failure, marked as accepted in each format's own vocabulary, with who, why and until when. The sample
 * run carries one (4.2 on 333333333333); the schema/model/parser checks of each format's own test file
 * run over it too, and here its content is read back as each format's consumer would.
 */
import { parse } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { asffFindings } from '../../src/core/report/asff';
import { renderCsv } from '../../src/core/report/csv';
import { renderJunit } from '../../src/core/report/junit';
import { renderMarkdown } from '../../src/core/report/markdown';
import { renderOcsf } from '../../src/core/report/ocsf';
import { renderSarif } from '../../src/core/report/sarif';
import { asffModelProblems } from './asff-model';
import { ocsfProblems } from './ocsf-schema';
import { ACCEPTED_BY, sampleRun } from './runs';

const ACCOUNT = '333333333333';
const run = sampleRun();
const WHO_WHY_UNTIL = /Accepted until 2027-03-31 by Bo, requested by Rita: vendor tool <x> & "quoted"/;

test('SARIF: a failing result with an external suppression whose justification says who, why and until when', () => {
  const log = JSON.parse(renderSarif(run)) as {
    runs: Array<{ results: Array<Record<string, unknown> & { properties: { accountId: string } }> }>;
  };
  const results = log.runs[0]?.results ?? [];
  const accepted = results.filter((r) => r.suppressions !== undefined);
  expect(accepted).toHaveLength(1);
  expect(accepted[0]).toMatchObject({ ruleId: '4.2', kind: 'fail', level: 'error' });
  expect(accepted[0]?.properties).toMatchObject({ accountId: ACCOUNT, status: 'ACCEPTED' });
  const [suppression] = (accepted[0]?.suppressions ?? []) as Array<Record<string, unknown>>;
  expect(suppression).toMatchObject({ kind: 'external', status: 'accepted' });
  expect(suppression?.justification).toMatch(WHO_WHY_UNTIL);
});

test('OCSF: compliance Fail, finding status Suppressed (status_id 3 of the pinned definition), valid', () => {
  const events = JSON.parse(renderOcsf(run)) as Array<{
    status_id: number;
    status: string;
    compliance: unknown;
    cloud: { account: { uid: string } };
    unmapped: { exception: unknown };
  }>;
  const accepted = events.filter((e) => e.status_id === 3);
  expect(accepted).toHaveLength(1);
  const [event] = accepted;
  expect(event?.status).toBe('Suppressed');
  expect(event?.compliance).toMatchObject({ status_id: 3, status: 'Fail' });
  expect(event?.cloud.account.uid).toBe(ACCOUNT);
  expect(event?.unmapped.exception).toEqual(ACCEPTED_BY);
  expect(ocsfProblems(event)).toEqual([]);
});

test('ASFF: Compliance.Status FAILED and Workflow.Status SUPPRESSED, who/why/until as product fields, valid', () => {
  const findings = asffFindings(run, { accountId: '999999999999', region: 'eu-west-2' });
  const accepted = findings.filter((f) => f.Workflow !== undefined);
  expect(accepted).toHaveLength(1);
  const [f] = accepted;
  expect(f?.Compliance.Status).toBe('FAILED');
  expect(f?.Workflow).toEqual({ Status: 'SUPPRESSED' });
  expect(f?.ProductFields).toMatchObject({
    'cis-bot/Status': 'ACCEPTED',
    'cis-bot/AccountId': ACCOUNT,
    'cis-bot/ExceptionId': 'ap-exception-1',
    'cis-bot/AcceptedUntil': '2027-03-31',
    'cis-bot/AcceptedBy': 'U_BO',
  });
  expect(f?.Remediation.Recommendation.Text).toMatch(/^Accepted until 2027-03-31 by Bo/);
  expect(asffModelProblems(f)).toEqual([]);
});

/** What the XML parser gives for JUnit's elements (attributes prefixed with @_). */
interface JunitCase {
  '@_name': string;
  skipped?: { '@_message': string };
  failure?: unknown;
}
interface JunitSuite {
  '@_name': string;
  '@_skipped': string;
  testcase: JunitCase[];
}

test('JUnit: a skipped test case whose message says who, why and until when', () => {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(
    renderJunit(run),
  ) as { testsuites: { testsuite: JunitSuite[] } };
  const suite = parsed.testsuites.testsuite.find((s) => s['@_name'].includes('4.2'));
  expect(suite?.['@_skipped']).toBe('1');
  const cases = suite?.testcase ?? [];
  const skipped = cases.filter((c) => c.skipped !== undefined);
  expect(skipped).toHaveLength(1);
  expect(skipped[0]?.['@_name']).toContain(ACCOUNT);
  expect(skipped[0]?.skipped?.['@_message']).toMatch(WHO_WHY_UNTIL);
  expect(skipped[0]?.failure).toBeUndefined();
});

test('CSV and Markdown: the word ACCEPTED with the exception', () => {
  const rows = parse(renderCsv(run), { columns: true, record_delimiter: ['\r\n'] }) as Array<
    Record<string, string>
  >;
  const row = rows.find((r) => r.status === 'ACCEPTED');
  expect(row).toMatchObject({
    account_id: ACCOUNT,
    exception_id: 'ap-exception-1',
    accepted_until: '2027-03-31',
    accepted_by: 'U_BO',
    accepted_reason: ACCEPTED_BY.reason,
  });
  expect(rows.filter((r) => r.accepted_until !== '')).toHaveLength(1);
  const md = renderMarkdown(run);
  expect(md).toMatch(/1 compliant, 1 non-compliant, 1 accepted, 0 not audited/);
  expect(md).toMatch(/\| 333333333333 \| ACCEPTED \|/);
});
