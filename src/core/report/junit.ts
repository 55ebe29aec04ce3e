/**
 * `--output junit`: JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters, the Ant
 * schema): one <testsuite> per control, one <testcase> per account; a NON_COMPLIANT account is a
 * <failure>, an account that could not be audited an <error>, each with the reason as `message` and the
 * chain's link statuses as text. The outcome of each status comes from STATUS_MAP, so a new status (an
 * accepted exception as <skipped>) is one entry there and one case in `outcomeElement`. fast-xml-parser's
 * builder escapes; characters XML 1.0 forbids (control characters) are dropped first, since no parser
 * would read the file otherwise.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { AccountFinding } from '../evaluate/findings';
import {
  acceptanceText,
  accountLabel,
  BENCHMARK,
  type ControlResult,
  type ReportRun,
  recommendation,
  resultsOf,
} from './results';
import { type JunitOutcome, STATUS_MAP } from './status-map';

// Everything outside XML 1.0's Char production (tab, LF, CR, and the ranges from space up).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlSafe(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

function oneLine(text: string): string {
  return xmlSafe(text).replace(/\r\n|\r|\n/g, ' ');
}

function linksText(finding: AccountFinding): string {
  return finding.links.map((l) => `${l.link}: ${l.status}: ${l.detail}`).join('\n');
}

function outcomeElement(outcome: JunitOutcome, result: ControlResult): Record<string, unknown> {
  const { finding } = result;
  const body = {
    // One line: XML parsers fold line breaks in attributes into spaces anyway (attribute normalization).
    '@_message': oneLine(finding.reason),
    '@_type': finding.brokenLink ?? finding.status,
    '#text': xmlSafe(`${linksText(finding)}\n\nWhat to do: ${recommendation(result)}`.trim()),
  };
  switch (outcome) {
    case 'passed':
      return {};
    case 'failure':
      return { failure: body };
    case 'error':
      return { error: body };
    case 'skipped':
      return { skipped: { '@_message': oneLine(acceptanceText(finding) ?? finding.reason) } };
    default:
      return outcome satisfies never;
  }
}

function count(results: readonly ControlResult[], outcome: JunitOutcome): number {
  return results.filter((r) => STATUS_MAP[r.finding.status].junit === outcome).length;
}

export function renderJunit(run: ReportRun): string {
  const seconds = String(Math.max(0, Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000);
  const suites = run.controls.map((control) => {
    const results = resultsOf(run, control.id);
    return {
      '@_name': oneLine(`${BENCHMARK.name} ${BENCHMARK.version} ${control.id} ${control.title}`),
      '@_tests': results.length,
      '@_failures': count(results, 'failure'),
      '@_errors': count(results, 'error'),
      '@_skipped': count(results, 'skipped'),
      '@_time': seconds,
      '@_timestamp': run.startedAt,
      testcase: results.map((r) => ({
        '@_classname': `cis.${control.id}`,
        '@_name': oneLine(accountLabel(r.finding)),
        '@_time': '0',
        ...outcomeElement(STATUS_MAP[r.finding.status].junit, r),
      })),
    };
  });
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
  });
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': xmlSafe(`${run.tool.name} ${BENCHMARK.name} ${BENCHMARK.version}`),
      '@_tests': run.results.length,
      '@_failures': count(run.results, 'failure'),
      '@_errors': count(run.results, 'error'),
      '@_time': seconds,
      testsuite: suites,
    },
  }) as string;
}
