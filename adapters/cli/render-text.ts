/**
 * The CLI's renderer: neutral cards to plain text for a terminal, readable at a glance. Pure; switches
 * exhaustively over card elements so a new element type breaks the build here too.
 */
import { assertNever, type Card, type CardElement } from '../../src/core/cards';

function table(
  columns: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  maxWidth: number,
): string[] {
  const all = [columns, ...rows];
  const widths = columns.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  // The last column takes what is left and is not padded (it is usually the long "detail").
  const fixed = widths.slice(0, -1).reduce((n, w) => n + w + 2, 0);
  const lastWidth = Math.max(20, maxWidth - fixed);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const isLast = i === cells.length - 1;
        if (!isLast) return cell.padEnd(widths[i] ?? 0);
        return cell.length > lastWidth ? wrap(cell, lastWidth).join(`\n${' '.repeat(fixed)}`) : cell;
      })
      .join('  ')
      .trimEnd();
  const rule = columns.map((_, i) =>
    '-'.repeat(i === columns.length - 1 ? Math.min(widths[i] ?? 0, lastWidth) : (widths[i] ?? 0)),
  );
  return [line(columns), line(rule), ...rows.map(line)];
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    if (current && current.length + 1 + word.length > width) {
      out.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) out.push(current);
  return out;
}

function element(e: CardElement, width: number): string[] {
  switch (e.type) {
    case 'heading':
      return [e.text, '='.repeat(Math.min(e.text.length, width))];
    case 'text':
      return e.monospace ? e.text.split('\n').map((l) => `    ${l}`) : wrap(e.text, width);
    case 'fields':
      return [e.fields.map((f) => `${f.label}: ${f.value}`).join('   ')];
    case 'table':
      return table(e.columns, e.rows, width);
    case 'actions':
      return [e.buttons.map((b) => `[${b.label}]`).join(' ')];
    case 'divider':
      return ['-'.repeat(Math.min(40, width))];
    case 'context':
      return wrap(e.text, width).map((l) => `  ${l}`);
    default:
      return assertNever(e);
  }
}

export function renderCard(card: Card, width = 110): string {
  return card.elements.flatMap((e) => element(e, width)).join('\n');
}

export function renderCards(cards: readonly Card[], width = 110): string {
  return `${cards.map((c) => renderCard(c, width)).join('\n\n')}\n`;
}
