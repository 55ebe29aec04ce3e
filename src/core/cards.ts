/**
 * The neutral card model: what the core says, independent of any chat platform. Each adapter owns a pure
 * renderer (Block Kit, Adaptive Cards, plain text) that switches exhaustively over `CardElement`, so a new
 * element type breaks every renderer at compile time.
 *
 * Text is plain text (no platform markup); renderers escape it. `monospace` marks code-like content such
 * as filter patterns and ARNs.
 */
export type ButtonStyle = 'primary' | 'danger' | 'default';

export interface ConfirmDialog {
  title: string;
  text: string;
  confirm: string;
  deny: string;
}

export interface Button {
  /** Stable action id, e.g. `cis:approve`; the adapter routes clicks by it. */
  id: string;
  label: string;
  style: ButtonStyle;
  /** Opaque payload handed back on click (an approval id, or a control/account pair). */
  value: string;
  confirm?: ConfirmDialog;
}

export type CardElement =
  | { type: 'heading'; text: string }
  | { type: 'text'; text: string; monospace?: boolean }
  | { type: 'fields'; fields: ReadonlyArray<{ label: string; value: string }> }
  | { type: 'table'; columns: readonly string[]; rows: ReadonlyArray<readonly string[]> }
  | { type: 'actions'; buttons: readonly Button[] }
  | { type: 'divider' }
  | { type: 'context'; text: string };

export interface Card {
  /** One-line plain-text summary: the notification text and the fallback for clients that show no cards. */
  summary: string;
  elements: readonly CardElement[];
}

/** Exhaustiveness guard for renderers' switch statements. */
export function assertNever(value: never): never {
  throw new Error(`unhandled card element: ${JSON.stringify(value)}`);
}
