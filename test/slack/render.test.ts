/**
 * The Block Kit renderer: exact output for each card element, escaping, and Slack's limits (checked with
 * the fake Slack API's independent validator, and by a property test over random cards).
 */
import fc from 'fast-check';
import {
  blockChars,
  buttonIdOf,
  escapeMrkdwn,
  fitEscaped,
  RenderError,
  SLACK_LIMITS,
  toBlockKit,
  toSlackMessages,
} from '../../adapters/slack/render';
import type { Button, Card, CardElement } from '../../src/core/cards';
import { validateBlockKit } from '../support/fake-slack-api';

const card = (...elements: CardElement[]): Card => ({ summary: 'summary', elements });

const nonCompliantFinding: Card = {
  summary: '4.1 NON_COMPLIANT in 111122223333 (prod): the metric filter does not match unauthorized calls',
  elements: [
    { type: 'heading', text: '4.1 Unauthorized API calls are monitored: NON_COMPLIANT' },
    {
      type: 'fields',
      fields: [
        { label: 'Account', value: '111122223333 (prod)' },
        { label: 'Severity', value: 'medium' },
        { label: 'Broken link', value: 'metric filter' },
        { label: 'Trail', value: 'org-trail (multi-region, logging)' },
      ],
    },
    {
      type: 'text',
      text: 'The log group\'s only metric filter does not match AccessDenied events: the pattern lacks "*UnauthorizedOperation".',
    },
    {
      type: 'text',
      monospace: true,
      text: '{ ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") }',
    },
    { type: 'context', text: 'CIS AWS Foundations v4.0.0 4.1 (v3.0.0 4.1) · audited 2025-06-01 10:00 UTC' },
  ],
};

const approvalCard: Card = {
  summary: 'Remediation plan for 4.1 in 111122223333: 2 steps, waiting for approval',
  elements: [
    { type: 'heading', text: 'Fix 4.1 in 111122223333: 2 steps' },
    {
      type: 'table',
      columns: ['#', 'Call', 'Resource'],
      rows: [
        ['1', 'logs:PutMetricFilter', 'CIS-UnauthorizedAPICalls'],
        ['2', 'cloudwatch:PutMetricAlarm', 'CIS-4.1-UnauthorizedAPICalls'],
      ],
    },
    { type: 'context', text: 'Requested by <@U0ALICE001> · expires in 60 minutes' },
    {
      type: 'actions',
      buttons: [
        {
          id: 'cis:approve',
          label: 'Approve',
          style: 'primary',
          value: 'apr_01HZX3',
          confirm: {
            title: 'Apply 2 changes to 111122223333?',
            text: 'Creates metric filter CIS-UnauthorizedAPICalls & alarm CIS-4.1-UnauthorizedAPICalls -> SNS cis-security-alarms.',
            confirm: 'Approve',
            deny: 'Cancel',
          },
        },
        { id: 'cis:reject', label: 'Reject', style: 'danger', value: 'apr_01HZX3' },
      ],
    },
  ],
};

describe('toBlockKit: exact output', () => {
  it('renders a non-compliant finding', () => {
    expect(toBlockKit(nonCompliantFinding)).toEqual({
      text: '4.1 NON_COMPLIANT in 111122223333 (prod): the metric filter does not match unauthorized calls',
      blocks: [
        {
          type: 'header',
          text: {
            type: 'plain_text',
            text: '4.1 Unauthorized API calls are monitored: NON_COMPLIANT',
            emoji: true,
          },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Account*\n111122223333 (prod)' },
            { type: 'mrkdwn', text: '*Severity*\nmedium' },
            { type: 'mrkdwn', text: '*Broken link*\nmetric filter' },
            { type: 'mrkdwn', text: '*Trail*\norg-trail (multi-region, logging)' },
          ],
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: 'The log group\'s only metric filter does not match AccessDenied events: the pattern lacks "*UnauthorizedOperation".',
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '```\n{ ($.errorCode = "AccessDenied*") &amp;&amp; ($.sourceIPAddress != "delivery.logs.amazonaws.com") }\n```',
          },
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: 'CIS AWS Foundations v4.0.0 4.1 (v3.0.0 4.1) · audited 2025-06-01 10:00 UTC',
            },
          ],
        },
      ],
    });
  });

  it('renders an approval with a primary button behind a confirm dialog and a danger button', () => {
    expect(toBlockKit(approvalCard)).toEqual({
      text: 'Remediation plan for 4.1 in 111122223333: 2 steps, waiting for approval',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: 'Fix 4.1 in 111122223333: 2 steps', emoji: true },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: [
              '```',
              '#  Call                       Resource',
              '-  -------------------------  ----------------------------',
              '1  logs:PutMetricFilter       CIS-UnauthorizedAPICalls',
              '2  cloudwatch:PutMetricAlarm  CIS-4.1-UnauthorizedAPICalls',
              '```',
            ].join('\n'),
          },
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'Requested by &lt;@U0ALICE001&gt; · expires in 60 minutes' }],
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'cis:approve',
              text: { type: 'plain_text', text: 'Approve', emoji: true },
              value: 'apr_01HZX3',
              style: 'primary',
              confirm: {
                title: { type: 'plain_text', text: 'Apply 2 changes to 111122223333?' },
                text: {
                  type: 'mrkdwn',
                  text: 'Creates metric filter CIS-UnauthorizedAPICalls &amp; alarm CIS-4.1-UnauthorizedAPICalls -&gt; SNS cis-security-alarms.',
                },
                confirm: { type: 'plain_text', text: 'Approve' },
                deny: { type: 'plain_text', text: 'Cancel' },
                style: 'primary',
              },
            },
            {
              type: 'button',
              action_id: 'cis:reject',
              text: { type: 'plain_text', text: 'Reject', emoji: true },
              value: 'apr_01HZX3',
              style: 'danger',
            },
          ],
        },
      ],
    });
  });

  it('renders dividers, escapes plain text and leaves default-style buttons unstyled', () => {
    const rendered = toBlockKit({
      summary: 'a <b> & c',
      elements: [
        { type: 'text', text: '<!channel> please look at <https://evil.example|this> & that' },
        { type: 'divider' },
        {
          type: 'actions',
          buttons: [{ id: 'cis:remediate', label: 'Fix it', style: 'default', value: '4.1:1' }],
        },
      ],
    });
    expect(rendered).toEqual({
      text: 'a &lt;b&gt; &amp; c',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '&lt;!channel&gt; please look at &lt;https://evil.example|this&gt; &amp; that',
          },
        },
        { type: 'divider' },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'cis:remediate',
              text: { type: 'plain_text', text: 'Fix it', emoji: true },
              value: '4.1:1',
            },
          ],
        },
      ],
    });
  });

  it('renders a card without visible content as its summary, and skips empty elements', () => {
    expect(
      toBlockKit({ summary: 'All 3 accounts COMPLIANT', elements: [{ type: 'text', text: ' ' }] }),
    ).toEqual({
      text: 'All 3 accounts COMPLIANT',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'All 3 accounts COMPLIANT' } }],
    });
  });

  it('keeps a triple backtick inside monospace text from closing the code block', () => {
    const [block] = toBlockKit(card({ type: 'text', monospace: true, text: 'a ``` b' })).blocks;
    expect(block).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '```\na `\u200b`\u200b` b\n```' },
    });
  });
});

describe('toBlockKit: limits', () => {
  it('splits long text into sections of at most 3000 characters, at line ends, never inside an entity', () => {
    const line = `${'&'.repeat(10)}${'a'.repeat(90)}`; // 140 characters once escaped
    const text = Array.from({ length: 60 }, () => line).join('\n');
    const blocks = toBlockKit(card({ type: 'text', text })).blocks;
    expect(blocks.length).toBe(3);
    for (const block of blocks) {
      const t = (block as { text: { text: string } }).text.text;
      expect(t.length).toBeLessThanOrEqual(3000);
      expect(t.startsWith('&amp;')).toBe(true);
      expect(t.endsWith('a')).toBe(true);
    }
    const joined = blocks.map((b) => (b as { text: { text: string } }).text.text).join('\n');
    expect(joined).toBe(escapeMrkdwn(text));
  });

  it('cuts a single over-long line between characters and fences each monospace piece', () => {
    const blocks = toBlockKit(card({ type: 'text', monospace: true, text: '<'.repeat(2000) })).blocks;
    expect(blocks).toHaveLength(3);
    for (const block of blocks) {
      const t = (block as { text: { text: string } }).text.text;
      expect(t.length).toBeLessThanOrEqual(3000);
      expect(t).toMatch(/^```\n(&lt;)+\n```$/);
    }
  });

  it('puts at most 10 fields in a section and cuts field values to 2000 characters', () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({
      label: `L${i}`,
      value: i === 0 ? 'v'.repeat(5000) : `v${i}`,
    }));
    const blocks = toBlockKit(card({ type: 'fields', fields })).blocks as Array<{
      fields: Array<{ text: string }>;
    }>;
    expect(blocks.map((b) => b.fields.length)).toEqual([10, 10, 3]);
    const first = blocks[0]?.fields[0]?.text as string;
    expect(first.length).toBe(2000);
    expect(first.endsWith('v…')).toBe(true);
  });

  it('puts at most 25 buttons in an actions block, keeping action ids unique within each block', () => {
    const buttons: Button[] = Array.from({ length: 30 }, (_, i) => ({
      id: 'cis:remediate',
      label: `Fix ${i}`,
      style: 'default',
      value: `4.1:${i}`,
    }));
    const blocks = toBlockKit(card({ type: 'actions', buttons })).blocks as Array<{
      elements: Array<{ action_id: string }>;
    }>;
    expect(blocks.map((b) => b.elements.length)).toEqual([25, 5]);
    expect(blocks[0]?.elements.slice(0, 3).map((e) => e.action_id)).toEqual([
      'cis:remediate',
      'cis:remediate#2',
      'cis:remediate#3',
    ]);
    expect(blocks[1]?.elements[0]?.action_id).toBe('cis:remediate');
    expect(buttonIdOf('cis:remediate#12')).toBe('cis:remediate');
    expect(buttonIdOf('cis:approve')).toBe('cis:approve');
  });

  it('cuts button text to 75, header to 150 and confirm texts to 100/300/30 characters', () => {
    const rendered = toBlockKit(
      card(
        { type: 'heading', text: 'H'.repeat(400) },
        {
          type: 'actions',
          buttons: [
            {
              id: 'cis:approve',
              label: 'A'.repeat(100),
              style: 'danger',
              value: 'x',
              confirm: {
                title: 'T'.repeat(200),
                text: '&'.repeat(400),
                confirm: 'C'.repeat(50),
                deny: 'D'.repeat(50),
              },
            },
          ],
        },
      ),
    );
    const [header, actions] = rendered.blocks as unknown as [
      { text: { text: string } },
      {
        elements: Array<{
          text: { text: string };
          confirm: {
            title: { text: string };
            text: { text: string };
            confirm: { text: string };
            deny: { text: string };
            style: string;
          };
        }>;
      },
    ];
    expect(header.text.text.length).toBe(150);
    const button = actions.elements[0];
    expect(button?.text.text.length).toBe(75);
    expect(button?.confirm.title.text.length).toBe(100);
    expect(button?.confirm.text.text.length).toBeLessThanOrEqual(300);
    expect(button?.confirm.text.text).toMatch(/^(&amp;)+…$/);
    expect(button?.confirm.confirm.text.length).toBe(30);
    expect(button?.confirm.deny.text.length).toBe(30);
    expect(button?.confirm.style).toBe('danger');
    expect(validateBlockKit(rendered)).toEqual([]);
  });

  it('refuses a button value over 2000 characters rather than corrupting it', () => {
    expect(() =>
      toBlockKit(
        card({
          type: 'actions',
          buttons: [{ id: 'cis:approve', label: 'A', style: 'primary', value: 'v'.repeat(2001) }],
        }),
      ),
    ).toThrow(RenderError);
  });

  it('cuts escaped text without breaking an entity', () => {
    expect(fitEscaped('ab&cd', 6)).toBe('ab…');
    expect(fitEscaped('ab&cd', 8)).toBe('ab&amp;…');
    expect(fitEscaped('ab&cd', 9)).toBe('ab&amp;cd');
  });

  it('keeps the last column of a table readable (it needs no padding after it) and clips the others', () => {
    const detail = `No metric filter on log group cloudtrail catches every CIS 4.1 event; ${'x'.repeat(150)}`;
    const [block] = toBlockKit(
      card({ type: 'table', columns: ['Link', 'Detail'], rows: [['metric-filter'.repeat(5), detail]] }),
    ).blocks;
    const lines = (block as { text: { text: string } }).text.text.split('\n');
    expect(lines[3]).toContain(detail);
    expect(lines[3]?.startsWith(`${'metric-filter'.repeat(5).slice(0, 39)}…`)).toBe(true);
    expect(lines[2]?.length).toBeLessThanOrEqual(40 + 2 + 40);
  });

  it('splits a long table into fenced sections that each repeat the header', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [`row-${i}`, 'x'.repeat(30)]);
    const blocks = toBlockKit(card({ type: 'table', columns: ['Name', 'Value'], rows })).blocks;
    expect(blocks.length).toBeGreaterThan(1);
    for (const block of blocks) {
      const t = (block as { text: { text: string } }).text.text;
      expect(t.length).toBeLessThanOrEqual(3000);
      expect(t.startsWith('```\nName     Value')).toBe(true);
    }
  });
});

describe('toSlackMessages', () => {
  it('packs small cards into one message separated by dividers', () => {
    const messages = toSlackMessages([
      { summary: 'one', elements: [{ type: 'text', text: '1' }] },
      { summary: 'two', elements: [{ type: 'text', text: '2' }] },
    ]);
    expect(messages).toEqual([
      {
        text: 'one',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: '1' } },
          { type: 'divider' },
          { type: 'section', text: { type: 'mrkdwn', text: '2' } },
        ],
      },
    ]);
  });

  it('gives a card with buttons a message of its own', () => {
    const messages = toSlackMessages([nonCompliantFinding, approvalCard, nonCompliantFinding]);
    expect(messages.map((m) => m.text)).toEqual([
      nonCompliantFinding.summary,
      approvalCard.summary,
      nonCompliantFinding.summary,
    ]);
  });

  it('continues a card over 50 blocks or the character budget in further messages', () => {
    const big: Card = {
      summary: 'Big audit',
      elements: Array.from({ length: 130 }, (_, i) => ({ type: 'text' as const, text: `finding ${i}` })),
    };
    const messages = toSlackMessages([big]);
    expect(messages.map((m) => m.blocks.length)).toEqual([50, 50, 30]);
    expect(messages.map((m) => m.text)).toEqual([
      'Big audit',
      'Big audit (continued)',
      'Big audit (continued)',
    ]);

    const heavy: Card = {
      summary: 'Heavy',
      elements: Array.from({ length: 10 }, () => ({ type: 'text' as const, text: 'z'.repeat(2900) })),
    };
    const heavyMessages = toSlackMessages([heavy]);
    expect(heavyMessages.length).toBeGreaterThan(2);
    for (const message of heavyMessages) {
      expect(message.blocks.reduce((n, b) => n + blockChars(b), message.text.length)).toBeLessThanOrEqual(
        SLACK_LIMITS.messageChars,
      );
      expect(validateBlockKit(message)).toEqual([]);
    }
  });

  it('returns no messages for no cards', () => {
    expect(toSlackMessages([])).toEqual([]);
  });

  it('produces only messages Slack accepts, whatever the cards (property)', () => {
    const text = fc.string({
      maxLength: 4000,
      unit: fc.constantFrom('a', 'b', ' ', '\n', '&', '<', '>', '`', '*', 'é', '😀'),
    });
    const element: fc.Arbitrary<CardElement> = fc.oneof(
      fc.record({ type: fc.constant('heading' as const), text }),
      fc.record({ type: fc.constant('text' as const), text, monospace: fc.boolean() }),
      fc.record({
        type: fc.constant('fields' as const),
        fields: fc.array(fc.record({ label: fc.string({ maxLength: 300 }), value: text }), { maxLength: 25 }),
      }),
      fc.record({
        type: fc.constant('table' as const),
        columns: fc.array(fc.string({ maxLength: 60 }), { minLength: 1, maxLength: 5 }),
        rows: fc.array(fc.array(fc.string({ maxLength: 80 }), { maxLength: 5 }), { maxLength: 120 }),
      }),
      fc.record({
        type: fc.constant('actions' as const),
        buttons: fc.array(
          fc.record({
            id: fc.constantFrom('cis:approve', 'cis:reject', 'cis:remediate'),
            label: fc.string({ minLength: 1, maxLength: 120 }),
            style: fc.constantFrom('primary' as const, 'danger' as const, 'default' as const),
            value: fc.string({ maxLength: 2000 }),
          }),
          { maxLength: 40 },
        ),
      }),
      fc.constant({ type: 'divider' as const }),
      fc.record({ type: fc.constant('context' as const), text }),
    );
    const cardArb = fc.record({
      summary: fc.string({ minLength: 1, maxLength: 800 }),
      elements: fc.array(element, { maxLength: 30 }),
    });
    fc.assert(
      fc.property(fc.array(cardArb, { maxLength: 6 }), (cards) => {
        for (const message of toSlackMessages(cards)) {
          expect(validateBlockKit(message)).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });
});
