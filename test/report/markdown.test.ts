/**
 * Markdown as a renderer reads it: parsed with markdown-it (CommonMark + GFM tables): one heading and
 * one table per control, one row per account, and every cell's rendered text equal to the audited text
 * (pipes do not split cells; no emphasis, code, link, HTML or entity appears out of a reason).
 */
import MarkdownIt from 'markdown-it';
import { escapeMarkdown, renderMarkdown } from '../../src/core/report/markdown';
import { accountLabel, recommendation, resultsOf } from '../../src/core/report/results';
import { sampleRun } from './runs';

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

interface Table {
  heading: string;
  header: string[];
  rows: string[][];
}

/** Each table with the heading before it; a cell as its inline children, which must all be plain text. */
function tables(tokens: Token[]): Table[] {
  const out: Table[] = [];
  let heading = '';
  let row: string[] | undefined;
  let current: Table | undefined;
  let inHead = false;
  tokens.forEach((t, i) => {
    if (t.type === 'heading_open') heading = tokens[i + 1]?.content ?? '';
    if (t.type === 'table_open') current = { heading, header: [], rows: [] };
    if (t.type === 'thead_open') inHead = true;
    if (t.type === 'thead_close') inHead = false;
    if (t.type === 'tr_open') row = [];
    if (t.type === 'inline' && row) {
      const kinds = new Set((t.children ?? []).map((c) => c.type));
      kinds.delete('text');
      if (kinds.size > 0) throw new Error(`cell "${t.content}" renders ${[...kinds].join(', ')}`);
      row.push((t.children ?? []).map((c) => c.content).join(''));
    }
    if (t.type === 'tr_close' && row && current) {
      if (inHead) current.header = row;
      else current.rows.push(row);
      row = undefined;
    }
    if (t.type === 'table_close' && current) {
      out.push(current);
      current = undefined;
    }
  });
  return out;
}

/** What a cell shows: one line, without control characters. */
const oneLine = (text: string) =>
  text
    .replace(/\r\n|[\r\n\t]/g, ' ')
    .replace(/\p{Cc}/gu, '')
    .trim();

describe('Markdown report', () => {
  const run = sampleRun();
  const md = new MarkdownIt();
  const found = tables(md.parse(renderMarkdown(run), {}));

  it('has one table per control under a heading naming it', () => {
    expect(found.map((t) => t.heading)).toEqual(run.controls.map((c) => `${c.id} ${c.title}`));
    for (const t of found)
      expect(t.header).toEqual(['Account', 'Status', 'Broken link', 'Reason', 'What to do']);
  });

  it('shows every result with its text intact, pipes and markup included', () => {
    run.controls.forEach((control, i) => {
      const rows = found[i]?.rows ?? [];
      expect(rows).toEqual(
        resultsOf(run, control.id).map((r) =>
          [
            accountLabel(r.finding),
            r.finding.status,
            r.finding.brokenLink ?? '',
            r.finding.reason,
            recommendation(r),
          ].map(oneLine),
        ),
      );
    });
    expect(found[0]?.rows.some((r) => r.includes('a | b || c \\| d'))).toBe(true);
  });

  it('renders to HTML without tags or links from the audited text', () => {
    const html = md.render(renderMarkdown(run));
    expect(html).not.toContain('<script>');
    expect(html).not.toMatch(/<(em|strong|code|a|s|del)\b/);
    expect(html).toContain('&lt;script&gt;');
  });

  it('escapes a backslash before a pipe, so the cell cannot be split', () => {
    expect(escapeMarkdown('x \\| y')).toBe('x \\\\\\| y');
  });
});
