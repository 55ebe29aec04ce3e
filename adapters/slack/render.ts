/**
 * The pure Block Kit renderer: neutral cards in, Slack messages out. `toBlockKit` renders one card (its
 * blocks may exceed one message); `toSlackMessages` packs cards into messages that respect Slack's limits,
 * the first one to post (or to put in place of a progress message) and continuations for its thread.
 * Card text is plain text: it is escaped here (&, <, >) so nobody can inject mentions or links.
 */
import { assertNever, type Button, type Card, type CardElement } from '../../src/core/cards';
import { CisBotError } from '../../src/core/errors';

/** Slack's documented Block Kit limits, plus our own budget for a whole message. */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  headerText: 150,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Slack refuses messages of ~13k characters of blocks below the documented limits: stay well under. */
  messageChars: 10_000,
  /** The plain-text fallback (`text`) is a one-line notification, not the content. */
  fallbackText: 500,
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
}
export interface ConfirmObject {
  title: PlainText;
  text: MrkdwnText;
  confirm: PlainText;
  deny: PlainText;
  style: 'primary' | 'danger';
}
export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: PlainText;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmObject;
}
export type Block =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: MrkdwnText }
  | { type: 'section'; fields: MrkdwnText[] }
  | { type: 'context'; elements: MrkdwnText[] }
  | { type: 'actions'; elements: ButtonElement[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** Plain-text fallback: notifications, screen readers, clients without Block Kit. */
  text: string;
  blocks: Block[];
}

/** A card the renderer cannot express within Slack's limits without corrupting it (a core bug). */
export class RenderError extends CisBotError {
  constructor(message: string) {
    super('SLACK_RENDER', message);
  }
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes `raw` and cuts it to at most `max` characters, never inside an entity such as `&amp;`;
 * a cut text ends with an ellipsis.
 */
export function fitEscaped(raw: string, max: number): string {
  const escaped = escapeMrkdwn(raw);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of raw) {
    const piece = escapeMrkdwn(ch);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/** Cuts plain text (no escaping: plain_text objects are shown literally) to `max` characters. */
export function fitPlain(raw: string, max: number): string {
  if (raw.length <= max) return raw;
  let out = '';
  for (const ch of raw) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/** Splits escaped text into pieces of at most `max` characters, at line ends when it can. */
function chunkEscaped(raw: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current !== '') chunks.push(current);
    current = '';
  };
  for (const line of raw.split('\n')) {
    const escaped = escapeMrkdwn(line);
    if (escaped.length > max) {
      flush();
      // A single line longer than a section: cut it between characters, never inside an entity.
      let piece = '';
      for (const ch of line) {
        const e = escapeMrkdwn(ch);
        if (piece.length + e.length > max) {
          chunks.push(piece);
          piece = '';
        }
        piece += e;
      }
      current = piece;
      continue;
    }
    const candidate = current === '' ? escaped : `${current}\n${escaped}`;
    if (candidate.length > max) {
      flush();
      current = escaped;
    } else {
      current = candidate;
    }
  }
  flush();
  // A piece of nothing but blanks would be an empty-looking section: Slack refuses empty text.
  return chunks.filter((chunk) => chunk.trim() !== '');
}

const FENCE = '```';
/** Keeps a literal triple backtick in the text from closing the code block early. */
function defuseFence(text: string): string {
  return text.replace(/```/g, '`\u200b`\u200b`');
}

function textBlocks(text: string, monospace: boolean): Block[] {
  if (text.trim() === '') return [];
  if (!monospace) {
    return chunkEscaped(text, SLACK_LIMITS.sectionText).map((chunk) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: chunk },
    }));
  }
  const budget = SLACK_LIMITS.sectionText - 2 * FENCE.length - 2;
  return chunkEscaped(defuseFence(text), budget).map((chunk) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: `${FENCE}\n${chunk}\n${FENCE}` },
  }));
}

const LABEL_MAX = 200;

function fieldBlocks(fields: ReadonlyArray<{ label: string; value: string }>): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < fields.length; i += SLACK_LIMITS.fieldsPerSection) {
    const group = fields.slice(i, i + SLACK_LIMITS.fieldsPerSection).map(({ label, value }) => {
      const head = `*${fitEscaped(label, LABEL_MAX)}*\n`;
      const body = value === '' ? '-' : fitEscaped(value, SLACK_LIMITS.fieldText - head.length);
      return { type: 'mrkdwn' as const, text: head + body };
    });
    if (group.length > 0) blocks.push({ type: 'section', fields: group });
  }
  return blocks;
}

const CELL_MAX = 40;
/** The last column needs no alignment after it: it may run longer (and wrap), so details stay readable. */
const LAST_CELL_MAX = 300;

/** A table as aligned monospace text; each section repeats the header so a split table stays readable. */
function tableBlocks(columns: readonly string[], rows: ReadonlyArray<readonly string[]>): Block[] {
  if (columns.length === 0) return [];
  const budget = SLACK_LIMITS.sectionText - 2 * FENCE.length - 2;
  const render = (lastMax: number) => {
    const last = columns.length - 1;
    const cell = (value: string | undefined, c: number) =>
      fitPlain((value ?? '').replace(/\s+/g, ' '), c === last ? lastMax : CELL_MAX);
    const head = columns.map((h, c) => cell(h, c));
    const body = rows.map((row) => columns.map((_, c) => cell(row[c], c)));
    const widths = head.map((h, c) => Math.max(h.length, ...body.map((r) => (r[c] as string).length)));
    const line = (cells: string[]) =>
      escapeMrkdwn(
        defuseFence(
          cells
            .map((v, c) => (c === last ? v : v.padEnd(widths[c] as number)))
            .join('  ')
            .trimEnd(),
        ),
      );
    return {
      header: `${line(head)}\n${line(widths.map((w, c) => '-'.repeat(c === last ? Math.min(w, CELL_MAX) : w)))}`,
      lines: body.map(line),
    };
  };
  let table = render(LAST_CELL_MAX);
  // Every section must hold the header and at least one row; with many wide columns, clip the last too.
  if (table.lines.some((l) => table.header.length + 1 + l.length > budget)) table = render(CELL_MAX);
  const { header, lines } = table;
  const blocks: Block[] = [];
  let current = header;
  let hasRows = false;
  const flush = () => {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${FENCE}\n${current}\n${FENCE}` } });
    current = header;
    hasRows = false;
  };
  for (const text of lines) {
    if (hasRows && current.length + 1 + text.length > budget) flush();
    current = `${current}\n${text}`;
    hasRows = true;
  }
  if (hasRows || rows.length === 0) flush();
  return blocks;
}

function buttonElement(button: Button, actionId: string): ButtonElement {
  if (actionId.length > SLACK_LIMITS.actionId) {
    throw new RenderError(`Button id "${actionId.slice(0, 40)}…" is longer than Slack's 255 characters.`);
  }
  if (button.value.length > SLACK_LIMITS.buttonValue) {
    throw new RenderError(`The value of button "${button.label}" is longer than Slack's 2000 characters.`);
  }
  const element: ButtonElement = {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: fitPlain(button.label, SLACK_LIMITS.buttonText), emoji: true },
    value: button.value,
  };
  if (button.style !== 'default') element.style = button.style;
  if (button.confirm) {
    element.confirm = {
      title: { type: 'plain_text', text: fitPlain(button.confirm.title, SLACK_LIMITS.confirmTitle) },
      text: { type: 'mrkdwn', text: fitEscaped(button.confirm.text, SLACK_LIMITS.confirmText) },
      confirm: { type: 'plain_text', text: fitPlain(button.confirm.confirm, SLACK_LIMITS.confirmButton) },
      deny: { type: 'plain_text', text: fitPlain(button.confirm.deny, SLACK_LIMITS.confirmButton) },
      style: button.style === 'danger' ? 'danger' : 'primary',
    };
  }
  return element;
}

/** Separator between a button id and the suffix that keeps action ids unique within one actions block. */
export const ACTION_ID_SUFFIX = '#';

/** The core's button id from a rendered `action_id` (`cis:remediate#2` -> `cis:remediate`). */
export function buttonIdOf(actionId: string): string {
  const at = actionId.indexOf(ACTION_ID_SUFFIX);
  return at === -1 ? actionId : actionId.slice(0, at);
}

function actionBlocks(buttons: readonly Button[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < buttons.length; i += SLACK_LIMITS.actionsElements) {
    // Slack requires action ids to be unique within a block; several "Remediate" buttons share one id.
    const seen = new Map<string, number>();
    const elements = buttons.slice(i, i + SLACK_LIMITS.actionsElements).map((button) => {
      const n = (seen.get(button.id) ?? 0) + 1;
      seen.set(button.id, n);
      return buttonElement(button, n === 1 ? button.id : `${button.id}${ACTION_ID_SUFFIX}${n}`);
    });
    blocks.push({ type: 'actions', elements });
  }
  return blocks;
}

function elementBlocks(element: CardElement): Block[] {
  switch (element.type) {
    case 'heading':
      if (element.text.trim() === '') return [];
      return [
        {
          type: 'header',
          text: { type: 'plain_text', text: fitPlain(element.text, SLACK_LIMITS.headerText), emoji: true },
        },
      ];
    case 'text':
      return textBlocks(element.text, element.monospace === true);
    case 'fields':
      return fieldBlocks(element.fields);
    case 'table':
      return tableBlocks(element.columns, element.rows);
    case 'actions':
      return actionBlocks(element.buttons);
    case 'divider':
      return [{ type: 'divider' }];
    case 'context':
      if (element.text.trim() === '') return [];
      return [{ type: 'context', elements: [{ type: 'mrkdwn', text: fitEscaped(element.text, 3000) }] }];
    default:
      return assertNever(element);
  }
}

/**
 * Renders one card. The blocks are all of the card's content and may exceed one message's limits;
 * `toSlackMessages` splits them. A card without visible content renders its summary.
 */
export function toBlockKit(card: Card): { text: string; blocks: Block[] } {
  // Every message needs a non-blank fallback text (notifications, screen readers).
  const summary = card.summary.trim() === '' ? 'cis-bot' : card.summary;
  const text = fitEscaped(summary, SLACK_LIMITS.fallbackText);
  const blocks = card.elements.flatMap(elementBlocks);
  if (blocks.length === 0) blocks.push(...textBlocks(summary, false));
  return { text, blocks };
}

/** Characters a block contributes to a message: every string in it but the structural `type` names. */
export function blockChars(value: unknown, key = ''): number {
  if (typeof value === 'string') return key === 'type' ? 0 : value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + blockChars(v), 0);
  if (value && typeof value === 'object') {
    return Object.entries(value).reduce((sum, [k, v]) => sum + blockChars(v, k), 0);
  }
  return 0;
}

function hasActions(card: Card): boolean {
  return card.elements.some((e) => e.type === 'actions' && e.buttons.length > 0);
}

/**
 * Packs cards into messages within Slack's limits: the first message, then continuations for its thread.
 * Small cards share a message (separated by a divider); a card with buttons always gets a message of
 * its own, so that replacing the clicked message replaces that card only. A card too large for one
 * message continues in the next one, whose fallback text says "(continued)".
 */
export function toSlackMessages(cards: readonly Card[]): SlackMessage[] {
  const messages: SlackMessage[] = [];
  let current: SlackMessage | undefined;
  let chars = 0;
  let previousInteractive = false;
  const open = (text: string): SlackMessage => {
    const message: SlackMessage = { text, blocks: [] };
    messages.push(message);
    chars = text.length;
    return message;
  };
  for (const card of cards) {
    const rendered = toBlockKit(card);
    const interactive = hasActions(card);
    const size = rendered.blocks.reduce((sum, b) => sum + blockChars(b), 0);
    let target: SlackMessage;
    if (
      current !== undefined &&
      !interactive &&
      !previousInteractive &&
      current.blocks.length + 1 + rendered.blocks.length <= SLACK_LIMITS.blocksPerMessage &&
      chars + 1 + size <= SLACK_LIMITS.messageChars
    ) {
      target = current;
      target.blocks.push({ type: 'divider' });
      chars += 1;
    } else {
      target = open(rendered.text);
    }
    previousInteractive = interactive;
    const continued = `${fitEscaped(card.summary.trim() || 'cis-bot', SLACK_LIMITS.fallbackText - 12)} (continued)`;
    for (const block of rendered.blocks) {
      const cost = blockChars(block);
      if (
        target.blocks.length > 0 &&
        (target.blocks.length + 1 > SLACK_LIMITS.blocksPerMessage || chars + cost > SLACK_LIMITS.messageChars)
      ) {
        target = open(continued);
      }
      target.blocks.push(block);
      chars += cost;
    }
    current = target;
  }
  return messages;
}
