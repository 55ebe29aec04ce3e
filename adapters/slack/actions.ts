/**
 * Button clicks (block_actions on the core's `cis:*` buttons): tell the core who clicked (user id and
 * approver groups) and let it record a decision durably, acknowledge, then show its decision: a refusal to the clicker only, the
 * clicked message replaced (progress and the final verdict in its thread, the verdict appended to the
 * message), or replies in the thread.
 */
import type { AllMiddlewareArgs, BlockAction, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { assertNever, type Card } from '../../src/core/cards';
import type { ClickResult, ProgressSink } from '../../src/core/ports/chat';
import { cardWithVerdict, stoppedCard } from '../../src/core/present';
import {
  channelAllowed,
  channelRefusal,
  commandContext,
  depsFor,
  fromOurWorkspace,
  type HandlerDeps,
  idOrUndefined,
  OTHER_WORKSPACE_REFUSAL,
  recordRefusal,
  slackRefusal,
} from './context';
import { messagesFor, postCards, postInThread } from './delivery';
import { buttonIdOf, escapeMrkdwn, type SlackMessage, toSlackMessages } from './render';
import { safeErrorMessage } from './safe-error';

interface ClickTarget {
  client: WebClient;
  respond: RespondFn;
  channel: string;
  messageTs: string;
  /** Replies go to the thread the clicked message is in, or start one under it. */
  threadTs: string;
  user: string;
  ephemeral: boolean;
}

/** `trusted`: our own text with intended mrkdwn (channel links); anything else is escaped. */
async function tellClicker(
  deps: HandlerDeps,
  target: ClickTarget,
  text: string,
  trusted = false,
): Promise<void> {
  const safe = trusted ? text : escapeMrkdwn(text);
  try {
    await target.client.chat.postEphemeral({ channel: target.channel, user: target.user, text: safe });
  } catch (error) {
    deps.logger.info({ event: 'slack.click.ephemeral_fallback', error });
    await target.respond({ response_type: 'ephemeral', replace_original: false, text: safe });
  }
}

/** Replaces the clicked message; continuations go to its thread. */
async function replaceClicked(deps: HandlerDeps, target: ClickTarget, messages: readonly SlackMessage[]) {
  const [first, ...rest] = messages as [SlackMessage, ...SlackMessage[]];
  if (!target.ephemeral) {
    try {
      await target.client.chat.update({
        channel: target.channel,
        ts: target.messageTs,
        text: first.text,
        blocks: first.blocks,
      });
      await postInThread(target.client, target.channel, target.threadTs, rest);
      return;
    } catch (error) {
      // e.g. a message posted through a response_url: not ours to update with chat.update.
      deps.logger.info({ event: 'slack.click.update_fallback', error });
    }
  }
  await target.respond({ replace_original: true, text: first.text, blocks: first.blocks });
  if (!target.ephemeral) await postInThread(target.client, target.channel, target.threadTs, rest);
}

/** The clicked card followed by the final verdict, in one message if it fits. */
function withVerdict(card: Card, verdict: Card): SlackMessage {
  const candidates = cardWithVerdict(card, verdict);
  for (const candidate of candidates.slice(0, -1)) {
    const messages = toSlackMessages([candidate]);
    if (messages.length === 1) return messages[0] as SlackMessage;
  }
  return messagesFor(candidates.slice(-1))[0] as SlackMessage;
}

async function finish(deps: HandlerDeps, target: ClickTarget, card: Card, followUp: Promise<Card>) {
  let verdict: Card;
  try {
    verdict = await followUp;
  } catch (error) {
    const message = safeErrorMessage(error, deps.logger, { user: target.user, channel: target.channel });
    verdict = stoppedCard(message);
  }
  await postCards(target.client, target.channel, [verdict], target.threadTs);
  await replaceClicked(deps, target, [withVerdict(card, verdict)]);
}

async function show(deps: HandlerDeps, target: ClickTarget, result: ClickResult): Promise<void> {
  // The follow-up is already running: mark its failure as handled now (it is awaited, and shown, later),
  // or a failure during the chat.update below would be an unhandled rejection.
  if (result.kind === 'updated') result.followUp?.catch(() => undefined);
  switch (result.kind) {
    case 'refused':
      deps.logger.info({ event: 'slack.click.refused', user: target.user, channel: target.channel });
      await tellClicker(deps, target, result.message);
      return;
    case 'updated':
      await replaceClicked(deps, target, messagesFor([result.card]));
      if (result.followUp) await finish(deps, target, result.card, result.followUp);
      return;
    case 'reply':
      if (result.cards.length > 0)
        await postCards(target.client, target.channel, result.cards, target.threadTs);
      return;
    default:
      assertNever(result);
  }
}

function clickRefusal(
  deps: HandlerDeps,
  body: BlockAction,
  channel: string,
): { reason: string; text: string; detail?: Record<string, unknown> } | undefined {
  const team = body.team as { id?: unknown; enterprise_id?: unknown } | null | undefined;
  const enterprise = body.enterprise as { id?: unknown } | null | undefined;
  const origin = {
    teamId: idOrUndefined(team?.id),
    userTeamId: idOrUndefined((body.user as { team_id?: unknown }).team_id),
    enterpriseId: idOrUndefined(enterprise?.id) ?? idOrUndefined(team?.enterprise_id),
  };
  if (!fromOurWorkspace(deps, origin)) {
    return {
      reason: 'other-workspace',
      text: OTHER_WORKSPACE_REFUSAL,
      detail: {
        team: origin.teamId ?? null,
        userTeam: origin.userTeamId ?? null,
        enterprise: origin.enterpriseId ?? null,
      },
    };
  }
  if (!channelAllowed(deps, channel)) {
    return { reason: 'conversation-not-allowed', text: channelRefusal(deps, 'button clicks') };
  }
  return undefined;
}

/**
 * A click's part before the ack: who clicked, where, whether this adapter refuses it (another workspace, a
 * channel not allowed), and the core's durable record of a decision. Returns the rest, to run after the
 * ack: showing the result, and an approved plan's execution.
 */
async function decideClick(
  deps: HandlerDeps,
  body: BlockAction,
  actionId: string,
  value: string,
  respond: RespondFn,
  client: WebClient,
): Promise<() => Promise<void>> {
  const container = body.container as { channel_id?: string; message_ts?: string; is_ephemeral?: boolean };
  const channel = body.channel?.id ?? container.channel_id;
  const messageTs = body.message?.ts ?? container.message_ts;
  if (channel === undefined || messageTs === undefined) {
    return async () => {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'This button works only in a channel.',
      });
    };
  }
  const threadTs = (body.message?.thread_ts as string | undefined) ?? messageTs;
  const target: ClickTarget = {
    client,
    respond,
    channel,
    messageTs,
    threadTs,
    user: body.user.id,
    ephemeral: container.is_ephemeral === true,
  };
  const tellFailure = (error: unknown) => {
    const text = safeErrorMessage(error, deps.logger, { action: actionId, user: body.user.id, channel });
    return tellClicker(deps, target, text).catch((tellError: unknown) =>
      deps.logger.warn({ event: 'slack.click.error_not_shown', error: tellError }),
    );
  };
  // The same gate as commands: a Slack Connect guest from another workspace must not approve, and a
  // button in a channel outside slack.allowed_channels (e.g. a card forwarded there) must not act.
  const refusal = clickRefusal(deps, body, channel);
  if (refusal !== undefined) {
    return async () => {
      deps.logger.warn({
        event: 'slack.click.refused',
        reason: refusal.reason,
        action: actionId,
        user: body.user.id,
        channel,
      });
      await recordRefusal(
        deps,
        slackRefusal(refusal.reason, body.user.id, channel, actionId, refusal.detail),
      );
      await tellClicker(deps, target, refusal.text, true).catch((tellError: unknown) =>
        deps.logger.warn({ event: 'slack.click.error_not_shown', error: tellError }),
      );
    };
  }
  try {
    const ctx = await commandContext(
      deps,
      { id: body.user.id, name: body.user.name ?? body.user.username },
      channel,
    );
    const progress: ProgressSink = async (card) => {
      await postCards(client, channel, [card], threadTs);
    };
    deps.logger.info({ event: 'slack.click.run', action: actionId, user: body.user.id, channel });
    const message = { messageRef: messageTs, threadRef: threadTs };
    const rest = await deps.core.decideClick({ actionId, value, message }, ctx, progress);
    return async () => {
      try {
        await show(deps, target, await rest());
      } catch (error) {
        await tellFailure(error);
      }
    };
  } catch (error) {
    return () => tellFailure(error);
  }
}

/** Bolt listener for the core's buttons (`action_id` starting with `cis:`). */
export function actionListener(deps: HandlerDeps) {
  return async ({
    ack,
    body,
    action,
    respond,
    client,
    context,
  }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    const scoped = depsFor(deps, context, client);
    // A decision is recorded (committed) before the ack, so a crash after the ack never loses it; the
    // rest (showing it, executing an approved plan: AWS calls) happens after.
    const actionId = buttonIdOf(action.action_id);
    const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const rest = await scoped.track(decideClick(scoped, body, actionId, value, respond, client));
    await ack();
    scoped.logger.info({ event: 'slack.action.acked', action: actionId, user: body.user.id });
    await scoped.track(rest());
  };
}
