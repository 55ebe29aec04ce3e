/**
 * JUnit XML as CI systems read it: well-formed (fast-xml-parser's validator), then parsed: one
 * <testsuite> per control, one <testcase> per account, <failure> for NON_COMPLIANT and <error> for an
 * account that could not be audited, counts that add up, and the reasons intact (minus the control
 * characters XML 1.0 cannot carry).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit, xmlSafe } from '../../src/core/report/junit';
import { accountLabel, resultsOf } from '../../src/core/report/results';
import { sampleRun } from './runs';

interface Outcome {
  '@_message': string;
  '@_type': string;
  '#text'?: string;
}
interface Case {
  '@_classname': string;
  '@_name': string;
  failure?: Outcome;
  error?: Outcome;
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  testcase: Case[];
}

/** Attributes are one line (CI shows them so), without the characters XML forbids. */
const oneLine = (text: string) => xmlSafe(text).replace(/\r\n|\r|\n/g, ' ');

describe('JUnit XML report', () => {
  const run = sampleRun();
  const xml = renderJunit(run);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  }).parse(xml) as {
    testsuites: { '@_tests': string; '@_failures': string; '@_errors': string; testsuite: Suite[] };
  };

  it('is well-formed XML 1.0 without characters XML forbids', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml.replace(/[\t\n\r]/g, '')).not.toMatch(/\p{Cc}/u);
  });

  it('has one suite per control and one case per account, with counts that add up', () => {
    const { testsuites } = parsed;
    expect(testsuites.testsuite.map((s) => s['@_name'])).toEqual(
      run.controls.map((c) => `CIS AWS Foundations Benchmark v4.0.0 ${c.id} ${c.title}`),
    );
    expect(Number(testsuites['@_tests'])).toBe(run.results.length);
    let failures = 0;
    let errors = 0;
    run.controls.forEach((control, i) => {
      const suite = testsuites.testsuite[i] as Suite;
      const results = resultsOf(run, control.id);
      expect(suite.testcase.map((c) => c['@_name'])).toEqual(
        results.map((r) => oneLine(accountLabel(r.finding))),
      );
      expect(Number(suite['@_tests'])).toBe(results.length);
      expect(Number(suite['@_failures'])).toBe(suite.testcase.filter((c) => c.failure).length);
      expect(Number(suite['@_errors'])).toBe(suite.testcase.filter((c) => c.error).length);
      failures += Number(suite['@_failures']);
      errors += Number(suite['@_errors']);
    });
    expect([Number(testsuites['@_failures']), Number(testsuites['@_errors'])]).toEqual([failures, errors]);
  });

  it('maps COMPLIANT to a pass, NON_COMPLIANT to <failure>, ERROR to <error>, with the reason', () => {
    const cases = parsed.testsuites.testsuite.flatMap((s) => s.testcase);
    run.results.forEach((r, i) => {
      const c = cases[i] as Case;
      const outcome =
        r.finding.status === 'NON_COMPLIANT' ? c.failure : r.finding.status === 'ERROR' ? c.error : undefined;
      expect([Boolean(c.failure), Boolean(c.error)]).toEqual([
        r.finding.status === 'NON_COMPLIANT',
        r.finding.status === 'ERROR',
      ]);
      if (outcome) {
        expect(outcome['@_message']).toBe(oneLine(r.finding.reason));
        expect(outcome['@_type']).toBe(r.finding.brokenLink);
        expect(outcome['#text']).toContain(`${r.finding.brokenLink}: `);
      }
      expect(c['@_classname']).toBe(`cis.${r.control.id}`);
    });
  });
});
