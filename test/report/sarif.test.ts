/**
 * SARIF 2.1.0 validated against the official OASIS JSON schema (test/fixtures/sarif, draft-04, with
 * ajv-draft-04 and ajv-formats), then read as a SARIF consumer would: one rule per control, one result
 * per (account x control) with the kind and level of its status, stable fingerprints, and an
 * unsuccessful invocation naming the accounts that could not be audited.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { findingId } from '../../src/core/report/finding-id';
import { reportRun } from '../../src/core/report/results';
import { FINGERPRINT_KEY, renderSarif } from '../../src/core/report/sarif';
import { auditReports, sampleRun, TOOL } from './runs';

const schema = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'),
) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  kind: string;
  level: string;
  message: { text: string };
  partialFingerprints: Record<string, string>;
  properties: { accountId: string; status: string };
}
interface SarifLog {
  runs: Array<{
    tool: { driver: { name: string; version: string; rules: Array<{ id: string }> } };
    invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: unknown[] }>;
    results: SarifResult[];
  }>;
}

describe('SARIF report', () => {
  const run = sampleRun();
  const text = renderSarif(run);
  const log = JSON.parse(text) as SarifLog;

  it('is valid against the official SARIF 2.1.0 schema', () => {
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check can fail: a result without a message, or an unknown kind, is refused', () => {
    const broken = JSON.parse(text) as SarifLog;
    const first = broken.runs[0]?.results[0] as Partial<SarifResult>;
    delete first.message;
    expect(validate(broken)).toBe(false);
    const unknownKind = JSON.parse(text) as SarifLog;
    (unknownKind.runs[0]?.results[0] as SarifResult).kind = 'compliant';
    expect(validate(unknownKind)).toBe(false);
  });

  it('has one rule per control and one result per (account x control), kinds and levels by status', () => {
    const [sarifRun] = log.runs;
    expect(sarifRun?.tool.driver).toMatchObject({ name: TOOL.name, version: TOOL.version });
    expect(sarifRun?.tool.driver.rules.map((r) => r.id)).toEqual(run.controls.map((c) => c.id));
    const expected = {
      COMPLIANT: ['pass', 'none'],
      NON_COMPLIANT: ['fail', 'error'],
      ACCEPTED: ['fail', 'error'],
      ERROR: ['open', 'none'],
    };
    expect(sarifRun?.results.map((r) => [r.ruleId, r.properties.accountId, r.kind, r.level])).toEqual(
      run.results.map((r) => [r.control.id, r.finding.accountId, ...expected[r.finding.status]]),
    );
    for (const r of sarifRun?.results ?? [])
      expect(sarifRun?.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
  });

  it('fingerprints each result by its stable finding id, the same on another run', () => {
    const again = JSON.parse(
      renderSarif(reportRun(auditReports(), { ...TOOL, version: '10.0.0' })),
    ) as SarifLog;
    const prints = (l: SarifLog) => l.runs[0]?.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(prints(again)).toEqual(prints(log));
    expect(prints(log)?.[0]).toBe(findingId('4.1', '111111111111'));
  });

  it('marks the invocation unsuccessful and names each account that could not be audited', () => {
    const [invocation] = log.runs[0]?.invocations ?? [];
    expect(invocation?.executionSuccessful).toBe(false);
    expect(invocation?.toolExecutionNotifications).toHaveLength(
      run.results.filter((r) => r.finding.status === 'ERROR').length,
    );
    const clean = renderSarif(
      reportRun(
        auditReports().map((r) => ({ ...r, accounts: r.accounts.filter((a) => a.status !== 'ERROR') })),
        TOOL,
      ),
    );
    const cleanLog = JSON.parse(clean) as SarifLog;
    expect(cleanLog.runs[0]?.invocations[0]?.executionSuccessful).toBe(true);
    expect(validate(cleanLog)).toBe(true);
  });
});
