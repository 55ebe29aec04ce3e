/**
 * Sandbox scenarios whose member accounts break the CIS 4.1 chain in every way the bot repairs: each
 * non-empty subset of the remediation tests' breakages (filter, alarm, topic, subscription missing), plus
 * a same-named filter and a same-named alarm with other settings (the plan's "replaces existing ..."
 * steps), one account each; and an organization trail whose log group is in the management account.
 * The caller account audits them all through their CisBotAudit role, as `cis-bot demo` does.
 */
import type { Scenario } from '../../src/sandbox';
import {
  allSubsets,
  REGION as BASE_REGION,
  compliantRegion,
  BREAKS as MISSING,
  TOPIC,
} from '../remediation/helpers';

export const CALLER = '999900000001';
/** Another region than the remediation tests' (`eu-west-2`, where their topic ARNs point). */
export const REGION = 'eu-central-1';

type Account = Scenario['accounts'][number];
type Region = NonNullable<Account['regions']>[string];

const REPLACED = {
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

const BREAKS = { ...MISSING, ...REPLACED };
export type BreakName = keyof typeof BREAKS;

/** Every non-empty subset of the missing links, then the replacements. */
export function breakCases(): BreakName[][] {
  return [...allSubsets(), ['filter-replaced'], ['alarm-replaced'], ['filter-replaced', 'alarm-replaced']];
}

export function accountFor(index: number): string {
  return `1000000000${String(index + 10).padStart(2, '0')}`;
}

/** The remediation tests' compliant chain, moved to this account and region. */
function compliantIn(accountId: string): Region {
  const region = compliantRegion();
  for (const alarm of region.alarms ?? [])
    alarm.alarm_actions = [`arn:aws:sns:${REGION}:${accountId}:${TOPIC}`];
  if (JSON.stringify(region).includes(`:sns:${BASE_REGION}:`)) throw new Error('a topic ARN was left behind');
  return region;
}

export function brokenAccountsScenario(): Scenario {
  const accounts: Account[] = breakCases().map((breaks, i) => {
    const id = accountFor(i);
    const region = compliantIn(id);
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
