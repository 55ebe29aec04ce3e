/**
 * CloudTrail writes that can break the monitoring chain: StartLogging, StopLogging, DeleteTrail,
 * UpdateTrail (log group, multi-region, validation...), PutEventSelectors (basic xor advanced) and
 * PutInsightSelectors. Only the trail's owner may change it, from its home region (AWS answers
 * InvalidHomeRegionException elsewhere); each call that changes the trail marks a chain change.
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import { parseLogGroupArn } from '../scenario';
import type { CallContext } from '../service';
import type { AdvancedEventSelector, EventSelector, TrailState } from '../state';
import { describe, findTrail } from './cloudtrail-trails';

/** The caller's own trail in its home region, as the trail-changing calls require. */
function ownTrail(ctx: CallContext, nameOrArn: string): TrailState {
  const t = findTrail(ctx, nameOrArn);
  if (t.OwnerAccountId !== ctx.caller.accountId)
    throw new ApiError(
      'NotOrganizationMasterAccountException',
      'The request was rejected because the caller is not the management account of the organization that owns the trail.',
    );
  if (t.HomeRegion !== ctx.region)
    throw new ApiError(
      'InvalidHomeRegionException',
      `This operation must be called from the trail's home region ${t.HomeRegion}.`,
    );
  return t;
}

function setLogging(on: boolean) {
  return (ctx: CallContext, input: Input) => {
    const t = ownTrail(ctx, input.reqStr('Name'));
    if (t.IsLogging !== on) {
      t.IsLogging = on;
      if (on) t.StartLoggingTime = new Date();
      else t.StopLoggingTime = new Date();
      ctx.changed([t.TrailARN]);
    }
    return {};
  };
}

export const startLogging = setLogging(true);
export const stopLogging = setLogging(false);

export function deleteTrail(ctx: CallContext, input: Input) {
  const t = ownTrail(ctx, input.reqStr('Name'));
  ctx.state.region(ctx.caller.accountId, ctx.region).trails.delete(t.Name);
  ctx.changed([t.TrailARN]);
  return {};
}

/** The CloudWatch Logs members of UpdateTrail: an empty log group ARN removes the integration. */
function updateLogGroup(t: TrailState, group: string | undefined, role: string | undefined): void {
  if (group === '') {
    delete t.CloudWatchLogsLogGroupArn;
    delete t.CloudWatchLogsRoleArn;
    return;
  }
  if (group !== undefined) {
    if (!parseLogGroupArn(group))
      throw new ApiError(
        'InvalidCloudWatchLogsLogGroupArnException',
        `Invalid CloudWatchLogs LogGroup ARN: ${group}`,
      );
    if (!role && !t.CloudWatchLogsRoleArn)
      throw new ApiError(
        'InvalidCloudWatchLogsRoleArnException',
        'You must specify a role ARN with the log group ARN.',
      );
    t.CloudWatchLogsLogGroupArn = group.endsWith(':*') ? group : `${group}:*`;
  }
  if (role) t.CloudWatchLogsRoleArn = role;
}

export function updateTrail(ctx: CallContext, input: Input) {
  const t = ownTrail(ctx, input.reqStr('Name'));
  const before = JSON.stringify(t);
  const organization = input.bool('IsOrganizationTrail');
  if (organization && ctx.state.organization?.managementAccount !== ctx.caller.accountId)
    throw new ApiError(
      'NotOrganizationMasterAccountException',
      'Only the management account of an organization can create an organization trail.',
    );
  const flags: [keyof TrailState, boolean | undefined][] = [
    ['IncludeGlobalServiceEvents', input.bool('IncludeGlobalServiceEvents')],
    ['IsMultiRegionTrail', input.bool('IsMultiRegionTrail')],
    ['LogFileValidationEnabled', input.bool('EnableLogFileValidation')],
    ['IsOrganizationTrail', organization],
  ];
  for (const [key, value] of flags)
    if (value !== undefined) (t as unknown as Record<string, unknown>)[key] = value;
  const bucket = input.str('S3BucketName');
  if (bucket !== undefined) t.S3BucketName = bucket;
  const kms = input.str('KmsKeyId');
  if (kms === '') delete t.KmsKeyId;
  else if (kms !== undefined) t.KmsKeyId = kms;
  updateLogGroup(t, input.str('CloudWatchLogsLogGroupArn'), input.str('CloudWatchLogsRoleArn'));
  if (JSON.stringify(t) !== before) ctx.changed([t.TrailARN]);
  return describe(t);
}

const READ_WRITE = ['ReadOnly', 'WriteOnly', 'All'];
const FIELD_OPERATORS = [
  'Equals',
  'NotEquals',
  'StartsWith',
  'NotStartsWith',
  'EndsWith',
  'NotEndsWith',
] as const;

function basicSelectors(items: Input[]): EventSelector[] {
  if (items.length > 5)
    throw new ApiError('InvalidEventSelectorsException', 'A trail can have at most 5 event selectors.');
  return items.map((s) => {
    const rw = s.str('ReadWriteType') ?? 'All';
    if (!READ_WRITE.includes(rw))
      throw new ApiError('InvalidEventSelectorsException', `Invalid ReadWriteType ${rw}.`);
    return {
      ReadWriteType: rw as EventSelector['ReadWriteType'],
      IncludeManagementEvents: s.bool('IncludeManagementEvents') ?? true,
      DataResources: (s.structs('DataResources') ?? []).map((d) => ({
        Type: d.reqStr('Type'),
        Values: d.strList('Values') ?? [],
      })),
      ExcludeManagementEventSources: s.strList('ExcludeManagementEventSources') ?? [],
    };
  });
}

function advancedSelectors(items: Input[]): AdvancedEventSelector[] {
  return items.map((s) => {
    const fields = s.structs('FieldSelectors') ?? [];
    if (fields.length === 0)
      throw new ApiError(
        'InvalidEventSelectorsException',
        'An advanced event selector needs at least one field selector.',
      );
    const name = s.str('Name');
    return {
      ...(name !== undefined ? { Name: name } : {}),
      FieldSelectors: fields.map((f) => {
        const out: AdvancedEventSelector['FieldSelectors'][number] = { Field: f.reqStr('Field') };
        for (const op of FIELD_OPERATORS) {
          const values = f.strList(op);
          if (values) out[op] = values;
        }
        return out;
      }),
    };
  });
}

export function putEventSelectors(ctx: CallContext, input: Input) {
  const t = ownTrail(ctx, input.reqStr('TrailName'));
  const basic = input.structs('EventSelectors');
  const advanced = input.structs('AdvancedEventSelectors');
  if ((basic === undefined) === (advanced === undefined))
    throw new ApiError(
      'InvalidParameterCombinationException',
      'Specify either EventSelectors or AdvancedEventSelectors, not both and not neither.',
    );
  const before = JSON.stringify([t.EventSelectors, t.AdvancedEventSelectors]);
  if (basic) {
    t.EventSelectors = basicSelectors(basic);
    delete t.AdvancedEventSelectors;
  } else {
    t.AdvancedEventSelectors = advancedSelectors(advanced ?? []);
    delete t.EventSelectors;
  }
  t.HasCustomEventSelectors = true;
  if (JSON.stringify([t.EventSelectors, t.AdvancedEventSelectors]) !== before) ctx.changed([t.TrailARN]);
  return t.AdvancedEventSelectors
    ? { TrailARN: t.TrailARN, AdvancedEventSelectors: t.AdvancedEventSelectors }
    : { TrailARN: t.TrailARN, EventSelectors: t.EventSelectors };
}

export function putInsightSelectors(ctx: CallContext, input: Input) {
  const name = input.str('TrailName');
  if (!name)
    throw new ApiError(
      'InvalidParameterException',
      'TrailName is required (event data stores are not emulated).',
    );
  const t = ownTrail(ctx, name);
  const selectors = (input.structs('InsightSelectors') ?? []).map((s) => {
    const type = s.reqStr('InsightType');
    if (type !== 'ApiCallRateInsight' && type !== 'ApiErrorRateInsight')
      throw new ApiError('InvalidInsightSelectorsException', `Invalid InsightType ${type}.`);
    return { InsightType: type };
  });
  if (JSON.stringify(selectors) !== JSON.stringify(t.InsightSelectors ?? [])) ctx.changed([t.TrailARN]);
  t.InsightSelectors = selectors;
  return { TrailARN: t.TrailARN, InsightSelectors: selectors };
}
