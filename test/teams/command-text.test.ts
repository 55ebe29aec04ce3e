/** How the text of a Teams message becomes the text the shared command parser reads. */
import { commandText } from '../../adapters/teams/command-text';

const BOT = { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c' };
const mention = (name: string, id = BOT.id) => ({
  type: 'mention',
  mentioned: { id, name },
  text: `<at>${name}</at>`,
});

test.each([
  ['cis 4.1 audit', '4.1 audit'],
  ['CIS help', 'help'],
  ['cis', ''],
  ['4.1 status --account 111111111111', '4.1 status --account 111111111111'],
  ['  cis   history --limit 5 \n', 'history --limit 5'],
  ['cisco 4.1 audit', 'cisco 4.1 audit'],
])('1:1 text %j reads as %j', (text, expected) => {
  expect(commandText({ text, recipient: BOT })).toBe(expected);
});

test('the bot mention is removed wherever it is, using the entities', () => {
  expect(
    commandText({ text: '<at>cis-bot</at> 4.1 audit', recipient: BOT, entities: [mention('cis-bot')] }),
  ).toBe('4.1 audit');
  expect(
    commandText({ text: '4.1 audit <at>cis-bot</at>', recipient: BOT, entities: [mention('cis-bot')] }),
  ).toBe('4.1 audit');
  // The bot can be renamed in a team: the entity says what the mention looks like.
  expect(
    commandText({
      text: '<at>Compliance</at> cis digest now',
      recipient: BOT,
      entities: [mention('Compliance')],
    }),
  ).toBe('digest now');
});

test('a leading mention without an entity is still removed; HTML leftovers are undone', () => {
  expect(commandText({ text: '<at>cis-bot</at>&nbsp;4.1&nbsp;audit', recipient: BOT })).toBe('4.1 audit');
  expect(commandText({ text: '<p>cis schedule list</p>', recipient: BOT })).toBe('schedule list');
});

test("another person's mention is not mistaken for the bot's", () => {
  const text = '<at>cis-bot</at> 4.1 audit <at>Alex</at>';
  const out = commandText({
    text,
    recipient: BOT,
    entities: [mention('cis-bot'), mention('Alex', '29:alex')],
  });
  expect(out).toBe('4.1 audit');
});
