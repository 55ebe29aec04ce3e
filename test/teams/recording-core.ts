/**
 * A ChatCore that records what the transport hands it and answers with scripted results. Legitimate for
 * TRANSPORT tests only (does the adapter call the core right and carry results back?); the end-to-end
 * tests use the real core.
 */
import type { Card } from '../../src/core/cards';
import type { Command } from '../../src/core/commands';
import type { NotificationLevel } from '../../src/core/levels';
import type {
  AdapterRefusal,
  ButtonClick,
  ChatCore,
  ClickResult,
  CommandContext,
  ConversationRef,
  ProgressSink,
} from '../../src/core/ports/chat';

export const AUDIT_CARD: Card = {
  summary: '4.1: 1 account non-compliant',
  elements: [
    { type: 'heading', text: 'CIS 4.1 audit' },
    { type: 'fields', fields: [{ label: 'Account', value: '111111111111' }] },
  ],
};

export class RecordingCore implements ChatCore {
  runs: Array<{ command: Command; ctx: CommandContext }> = [];
  clicks: Array<{ click: ButtonClick; ctx: CommandContext }> = [];
  runResult: (command: Command) => Promise<Card[]> = async () => [AUDIT_CARD];
  clickResult: (click: ButtonClick, progress: ProgressSink) => Promise<ClickResult> = async () => ({
    kind: 'refused',
    message: 'not scripted',
  });

  async run(command: Command, ctx: CommandContext): Promise<Card[]> {
    this.runs.push({ command, ctx });
    return this.runResult(command);
  }

  async click(click: ButtonClick, ctx: CommandContext, progress: ProgressSink): Promise<ClickResult> {
    this.clicks.push({ click, ctx });
    return this.clickResult(click, progress);
  }

  async decideClick(
    click: ButtonClick,
    ctx: CommandContext,
    progress: ProgressSink,
  ): Promise<() => Promise<ClickResult>> {
    this.clicks.push({ click, ctx });
    return () => this.clickResult(click, progress);
  }

  levelFor(_conversation: ConversationRef): NotificationLevel {
    return 'info';
  }

  readonly refusals: AdapterRefusal[] = [];
  async recordRefusal(refusal: AdapterRefusal): Promise<void> {
    this.refusals.push(refusal);
  }
}
