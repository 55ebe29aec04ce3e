/**
 * `--output markdown`: a heading and a table per control (account, status, broken link, reason, what to
 * do), for a pull request, a wiki page or a ticket. Text is escaped so that it reads exactly as audited
 * in any CommonMark/GFM renderer: pipes cannot split a cell, and `*`, `_`, backticks, brackets, angle
 * brackets, tildes and `&` (ASCII punctuation CommonMark lets a backslash escape) never turn into
 * emphasis, code, links, HTML or entities; line breaks inside a cell become spaces, and other control
 * characters are dropped (CommonMark turns NUL into U+FFFD; the rest are invisible or worse in a page).
 */
import { STANDARD_PATH } from './finding-id';
import { accountLabel, BENCHMARK, countByStatus, type ReportRun, recommendation, resultsOf } from './results';

const SIGNIFICANT = /[\\`*_[\]<>|~&]/g;
// Control characters (C0, DEL, C1); line breaks and tabs are turned into spaces first.
const CONTROL = /\p{Cc}/gu;

/** Text as a Markdown table cell or heading shows it, on one line. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|[\r\n\t]/g, ' ')
    .replace(CONTROL, '')
    .trim()
    .replace(SIGNIFICANT, (c) => `\\${c}`);
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(escapeMarkdown).join(' | ')} |`;
}

const COLUMNS = ['Account', 'Status', 'Broken link', 'Reason', 'What to do'];

export function renderMarkdown(run: ReportRun): string {
  const accounts = new Set(run.results.map((r) => r.finding.accountId)).size;
  const lines = [
    `# ${escapeMarkdown(`${BENCHMARK.name} ${BENCHMARK.version}: ${accounts} account(s), ${run.controls.length} control(s)`)}`,
    '',
    escapeMarkdown(
      `Audited by ${run.tool.name} ${run.tool.version} from ${run.startedAt} to ${run.finishedAt}, starting in ${run.region} (standard ${STANDARD_PATH}).`,
    ),
  ];
  for (const control of run.controls) {
    const results = resultsOf(run, control.id);
    const counts = countByStatus(results);
    lines.push(
      '',
      `## ${escapeMarkdown(`${control.id} ${control.title}`)}`,
      '',
      escapeMarkdown(
        `${counts.COMPLIANT} compliant, ${counts.NON_COMPLIANT} non-compliant, ${counts.ACCEPTED} accepted, ${counts.ERROR} not audited (severity ${control.severity}).`,
      ),
      '',
      row(COLUMNS),
      `|${COLUMNS.map(() => ' --- ').join('|')}|`,
      ...results.map((r) =>
        row([
          accountLabel(r.finding),
          r.finding.status,
          r.finding.brokenLink ?? '',
          r.finding.reason,
          recommendation(r),
        ]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
