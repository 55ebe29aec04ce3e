/**
 * The collector: reads one account's monitoring chain into an `AccountSnapshot`, following the chain
 * instead of scanning the world, ONE collection shared by every control audited. DescribeTrails (with
 * shadow trails) in ONE region lists every multi-region trail; per candidate trail, GetTrailStatus and
 * GetEventSelectors in its home region (by ARN; for an organization trail, in its owner account when
 * cis-bot reaches it) run alongside the log group's reads (collect-chain.ts: metric filters, alarms,
 * topics, keys). For a service check (CIS 4.16) Security Hub is read in the regions in use
 * (collect-security-hub.ts), the audit region's beside DescribeTrails. Independent calls run
 * concurrently, every page is read, shared resources are read once, and each failure is a Probe error
 * naming its IAM action.
 */

import type { Trail as SdkTrail } from '@aws-sdk/client-cloudtrail';
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  type AccountSnapshot,
  type EventSelectors,
  type Probe,
  probeError,
  probeOk,
  type SecurityHubSnapshot,
  type Trail,
  type TrailSnapshot,
  type TrailStatus,
} from '../core/snapshot';
import { readLogGroup } from './collect-chain';
import { CollectContext, type CollectRequest } from './collect-context';
import { readSecurityHub, regionsInUse } from './collect-security-hub';
import { classifyError } from './errors';
import type { AwsClients } from './session';

export type { CollectRequest } from './collect-context';

const iso = (d: Date | undefined) => d?.toISOString();

function toTrail(t: SdkTrail): Trail | undefined {
  if (!t.TrailARN || !t.Name) return undefined;
  const owner = t.TrailARN.split(':')[4] ?? '';
  return {
    name: t.Name,
    arn: t.TrailARN,
    homeRegion: t.HomeRegion ?? t.TrailARN.split(':')[3] ?? '',
    ownerAccountId: owner,
    isMultiRegion: t.IsMultiRegionTrail === true,
    isOrganizationTrail: t.IsOrganizationTrail === true,
    ...(t.CloudWatchLogsLogGroupArn ? { logGroupArn: t.CloudWatchLogsLogGroupArn } : {}),
    ...(t.CloudWatchLogsRoleArn ? { cloudWatchLogsRoleArn: t.CloudWatchLogsRoleArn } : {}),
    ...(t.S3BucketName ? { s3BucketName: t.S3BucketName } : {}),
    ...(t.HasCustomEventSelectors !== undefined
      ? { hasCustomEventSelectors: t.HasCustomEventSelectors }
      : {}),
  };
}

/** DescribeTrails and each trail's status and selectors (and, beside them, its log group's chain). */
class TrailReader {
  constructor(private readonly ctx: CollectContext) {}

  describeTrails(): Promise<Probe<Trail[]>> {
    const { ctx } = this;
    const ct = ctx.req.home(ctx.req.auditRegion).cloudtrail;
    return ctx.probe('cloudtrail:DescribeTrails', async () => {
      const out = await ct.send(new DescribeTrailsCommand({ includeShadowTrails: true }), ctx.send);
      const seen = new Set<string>();
      const trails: Trail[] = [];
      for (const raw of out.trailList ?? []) {
        const t = toTrail(raw);
        if (t && !seen.has(t.arn)) {
          seen.add(t.arn);
          trails.push(t);
        }
      }
      return trails;
    });
  }

  /**
   * The CloudTrail client to read a trail's status and selectors with: the trail's own account when it
   * is another one (an organization trail seen from a member account) and cis-bot can reach it, else the
   * audited account's. Public reports disagree on whether a member account may call GetTrailStatus /
   * GetEventSelectors on the management account's trail ARN (some see CloudTrailARNInvalidException
   * "AccountID in ARN is wrong" or TrailNotFoundException), so the owner, who certainly may, is asked
   * first; the member's own call remains the fallback when there is no role in the owner account.
   */
  private trailReader(trail: Trail): Array<{ accountId: string; ct: AwsClients['cloudtrail'] }> {
    const local = { accountId: this.ctx.accountId, ct: this.ctx.req.home(trail.homeRegion).cloudtrail };
    const owner = trail.ownerAccountId;
    if (!owner || owner === this.ctx.accountId) return [local];
    const clients = this.ctx.clients(owner, trail.homeRegion);
    return clients.ok ? [{ accountId: owner, ct: clients.value.cloudtrail }, local] : [local];
  }

  /**
   * One read of a trail with the first reader; when the owner's clients cannot even get credentials
   * (AssumeRole into the owner account refused), the audited account's own call is tried. Any error
   * names the account the failing call was made in.
   */
  private async trailProbe<T>(
    action: string,
    trail: Trail,
    call: (ct: AwsClients['cloudtrail']) => Promise<T>,
  ): Promise<Probe<T>> {
    const readers = this.trailReader(trail);
    let result: Probe<T> | undefined;
    for (const [i, reader] of readers.entries()) {
      result = await this.ctx.probe(action, () => call(reader.ct));
      if (result.ok) return result;
      const assumeFailed = result.error.action === 'sts:AssumeRole';
      if (!assumeFailed || i === readers.length - 1) {
        const own = reader.accountId === trail.ownerAccountId ? 'the trail owner' : 'the audited account';
        return probeError({
          ...result.error,
          message: `called in account ${reader.accountId} (${own}), ${trail.homeRegion}: ${result.error.message}`,
        });
      }
    }
    return result as Probe<T>;
  }

  async trail(trail: Trail): Promise<TrailSnapshot> {
    // A service check alone (4.16) needs the trails' regions, not their chains.
    if (!trail.isMultiRegion || this.ctx.req.controls.length === 0) return { trail };
    const [status, selectors] = await Promise.all([
      this.trailProbe<TrailStatus>('cloudtrail:GetTrailStatus', trail, async (ct) => {
        const s = await ct.send(new GetTrailStatusCommand({ Name: trail.arn }), this.ctx.send);
        const out: TrailStatus = { isLogging: s.IsLogging === true };
        if (s.LatestCloudWatchLogsDeliveryError)
          out.latestCloudWatchLogsDeliveryError = s.LatestCloudWatchLogsDeliveryError;
        if (s.LatestDeliveryError) out.latestDeliveryError = s.LatestDeliveryError;
        const times = {
          latestCloudWatchLogsDeliveryTime: iso(s.LatestCloudWatchLogsDeliveryTime),
          startLoggingTime: iso(s.StartLoggingTime),
          stopLoggingTime: iso(s.StopLoggingTime),
        };
        for (const [k, v] of Object.entries(times)) if (v !== undefined) out[k as keyof typeof times] = v;
        return out;
      }),
      this.trailProbe<EventSelectors>('cloudtrail:GetEventSelectors', trail, async (ct) => {
        const s = await ct.send(new GetEventSelectorsCommand({ TrailName: trail.arn }), this.ctx.send);
        return {
          basic: (s.EventSelectors ?? []).map((e) => ({
            readWriteType: e.ReadWriteType ?? 'All',
            includeManagementEvents: e.IncludeManagementEvents !== false,
            excludeManagementEventSources: e.ExcludeManagementEventSources ?? [],
            dataResources: (e.DataResources ?? []).map((d) => ({
              type: d.Type ?? '',
              values: d.Values ?? [],
            })),
          })),
          advanced: (s.AdvancedEventSelectors ?? []).map((a) => ({
            ...(a.Name !== undefined ? { name: a.Name } : {}),
            fieldSelectors: (a.FieldSelectors ?? []).map((f) => ({
              field: f.Field ?? '',
              ...(f.Equals ? { equals: f.Equals } : {}),
              ...(f.NotEquals ? { notEquals: f.NotEquals } : {}),
              ...(f.StartsWith ? { startsWith: f.StartsWith } : {}),
              ...(f.NotStartsWith ? { notStartsWith: f.NotStartsWith } : {}),
              ...(f.EndsWith ? { endsWith: f.EndsWith } : {}),
              ...(f.NotEndsWith ? { notEndsWith: f.NotEndsWith } : {}),
            })),
          })),
        };
      }),
      trail.logGroupArn ? readLogGroup(this.ctx, trail.logGroupArn) : Promise.resolve(),
    ]);
    return { trail, status, selectors };
  }
}

/** Collects one account's snapshot. Never throws for AWS errors: they are recorded as Probe errors. */
export async function collectAccount(req: CollectRequest): Promise<AccountSnapshot> {
  const now = req.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const c = new CollectContext(req);
  const reader = new TrailReader(c);
  // The audit region's hub is read at once; the others once the trails say where the account lives.
  const auditHub = req.securityHub ? readSecurityHub(c, req.auditRegion, ['audit region']) : undefined;
  auditHub?.catch(() => undefined);
  const [id, trails] = await Promise.all([
    Promise.resolve(req.accountId).then(
      (accountId) => probeOk(accountId),
      (error: unknown) => probeError<string>(classifyError(error, 'sts:GetCallerIdentity')),
    ),
    reader.describeTrails(),
  ]);
  const base = {
    ...(req.label !== undefined ? { label: req.label } : {}),
    auditRegion: req.auditRegion,
    startedAt,
  };
  if (!id.ok) {
    await auditHub;
    return {
      ...base,
      accountId: 'unknown',
      finishedAt: now().toISOString(),
      access: probeError(id.error),
      trails: probeError(id.error),
      logGroups: {},
      metricAlarms: {},
      topics: {},
      apiCalls: c.calls + 1,
    };
  }
  c.setAccount(id.value);
  const [trailSnaps, securityHub] = await Promise.all([
    trails.ok
      ? Promise.all(trails.value.map((t) => reader.trail(t))).then((v) => probeOk(v))
      : Promise.resolve(probeError<TrailSnapshot[]>(trails.error)),
    auditHub ? hubsInUse(c, auditHub, trails.ok ? trails.value : []) : Promise.resolve(undefined),
  ]);
  return {
    ...base,
    accountId: id.value,
    finishedAt: now().toISOString(),
    access: probeOk(req.access),
    trails: trailSnaps,
    logGroups: c.logGroups,
    metricAlarms: c.metricAlarms,
    topics: c.topics,
    ...(securityHub ? { securityHub } : {}),
    apiCalls: c.calls + (typeof req.accountId === 'string' ? 0 : 1),
  };
}

/** Security Hub in every region in use: the audit region's read already started, then the others. */
async function hubsInUse(
  ctx: CollectContext,
  auditHub: Promise<SecurityHubSnapshot>,
  trails: readonly Trail[],
): Promise<SecurityHubSnapshot[]> {
  const regions = regionsInUse(ctx.req.auditRegion, trails);
  const others = [...regions]
    .filter(([region]) => region !== ctx.req.auditRegion)
    .map(([region, reasons]) => readSecurityHub(ctx, region, reasons));
  const [audit, ...read] = await Promise.all([auditHub, ...others]);
  const reasons = regions.get(ctx.req.auditRegion) ?? (audit as SecurityHubSnapshot).reasons;
  return [{ ...(audit as SecurityHubSnapshot), reasons }, ...read];
}
