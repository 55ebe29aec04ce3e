/**
 * The Microsoft Teams transport: botbuilder's CloudAdapter on POST /api/messages, turning messages into
 * commands, Adaptive Card clicks into ButtonClicks, and the core's cards into Adaptive Cards. It owns
 * no decisions (who may approve is the core's); it reports the actor and carries results back.
 *
 * Timing: Teams expects the HTTP answer quickly, so a command is acknowledged with a typing indicator and
 * run afterwards; its cards arrive through the stored conversation reference (a proactive turn), as
 * replies in the thread of the command. A click is answered in the invoke response (the updated card for
 * the clicker) while the same card replaces the message for everyone (updateActivity); the follow-up
 * (remediation progress and the re-audit verdict) is posted in the thread as it comes.
 *
 * Trust: only activities of the msteams channel from an allowed tenant are served (turns.ts says why),
 * the actor is the Entra object id or nobody (then the command or click is refused), and a click only
 * replaces a message this process posted with that button on it (posted-cards.ts).
 *
 * Every botbuilder import of cis-bot lives under adapters/teams/ (botbuilder is archived upstream).
 */
import { ActivityTypes, type ConversationReference, TurnContext } from 'botbuilder';
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../src/config/schema';
import type { Card } from '../../src/core/cards';
import { parseCommand } from '../../src/core/commands';
import { UsageError } from '../../src/core/errors';
import type {
  AdapterRefusal,
  ButtonClick,
  ChatCore,
  ChatPoster,
  ProgressSink,
} from '../../src/core/ports/chat';
import type { Logger } from '../../src/core/ports/logger';
import { cardWithVerdict, noticeCard } from '../../src/core/present';
import { auditRunner } from './audit-progress';
import { createTeamsAuth } from './auth';
import { commandText } from './command-text';
import { type ConversationRefStore, channelConversationId, refForStorage } from './conversations';
import { describeError, errorFields, TeamsConversationUnknownError } from './errors';
import { activityEndpoint, EndpointCloudAdapter } from './http-endpoint';
import { cardActivity, createOutbound } from './outbound';
import { PostedCards } from './posted-cards';
import { ADAPTIVE_CARD_CONTENT_TYPE, toAdaptiveCard } from './render';
import {
  actorOf,
  conversationOf,
  executeClick,
  INVOKE_ADAPTIVE_CARD_ACTION,
  notServedBecause,
  refusalOf,
  submitClick,
  tenantOf,
} from './turns';

export { type ConversationRefStore, storeConversations } from './conversations';

export interface TeamsAdapterOptions {
  config: Config;
  core: ChatCore;
  /** Where conversation references are kept, keyed by channel-level conversation id. */
  conversations: ConversationRefStore;
  /** The `teams` component's logger (src/logger.ts in the server: pino, stderr, redacted). */
  logger: Logger;
  /**
   * Extra Bot Framework authentication settings (e.g. `ChannelService` for a government cloud, or
   * `ToBotFromChannelOpenIdMetadataUrl`); credentials always come from `config.env.teams`.
   */
  authSettings?: Readonly<Record<string, string>>;
  /** An audit running longer than this shows its progress in a card (default 2 s; tests: 0). */
  progressAfterMs?: number;
}

export interface TeamsAdapter {
  /**
   * Express handler for POST /api/messages; mount it with `express.json()` on that route only. Answers
   * malformed bodies (400/415) and refused tokens (401) itself, in JSON; passes other errors to `next`.
   */
  handle(req: Request, res: Response, next?: NextFunction): Promise<void>;
  /** Posts cards to a Teams conversation through its stored reference (digests). */
  poster: ChatPoster;
  /** Resolves once the work started by earlier requests (command runs, follow-ups) has finished. */
  idle(): Promise<void>;
  /** False in development mode (CIS_BOT_TEAMS_DEV_NO_AUTH without credentials): serve loopback only. */
  authenticated: boolean;
}

const MESSAGE_RESPONSE_TYPE = 'application/vnd.microsoft.activity.message';

function usageCard(text: string): Card {
  return noticeCard(text, { monospace: true });
}

/** What a click came to, for the transport to answer: invoke response or thread message. */
type ClickOutcome =
  | { kind: 'refused'; message: string }
  | { kind: 'updated'; card: Card }
  | { kind: 'replied' };

/**
 * Said when an activity names no Entra user: Teams always sends `from.aadObjectId` for people, so this
 * is a client we cannot attribute, and approvals must never be attributed to a client-chosen id.
 */
const NO_IDENTITY =
  'cis-bot cannot tell who sent this (the activity carries no Microsoft Entra user), so it does nothing with it.';

export function createTeamsAdapter(options: TeamsAdapterOptions): TeamsAdapter {
  const { config, core, conversations } = options;
  const log = options.logger;
  const { auth, appId, authenticated, allowedTenants } = createTeamsAuth(config, log, options.authSettings);
  const allowed = config.teams.allowed_conversations;
  const adapter = new EndpointCloudAdapter(auth);
  const pending = new Set<Promise<void>>();
  const posted = new PostedCards();
  const outbound = createOutbound(adapter, appId, posted);
  const { send, update } = outbound;
  const runAudit = auditRunner(outbound, log, options.progressAfterMs);

  /** Runs work after the HTTP answer; a failure becomes a safe notice in the thread. */
  function track(
    ref: Partial<ConversationReference>,
    replyTo: string | undefined,
    work: () => Promise<void>,
  ) {
    const task = work().catch(async (error: unknown) => {
      const { text, log: fields } = describeError(error);
      log.error('Teams background work failed', fields);
      try {
        await send(ref, replyTo, [noticeCard(text)]);
      } catch (sendError) {
        log.error('Could not tell the Teams conversation about a failure', errorFields(sendError));
      }
    });
    pending.add(task);
    void task.finally(() => pending.delete(task));
  }

  async function remember(context: TurnContext, installed = false): Promise<void> {
    const conversationId = context.activity.conversation?.id;
    if (!conversationId) return;
    const ref = refForStorage(TurnContext.getConversationReference(context.activity));
    try {
      await conversations.save(channelConversationId(conversationId), ref);
      // The id people put in schedules' targets.teams and teams.conversations.
      if (installed)
        log.info('cis-bot was added to a Teams conversation', {
          conversationId: channelConversationId(conversationId),
        });
    } catch (error) {
      // The command itself can still be served; posting digests here later is what breaks.
      log.error('Could not store the Teams conversation reference', {
        conversationId: channelConversationId(conversationId),
        ...errorFields(error),
      });
    }
  }

  /** Puts a refusal on the audit log through the core; a failure to do so does not change the answer. */
  async function record(refusal: AdapterRefusal): Promise<void> {
    try {
      await core.recordRefusal(refusal);
    } catch (error) {
      log.error('Could not write a Teams refusal to the audit log', {
        reason: refusal.reason,
        ...errorFields(error),
      });
    }
  }

  function isAllowed(context: TurnContext): boolean {
    return allowed.length === 0 || allowed.includes(conversationOf(context.activity).id);
  }
  const NOT_ALLOWED =
    'cis-bot does not take commands in this conversation (it is not in teams.allowed_conversations).';

  async function invokeResponse(context: TurnContext, body: unknown): Promise<void> {
    await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
  }
  const respondCard = (context: TurnContext, card: Card) =>
    invokeResponse(context, {
      statusCode: 200,
      type: ADAPTIVE_CARD_CONTENT_TYPE,
      value: toAdaptiveCard(card),
    });
  const respondMessage = (context: TurnContext, text: string) =>
    invokeResponse(context, { statusCode: 200, type: MESSAGE_RESPONSE_TYPE, value: text });

  async function onCommand(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (!isAllowed(context)) {
      await record(refusalOf(activity, 'conversation-not-allowed', 'command'));
      await context.sendActivity(cardActivity(noticeCard(NOT_ALLOWED)));
      return;
    }
    let command: ReturnType<typeof parseCommand>;
    try {
      command = parseCommand(commandText(activity));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      await context.sendActivity(cardActivity(usageCard(error.message)));
      return;
    }
    const actor = actorOf(activity);
    if (!actor) {
      log.warn('Refused a Teams command without an Entra user', { fromId: activity.from?.id });
      await record(refusalOf(activity, 'no-identity', command.verb));
      await context.sendActivity(cardActivity(noticeCard(NO_IDENTITY)));
      return;
    }
    await context.sendActivity({ type: ActivityTypes.Typing });
    const thread = TurnContext.getConversationReference(activity);
    const ctx = { actor, conversation: conversationOf(activity) };
    track(thread, activity.id, async () => {
      if (command.verb !== 'audit') {
        const cards = await core.run(command, ctx);
        if (cards.length) await send(thread, activity.id, cards);
        return;
      }
      await runAudit(thread, activity.id, (progress) => core.run(command, ctx, progress));
    });
  }

  /**
   * One click path for both Action.Execute (invoke) and its Action.Submit fallback (message). Returns
   * the card for the invoke response, or a message for the clicker.
   */
  async function onClick(context: TurnContext, click: ButtonClick): Promise<ClickOutcome> {
    const activity = context.activity;
    const actor = actorOf(activity);
    if (!actor) {
      log.warn('Refused a Teams click without an Entra user', {
        actionId: click.actionId,
        fromId: activity.from?.id,
      });
      await record(refusalOf(activity, 'no-identity', click.actionId));
      return { kind: 'refused', message: NO_IDENTITY };
    }
    // replyToId (the message the card is on) is the client's word. It only threads the answers (a reply
    // can land in no other conversation than the click's own); a message is REPLACED for everyone only
    // if this process posted it here with the clicked button on it, else the card goes in a new message.
    const cardMessageId = activity.replyToId;
    const thread = TurnContext.getConversationReference(activity);
    const updatable = posted.carries(thread.conversation?.id ?? '', cardMessageId, click);
    const progress: ProgressSink = async (card) => {
      await send(thread, cardMessageId, [card]);
    };
    const ctx = { actor, conversation: conversationOf(activity) };
    // The card's message and its thread (the conversation id with its `;messageid=`), for a resumed run.
    const message = cardMessageId
      ? {
          messageRef: cardMessageId,
          ...(thread.conversation?.id ? { threadRef: thread.conversation.id } : {}),
        }
      : undefined;
    const result = await core.click({ ...click, ...(message ? { message } : {}) }, ctx, progress);
    switch (result.kind) {
      case 'refused':
        log.info('Teams click refused', { actionId: click.actionId, userId: ctx.actor.userId });
        return { kind: 'refused', message: result.message };
      case 'updated': {
        if (updatable && cardMessageId) {
          try {
            await update(thread, cardMessageId, result.card);
          } catch (error) {
            log.error('Could not update the clicked Teams message for everyone', errorFields(error));
          }
        } else {
          const fields = { actionId: click.actionId };
          log.info('The clicked Teams message is not one this process posted with that button', fields);
          try {
            await send(thread, cardMessageId, [result.card]);
          } catch (error) {
            log.error('Could not post the decision in the Teams thread', errorFields(error));
          }
        }
        const followUp = result.followUp;
        if (followUp) {
          track(thread, cardMessageId, async () => {
            const final = await followUp;
            await send(thread, cardMessageId, [final]);
            if (updatable && cardMessageId)
              await update(thread, cardMessageId, cardWithVerdict(result.card, final)[0] as Card);
          });
        }
        return { kind: 'updated', card: result.card };
      }
      case 'reply':
        await send(thread, cardMessageId, result.cards);
        return { kind: 'replied' };
      default:
        return result satisfies never;
    }
  }

  async function onInvoke(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (activity.name !== INVOKE_ADAPTIVE_CARD_ACTION) return; // botbuilder answers 501 Not Implemented
    const click = executeClick(activity.value);
    if (!click) {
      await invokeResponse(context, {
        statusCode: 400,
        type: 'application/vnd.microsoft.error',
        value: { code: 'BadRequest', message: 'This card action was not sent by cis-bot.' },
      });
      return;
    }
    if (!isAllowed(context)) {
      await record(refusalOf(activity, 'conversation-not-allowed', click.actionId));
      return respondMessage(context, NOT_ALLOWED);
    }
    const outcome = await onClick(context, click);
    // A refusal is a message for the clicker only; the card stays as it is, for everyone.
    switch (outcome.kind) {
      case 'refused':
        return respondMessage(context, outcome.message);
      case 'updated':
        return respondCard(context, outcome.card);
      case 'replied':
        return respondMessage(context, 'Done: the answer is in the thread.');
      default:
        return outcome satisfies never;
    }
  }

  async function onSubmit(context: TurnContext, click: ButtonClick): Promise<void> {
    if (!isAllowed(context)) {
      await record(refusalOf(context.activity, 'conversation-not-allowed', click.actionId));
      await context.sendActivity(cardActivity(noticeCard(NOT_ALLOWED)));
      return;
    }
    const outcome = await onClick(context, click);
    // Older clients (Action.Submit) get no per-user answer: a refusal can only go in the thread.
    if (outcome.kind === 'refused') {
      await send(TurnContext.getConversationReference(context.activity), context.activity.replyToId, [
        noticeCard(outcome.message),
      ]);
    }
  }

  async function onTurn(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const notServed = notServedBecause(activity, allowedTenants);
    if (notServed) {
      // Nothing of it is used, not even its conversation reference.
      log.warn(`Ignored a Teams activity: ${notServed}`, {
        channelId: activity.channelId,
        tenant: tenantOf(activity),
        type: activity.type,
      });
      await record(
        refusalOf(activity, 'not-served', activity.type, {
          why: notServed,
          tenant: tenantOf(activity) ?? null,
          channelId: activity.channelId ?? null,
        }),
      );
      if (activity.type === ActivityTypes.Invoke)
        await respondMessage(context, 'cis-bot does not serve this conversation.');
      return;
    }
    switch (activity.type) {
      case ActivityTypes.Message: {
        await remember(context);
        const click = submitClick(activity);
        return click ? onSubmit(context, click) : onCommand(context);
      }
      case ActivityTypes.Invoke:
        await remember(context);
        return onInvoke(context);
      case ActivityTypes.ConversationUpdate:
        if (activity.membersAdded?.some((m) => m.id === activity.recipient?.id))
          await remember(context, true);
        return;
      case ActivityTypes.InstallationUpdate:
        if (typeof activity.action === 'string' && activity.action.startsWith('add'))
          await remember(context, true);
        return;
      default:
        return;
    }
  }

  // The one edge handler: log the error, tell the user something safe, never a stack trace.
  adapter.onTurnError = async (context, error) => {
    const { text, log: fields } = describeError(error);
    log.error('Teams turn failed', { activityType: context.activity.type, ...fields });
    try {
      if (context.activity.type === ActivityTypes.Invoke) await respondMessage(context, text);
      else await context.sendActivity(cardActivity(noticeCard(text)));
    } catch (sendError) {
      log.error('Could not send the error notice to Teams', errorFields(sendError));
    }
  };

  const poster: ChatPoster = {
    platform: 'teams',
    async post(conversationId, cards) {
      const ref = (await conversations.get(channelConversationId(conversationId))) as
        | Partial<ConversationReference>
        | undefined;
      if (!ref) throw new TeamsConversationUnknownError(conversationId);
      if (cards.length) await send(ref, undefined, cards);
    },
    // A resumed run: replies to the approval's card, in its thread (the stored channel reference with the
    // thread's conversation id, which is that channel's id plus `;messageid=`).
    async postInThread(where, cards) {
      const ref = (await conversations.get(channelConversationId(where.id))) as
        | Partial<ConversationReference>
        | undefined;
      if (!ref) throw new TeamsConversationUnknownError(where.id);
      const inThread =
        where.threadRef && channelConversationId(where.threadRef) === channelConversationId(where.id)
          ? {
              ...ref,
              conversation: {
                ...ref.conversation,
                id: where.threadRef,
              } as ConversationReference['conversation'],
            }
          : ref;
      if (cards.length) await send(inThread, where.messageRef, cards);
    },
  };

  const endpoint = activityEndpoint(adapter, onTurn, log);
  return {
    handle: (req, res, next) =>
      endpoint(req, res, (error?: unknown) => {
        if (!next) throw error;
        next(error);
      }),
    poster,
    authenticated,
    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
