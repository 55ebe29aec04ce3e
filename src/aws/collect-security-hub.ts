/**
 * CIS 4.16's collection: Security Hub in each region the account uses, as far as the audit sees it: the
 * audit region (read at once, beside DescribeTrails), and every region where a trail listed there lives
 * (its home region) or delivers (its log group's region, which is also where its alarms and topics are).
 * Per region one DescribeHub (AWS answers InvalidAccessException when the hub is not enabled) and, only
 * when enabled, GetEnabledStandards as evidence. Each region records why it was checked.
 */
import type {
  DescribeHubCommand as DescribeHub,
  GetEnabledStandardsCommand as GetEnabledStandards,
} from '@aws-sdk/client-securityhub';
import {
  type EnabledStandard,
  type HubState,
  type Probe,
  parseLogGroupArn,
  probeOk,
  type SecurityHubSnapshot,
  type Trail,
} from '../core/snapshot';
import type { CollectContext } from './collect-context';
import { errorCode } from './errors';

/** The error DescribeHub answers in a region where Security Hub is not enabled. */
const NOT_SUBSCRIBED = 'InvalidAccessException';

/** Why each region of the account is in use, from the trails DescribeTrails listed (audit region first). */
export function regionsInUse(auditRegion: string, trails: readonly Trail[]): Map<string, string[]> {
  const regions = new Map<string, string[]>([[auditRegion, ['audit region']]]);
  const add = (region: string, why: string) => {
    if (!region) return;
    const reasons = regions.get(region) ?? [];
    if (!reasons.includes(why)) reasons.push(why);
    regions.set(region, reasons);
  };
  for (const t of trails) {
    add(t.homeRegion, `home region of trail ${t.name}`);
    const lg = t.logGroupArn ? parseLogGroupArn(t.logGroupArn) : undefined;
    if (lg) add(lg.region, `log group ${lg.name} of trail ${t.name}`);
  }
  return regions;
}

/** Security Hub in one region of the audited account. */
export async function readSecurityHub(
  ctx: CollectContext,
  region: string,
  reasons: string[],
): Promise<SecurityHubSnapshot> {
  const { DescribeHubCommand, GetEnabledStandardsCommand } = require('@aws-sdk/client-securityhub') as {
    DescribeHubCommand: typeof DescribeHub;
    GetEnabledStandardsCommand: typeof GetEnabledStandards;
  };
  const hubClient = ctx.req.home(region).securityhub;
  const hub: Probe<HubState> = await ctx.probe('securityhub:DescribeHub', async (): Promise<HubState> => {
    try {
      const out = await hubClient.send(new DescribeHubCommand({}), ctx.send);
      return {
        enabled: true,
        hubArn: out.HubArn ?? '',
        ...(out.SubscribedAt !== undefined ? { subscribedAt: out.SubscribedAt } : {}),
        ...(out.AutoEnableControls !== undefined ? { autoEnableControls: out.AutoEnableControls } : {}),
      };
    } catch (error) {
      if (errorCode(error) === NOT_SUBSCRIBED) return { enabled: false, code: NOT_SUBSCRIBED };
      throw error;
    }
  });
  if (!hub.ok || !hub.value.enabled) return { region, reasons, hub };
  const standards: EnabledStandard[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.probe('securityhub:GetEnabledStandards', () =>
      hubClient.send(
        new GetEnabledStandardsCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }),
        ctx.send,
      ),
    );
    if (!page.ok) return { region, reasons, hub, standards: page };
    for (const s of page.value.StandardsSubscriptions ?? []) {
      standards.push({ arn: s.StandardsArn ?? '', status: s.StandardsStatus ?? '' });
    }
    const next = page.value.NextToken;
    token = next && next !== token ? next : undefined;
  } while (token);
  return { region, reasons, hub, standards: probeOk(standards) };
}
