/**
 * Pure renderer: the core's neutral `Card` -> an Adaptive Card (schema 1.5, the version Teams needs for
 * `Action.Execute`). No botbuilder import: this is plain JSON, testable by exact output.
 *
 * Choices worth knowing:
 * - Text from the core is plain text. `TextBlock` interprets a Markdown subset (and `{{DATE()}}`), with no
 *   documented escape, so a filter pattern such as `"*UnauthorizedOperation" ... "AccessDenied*"` would
 *   render in italics. Headings, text and context therefore use `RichTextBlock` + `TextRun`, which
 *   Microsoft documents as not interpreting Markdown. Fields stay a `FactSet` (the idiomatic element).
 * - Buttons are `Action.Execute` (verb = button id, data = {value}) inside an `ActionSet` in the body,
 *   each with an `Action.Submit` fallback carrying `{verb, value}` for older clients (Microsoft recommends
 *   wrapping in `ActionSet` so older clients honour `fallback`).
 * - Adaptive Cards have no confirm dialog: a button with `confirm` becomes an `Action.ShowCard` that
 *   reveals the confirmation text and the real `Action.Execute`, a true two-step confirmation.
 * - `divider` sets `separator: true` on the next element (Adaptive Cards have no standalone rule).
 */
import {
  assertNever,
  type Button,
  type ButtonStyle,
  type Card,
  type CardElement,
} from '../../src/core/cards';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/** A JSON object; Adaptive Card elements are open-ended, so the renderer does not model every field. */
export type AcObject = { [key: string]: unknown };

/** The data an `Action.Execute` carries; the `Action.Submit` fallback adds `verb`. */
export interface ExecuteData {
  value: string;
}
export interface SubmitData {
  verb: string;
  value: string;
}

function actionStyle(style: ButtonStyle): AcObject {
  switch (style) {
    case 'primary':
      return { style: 'positive' };
    case 'danger':
      return { style: 'destructive' };
    case 'default':
      return {};
    default:
      return assertNever(style);
  }
}

function plainText(text: string, run: AcObject = {}): AcObject {
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text, ...run }] };
}

function executeAction(button: Button, title: string): AcObject {
  const style = actionStyle(button.style);
  const data: ExecuteData = { value: button.value };
  const submitData: SubmitData = { verb: button.id, value: button.value };
  return {
    type: 'Action.Execute',
    title,
    verb: button.id,
    data,
    ...style,
    fallback: { type: 'Action.Submit', title, data: submitData, ...style },
  };
}

function renderButton(button: Button): AcObject {
  if (!button.confirm) return executeAction(button, button.label);
  const { title, text, confirm } = button.confirm;
  return {
    type: 'Action.ShowCard',
    title: button.label,
    ...actionStyle(button.style),
    card: {
      type: 'AdaptiveCard',
      body: [plainText(title, { weight: 'Bolder' }), plainText(text)],
      actions: [executeAction(button, confirm)],
    },
  };
}

function cell(text: string, header: boolean): AcObject {
  return { type: 'TableCell', items: [plainText(text, header ? { weight: 'Bolder' } : {})] };
}

/**
 * Relative column weights from the longest text of each column (1 per ~10 characters, at most 4): equal
 * weights would give a "#" column as much room as a column of step descriptions.
 */
function columnWeights(columns: readonly string[], rows: ReadonlyArray<readonly string[]>): number[] {
  return columns.map((header, i) => {
    const longest = rows.reduce((max, row) => Math.max(max, (row[i] ?? '').length), header.length);
    return Math.min(4, Math.max(1, Math.ceil(longest / 10)));
  });
}

function renderElement(element: CardElement): AcObject | undefined {
  switch (element.type) {
    case 'heading':
      return plainText(element.text, { size: 'Large', weight: 'Bolder' });
    case 'text':
      return plainText(element.text, element.monospace ? { fontType: 'Monospace' } : {});
    case 'fields':
      return {
        type: 'FactSet',
        facts: element.fields.map((f) => ({ title: f.label, value: f.value })),
      };
    case 'table':
      return {
        type: 'Table',
        columns: columnWeights(element.columns, element.rows).map((width) => ({ width })),
        firstRowAsHeader: true,
        rows: [
          { type: 'TableRow', cells: element.columns.map((c) => cell(c, true)) },
          ...element.rows.map((row) => ({
            type: 'TableRow',
            // Rows shorter than the header get empty cells: Table needs one cell per column.
            cells: element.columns.map((_, i) => cell(row[i] ?? '', false)),
          })),
        ],
      };
    case 'actions':
      return element.buttons.length
        ? { type: 'ActionSet', actions: element.buttons.map(renderButton) }
        : undefined;
    case 'divider':
      return undefined;
    case 'context':
      return plainText(element.text, { size: 'Small', isSubtle: true });
    default:
      return assertNever(element);
  }
}

/** Renders one neutral card as an Adaptive Card 1.5 object (the `content` of an attachment). */
export function toAdaptiveCard(card: Card): AcObject {
  const body: AcObject[] = [];
  let separatorPending = false;
  for (const element of card.elements) {
    if (element.type === 'divider') {
      // A divider before the first element separates nothing.
      separatorPending = body.length > 0;
      continue;
    }
    const rendered = renderElement(element);
    if (!rendered) continue;
    body.push(separatorPending ? { ...rendered, separator: true } : rendered);
    separatorPending = false;
  }
  return {
    $schema: ADAPTIVE_CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: '1.5',
    fallbackText: card.summary,
    msteams: { width: 'Full' },
    body,
  };
}

/** The Bot Framework attachment carrying a rendered card. */
export function toAttachment(card: Card): { contentType: string; content: AcObject } {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: toAdaptiveCard(card) };
}

/**
 * Teams refuses messages past a size limit (documented as 40 KB, later 100 KB; Bot Connector callers
 * report RequestEntityTooLarge well below the latter), so long results are split into several cards of
 * at most `maxBytes` of rendered JSON. Tables too large for one card are split by rows, each part
 * keeping the header. Each part is its own message; an element larger than the budget on its own
 * (a huge text) is still sent alone rather than dropped.
 */
export const MAX_CARD_BYTES = 24_000;

const bytesOf = (card: Card) => Buffer.byteLength(JSON.stringify(toAdaptiveCard(card)), 'utf8');

function splitTable(
  table: Extract<CardElement, { type: 'table' }>,
  fits: (element: CardElement) => boolean,
): CardElement[] {
  const parts: CardElement[] = [];
  let rows: Array<readonly string[]> = [];
  for (const row of table.rows) {
    const candidate = { ...table, rows: [...rows, row] };
    if (rows.length > 0 && !fits(candidate)) {
      parts.push({ ...table, rows });
      rows = [row];
    } else {
      rows.push(row);
    }
  }
  parts.push({ ...table, rows });
  return parts;
}

export function splitCard(card: Card, maxBytes: number = MAX_CARD_BYTES): Card[] {
  if (bytesOf(card) <= maxBytes) return [card];
  const fitsAlone = (element: CardElement) =>
    bytesOf({ summary: card.summary, elements: [element] }) <= maxBytes;
  const elements = card.elements.flatMap((e) =>
    e.type === 'table' && !fitsAlone(e) ? splitTable(e, fitsAlone) : [e],
  );
  const chunks: CardElement[][] = [];
  let current: CardElement[] = [];
  for (const element of elements) {
    const candidate = [...current, element];
    if (current.length > 0 && bytesOf({ summary: card.summary, elements: candidate }) > maxBytes) {
      chunks.push(current);
      current = element.type === 'divider' ? [] : [element];
    } else {
      current = candidate;
    }
  }
  if (current.length) chunks.push(current);
  return chunks.map((chunk, i) => ({
    summary: chunks.length === 1 ? card.summary : `${card.summary} (part ${i + 1} of ${chunks.length})`,
    elements: chunk,
  }));
}
