/**
 * The collector: reads one account's monitoring chain into an `AccountSnapshot`, following the chain
 * instead of scanning the world. DescribeTrails (with shadow trails) in ONE region lists every
 * multi-region trail; per candidate trail, GetTrailStatus and GetEventSelectors in its home region (by
 * ARN; for an organization trail, in its owner account when cis-bot reaches it) run alongside DescribeMetricFilters on its log group, in the log group's own account and region
 * taken from the ARN (never a bare-name join); then DescribeAlarmsForMetric for each metric of a filter
 * that catches a control's pattern (name AND namespace, in that region); then ListSubscriptionsByTopic
 * and GetTopicAttributes for each SNS action of those alarms. Independent calls run concurrently, every
 * page is read, shared resources are read once, and each failure is a Probe error naming its IAM action.
 */

import type { Trail as SdkTrail } from '@aws-sdk/client-cloudtrail';
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { DescribeAlarmsForMetricCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import type { MetricFilterControl } from '../core/controls/types';
import { judgeFilter } from '../core/evaluate/filter-judge';
import {
  type AccountAccess,
  type AccountSnapshot,
  type EventSelectors,
  type LogGroupSnapshot,
  logGroupKey,
  type MetricAlarmsSnapshot,
  type MetricFilter,
  type MetricRef,
  metricKey,
  type Probe,
  parseLogGroupArn,
  parseTopicArn,
  probeError,
  probeOk,
  type Subscription,
  type TopicSnapshot,
  type Trail,
  type TrailSnapshot,
  type TrailStatus,
} from '../core/snapshot';
import { classifyError } from './errors';
import { toAlarm, toFilter } from './sdk-shapes';
import type { AwsClients } from './session';

export interface CollectRequest {
  /** The audited account, or a promise of it (current credentials: GetCallerIdentity runs beside DescribeTrails). */
  accountId: string | Promise<string>;
  label?: string;
  access: AccountAccess;
  auditRegion: string;
  /** The controls whose patterns decide which metrics' alarms are read. */
  controls: readonly MetricFilterControl[];
  /** Clients of the audited account. */
  home: (region: string) => AwsClients;
  /** Clients of another account the chain leads to; throws UnreachableAccountError when there is no role. */
  other: (accountId: string, region: string) => AwsClients;
  now?: () => Date;
}

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

class Collector {
  calls = 0;
  readonly logGroups: Record<string, LogGroupSnapshot> = {};
  readonly metricAlarms: Record<string, MetricAlarmsSnapshot> = {};
  readonly topics: Record<string, TopicSnapshot> = {};
  private readonly memo = new Map<string, Promise<void>>();
  private accountId = '';

  constructor(private readonly req: CollectRequest) {}

  setAccount(accountId: string): void {
    this.accountId = accountId;
  }

  private once(key: string, work: () => Promise<void>): Promise<void> {
    let p = this.memo.get(key);
    if (!p) {
      p = work();
      this.memo.set(key, p);
    }
    return p;
  }

  /** One AWS call (or page): counted, and any failure turned into a Probe error naming the action. */
  async probe<T>(action: string, call: () => Promise<T>): Promise<Probe<T>> {
    this.calls++;
    try {
      return probeOk(await call());
    } catch (error) {
      return probeError(classifyError(error, action));
    }
  }

  /** Clients for wherever a resource lives; an unreachable account becomes a probe error. */
  private clients(accountId: string, region: string): Probe<AwsClients> {
    try {
      return probeOk(
        accountId === this.accountId ? this.req.home(region) : this.req.other(accountId, region),
      );
    } catch (error) {
      return probeError(classifyError(error, 'sts:AssumeRole'));
    }
  }

  describeTrails(): Promise<Probe<Trail[]>> {
    const ct = this.req.home(this.req.auditRegion).cloudtrail;
    return this.probe('cloudtrail:DescribeTrails', async () => {
      const out = await ct.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
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
    const local = { accountId: this.accountId, ct: this.req.home(trail.homeRegion).cloudtrail };
    const owner = trail.ownerAccountId;
    if (!owner || owner === this.accountId) return [local];
    const clients = this.clients(owner, trail.homeRegion);
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
      result = await this.probe(action, () => call(reader.ct));
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
    if (!trail.isMultiRegion) return { trail };
    const [status, selectors] = await Promise.all([
      this.trailProbe<TrailStatus>('cloudtrail:GetTrailStatus', trail, async (ct) => {
        const s = await ct.send(new GetTrailStatusCommand({ Name: trail.arn }));
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
        const s = await ct.send(new GetEventSelectorsCommand({ TrailName: trail.arn }));
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
      trail.logGroupArn ? this.logGroup(trail.logGroupArn) : Promise.resolve(),
    ]);
    return { trail, status, selectors };
  }

  logGroup(rawArn: string): Promise<void> {
    const key = logGroupKey(rawArn);
    return this.once(`lg|${key}`, async () => {
      const ref = parseLogGroupArn(rawArn);
      if (!ref) {
        this.logGroups[key] = {
          ref: { arn: key, accountId: '', region: '', name: key, partition: 'aws' },
          filters: probeError({
            kind: 'failed',
            action: 'logs:DescribeMetricFilters',
            message: `malformed log group ARN ${rawArn}`,
          }),
        };
        return;
      }
      const clients = this.clients(ref.accountId, ref.region);
      if (!clients.ok) {
        this.logGroups[key] = {
          ref,
          filters: probeError({
            ...clients.error,
            message: `log group ${ref.name} is in account ${ref.accountId}: ${clients.error.message}`,
          }),
        };
        return;
      }
      const filters: MetricFilter[] = [];
      let token: string | undefined;
      let failure: Probe<never> | undefined;
      do {
        const page = await this.probe('logs:DescribeMetricFilters', () =>
          clients.value.logs.send(
            new DescribeMetricFiltersCommand({
              logGroupName: ref.name,
              limit: 50,
              ...(token ? { nextToken: token } : {}),
            }),
          ),
        );
        if (!page.ok) {
          failure = page;
          break;
        }
        filters.push(...(page.value.metricFilters ?? []).map(toFilter));
        const next = page.value.nextToken;
        token = next && next !== token ? next : undefined;
      } while (token);
      this.logGroups[key] = { ref, filters: failure ?? probeOk(filters) };
      if (failure) return;
      // Only metrics of filters that catch a control's pattern can complete a chain: read their alarms.
      const metrics = new Map<string, MetricRef>();
      for (const f of filters) {
        if (!this.req.controls.some((c) => judgeFilter(f.pattern, c.pattern, c.benignEvents).covers))
          continue;
        for (const t of f.transformations) {
          const m: MetricRef = {
            accountId: ref.accountId,
            region: ref.region,
            name: t.metricName,
            namespace: t.metricNamespace,
          };
          metrics.set(metricKey(m), m);
        }
      }
      await Promise.all([...metrics.values()].map((m) => this.alarms(m, clients.value)));
    });
  }

  alarms(metric: MetricRef, clients: AwsClients): Promise<void> {
    const key = metricKey(metric);
    return this.once(`m|${key}`, async () => {
      // No Dimensions are sent: the CIS metric has none. AWS documents for this call "if the metric has
      // any associated dimensions, you must specify them", so on real AWS an alarm on one dimension
      // combination of a dimensioned metric (e.g. UserName=alice) may well be missing from the answer
      // (the sandbox returns every alarm on the name and namespace). That does not change a verdict: a
      // filter that emits dimensions fails the alarm link whatever alarms are found (evaluate.ts); only
      // the alarms that detail lists may then be incomplete.
      const result = await this.probe('cloudwatch:DescribeAlarmsForMetric', async () => {
        const out = await clients.cloudwatch.send(
          new DescribeAlarmsForMetricCommand({ MetricName: metric.name, Namespace: metric.namespace }),
        );
        return (out.MetricAlarms ?? []).map(toAlarm);
      });
      this.metricAlarms[key] = { metric, alarms: result };
      if (!result.ok) return;
      const topicArns = new Set(result.value.flatMap((a) => a.alarmActions).filter((a) => parseTopicArn(a)));
      await Promise.all([...topicArns].map((arn) => this.topic(arn)));
    });
  }

  topic(arn: string): Promise<void> {
    return this.once(`t|${arn}`, async () => {
      const ref = parseTopicArn(arn);
      if (!ref) return;
      const clients = this.clients(ref.accountId, ref.region);
      if (!clients.ok) {
        const error = {
          ...clients.error,
          message: `topic ${ref.name} is in account ${ref.accountId}: ${clients.error.message}`,
        };
        this.topics[arn] = { ref, subscriptions: probeError(error), attributes: probeError(error) };
        return;
      }
      const sns = clients.value.sns;
      const [subscriptions, attributes] = await Promise.all([
        this.subscriptions(sns, arn),
        this.probe('sns:GetTopicAttributes', async () => {
          const out = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
          return { ...(out.Attributes ?? {}) } as Record<string, string>;
        }),
      ]);
      this.topics[arn] = { ref, subscriptions, attributes };
    });
  }

  private async subscriptions(sns: AwsClients['sns'], arn: string): Promise<Probe<Subscription[]>> {
    const subs: Subscription[] = [];
    let token: string | undefined;
    do {
      const page = await this.probe('sns:ListSubscriptionsByTopic', () =>
        sns.send(
          new ListSubscriptionsByTopicCommand({ TopicArn: arn, ...(token ? { NextToken: token } : {}) }),
        ),
      );
      if (!page.ok) return page;
      for (const s of page.value.Subscriptions ?? []) {
        const subArn = s.SubscriptionArn ?? '';
        subs.push({
          arn: subArn,
          protocol: s.Protocol ?? '',
          endpoint: s.Endpoint ?? '',
          ...(s.Owner !== undefined ? { owner: s.Owner } : {}),
          // AWS lists an unconfirmed subscription with the ARN "PendingConfirmation" (sometimes "pending confirmation").
          confirmed: subArn.startsWith('arn:'),
        });
      }
      const next = page.value.NextToken;
      token = next && next !== token ? next : undefined;
    } while (token);
    return probeOk(subs);
  }
}

/** Collects one account's snapshot. Never throws for AWS errors: they are recorded as Probe errors. */
export async function collectAccount(req: CollectRequest): Promise<AccountSnapshot> {
  const now = req.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const c = new Collector(req);
  const [id, trails] = await Promise.all([
    Promise.resolve(req.accountId).then(
      (accountId) => probeOk(accountId),
      (error: unknown) => probeError<string>(classifyError(error, 'sts:GetCallerIdentity')),
    ),
    c.describeTrails(),
  ]);
  const base = {
    ...(req.label !== undefined ? { label: req.label } : {}),
    auditRegion: req.auditRegion,
    startedAt,
  };
  if (!id.ok) {
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
  const trailSnaps: Probe<TrailSnapshot[]> = trails.ok
    ? probeOk(await Promise.all(trails.value.map((t) => c.trail(t))))
    : probeError(trails.error);
  return {
    ...base,
    accountId: id.value,
    finishedAt: now().toISOString(),
    access: probeOk(req.access),
    trails: trailSnaps,
    logGroups: c.logGroups,
    metricAlarms: c.metricAlarms,
    topics: c.topics,
    apiCalls: c.calls + (typeof req.accountId === 'string' ? 0 : 1),
  };
}
