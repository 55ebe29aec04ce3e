/**
 * CSV as a spreadsheet or a CSV library reads it: parsed back with csv-parse in strict RFC 4180 mode
 * (CRLF records, quoted fields, doubled quotes), every cell equal to what was audited, except that a
 * cell a spreadsheet would evaluate as a formula starts with an apostrophe.
 */
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS, neutralizeFormula, renderCsv } from '../../src/core/report/csv';
import { findingId } from '../../src/core/report/finding-id';
import { NASTY, sampleRun } from './runs';

describe('CSV report', () => {
  const run = sampleRun();
  const text = renderCsv(run);
  const rows = parse(text, {
    record_delimiter: ['\r\n'],
    relax_quotes: false,
    relax_column_count: false,
  }) as string[][];

  it('has a header row and one row per (account x control) result, with CRLF record ends', () => {
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(run.results.length + 1);
    expect(text.endsWith('\r\n')).toBe(true);
    // Every record end is CRLF: the line breaks left are inside quoted cells.
    expect(text.replace(/"(?:[^"]|"")*"/g, '').match(/(?<!\r)\n/g)).toBeNull();
  });

  it('round-trips every cell (quotes, commas, line breaks, pipes, unicode) and neutralizes formulas', () => {
    const column = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    run.results.forEach((r, i) => {
      const row = rows[i + 1] as string[];
      expect(row[column('control')]).toBe(r.control.id);
      expect(row[column('account_id')]).toBe(r.finding.accountId);
      expect(row[column('status')]).toBe(r.finding.status);
      expect(row[column('reason')]).toBe(neutralizeFormula(r.finding.reason));
      expect(row[column('account_label')]).toBe(neutralizeFormula(r.finding.label ?? ''));
      expect(row[column('finding_id')]).toBe(findingId(r.control.id, r.finding.accountId));
    });
    const cells = rows.flat();
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    for (const formula of NASTY.slice(0, 4)) expect(cells).toContain(`'${formula}`);
    expect(cells).toContain('"quoted", with commas, and \'single\'');
    expect(cells).toContain('line one\nline two\r\nthree');
  });

  it('neutralizes exactly the cells a spreadsheet evaluates', () => {
    expect(['=1', '+1', '-1', '@A1', '\tx', '\rx'].map(neutralizeFormula)).toEqual([
      "'=1",
      "'+1",
      "'-1",
      "'@A1",
      "'\tx",
      "'\rx",
    ]);
    expect(['4.1', 'a=b', '', ' =x'].map(neutralizeFormula)).toEqual(['4.1', 'a=b', '', ' =x']);
  });
});
