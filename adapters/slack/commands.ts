/**
 * The `/cis` slash command: acknowledge at once, then check the workspace, parse, check the channel
 * allow-list, post a progress message, run the command in the core and put the result in place of the
 * progress message (continuations in its thread). When the bot cannot post in the channel, the result goes back through
 * the command's response_url instead.
 */
import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Command } from '../../src/core/commands';
import { parseCommand } from '../../src/core/commands';
import { UsageError } from '../../src/core/errors';
import type { ProgressSink } from '../../src/core/ports/chat';
import { noticeCard } from '../../src/core/present';
import { type ThrottledProgress, throttleProgress } from '../../src/core/progress-throttle';
import { ACKED_BEFORE_BOLT } from './ack-first';
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
import { messagesFor, replaceWithMessages } from './delivery';
import { escapeMrkdwn, fitEscaped, type SlackMessage, toSlackMessages } from './render';
import { isCannotPost, safeErrorMessage } from './safe-error';

/** A response_url accepts five messages; the last one we use says what was left out. */
const RESPONSE_URL_USES = 5;

/**
 * How often an audit's progress message is updated: Slack rate-limits chat.update per message at about
 * one a second (CHAT-PLATFORMS.md), and the final result must not queue behind progress updates.
 */
export const SLACK_PROGRESS_INTERVAL_MS = 1000;
/** An audit shorter than this answers with its result alone. */
export const PROGRESS_AFTER_MS = 2000;

function plainMessage(text: string): SlackMessage {
  return toSlackMessages([noticeCard(text)])[0] as SlackMessage;
}

function usageMessage(message: string): SlackMessage {
  return toSlackMessages([noticeCard(message, { monospace: true })])[0] as SlackMessage;
}

async function respondEphemeral(respond: RespondFn, message: SlackMessage): Promise<void> {
  await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
}

/** Posts results through the response_url (the bot is not in the channel): at most five messages. */
async function respondInChannel(respond: RespondFn, messages: readonly SlackMessage[]): Promise<void> {
  let shown = [...messages];
  if (shown.length > RESPONSE_URL_USES) {
    const left = shown.length - (RESPONSE_URL_USES - 1);
    shown = [
      ...shown.slice(0, RESPONSE_URL_USES - 1),
      plainMessage(
        `${left} more messages are not shown: invite the bot to this channel (/invite @cis-bot) to get long results in a thread.`,
      ),
    ];
  }
  for (const message of shown) {
    await respond({
      response_type: 'in_channel',
      replace_original: false,
      text: message.text,
      blocks: message.blocks,
    });
  }
}

async function runCommand(
  deps: HandlerDeps,
  command: SlashCommand,
  respond: RespondFn,
  client: WebClient,
): Promise<void> {
  const channel = command.channel_id;
  const log = { user: command.user_id, channel };
  // Before parsing: someone from another workspace (a Slack Connect channel) gets nothing but the refusal.
  const origin = {
    teamId: idOrUndefined(command.team_id),
    enterpriseId: idOrUndefined(command.enterprise_id),
  };
  if (!fromOurWorkspace(deps, origin)) {
    deps.logger.warn({
      event: 'slack.command.refused',
      reason: 'other workspace',
      team: origin.teamId,
      ...log,
    });
    await recordRefusal(
      deps,
      slackRefusal('other-workspace', command.user_id, channel, command.command, {
        team: origin.teamId ?? null,
        enterprise: origin.enterpriseId ?? null,
      }),
    );
    await respond({ response_type: 'ephemeral', text: OTHER_WORKSPACE_REFUSAL });
    return;
  }
  let parsed: Command;
  try {
    parsed = parseCommand(command.text ?? '');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    deps.logger.info({ event: 'slack.command.usage', ...log });
    await respondEphemeral(respond, usageMessage(error.message));
    return;
  }
  if (!channelAllowed(deps, channel)) {
    deps.logger.info({ event: 'slack.command.refused', reason: 'channel not allowed', ...log });
    await recordRefusal(
      deps,
      slackRefusal('conversation-not-allowed', command.user_id, channel, parsed.verb),
    );
    await respond({ response_type: 'ephemeral', text: channelRefusal(deps, 'commands') });
    return;
  }
  const ctx = await commandContext(deps, { id: command.user_id, name: command.user_name }, channel);
  deps.logger.info({ event: 'slack.command.run', verb: parsed.verb, ...log });
  if (parsed.verb === 'help') {
    const [first] = messagesFor(await deps.core.run(parsed, ctx));
    if (first) await respondEphemeral(respond, first);
    return;
  }

  let progressTs: string | undefined;
  try {
    const shown = fitEscaped(`${command.command} ${command.text ?? ''}`.trim().replace(/`/g, "'"), 200);
    const posted = await client.chat.postMessage({
      channel,
      text: `:hourglass_flowing_sand: Running \`${shown}\` for <@${command.user_id}>…`,
    });
    progressTs = posted.ts;
  } catch (error) {
    if (!isCannotPost(error)) throw error;
    deps.logger.info({ event: 'slack.command.fallback', reason: 'cannot post in channel', ...log });
  }

  // An audit updates the "Running…" message as accounts complete, then the result replaces it.
  let paced: ThrottledProgress | undefined;
  let progress: ProgressSink | undefined;
  if (progressTs !== undefined && parsed.verb === 'audit') {
    const ts = progressTs;
    const throttled = throttleProgress(
      async (card) => {
        const [message] = toSlackMessages([card]);
        if (message) await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
      },
      {
        intervalMs: SLACK_PROGRESS_INTERVAL_MS,
        firstAfterMs: deps.progressAfterMs ?? PROGRESS_AFTER_MS,
        onError: (error) => deps.logger.warn({ event: 'slack.command.progress_not_shown', error, ...log }),
      },
    );
    paced = throttled;
    progress = async (card) => throttled.push(card);
  }

  try {
    const cards = await deps.core.run(parsed, ctx, progress).finally(() => paced?.close());
    const messages = messagesFor(cards);
    if (progressTs !== undefined) await replaceWithMessages(client, channel, progressTs, messages);
    else await respondInChannel(respond, messages);
    deps.logger.info({ event: 'slack.command.done', verb: parsed.verb, messages: messages.length, ...log });
  } catch (error) {
    const text = `:warning: ${escapeMrkdwn(safeErrorMessage(error, deps.logger, { verb: parsed.verb, ...log }))}`;
    if (progressTs !== undefined) {
      try {
        await client.chat.update({ channel, ts: progressTs, text });
        return;
      } catch (updateError) {
        deps.logger.warn({ event: 'slack.command.error_not_shown', error: updateError, ...log });
      }
    }
    await respond({ response_type: 'ephemeral', text });
  }
}

/** Bolt listener for `/cis`. */
export function commandListener(deps: HandlerDeps) {
  return async ({
    ack,
    command,
    respond,
    client,
    context,
  }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const scoped = depsFor(deps, context, client);
    const run = () =>
      runCommand(scoped, command, respond, client).catch(async (error: unknown) => {
        const text = safeErrorMessage(error, scoped.logger, {
          user: command.user_id,
          channel: command.channel_id,
        });
        await respond({ response_type: 'ephemeral', text: escapeMrkdwn(text) }).catch(
          (respondError: unknown) =>
            scoped.logger.warn({ event: 'slack.command.error_not_shown', error: respondError }),
        );
      });
    // HTTP mode: acknowledged by the adapter before Bolt (ack-first.ts), and this runs in the work queue.
    if (context[ACKED_BEFORE_BOLT] === true) {
      await run();
      return;
    }
    // Slack allows three seconds: acknowledge before anything else (the request was verified and checked
    // against replays before Bolt saw it). Every command is read-only or only asks for an approval, so it
    // is queued in memory and runs after the acks of the requests arriving with it.
    await ack();
    scoped.logger.info({ event: 'slack.command.acked', user: command.user_id, channel: command.channel_id });
    await scoped.track(scoped.queue.run(run));
  };
}
