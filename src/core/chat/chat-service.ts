/**
 * The chat core: the one implementation of the ChatCore port that every chat platform calls. It routes a
 * parsed command or a button click to the audit, the approval workflow, the store and the digests, and
 * answers in neutral cards (built in core/present) at the conversation's notification level. Approve and
 * Reject clicks carry an approval id and are handled alike for every kind of approval; authorization is
 * the approval workflow's, and this module only turns refusals into messages.
 */

import { requireKnownAccounts } from '../accounts/require-known';
import type { CoreApprovals } from '../approval-kinds';
import { recordAudit } from '../audit-recorder';
import type { Card } from '../cards';
import type { Command } from '../commands';
import { getControl, selectControls } from '../controls/registry';
import { RemediationRefused, UsageError } from '../errors';
import { reportsPerControl } from '../evaluate/controls-report';
import { revokeException } from '../exceptions/revoke';
import { utcDay } from '../exceptions/terms';
import { isIacFormat } from '../iac/formats';
import { planAsIacFile } from '../iac/plan-file';
import { splitList } from '../inputs';
import type { NotificationLevel } from '../levels';
import { platformLabel, settingsFor } from '../platforms';
import type { AccountDirectory } from '../ports/account-directory';
import type { AuditProgress } from '../ports/audit-progress';
import type { Auditor } from '../ports/auditor';
import {
  ACTION_APPROVE,
  ACTION_REJECT,
  ACTION_REMEDIATE,
  ACTION_REVOKE_EXCEPTION,
  ACTION_SHOW_IAC,
  type Actor,
  type AdapterRefusal,
  type ButtonClick,
  type ChatCore,
  type ClickResult,
  type CommandContext,
  type ConversationRef,
  type ProgressSink,
} from '../ports/chat';
import type { DigestPort } from '../ports/digests';
import type { ActorRef, Approval, AuditTrigger, Store } from '../ports/store';
import {
  drillRequestCard,
  helpCard,
  historyCard,
  iacCard,
  noticeCard,
  planCard,
  presentAudit,
  scheduleListCard,
  statusCard,
} from '../present';
import { presentControls } from '../present/controls-cards';
import { exceptionListCard, exceptionRequestCard, exceptionRevokedCard } from '../present/exception-cards';
import { auditProgressCard } from '../present/progress-cards';
import type { Plan } from '../remediation/types';
import type { CoreSettings } from '../settings';

export interface ChatServiceDeps {
  settings: Pick<CoreSettings, 'defaultLevel' | 'platforms'>;
  auditor: Auditor;
  store: Store;
  approvals: CoreApprovals;
  /** The accounts chat users may name: aws.accounts, or those discovered from AWS Organizations. */
  accounts: AccountDirectory;
  /** The scheduler; absent when no schedules are configured (it can also be attached later). */
  digests?: DigestPort;
  /** The account of the bot's own credentials (the one audited when aws.accounts is empty). */
  ownAccount?: () => Promise<string | undefined>;
  now?: () => Date;
  /** Where unexpected errors of work that continues after a reply go (never to chat). */
  onError?: (error: unknown, context: string) => void;
}

function actorRef(actor: Actor): ActorRef {
  return {
    platform: actor.platform,
    userId: actor.userId,
    ...(actor.displayName !== undefined ? { displayName: actor.displayName } : {}),
  };
}

function triggerOf(actor: Actor): AuditTrigger {
  return actor.platform;
}

/** A digest button carries `{"control","accountId"}`; anything else is refused as malformed. */
function parseRemediateValue(value: string): { control: string; accountId: string } {
  try {
    const parsed = JSON.parse(value) as { control?: unknown; accountId?: unknown };
    if (typeof parsed.control === 'string' && typeof parsed.accountId === 'string') {
      return { control: parsed.control, accountId: parsed.accountId };
    }
  } catch {
    // fall through to the refusal
  }
  throw new UsageError('This button carries no control and account; run the audit again.');
}

export class ChatService implements ChatCore {
  private readonly deps: ChatServiceDeps;
  private digests: DigestPort | undefined;

  constructor(deps: ChatServiceDeps) {
    this.deps = deps;
    this.digests = deps.digests;
  }

  /** The scheduler is built after the chat adapters (it posts through them), so it is attached late. */
  attachDigests(digests: DigestPort): void {
    this.digests = digests;
  }

  levelFor(conversation: ConversationRef): NotificationLevel {
    const { settings } = this.deps;
    const perConversation = settingsFor(settings.platforms, conversation.platform)?.levels[conversation.id];
    return perConversation ?? settings.defaultLevel;
  }

  recordRefusal(refusal: AdapterRefusal): Promise<void> {
    return this.logRefusal(refusal, 'adapter');
  }

  async run(command: Command, ctx: CommandContext, progress?: ProgressSink): Promise<Card[]> {
    await this.checkConversation(ctx, command.verb, 'commands');
    switch (command.verb) {
      case 'help':
        return [helpCard()];
      case 'audit':
        return this.audit(command, ctx, progress);
      case 'status': {
        getControl(command.control);
        return [
          statusCard(
            command.control,
            await this.deps.store.latestFindings(command.control, command.accounts),
          ),
        ];
      }
      case 'history':
        return [historyCard(await this.deps.store.listAuditLog({ limit: command.limit ?? 20 }))];
      case 'remediate':
        return this.remediate(command.control, command.accounts, ctx);
      case 'drill':
        return this.drill(command.control, command.accounts, ctx);
      case 'except':
        return [await this.requestException(command, ctx)];
      case 'exceptions': {
        const now = this.now();
        await this.checkAccounts(command.accounts);
        const exceptions = await this.deps.store.listExceptions({
          expiresAfter: now.toISOString(),
          ...(command.accounts ? { accountIds: command.accounts } : {}),
        });
        return [exceptionListCard(exceptions, utcDay(now))];
      }
      case 'digest-now': {
        const digests = this.requireDigests();
        const result = await digests.runNow(command.schedule, actorRef(ctx.actor), { deliver: 'none' });
        return result.cards.length > 0 ? result.cards : [result.receipt];
      }
      case 'schedule-list':
        return [
          scheduleListCard(this.digests?.list() ?? [], (p) => platformLabel(this.deps.settings.platforms, p)),
        ];
      default: {
        const unreachable: never = command;
        throw new UsageError(`Unsupported command ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /**
   * `<controls> audit`: one control as ever; a list or a section in one pass (one collection per
   * account), recorded per control, shown as a summary, the worst accounts and every account's row.
   * Progress goes to the adapter's sink as a card per completed account (the adapter paces it).
   */
  private async audit(
    command: Extract<Command, { verb: 'audit' }>,
    ctx: CommandContext,
    sink?: ProgressSink,
  ): Promise<Card[]> {
    // An unknown control is a usage error naming the known ones, before any AWS call.
    const controls = selectControls(splitList(command.control));
    await this.checkAccounts(command.accounts);
    const progress: AuditProgress | undefined = sink
      ? (event) => {
          sink(auditProgressCard(event)).catch((error: unknown) =>
            this.deps.onError?.(error, 'audit progress'),
          );
        }
      : undefined;
    const request = {
      ...(command.accounts ? { accounts: command.accounts } : {}),
      ...(progress ? { progress } : {}),
    };
    const recorded = { trigger: triggerOf(ctx.actor), actor: actorRef(ctx.actor) };
    const level = command.level ?? this.levelFor(ctx.conversation);
    const [only] = controls;
    if (controls.length === 1 && only) {
      const outcome = await this.deps.auditor.audit({ control: only.id, ...request });
      await recordAudit(this.deps.store, outcome.report, recorded);
      return presentAudit(outcome.report, level, { remediateButton: true, maxAccountCards: 20 });
    }
    const { report } = await this.deps.auditor.auditControls({
      controls: controls.map((c) => c.id),
      ...request,
    });
    for (const one of reportsPerControl(report)) await recordAudit(this.deps.store, one, recorded);
    return presentControls(report, level, { remediateButton: true, maxAccountCards: 10 });
  }

  async click(click: ButtonClick, ctx: CommandContext, progress: ProgressSink): Promise<ClickResult> {
    const rest = await this.decideClick(click, ctx, progress);
    return rest();
  }

  async decideClick(
    click: ButtonClick,
    ctx: CommandContext,
    progress: ProgressSink,
  ): Promise<() => Promise<ClickResult>> {
    try {
      await this.checkConversation(ctx, click.actionId, 'button clicks');
      switch (click.actionId) {
        case ACTION_APPROVE: {
          // The compare-and-set in the ledger: committed before the adapter answers the platform.
          // With the message and thread it was clicked on: a run resumed elsewhere reports there.
          const approval = await this.deps.approvals.decide(
            click.value,
            ctx.actor,
            'approve',
            ctx.conversation,
            click.message,
          );
          return () => refusalsShown(this.approved(approval, progress));
        }
        case ACTION_REJECT: {
          const approval = await this.deps.approvals.decide(
            click.value,
            ctx.actor,
            'reject',
            ctx.conversation,
          );
          return () =>
            refusalsShown(
              this.deps.approvals
                .decidedCard(approval)
                .then((card): ClickResult => ({ kind: 'updated', card })),
            );
        }
        case ACTION_REVOKE_EXCEPTION: {
          // The compare-and-set in the store, like a decision: committed before the adapter answers.
          const revoked = await revokeException(
            { store: this.deps.store, settings: this.deps.settings, now: () => this.now() },
            click.value,
            ctx.actor,
          );
          return async (): Promise<ClickResult> => ({ kind: 'updated', card: exceptionRevokedCard(revoked) });
        }
        default:
          // Nothing to decide: the whole click runs after the answer.
          return () => refusalsShown(this.undecidedClick(click, ctx));
      }
    } catch (error) {
      // A refusal (or a failure) to record the decision is shown after the answer, like the rest.
      return () => refusalsShown(Promise.reject(error));
    }
  }

  /** A click that records no decision: Remediate (asks for a plan), Show as Terraform/CloudFormation, or an unknown action. */
  private async undecidedClick(click: ButtonClick, ctx: CommandContext): Promise<ClickResult> {
    if (click.actionId === ACTION_SHOW_IAC)
      return { kind: 'reply', cards: [await this.showIac(click.value)] };
    if (click.actionId === ACTION_REMEDIATE) {
      const { control, accountId } = parseRemediateValue(click.value);
      return { kind: 'reply', cards: await this.remediate(control, [accountId], ctx) };
    }
    await this.logRefusal({ ...ctx, reason: 'unknown-action', request: click.actionId }, 'core');
    return { kind: 'refused', message: `Unknown action ${click.actionId}.` };
  }

  /**
   * A platform's allowed conversations, for every platform alike. Adapters refuse first, in their own
   * platform's words; this keeps the rule when an adapter does not.
   */
  private async checkConversation(
    ctx: CommandContext,
    request: string,
    what: 'commands' | 'button clicks',
  ): Promise<void> {
    const { conversation } = ctx;
    const platform = settingsFor(this.deps.settings.platforms, conversation.platform);
    const allowed = platform?.allowedConversations ?? [];
    if (allowed.length === 0 || allowed.includes(conversation.id)) return;
    await this.logRefusal({ ...ctx, reason: 'conversation-not-allowed', request }, 'core');
    throw new UsageError(
      `cis-bot does not take ${what} in this conversation; ask an admin to add it to ${platform?.wording.allowedConversationsSetting}.`,
    );
  }

  /**
   * Chat users may only name the accounts the bot audits (aws.accounts, or those discovered from AWS
   * Organizations): `--account` and the account in a button's value come from the client, and must not
   * widen what the bot's roles reach.
   */
  private checkAccounts(accounts: readonly string[] | undefined): Promise<void> {
    return requireKnownAccounts(this.deps.accounts, this.deps.ownAccount, accounts);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** `<control> except …`: the exception kind checks the terms and asks for approval (nothing stored on a refusal). */
  private async requestException(
    command: Extract<Command, { verb: 'except' }>,
    ctx: CommandContext,
  ): Promise<Card> {
    const { verb: _verb, ...input } = command;
    const proposal = await this.deps.approvals.propose('exception', input, ctx.actor, {
      platform: ctx.conversation.platform,
      id: ctx.conversation.id,
    });
    return exceptionRequestCard(proposal.terms, proposal.approval);
  }

  private requireDigests(): DigestPort {
    if (!this.digests) {
      throw new UsageError(
        'No schedules are configured: add a `schedules:` entry to the configuration file.',
      );
    }
    return this.digests;
  }

  private async remediate(
    control: string,
    accounts: readonly string[] | undefined,
    ctx: CommandContext,
  ): Promise<Card[]> {
    getControl(control);
    await this.checkAccounts(accounts);
    let targets: Array<string | undefined> = accounts ? [...accounts] : [undefined];
    if (!accounts && (await this.deps.accounts.list()).length > 1) {
      // Several accounts: plan for each one that fails, after one audit of them all.
      const outcome = await this.deps.auditor.audit({ control });
      targets = outcome.report.accounts.filter((f) => f.status === 'NON_COMPLIANT').map((f) => f.accountId);
      if (targets.length === 0) {
        return [
          noticeCard(
            `No account is NON_COMPLIANT for ${control}; nothing to fix. Run "${control} audit" for details.`,
          ),
        ];
      }
    }
    const cards: Card[] = [];
    for (const accountId of targets) {
      const proposal = await this.deps.approvals.propose('remediation', { control, accountId }, ctx.actor, {
        platform: ctx.conversation.platform,
        id: ctx.conversation.id,
      });
      cards.push(
        proposal.kind === 'plan' ? planCard(proposal.plan, proposal.approval) : planCard(proposal.plan),
      );
    }
    return cards;
  }

  /**
   * `<control> drill --account ID`: one account (the only one when there is one); the approval request
   * warns that the topic's subscribers will really be notified. Refusals (a broken chain, a busy account)
   * come back as the kind's DrillRefused, a usage error the adapter shows.
   */
  private async drill(
    control: string,
    accounts: readonly string[] | undefined,
    ctx: CommandContext,
  ): Promise<Card[]> {
    getControl(control);
    if (accounts && accounts.length > 1) {
      throw new UsageError('A drill fires one alarm: name one account with --account ID.');
    }
    await this.checkAccounts(accounts);
    const proposal = await this.deps.approvals.propose(
      'drill',
      { control, accountId: accounts?.[0] },
      ctx.actor,
      { platform: ctx.conversation.platform, id: ctx.conversation.id },
    );
    return [drillRequestCard(proposal.drill, proposal.approval)];
  }

  /**
   * "Show as Terraform" / "Show as CloudFormation" on a plan card: read-only, so any user in an allowed
   * conversation (checked before this) may click it; the plan is the stored one the card names by hash.
   */
  private async showIac(value: string): Promise<Card> {
    let parsed: { hash?: unknown; format?: unknown } = {};
    try {
      parsed = JSON.parse(value) as typeof parsed;
    } catch {
      // refused below
    }
    const { hash, format } = parsed;
    if (typeof hash !== 'string' || !isIacFormat(format)) {
      throw new UsageError('This button names no plan and format; ask for the plan again.');
    }
    const record = await this.deps.store.getPlan(hash);
    if (!record)
      throw new UsageError(`The plan ${hash.slice(0, 16)} is not in the store; ask for the plan again.`);
    const plan = record.plan as Plan;
    return iacCard(plan, planAsIacFile(plan, format));
  }

  /** A refusal on the audit log; `by` says who refused (an adapter, or the core's own rules). */
  private async logRefusal(refusal: AdapterRefusal, by: 'adapter' | 'core'): Promise<void> {
    const { actor, conversation, reason, request, detail } = refusal;
    await this.deps.store.appendAuditLog({
      at: new Date().toISOString(),
      kind: 'refused',
      ...(actor ? { actor: actorRef(actor) } : {}),
      ...(actor ? { platform: actor.platform } : conversation ? { platform: conversation.platform } : {}),
      detail: {
        reason,
        by,
        ...(request !== undefined ? { request } : {}),
        ...(conversation ? { conversation: { platform: conversation.platform, id: conversation.id } } : {}),
        ...detail,
      },
    });
  }

  // Decisions go to the one approval entry point with the conversation they were clicked in: it refuses
  // (and audit-logs) a click from anywhere but the conversation the approval was requested in. Once
  // approved (recorded), the card shows it and the execution runs as the follow-up.
  private async approved(approval: Approval, progress: ProgressSink): Promise<ClickResult> {
    const { approvals } = this.deps;
    const approvalId = approval.id;
    const card = await approvals.decidedCard(approval);
    const followUp = approvals
      .execute(approvalId, async (update) => {
        if (update.card) await progress(update.card);
      })
      .then(
        (executed) => executed.card,
        (error: unknown) => {
          if (error instanceof RemediationRefused || error instanceof UsageError)
            return noticeCard(error.message);
          this.deps.onError?.(error, `execution of approval ${approvalId}`);
          return noticeCard(
            'The remediation stopped on an unexpected error; nothing further was changed. Run the audit again to see where it stands.',
          );
        },
      );
    return { kind: 'updated', card, followUp };
  }
}

/** A refusal (not found, expired, already decided, not authorized, bad input) as the clicker's message. */
function refusalsShown(result: Promise<ClickResult>): Promise<ClickResult> {
  return result.catch((error: unknown): ClickResult => {
    if (error instanceof RemediationRefused || error instanceof UsageError) {
      return { kind: 'refused', message: error.message };
    }
    throw error;
  });
}
