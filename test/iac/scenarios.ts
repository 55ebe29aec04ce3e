/**
 * Sandbox scenarios whose member accounts break the CIS 4.1 chain in every way the bot repairs: each
 * non-empty subset of {filter, alarm, topic, subscription} missing, plus a same-named filter and a
 * same-named alarm with other settings (the plan's "replaces existing ..." steps). The caller account
 * audits them all through their CisBotAudit role, as `cis-bot demo` does.
 */
import type { Scenario } from '../../src/sandbox';

export const CALLER = '999900000001';
export const REGION = 'eu-central-1';
export const CIS_PATTERN =
  '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';
const FILTER = 'unauthorized_api_calls_metric';
const METRIC = 'unauthorized_api_calls_metric';
const ALARM = 'unauthorized_api_calls_alarm';
const TOPIC = 'cis-security-alarms';

type Account = Scenario['accounts'][number];
type Region = NonNullable<Account['regions']>[string];

/** The whole chain, holding. */
function compliant(accountId: string): Region {
  return {
    trails: [{ name: 'main', log_group: 'ct-logs' }],
    log_groups: [
      {
        name: 'ct-logs',
        metric_filters: [
          { name: FILTER, pattern: CIS_PATTERN, metric_name: METRIC, metric_namespace: 'CISBenchmark' },
        ],
      },
    ],
    alarms: [
      {
        name: ALARM,
        metric_name: METRIC,
        namespace: 'CISBenchmark',
        alarm_actions: [`arn:aws:sns:${REGION}:${accountId}:${TOPIC}`],
      },
    ],
    topics: [
      { name: TOPIC, subscriptions: [{ protocol: 'email', endpoint: 'sec@example.com', confirmed: true }] },
    ],
  };
}

export const BREAKS = {
  filter: (r: Region) => {
    for (const lg of r.log_groups ?? []) lg.metric_filters = [];
  },
  alarm: (r: Region) => {
    r.alarms = [];
  },
  topic: (r: Region) => {
    r.topics = [];
  },
  subscription: (r: Region) => {
    for (const t of r.topics ?? []) t.subscriptions = [];
  },
  /** The bot's filter name, with a pattern that misses EC2's denials: replaced. */
  'filter-replaced': (r: Region) => {
    for (const lg of r.log_groups ?? []) {
      for (const f of lg.metric_filters ?? []) f.pattern = '{ $.errorCode = "AccessDenied*" }';
    }
  },
  /** The bot's alarm name on another namespace: replaced. */
  'alarm-replaced': (r: Region) => {
    for (const a of r.alarms ?? []) a.namespace = 'Security';
  },
} as const;

export type BreakName = keyof typeof BREAKS;

/** Every non-empty subset of the four missing links, then the two replacements, one account each. */
export function breakCases(): BreakName[][] {
  const names: BreakName[] = ['filter', 'alarm', 'topic', 'subscription'];
  const out: BreakName[][] = [];
  for (let mask = 1; mask < 1 << names.length; mask++) out.push(names.filter((_, i) => mask & (1 << i)));
  return [...out, ['filter-replaced'], ['alarm-replaced'], ['filter-replaced', 'alarm-replaced']];
}

export function accountFor(index: number): string {
  return `1000000000${String(index + 10).padStart(2, '0')}`;
}

export function brokenAccountsScenario(): Scenario {
  const accounts: Account[] = breakCases().map((breaks, i) => {
    const id = accountFor(i);
    const region = compliant(id);
    for (const b of breaks) BREAKS[b](region);
    return { id, label: breaks.join('+'), roles: [{ name: 'CisBotAudit' }], regions: { [REGION]: region } };
  });
  return { accounts: [{ id: CALLER, label: 'security' }, ...accounts] };
}

export const MANAGEMENT = '200000000001';
export const MEMBER = '200000000002';

/**
 * An organization trail of the management account delivering to its own log group, with no metric
 * filter: the member's plan repairs the chain in the management account (plan.target.accountId).
 */
export function organizationScenario(): Scenario {
  return {
    organization: { management_account: MANAGEMENT, members: [MEMBER] },
    accounts: [
      { id: CALLER, label: 'security' },
      { id: MEMBER, label: 'member', roles: [{ name: 'CisBotAudit' }], regions: {} },
      {
        id: MANAGEMENT,
        label: 'management',
        roles: [{ name: 'CisBotAudit' }],
        regions: {
          [REGION]: {
            trails: [{ name: 'org', organization: true, log_group: 'org-trail' }],
            log_groups: [{ name: 'org-trail', metric_filters: [] }],
          },
        },
      },
    ],
  };
}
