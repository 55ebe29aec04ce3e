/**
 * Builds one account region's live state from a validated scenario: resolves defaults the scenario leaves
 * to AWS (ARNs, default selectors, default topic and key policies, subscription confirmation by protocol)
 * and fixes scenario timestamps to one epoch so runs repeat.
 */
import { addKey, defaultKeyPolicy } from './kms-keys';
import type { ScenarioRegion, ScenarioTopic } from './scenario';
import { policyText } from './scenario-services';
import { enableHub } from './securityhub-hub';
import { Queue } from './sqs-queue';
import {
  type AdvancedEventSelector,
  type AlarmState,
  confirmsAtOnce,
  type EventSelector,
  emptyRegion,
  type LogGroupState,
  type MetricTransformation,
  newTopic,
  type RegionState,
  stableIdUuid,
  type TopicState,
  type TrailState,
} from './state';

function buildTopic(t: ScenarioTopic, region: string, account: string): TopicState {
  const topic = newTopic(t.name, region, account);
  if (t.policy !== undefined) topic.attributes.Policy = policyText(t.policy);
  if (t.display_name !== undefined) topic.attributes.DisplayName = t.display_name;
  if (t.kms_master_key_id !== undefined) topic.attributes.KmsMasterKeyId = t.kms_master_key_id;
  t.subscriptions.forEach((s, i) => {
    topic.subscriptions.push({
      id: stableIdUuid(`${topic.arn}|${i}|${s.protocol}|${s.endpoint}`),
      protocol: s.protocol,
      endpoint: s.endpoint,
      confirmed: s.confirmed ?? confirmsAtOnce(s.protocol),
      owner: account,
      attributes: {},
    });
  });
  return topic;
}

export const SCENARIO_EPOCH = Date.UTC(2025, 0, 1);

/** Queues, KMS keys and Security Hub of a scenario region (the services beyond the CIS 4.1 chain). */
function buildServices(state: RegionState, account: string, region: string, r: ScenarioRegion): void {
  for (const q of r.queues) {
    const attributes: Record<string, string | undefined> = {
      VisibilityTimeout: q.visibility_timeout?.toString(),
      MessageRetentionPeriod: q.message_retention_period?.toString(),
      ReceiveMessageWaitTimeSeconds: q.receive_wait_time?.toString(),
      DelaySeconds: q.delay_seconds?.toString(),
      Policy: q.policy === undefined ? undefined : policyText(q.policy),
      RedrivePolicy: q.redrive
        ? JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:${region}:${account}:${q.redrive.dead_letter_queue}`,
            maxReceiveCount: q.redrive.max_receive_count,
          })
        : undefined,
    };
    const defined = Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined));
    state.queues.set(
      q.name,
      new Queue(q.name, account, region, defined as Record<string, string>, SCENARIO_EPOCH),
    );
  }
  for (const k of r.kms_keys) {
    addKey(
      state,
      {
        KeyId: k.id ?? stableIdUuid(`${account}/${region}/${k.aliases[0] ?? k.description}`),
        Description: k.description,
        KeyManager: 'CUSTOMER',
        Enabled: k.enabled,
        CreationDate: new Date(SCENARIO_EPOCH),
        policy: k.policy === undefined ? defaultKeyPolicy(account) : policyText(k.policy),
      },
      region,
      account,
      k.aliases,
    );
  }
  if (r.security_hub) {
    enableHub(
      state,
      region,
      {
        standards: r.security_hub.standards,
        autoEnableControls: r.security_hub.auto_enable_controls,
        controlFindingGenerator: r.security_hub.control_finding_generator,
      },
      new Date(SCENARIO_EPOCH),
    );
  }
}

export function buildRegion(a: { id: string }, region: string, r: ScenarioRegion): RegionState {
  const state = emptyRegion();
  buildServices(state, a.id, region, r);
  for (const t of r.trails) {
    let logGroupArn: string | undefined;
    if (t.log_group) {
      logGroupArn = t.log_group.startsWith('arn:')
        ? t.log_group.endsWith(':*')
          ? t.log_group
          : `${t.log_group}:*`
        : `arn:aws:logs:${region}:${a.id}:log-group:${t.log_group}:*`;
    }
    const basic: EventSelector[] | undefined = t.event_selectors?.map((s) => ({
      ReadWriteType: s.read_write_type,
      IncludeManagementEvents: s.include_management_events,
      DataResources: s.data_resources.map((d) => ({ Type: d.type, Values: d.values })),
      ExcludeManagementEventSources: s.exclude_management_event_sources,
    }));
    const advanced: AdvancedEventSelector[] | undefined = t.advanced_event_selectors?.map((s) => ({
      ...(s.name !== undefined ? { Name: s.name } : {}),
      FieldSelectors: s.field_selectors.map((f) => ({
        Field: f.field,
        ...(f.equals ? { Equals: f.equals } : {}),
        ...(f.not_equals ? { NotEquals: f.not_equals } : {}),
        ...(f.starts_with ? { StartsWith: f.starts_with } : {}),
        ...(f.not_starts_with ? { NotStartsWith: f.not_starts_with } : {}),
        ...(f.ends_with ? { EndsWith: f.ends_with } : {}),
        ...(f.not_ends_with ? { NotEndsWith: f.not_ends_with } : {}),
      })),
    }));
    const trail: TrailState = {
      Name: t.name,
      TrailARN: `arn:aws:cloudtrail:${region}:${a.id}:trail/${t.name}`,
      HomeRegion: region,
      OwnerAccountId: a.id,
      IsMultiRegionTrail: t.multi_region,
      IsOrganizationTrail: t.organization,
      IncludeGlobalServiceEvents: t.include_global_service_events,
      LogFileValidationEnabled: t.log_file_validation,
      S3BucketName: t.s3_bucket ?? `aws-cloudtrail-logs-${a.id}`,
      HasCustomEventSelectors: Boolean(basic || advanced),
      IsLogging: t.logging,
    };
    if (advanced) trail.AdvancedEventSelectors = advanced;
    else
      trail.EventSelectors = basic ?? [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: true,
          DataResources: [],
          ExcludeManagementEventSources: [],
        },
      ];
    if (logGroupArn) {
      trail.CloudWatchLogsLogGroupArn = logGroupArn;
      trail.CloudWatchLogsRoleArn =
        t.cloudwatch_logs_role_arn ?? `arn:aws:iam::${a.id}:role/CloudTrail_CloudWatchLogs_Role`;
      if (t.logging) trail.LatestCloudWatchLogsDeliveryTime = new Date(SCENARIO_EPOCH + 3_600_000);
    }
    if (t.latest_cloudwatch_logs_delivery_error)
      trail.LatestCloudWatchLogsDeliveryError = t.latest_cloudwatch_logs_delivery_error;
    if (t.kms_key_id) trail.KmsKeyId = t.kms_key_id;
    if (t.logging) trail.StartLoggingTime = new Date(SCENARIO_EPOCH);
    else trail.StopLoggingTime = new Date(SCENARIO_EPOCH);
    state.trails.set(t.name, trail);
  }
  for (const g of r.log_groups) {
    const group: LogGroupState = {
      logGroupName: g.name,
      creationTime: SCENARIO_EPOCH,
      metricFilters: new Map(),
    };
    if (g.retention_in_days !== undefined) group.retentionInDays = g.retention_in_days;
    if (g.kms_key_id !== undefined) group.kmsKeyId = g.kms_key_id;
    for (const f of g.metric_filters) {
      const mt: MetricTransformation = {
        metricName: f.metric_name,
        metricNamespace: f.metric_namespace,
        metricValue: f.metric_value,
      };
      if (f.default_value !== undefined) mt.defaultValue = f.default_value;
      if (f.unit !== undefined) mt.unit = f.unit;
      if (f.dimensions !== undefined) mt.dimensions = f.dimensions;
      group.metricFilters.set(f.name, {
        filterName: f.name,
        filterPattern: f.pattern,
        metricTransformations: [mt],
        creationTime: SCENARIO_EPOCH,
        logGroupName: g.name,
      });
    }
    state.logGroups.set(g.name, group);
  }
  for (const al of r.alarms) {
    const at = new Date(SCENARIO_EPOCH);
    const alarm: AlarmState = {
      AlarmName: al.name,
      AlarmArn: `arn:aws:cloudwatch:${region}:${a.id}:alarm:${al.name}`,
      AlarmConfigurationUpdatedTimestamp: at,
      ActionsEnabled: al.actions_enabled,
      OKActions: al.ok_actions,
      AlarmActions: al.alarm_actions,
      InsufficientDataActions: al.insufficient_data_actions,
      StateValue: al.state,
      StateReason: 'Scenario state',
      StateUpdatedTimestamp: at,
      StateTransitionedTimestamp: at,
      MetricName: al.metric_name,
      Namespace: al.namespace,
      Statistic: al.statistic,
      Dimensions: al.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
      Period: al.period,
      EvaluationPeriods: al.evaluation_periods,
      Threshold: al.threshold,
      ComparisonOperator: al.comparison_operator,
    };
    if (al.datapoints_to_alarm !== undefined) alarm.DatapointsToAlarm = al.datapoints_to_alarm;
    if (al.treat_missing_data !== undefined) alarm.TreatMissingData = al.treat_missing_data;
    if (al.description !== undefined) alarm.AlarmDescription = al.description;
    state.alarms.set(al.name, alarm);
  }
  for (const t of r.topics) state.topics.set(t.name, buildTopic(t, region, a.id));
  return state;
}
