/**
 * The Adaptive Card renderer, by exact output: the two cards the issue asks to show (a non-compliant
 * finding and an approval request), then the rules one by one.
 */
import { MAX_CARD_BYTES, splitCard, toAdaptiveCard, toAttachment } from '../../adapters/teams/render';
import type { Card } from '../../src/core/cards';
import { APPROVAL_CARD, CIS_41_PATTERN, FINDING_CARD } from './sample-cards';

const FINDING_JSON = {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  type: 'AdaptiveCard',
  version: '1.5',
  fallbackText: '4.1 NON_COMPLIANT in 111111111111: no metric filter matches unauthorized API calls',
  msteams: {
    width: 'Full',
  },
  body: [
    {
      type: 'RichTextBlock',
      inlines: [
        {
          type: 'TextRun',
          text: 'CIS 4.1 Unauthorized API calls: NON_COMPLIANT',
          size: 'Large',
          weight: 'Bolder',
        },
      ],
    },
    {
      type: 'FactSet',
      facts: [
        {
          title: 'Account',
          value: '111111111111',
        },
        {
          title: 'Trail',
          value: 'arn:aws:cloudtrail:eu-west-2:111111111111:trail/org-trail',
        },
        {
          title: 'Broken link',
          value: 'metric filter',
        },
      ],
    },
    {
      type: 'RichTextBlock',
      inlines: [
        {
          type: 'TextRun',
          text: 'Log group org-trail-logs has no metric filter matching the CIS pattern:',
        },
      ],
    },
    {
      type: 'RichTextBlock',
      inlines: [
        {
          type: 'TextRun',
          text: '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
          fontType: 'Monospace',
        },
      ],
    },
    {
      type: 'Table',
      columns: [
        {
          width: 4,
        },
        {
          width: 1,
        },
      ],
      firstRowAsHeader: true,
      rows: [
        {
          type: 'TableRow',
          cells: [
            {
              type: 'TableCell',
              items: [
                {
                  type: 'RichTextBlock',
                  inlines: [
                    {
                      type: 'TextRun',
                      text: 'Link',
                      weight: 'Bolder',
                    },
                  ],
                },
              ],
            },
            {
              type: 'TableCell',
              items: [
                {
                  type: 'RichTextBlock',
                  inlines: [
                    {
                      type: 'TextRun',
                      text: 'State',
                      weight: 'Bolder',
                    },
                  ],
                },
              ],
            },
          ],
        },
        {
          type: 'TableRow',
          cells: [
            {
              type: 'TableCell',
              items: [
                {
                  type: 'RichTextBlock',
                  inlines: [
                    {
                      type: 'TextRun',
                      text: 'Multi-region trail logging to CloudWatch Logs',
                    },
                  ],
                },
              ],
            },
            {
              type: 'TableCell',
              items: [
                {
                  type: 'RichTextBlock',
                  inlines: [
                    {
                      type: 'TextRun',
                      text: 'OK',
                    },
                  ],
                },
              ],
            },
          ],
        },
        {
          type: 'TableRow',
          cells: [
            {
              type: 'TableCell',
              items: [
                {
                  type: 'RichTextBlock',
                  inlines: [
                    {
                      type: 'TextRun',
                      text: 'Metric filter',
                    },
                  ],
                },
              ],
            },
            {
              type: 'TableCell',
              items: [
                {
                  type: 'RichTextBlock',
                  inlines: [
                    {
                      type: 'TextRun',
                      text: 'MISSING',
                    },
                  ],
                },
              ],
            },
          ],
        },
        {
          type: 'TableRow',
          cells: [
            {
              type: 'TableCell',
              items: [
                {
                  type: 'RichTextBlock',
                  inlines: [
                    {
                      type: 'TextRun',
                      text: 'Alarm',
                    },
                  ],
                },
              ],
            },
            {
              type: 'TableCell',
              items: [
                {
                  type: 'RichTextBlock',
                  inlines: [
                    {
                      type: 'TextRun',
                      text: 'MISSING',
                    },
                  ],
                },
              ],
            },
          ],
        },
        {
          type: 'TableRow',
          cells: [
            {
              type: 'TableCell',
              items: [
                {
                  type: 'RichTextBlock',
                  inlines: [
                    {
                      type: 'TextRun',
                      text: 'SNS subscription',
                    },
                  ],
                },
              ],
            },
            {
              type: 'TableCell',
              items: [
                {
                  type: 'RichTextBlock',
                  inlines: [
                    {
                      type: 'TextRun',
                      text: '',
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
      separator: true,
    },
    {
      type: 'ActionSet',
      actions: [
        {
          type: 'Action.Execute',
          title: 'Propose a fix',
          verb: 'cis:remediate',
          data: {
            value: '4.1:111111111111',
          },
          style: 'positive',
          fallback: {
            type: 'Action.Submit',
            title: 'Propose a fix',
            data: {
              verb: 'cis:remediate',
              value: '4.1:111111111111',
            },
            style: 'positive',
          },
        },
      ],
    },
    {
      type: 'RichTextBlock',
      inlines: [
        {
          type: 'TextRun',
          text: 'Audited 2025-06-01T10:00:00Z · CIS AWS Foundations v4.0.0',
          size: 'Small',
          isSubtle: true,
        },
      ],
    },
  ],
};

const APPROVAL_JSON = {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  type: 'AdaptiveCard',
  version: '1.5',
  fallbackText: 'Approval needed: fix CIS 4.1 in 111111111111',
  msteams: {
    width: 'Full',
  },
  body: [
    {
      type: 'RichTextBlock',
      inlines: [
        {
          type: 'TextRun',
          text: 'Fix CIS 4.1 in 111111111111?',
          size: 'Large',
          weight: 'Bolder',
        },
      ],
    },
    {
      type: 'FactSet',
      facts: [
        {
          title: 'Requested by',
          value: 'Megan Bowen',
        },
        {
          title: 'Plan',
          value: 'sha256:9f2c…e1 (3 steps)',
        },
        {
          title: 'Expires',
          value: '2025-06-01T11:00:00Z',
        },
      ],
    },
    {
      type: 'RichTextBlock',
      inlines: [
        {
          type: 'TextRun',
          text: 'aws logs put-metric-filter --log-group-name org-trail-logs --filter-name cis-4-1-unauthorized-api-calls ...',
          fontType: 'Monospace',
        },
      ],
    },
    {
      type: 'ActionSet',
      actions: [
        {
          type: 'Action.ShowCard',
          title: 'Approve',
          style: 'positive',
          card: {
            type: 'AdaptiveCard',
            body: [
              {
                type: 'RichTextBlock',
                inlines: [
                  {
                    type: 'TextRun',
                    text: 'Apply this plan?',
                    weight: 'Bolder',
                  },
                ],
              },
              {
                type: 'RichTextBlock',
                inlines: [
                  {
                    type: 'TextRun',
                    text: 'cis-bot will create the metric filter, the alarm and the SNS topic in 111111111111.',
                  },
                ],
              },
            ],
            actions: [
              {
                type: 'Action.Execute',
                title: 'Apply',
                verb: 'cis:approve',
                data: {
                  value: 'apr-7d2f',
                },
                style: 'positive',
                fallback: {
                  type: 'Action.Submit',
                  title: 'Apply',
                  data: {
                    verb: 'cis:approve',
                    value: 'apr-7d2f',
                  },
                  style: 'positive',
                },
              },
            ],
          },
        },
        {
          type: 'Action.Execute',
          title: 'Reject',
          verb: 'cis:reject',
          data: {
            value: 'apr-7d2f',
          },
          style: 'destructive',
          fallback: {
            type: 'Action.Submit',
            title: 'Reject',
            data: {
              verb: 'cis:reject',
              value: 'apr-7d2f',
            },
            style: 'destructive',
          },
        },
      ],
    },
    {
      type: 'RichTextBlock',
      inlines: [
        {
          type: 'TextRun',
          text: 'Approvers: approvals.teams.users · you cannot approve your own request',
          size: 'Small',
          isSubtle: true,
        },
      ],
    },
  ],
};

test('a non-compliant finding renders exactly', () => {
  expect(toAdaptiveCard(FINDING_CARD)).toEqual(FINDING_JSON);
});

test('an approval request renders exactly: Approve asks for confirmation, Reject does not', () => {
  expect(toAdaptiveCard(APPROVAL_CARD)).toEqual(APPROVAL_JSON);
});

const card = (elements: Card['elements']): Card => ({ summary: 'S', elements });

test('the envelope: schema 1.5, the summary as fallback text, full width in Teams', () => {
  const { body, ...envelope } = toAdaptiveCard(card([]));
  expect(envelope).toEqual({
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    fallbackText: 'S',
    msteams: { width: 'Full' },
  });
  expect(body).toEqual([]);
});

test('text stays plain text: Markdown characters reach the client untouched, in a TextRun', () => {
  const [block] = toAdaptiveCard(card([{ type: 'text', text: CIS_41_PATTERN, monospace: true }]))
    .body as unknown[];
  expect(block).toEqual({
    type: 'RichTextBlock',
    inlines: [{ type: 'TextRun', text: CIS_41_PATTERN, fontType: 'Monospace' }],
  });
  const [prose] = toAdaptiveCard(
    card([{ type: 'text', text: '**not bold** _nor italic_ {{DATE(2017-02-14T06:08:00Z)}}' }]),
  ).body as unknown[];
  expect(prose).toEqual({
    type: 'RichTextBlock',
    inlines: [{ type: 'TextRun', text: '**not bold** _nor italic_ {{DATE(2017-02-14T06:08:00Z)}}' }],
  });
});

test('dividers become a separator on the next element; leading, trailing and doubled ones vanish', () => {
  const body = toAdaptiveCard(
    card([
      { type: 'divider' },
      { type: 'context', text: 'a' },
      { type: 'divider' },
      { type: 'divider' },
      { type: 'context', text: 'b' },
      { type: 'divider' },
    ]),
  ).body as Array<Record<string, unknown>>;
  expect(body.map((b) => b.separator)).toEqual([undefined, true]);
});

test('an actions element without buttons renders nothing; a default button has no style', () => {
  const body = toAdaptiveCard(
    card([
      { type: 'actions', buttons: [] },
      { type: 'actions', buttons: [{ id: 'cis:x', label: 'More', style: 'default', value: 'v' }] },
    ]),
  ).body;
  expect(body).toEqual([
    {
      type: 'ActionSet',
      actions: [
        {
          type: 'Action.Execute',
          title: 'More',
          verb: 'cis:x',
          data: { value: 'v' },
          fallback: { type: 'Action.Submit', title: 'More', data: { verb: 'cis:x', value: 'v' } },
        },
      ],
    },
  ]);
});

test('table columns get room by their longest text: a "#" column stays narrow', () => {
  const plan: Card = {
    summary: 'plan',
    elements: [
      {
        type: 'table',
        columns: ['#', 'Step', 'IAM action'],
        rows: [
          [
            '1',
            "Create metric filter 'unauthorized_api_calls_metric' on log group cloudtrail",
            'logs:PutMetricFilter',
          ],
          ['2', 'Create SNS topic cis-security-alarms', 'sns:CreateTopic'],
        ],
      },
    ],
  };
  const table = (toAdaptiveCard(plan).body as Array<{ columns?: unknown }>)[0];
  expect(table?.columns).toEqual([{ width: 1 }, { width: 4 }, { width: 2 }]);
});

test('the attachment carries the Adaptive Card content type', () => {
  expect(toAttachment(FINDING_CARD)).toEqual({
    contentType: 'application/vnd.microsoft.card.adaptive',
    content: FINDING_JSON,
  });
});

describe('splitting long results (Teams refuses oversized messages)', () => {
  const rows = Array.from({ length: 400 }, (_, i) => [
    String(100000000000 + i),
    'NON_COMPLIANT',
    'metric filter missing',
  ]);
  const big: Card = {
    summary: '4.1 audit of 400 accounts',
    elements: [
      { type: 'heading', text: '4.1 audit' },
      { type: 'table', columns: ['Account', 'Status', 'Reason'], rows },
      { type: 'context', text: 'end' },
    ],
  };

  test('a card within the budget is left alone', () => {
    expect(splitCard(FINDING_CARD)).toEqual([FINDING_CARD]);
  });

  test('parts fit the budget, keep every row once, repeat the header and are numbered', () => {
    const parts = splitCard(big);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(Buffer.byteLength(JSON.stringify(toAdaptiveCard(part)))).toBeLessThanOrEqual(MAX_CARD_BYTES);
    }
    const tables = parts.flatMap((p) => p.elements).filter((e) => e.type === 'table');
    expect(tables.flatMap((t) => (t.type === 'table' ? t.rows : []))).toEqual(rows);
    expect(tables.every((t) => t.type === 'table' && t.columns.length === 3)).toBe(true);
    expect(parts.map((p) => p.summary)).toEqual(
      parts.map((_, i) => `4.1 audit of 400 accounts (part ${i + 1} of ${parts.length})`),
    );
    expect(parts[0]?.elements[0]).toEqual({ type: 'heading', text: '4.1 audit' });
    expect(parts.at(-1)?.elements.at(-1)).toEqual({ type: 'context', text: 'end' });
  });
});
