/**
 * The port between chat adapters (Slack, Teams) and the core. Adapters parse nothing but transport:
 * they turn a slash command / message into a `Command` (with `parseCommand`), a button click into a
 * `ButtonClick`, call the core, and render the neutral cards it returns. Authorization decisions are the
 * core's; adapters only report who the actor is.
 */
import type { Card } from '../cards';
import type { Command } from '../commands';
import type { NotificationLevel } from '../levels';
import type { ConversationPointer } from './store/common';

/**
 * A chat platform's id (`slack`, `teams`), or `cli` for the command line. The core knows platforms only as
 * these ids and the settings it receives for each (core/platforms.ts): adding one changes nothing here.
 */
export type Platform = string;

export interface Actor {
  platform: Platform;
  /** The platform's user id (Slack U…, Teams Entra object id), or the CLI operator name. */
  userId: string;
  displayName?: string;
  /** Group ids (Slack user groups S…) the user belongs to, among the platform's approver groups. */
  groups?: readonly string[];
}

export interface ConversationRef {
  platform: Platform;
  /** The platform's conversation id (Slack channel id, Teams conversation id). */
  id: string;
}

export interface CommandContext {
  actor: Actor;
  conversation: ConversationRef;
}

/** Button action ids the core emits; adapters route clicks with them. */
export const ACTION_APPROVE = 'cis:approve';
export const ACTION_REJECT = 'cis:reject';
export const ACTION_REMEDIATE = 'cis:remediate';
/** Show a plan as Terraform / CloudFormation (read-only): value `{"hash","format"}`. */
export const ACTION_SHOW_IAC = 'cis:show-iac';
/** Revoke an accepted exception (value: its id); approvers only. */
export const ACTION_REVOKE_EXCEPTION = 'cis:revoke-exception';

export interface ButtonClick {
  actionId: string;
  value: string;
  /**
   * The message the button is on and its thread (Slack ts and thread ts; Teams activity id and thread
   * conversation id): kept with an approval so a run resumed elsewhere reports in that thread.
   */
  message?: { messageRef: string; threadRef?: string };
}

/**
 * Progress while a long operation runs: a remediation's steps (adapters put them in the thread), or an
 * audit's accounts (one card per completed account: adapters update one message at their platform's
 * pace, `throttleProgress`, and replace it with the result).
 */
export type ProgressSink = (card: Card) => Promise<void>;

export type ClickResult =
  /** Shown to the clicking user only; the clicked message stays as it was. */
  | { kind: 'refused'; message: string }
  /**
   * Replace the clicked message with `card` (e.g. buttons replaced by "Approved by X at T"). When
   * `followUp` is present, work continues: progress arrives on the sink, and `followUp` resolves to the
   * final card (the re-audit verdict), which the adapter posts in the thread and appends to the message.
   */
  | { kind: 'updated'; card: Card; followUp?: Promise<Card> }
  /** New messages in the thread of the clicked message (e.g. a plan asked for from a digest button). */
  | { kind: 'reply'; cards: Card[] };

/**
 * A request an adapter turned away itself, before the core could act on it: from another workspace or
 * tenant, in a conversation the bot does not serve, or from nobody it can name. The core records it.
 */
export interface AdapterRefusal {
  /** Who asked, when the platform names someone. */
  actor?: Actor;
  conversation?: ConversationRef;
  /** Why, as a short code: `other-workspace`, `not-served`, `conversation-not-allowed`, `no-identity`… */
  reason: string;
  /** What was asked: the command's verb or the clicked action id, when known. */
  request?: string;
  /** The platform's facts behind the reason (the other team or tenant id…). */
  detail?: Readonly<Record<string, unknown>>;
}

export interface ChatCore {
  /**
   * Runs a parsed command. Slow work happens here, after the adapter acknowledged the request; an audit
   * reports its progress to `progress` when given.
   */
  run(command: Command, ctx: CommandContext, progress?: ProgressSink): Promise<Card[]>;
  /** Handles a click on a button the core emitted. */
  click(click: ButtonClick, ctx: CommandContext, progress: ProgressSink): Promise<ClickResult>;
  /**
   * The same click in two steps, for a platform that needs its answer fast (Slack's ack): this records
   * what must survive a crash, a decision (Approve / Reject: the ledger's compare-and-set, committed when
   * this resolves), and returns the rest (show it, execute an approved one, or a click that decides
   * nothing), to run after the answer. It never rejects: a refusal or a failure to record comes out of
   * the second step, as `click` would return or throw it.
   */
  decideClick(
    click: ButtonClick,
    ctx: CommandContext,
    progress: ProgressSink,
  ): Promise<() => Promise<ClickResult>>;
  /** The level the core uses for a conversation when a command does not ask for one. */
  levelFor(conversation: ConversationRef): NotificationLevel;
  /** Writes a refusal the adapter made itself to the audit log (every refusal is on record). */
  recordRefusal(refusal: AdapterRefusal): Promise<void>;
}

/** Implemented by each chat adapter so the scheduler can post without a user's message (digests). */
export interface ChatPoster {
  readonly platform: Platform;
  post(conversationId: string, cards: readonly Card[]): Promise<void>;
  /**
   * Posts in the thread of the message `where` points at (an approval's card: a run resumed on another
   * replica reports there); in the conversation itself when it names no message.
   */
  postInThread?(where: ConversationPointer, cards: readonly Card[]): Promise<void>;
}
