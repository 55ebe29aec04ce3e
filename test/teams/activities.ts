/**
 * Teams activities as Microsoft documents them (Teams platform docs: "Messages in bot conversations",
 * "Channel and group chat conversations", "Subscribe to conversation events", and the Universal Action
 * Model's `adaptiveCard/action` request format), with ids shaped like the documented examples and the
 * `serviceUrl` pointed at the loopback fake Bot Connector.
 */
export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const BOT = { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c', name: 'cis-bot' };
export const MEGAN = {
  id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw',
  name: 'Megan Bowen',
  aadObjectId: '7faf8ab2-3d56-4244-b585-20c8a42ed2b8',
};
export const ALEX = {
  id: '29:1bSnHZ7Js2STWrgk6ScEErLk1Lp2zQuD5H2qQ960rtvstKp8tKLl-3r8b6DoW0QxZimuTxk_kupZ1DBMpvIQQUAZL-PNj0EORDvRZXy8kvWk',
  name: 'Alex Wilber',
  aadObjectId: '3f2c7a1e-9b7d-4c55-8e7a-2d1f0c9b4a61',
};
export const NESTOR = {
  id: '29:1Wf0wGk9eCWbHJhXvC3Re0uXW5jQcmjc0o4Vd8n7lYcBqQpUCVWv7nmrT9f6x6DqzR0bZyZb4bOvQo2kTCmAR9w',
  name: 'Nestor Wilke',
  aadObjectId: 'b1e05bb0-5b4f-4d8c-9a51-6c7f2e0a3d94',
};
export const PERSONAL_CONVERSATION =
  'a:17I0kl9EkpE1O9PH5TWrzrLNwnWWcfrU7QZjKR0WSfOpzbfcAg2IaydGElSo10tVr4C7Fc6GtieTJX663WuJCc1uA83n4CSrHSgGBj5XNYLcVlJAs2ZX8DbYBPck201w-';
export const CHANNEL = '19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.tacv2';
export const TEAM = '19:efa9296d959346209fea44151c742e73@thread.tacv2';

type User = typeof MEGAN;
let seq = 1_485_983_408_511;
const nextId = () => String(seq++);

/** A 1:1 message (documented "Receive a message" JSON). */
export function personalMessage(serviceUrl: string, text: string, from: User = MEGAN) {
  return {
    type: 'message',
    id: nextId(),
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from,
    conversation: { conversationType: 'personal', tenantId: TENANT_ID, id: PERSONAL_CONVERSATION },
    recipient: BOT,
    textFormat: 'plain',
    text,
    entities: [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Windows' }],
    channelData: { tenant: { id: TENANT_ID } },
    locale: 'en-US',
  };
}

/** A channel message that @mentions the bot, inside a thread (`;messageid=` on the conversation id). */
export function channelMention(serviceUrl: string, command: string, from: User = MEGAN, threadRoot?: string) {
  const id = nextId();
  const mention = `<at>${BOT.name}</at>`;
  return {
    type: 'message',
    id,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from,
    conversation: {
      isGroup: true,
      conversationType: 'channel',
      tenantId: TENANT_ID,
      id: `${CHANNEL};messageid=${threadRoot ?? id}`,
    },
    recipient: BOT,
    textFormat: 'plain',
    text: `${mention} ${command}\n`,
    entities: [{ type: 'mention', mentioned: { id: BOT.id, name: BOT.name }, text: mention }],
    channelData: {
      teamsChannelId: CHANNEL,
      teamsTeamId: TEAM,
      channel: { id: CHANNEL },
      team: { id: TEAM },
      tenant: { id: TENANT_ID },
    },
    locale: 'en-US',
  };
}

/** Action.Execute clicked: invoke `adaptiveCard/action` (Universal Action Model request format). */
export function executeInvoke(
  serviceUrl: string,
  opts: { verb: string; value: string; cardMessageId: string; from?: User; conversationId?: string },
) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `f:${nextId()}`,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: opts.from ?? MEGAN,
    conversation: {
      isGroup: true,
      conversationType: 'channel',
      tenantId: TENANT_ID,
      id: opts.conversationId ?? `${CHANNEL};messageid=${opts.cardMessageId}`,
    },
    recipient: BOT,
    replyToId: opts.cardMessageId,
    value: {
      action: { type: 'Action.Execute', id: '', verb: opts.verb, data: { value: opts.value } },
      trigger: 'manual',
    },
    channelData: {
      channel: { id: CHANNEL },
      team: { id: TEAM },
      tenant: { id: TENANT_ID },
      source: { name: 'message' },
    },
    locale: 'en-US',
  };
}

/** The Action.Submit fallback clicked on an older client: a message with the action's data as `value`. */
export function submitMessage(
  serviceUrl: string,
  opts: { verb: string; value: string; cardMessageId: string; from?: User },
) {
  return {
    type: 'message',
    id: nextId(),
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: opts.from ?? MEGAN,
    conversation: {
      isGroup: true,
      conversationType: 'channel',
      tenantId: TENANT_ID,
      id: `${CHANNEL};messageid=${opts.cardMessageId}`,
    },
    recipient: BOT,
    replyToId: opts.cardMessageId,
    value: { verb: opts.verb, value: opts.value },
    channelData: { channel: { id: CHANNEL }, team: { id: TEAM }, tenant: { id: TENANT_ID }, postBack: true },
    locale: 'en-US',
  };
}

/** The bot added to a team (documented "bot added to team" conversationUpdate). */
export function botAddedToTeam(serviceUrl: string) {
  return {
    membersAdded: [{ id: BOT.id }],
    type: 'conversationUpdate',
    timestamp: new Date().toISOString(),
    id: `f:${nextId()}`,
    channelId: 'msteams',
    serviceUrl,
    from: { id: MEGAN.id, aadObjectId: MEGAN.aadObjectId },
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, id: TEAM },
    recipient: BOT,
    channelData: { team: { id: TEAM }, eventType: 'teamMemberAdded', tenant: { id: TENANT_ID } },
  };
}

/** The app installed in a personal scope (installationUpdate with action `add`). */
export function installationAdd(serviceUrl: string) {
  return {
    type: 'installationUpdate',
    action: 'add',
    id: `f:${nextId()}`,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: MEGAN,
    conversation: { conversationType: 'personal', tenantId: TENANT_ID, id: PERSONAL_CONVERSATION },
    recipient: BOT,
    channelData: { tenant: { id: TENANT_ID }, source: { name: 'message' } },
    locale: 'en-US',
  };
}

// biome-ignore lint/suspicious/noExplicitAny: activities are JSON, reshaped freely
type Json = any;

/** The same activity without the Entra object id on `from` (a client we cannot attribute). */
export function withoutEntraUser<T>(activity: T): T {
  const copy: Json = structuredClone(activity);
  delete copy.from.aadObjectId;
  return copy;
}

/**
 * The same activity as a Direct Line / Web Chat client of the same Azure Bot could send it: its own
 * channelId, a `from.id` of its choosing (here an approver's Entra object id), no tenant.
 */
export function asDirectLine<T>(activity: T, claimedId: string = MEGAN.aadObjectId): T {
  const copy: Json = structuredClone(activity);
  copy.channelId = 'directline';
  copy.from = { id: claimedId, name: 'Megan Bowen' };
  delete copy.channelData?.tenant;
  delete copy.conversation?.tenantId;
  return copy;
}
