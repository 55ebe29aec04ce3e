/**
 * The chain below the trail, read once per account whatever the number of controls audited: the log
 * group's metric filters (every page, in the log group's own account and region from its ARN), the
 * alarms of the metrics whose filters catch an audited control's pattern or one of its variants (or that
 * a named deviation accepts as catching it), the SNS topics those alarms notify (subscriptions, attributes) and, for an encrypted topic, its KMS key
 * (DescribeKey to resolve an alias, GetKeyPolicy: CloudWatch must be able to use the key).
 *
 * Alarms: one control reads DescribeAlarmsForMetric per metric (one call, as before). Several controls
 * (a section) read the region's alarms once with paginated DescribeAlarms and share them, unless the
 * region holds more alarms than that saves (more pages than metrics less one): then each metric is read
 * with DescribeAlarmsForMetric after all, so a section never costs much more than the per-metric calls.
 */
import {
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { patternHash } from '../core/evaluate/accepted-deviations';
import { judgeForControl } from '../core/evaluate/control-filter';
import {
  type Alarm,
  type KeyInfo,
  logGroupKey,
  type MetricFilter,
  type MetricRef,
  metricKey,
  type Probe,
  parseLogGroupArn,
  parseTopicArn,
  probeError,
  probeOk,
  type Subscription,
  type TopicKeySnapshot,
  type TopicRef,
} from '../core/snapshot';
import type { CollectContext } from './collect-context';
import { toAlarm, toFilter } from './sdk-shapes';
import type { AwsClients } from './session';

/** DescribeAlarms' largest page. */
const ALARM_PAGE = 100;

export function readLogGroup(ctx: CollectContext, rawArn: string): Promise<void> {
  const key = logGroupKey(rawArn);
  return ctx.once(`lg|${key}`, async () => {
    const ref = parseLogGroupArn(rawArn);
    if (!ref) {
      ctx.logGroups[key] = {
        ref: { arn: key, accountId: '', region: '', name: key, partition: 'aws' },
        filters: probeError({
          kind: 'failed',
          action: 'logs:DescribeMetricFilters',
          message: `malformed log group ARN ${rawArn}`,
        }),
      };
      return;
    }
    const clients = ctx.clients(ref.accountId, ref.region);
    if (!clients.ok) {
      ctx.logGroups[key] = {
        ref,
        filters: probeError({
          ...clients.error,
          message: `log group ${ref.name} is in account ${ref.accountId}: ${clients.error.message}`,
        }),
      };
      return;
    }
    const filters = await metricFilters(ctx, clients.value, ref.name);
    ctx.logGroups[key] = { ref, filters };
    if (!filters.ok) return;
    // Only metrics of filters that catch an audited control's pattern (or that a named deviation of the
    // audited account accepts as catching it) can complete a chain: read their alarms.
    const accepted = new Set(
      (ctx.req.deviations ?? []).filter((d) => d.accountId === ctx.accountId).map((d) => d.filterPatternHash),
    );
    const metrics = new Map<string, MetricRef>();
    for (const f of filters.value) {
      const counts =
        ctx.req.controls.some((c) => judgeForControl(f.pattern, c).judgement.covers) ||
        (accepted.size > 0 && accepted.has(patternHash(f.pattern)));
      if (!counts) continue;
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
    await readAlarms(ctx, [...metrics.values()], clients.value);
  });
}

async function metricFilters(
  ctx: CollectContext,
  clients: AwsClients,
  logGroupName: string,
): Promise<Probe<MetricFilter[]>> {
  const filters: MetricFilter[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.probe('logs:DescribeMetricFilters', () =>
      clients.logs.send(
        new DescribeMetricFiltersCommand({
          logGroupName,
          limit: 50,
          ...(token ? { nextToken: token } : {}),
        }),
        ctx.send,
      ),
    );
    if (!page.ok) return page;
    filters.push(...(page.value.metricFilters ?? []).map(toFilter));
    const next = page.value.nextToken;
    token = next && next !== token ? next : undefined;
  } while (token);
  return probeOk(filters);
}

/** The alarms of `metrics` (all in one account and region), then the topics they notify. */
async function readAlarms(ctx: CollectContext, metrics: MetricRef[], clients: AwsClients): Promise<void> {
  const [first] = metrics;
  if (!first) return;
  if (ctx.req.controls.length > 1 && metrics.length > 1) {
    const region = await regionAlarms(ctx, first, clients, metrics.length - 1);
    if (region !== 'too-many') {
      for (const metric of metrics) {
        const alarms = region.ok ? probeOk(region.value.filter((a) => watches(a, metric))) : region;
        ctx.metricAlarms[metricKey(metric)] = { metric, alarms };
      }
      await readTopicsOf(ctx, metrics);
      return;
    }
  }
  await Promise.all(metrics.map((m) => metricAlarms(ctx, m, clients)));
}

const watches = (a: Alarm, m: MetricRef) => a.metricName === m.name && a.namespace === m.namespace;

/**
 * Every metric alarm of the metric's account and region, page by page, once per region; `too-many` when
 * more than `budget` pages would be needed (reading per metric is then cheaper).
 */
function regionAlarms(
  ctx: CollectContext,
  where: MetricRef,
  clients: AwsClients,
  budget: number,
): Promise<Probe<Alarm[]> | 'too-many'> {
  return ctx.once(`ra|${where.accountId}|${where.region}`, async () => {
    const alarms: Alarm[] = [];
    let token: string | undefined;
    for (let pages = 0; ; pages++) {
      if (pages >= Math.max(1, budget)) return 'too-many';
      const page = await ctx.probe('cloudwatch:DescribeAlarms', () =>
        clients.cloudwatch.send(
          new DescribeAlarmsCommand({ MaxRecords: ALARM_PAGE, ...(token ? { NextToken: token } : {}) }),
          ctx.send,
        ),
      );
      if (!page.ok) return page;
      alarms.push(...(page.value.MetricAlarms ?? []).map((a: MetricAlarm) => toAlarm(a)));
      const next = page.value.NextToken;
      if (!next || next === token) return probeOk(alarms);
      token = next;
    }
  });
}

function metricAlarms(ctx: CollectContext, metric: MetricRef, clients: AwsClients): Promise<void> {
  return ctx.once(`m|${metricKey(metric)}`, async () => {
    // No Dimensions are sent: the CIS metric has none. AWS documents for this call "if the metric has
    // any associated dimensions, you must specify them", so on real AWS an alarm on one dimension
    // combination of a dimensioned metric (e.g. UserName=alice) may well be missing from the answer
    // (the sandbox returns every alarm on the name and namespace). That does not change a verdict: a
    // filter that emits dimensions fails the alarm link whatever alarms are found (evaluate.ts); only
    // the alarms that detail lists may then be incomplete.
    const alarms = await ctx.probe('cloudwatch:DescribeAlarmsForMetric', async () => {
      const out = await clients.cloudwatch.send(
        new DescribeAlarmsForMetricCommand({ MetricName: metric.name, Namespace: metric.namespace }),
        ctx.send,
      );
      return (out.MetricAlarms ?? []).map(toAlarm);
    });
    ctx.metricAlarms[metricKey(metric)] = { metric, alarms };
    await readTopicsOf(ctx, [metric]);
  });
}

/** The topics the alarms of `metrics` notify, each read once. */
async function readTopicsOf(ctx: CollectContext, metrics: MetricRef[]): Promise<void> {
  const arns = new Set<string>();
  for (const m of metrics) {
    const read = ctx.metricAlarms[metricKey(m)]?.alarms;
    if (!read?.ok) continue;
    for (const a of read.value) for (const arn of a.alarmActions) if (parseTopicArn(arn)) arns.add(arn);
  }
  await Promise.all([...arns].map((arn) => readTopic(ctx, arn)));
}

function readTopic(ctx: CollectContext, arn: string): Promise<void> {
  return ctx.once(`t|${arn}`, async () => {
    const ref = parseTopicArn(arn);
    if (!ref) return;
    const clients = ctx.clients(ref.accountId, ref.region);
    if (!clients.ok) {
      const error = {
        ...clients.error,
        message: `topic ${ref.name} is in account ${ref.accountId}: ${clients.error.message}`,
      };
      ctx.topics[arn] = { ref, subscriptions: probeError(error), attributes: probeError(error) };
      return;
    }
    const sns = clients.value.sns;
    const [subscriptions, attributes] = await Promise.all([
      readSubscriptions(ctx, sns, arn),
      ctx.probe('sns:GetTopicAttributes', async () => {
        const out = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }), ctx.send);
        return { ...(out.Attributes ?? {}) } as Record<string, string>;
      }),
    ]);
    const keyRef = attributes.ok ? attributes.value.KmsMasterKeyId : undefined;
    const key = keyRef ? await readTopicKey(ctx, ref, keyRef) : undefined;
    ctx.topics[arn] = { ref, subscriptions, attributes, ...(key ? { key } : {}) };
  });
}

async function readSubscriptions(
  ctx: CollectContext,
  sns: AwsClients['sns'],
  arn: string,
): Promise<Probe<Subscription[]>> {
  const subs: Subscription[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.probe('sns:ListSubscriptionsByTopic', () =>
      sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: arn, ...(token ? { NextToken: token } : {}) }),
        ctx.send,
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

const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/.+$/;

/**
 * The topic's key: DescribeKey (an alias needs it to find the key) and GetKeyPolicy, in the key's
 * account (an ARN names it; else the topic's) and region. GetKeyPolicy takes a key id or ARN, never an
 * alias, and is never allowed across accounts, so it runs in the key's own account when cis-bot reaches
 * it; beside DescribeKey when the topic names the key itself, after it for an alias.
 */
async function readTopicKey(ctx: CollectContext, topic: TopicRef, keyRef: string): Promise<TopicKeySnapshot> {
  const m = KEY_ARN.exec(keyRef);
  const account = m?.[2] ?? topic.accountId;
  const region = m?.[1] ?? topic.region;
  const clients = ctx.clients(account, region);
  if (!clients.ok) {
    const error = {
      ...clients.error,
      message: `key ${keyRef} is in account ${account}: ${clients.error.message}`,
    };
    return { ref: keyRef, key: probeError(error) };
  }
  const kms = clients.value.kms;
  const { DescribeKeyCommand, GetKeyPolicyCommand } =
    require('@aws-sdk/client-kms') as typeof import('@aws-sdk/client-kms');
  const policyOf = (keyId: string) =>
    ctx.probe('kms:GetKeyPolicy', async () => {
      const out = await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }), ctx.send);
      return out.Policy ?? '';
    });
  const isAlias = keyRef.startsWith('alias/') || m?.[3] === 'alias';
  const early = isAlias ? undefined : policyOf(keyRef);
  const key = await ctx.probe('kms:DescribeKey', async (): Promise<KeyInfo> => {
    const out = await kms.send(new DescribeKeyCommand({ KeyId: keyRef }), ctx.send);
    const meta = out.KeyMetadata;
    return {
      keyId: meta?.KeyId ?? '',
      arn: meta?.Arn ?? '',
      accountId: meta?.AWSAccountId ?? account,
      manager: meta?.KeyManager ?? 'CUSTOMER',
      state: meta?.KeyState ?? (meta?.Enabled === false ? 'Disabled' : 'Enabled'),
    };
  });
  if (!key.ok) return { ref: keyRef, key, ...(early ? { policy: await early } : {}) };
  return { ref: keyRef, key, policy: await (early ?? policyOf(key.value.arn || key.value.keyId)) };
}
