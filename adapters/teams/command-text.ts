/**
 * Turns the text of a Teams message into the text `parseCommand` reads: removes the bot's @mention
 * (Teams puts `<at>bot name</at>` in the text and describes it in `entities`), HTML leftovers, and an
 * optional leading `cis` word, so `cis 4.1 audit`, `@cis-bot 4.1 audit` and `4.1 audit` are the same
 * command. Pure; works on a structural slice of the activity so it needs no botbuilder import.
 */

export interface MessageLike {
  text?: string;
  recipient?: { id?: string };
  entities?: ReadonlyArray<{ type?: string; mentioned?: { id?: string }; text?: string }>;
}

const HTML_ENTITIES: Record<string, string> = {
  '&nbsp;': ' ',
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

export function commandText(activity: MessageLike): string {
  let text = activity.text ?? '';
  const botId = activity.recipient?.id;
  // Entities are the reliable description of mentions; the text is only where they appear.
  for (const entity of activity.entities ?? []) {
    if (entity.type === 'mention' && botId !== undefined && entity.mentioned?.id === botId && entity.text) {
      text = text.split(entity.text).join(' ');
    }
  }
  // Any other mention (a person cc'd, a mention without its entity) is not a command word either.
  text = text.replace(/<at>[^<]*<\/at>/gi, ' ');
  text = text.replace(/<[^>]+>/g, ' ');
  text = text.replace(/&(nbsp|amp|lt|gt|quot|#39);/g, (m) => HTML_ENTITIES[m] ?? m);
  text = text.trim();
  return text.replace(/^cis(\s+|$)/i, '');
}
