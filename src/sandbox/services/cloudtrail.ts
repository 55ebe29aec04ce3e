/**
 * CloudTrail (AWS JSON 1.1, target prefix CloudTrail_20131101): DescribeTrails, GetTrailStatus,
 * GetEventSelectors, GetTrail and ListTrails over the trails visible in the caller's account and region.
 *
 * Visibility follows AWS: a trail is "home" in its own account and home region; a multi-region trail is a
 * shadow trail in the owner's other regions; an organization trail (owned by the management account) is a
 * shadow trail in every member account (in every region if multi-region, else in its home region).
 * Names find only home trails; ARNs find any visible trail (AWS: "to get a shadow trail, specify its ARN").
 * `organization.member_status_calls: denied` refuses members' status/selector reads of organization trails.
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import type { CallContext, ServiceDef } from '../service';
import type { TrailState } from '../state';

interface Visible {
  trail: TrailState;
  shadow: boolean;
}

function visibleTrails(ctx: CallContext): Visible[] {
  const out: Visible[] = [];
  const { state, caller, region } = ctx;
  const own = state.accounts.get(caller.accountId);
  if (!own) return out;
  for (const [regionName, r] of own.regions) {
    for (const trail of r.trails.values()) {
      if (regionName === region) out.push({ trail, shadow: false });
      else if (trail.IsMultiRegionTrail) out.push({ trail, shadow: true });
    }
  }
  const org = state.organization;
  if (org && org.managementAccount !== caller.accountId && org.members.includes(caller.accountId)) {
    const mgmt = state.accounts.get(org.managementAccount);
    for (const [regionName, r] of mgmt?.regions ?? []) {
      for (const trail of r.trails.values()) {
        if (trail.IsOrganizationTrail && (trail.IsMultiRegionTrail || regionName === region))
          out.push({ trail, shadow: true });
      }
    }
  }
  return out.sort((a, b) => (a.trail.TrailARN < b.trail.TrailARN ? -1 : 1));
}

const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9._-]+$/;
const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/;

function findTrail(ctx: CallContext, nameOrArn: string): TrailState {
  if (nameOrArn.startsWith('arn:')) {
    if (!TRAIL_ARN.test(nameOrArn))
      throw new ApiError('CloudTrailARNInvalidException', `Invalid trail ARN: ${nameOrArn}`);
  } else if (!TRAIL_NAME.test(nameOrArn)) {
    throw new ApiError(
      'InvalidTrailNameException',
      'Trail name must starts with a letter or number, contain only letters, numbers, periods, underscores and hyphens, and be between 3 and 128 characters.',
    );
  }
  const hit = visibleTrails(ctx).find((v) =>
    nameOrArn.startsWith('arn:') ? v.trail.TrailARN === nameOrArn : !v.shadow && v.trail.Name === nameOrArn,
  );
  if (!hit) {
    throw new ApiError(
      'TrailNotFoundException',
      `Unknown trail: ${nameOrArn} for the user: ${ctx.caller.accountId}`,
    );
  }
  return hit.trail;
}

/**
 * A trail read by ARN for its status or selectors (GetTrailStatus, GetEventSelectors, GetTrail). With
 * `organization.member_status_calls: denied`, a member account reading the management account's
 * organization trail is refused the way some public reports see real AWS refuse it.
 */
function readTrail(ctx: CallContext, nameOrArn: string): TrailState {
  const t = findTrail(ctx, nameOrArn);
  const org = ctx.state.organization;
  if (
    t.IsOrganizationTrail &&
    t.OwnerAccountId !== ctx.caller.accountId &&
    org?.memberStatusCalls === 'denied'
  ) {
    throw new ApiError(
      'CloudTrailARNInvalidException',
      `AccountID in ARN is wrong, you can only access resources with AccountID ${ctx.caller.accountId}.`,
    );
  }
  return t;
}

function describe(t: TrailState): Record<string, unknown> {
  return {
    Name: t.Name,
    S3BucketName: t.S3BucketName,
    IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents,
    IsMultiRegionTrail: t.IsMultiRegionTrail,
    HomeRegion: t.HomeRegion,
    TrailARN: t.TrailARN,
    LogFileValidationEnabled: t.LogFileValidationEnabled,
    CloudWatchLogsLogGroupArn: t.CloudWatchLogsLogGroupArn,
    CloudWatchLogsRoleArn: t.CloudWatchLogsRoleArn,
    KmsKeyId: t.KmsKeyId,
    HasCustomEventSelectors: t.HasCustomEventSelectors,
    HasInsightSelectors: false,
    IsOrganizationTrail: t.IsOrganizationTrail,
  };
}

function describeTrails(ctx: CallContext, input: Input) {
  const includeShadow = input.bool('includeShadowTrails') ?? true;
  const names = input.strList('trailNameList') ?? [];
  let visible = visibleTrails(ctx);
  if (names.length > 0) {
    visible = visible.filter((v) =>
      names.some((n) => (n.startsWith('arn:') ? v.trail.TrailARN === n : !v.shadow && v.trail.Name === n)),
    );
  } else if (!includeShadow) {
    visible = visible.filter((v) => !v.shadow);
  }
  return { trailList: visible.map((v) => describe(v.trail)) };
}

function getTrailStatus(ctx: CallContext, input: Input) {
  const t = readTrail(ctx, input.reqStr('Name'));
  return {
    IsLogging: t.IsLogging,
    StartLoggingTime: t.StartLoggingTime,
    StopLoggingTime: t.StopLoggingTime,
    TimeLoggingStarted: t.StartLoggingTime?.toISOString(),
    TimeLoggingStopped: t.StopLoggingTime?.toISOString(),
    LatestDeliveryTime: t.IsLogging ? t.StartLoggingTime : undefined,
    LatestCloudWatchLogsDeliveryTime: t.LatestCloudWatchLogsDeliveryTime,
    LatestCloudWatchLogsDeliveryError: t.LatestCloudWatchLogsDeliveryError,
  };
}

function getEventSelectors(ctx: CallContext, input: Input) {
  const t = readTrail(ctx, input.reqStr('TrailName'));
  return t.AdvancedEventSelectors
    ? { TrailARN: t.TrailARN, AdvancedEventSelectors: t.AdvancedEventSelectors }
    : { TrailARN: t.TrailARN, EventSelectors: t.EventSelectors ?? [] };
}

function getTrail(ctx: CallContext, input: Input) {
  return { Trail: describe(readTrail(ctx, input.reqStr('Name'))) };
}

function listTrails(ctx: CallContext) {
  return {
    Trails: visibleTrails(ctx).map((v) => ({
      TrailARN: v.trail.TrailARN,
      Name: v.trail.Name,
      HomeRegion: v.trail.HomeRegion,
    })),
  };
}

export const cloudtrail: ServiceDef = {
  name: 'cloudtrail',
  iamPrefix: 'cloudtrail',
  operations: {
    DescribeTrails: describeTrails,
    GetTrailStatus: getTrailStatus,
    GetEventSelectors: getEventSelectors,
    GetTrail: getTrail,
    ListTrails: listTrails,
  },
  fail: (member, problem) =>
    problem === 'missing'
      ? new ApiError('InvalidParameterException', `${member} is required.`)
      : new ApiError('SerializationException', `Unexpected value for ${member}.`),
  resource(_operation, ctx, input) {
    const name = input.raw.Name ?? input.raw.TrailName;
    if (typeof name === 'string')
      return name.startsWith('arn:')
        ? name
        : `arn:aws:cloudtrail:${ctx.region}:${ctx.caller.accountId}:trail/${name}`;
    return `arn:aws:cloudtrail:${ctx.region}:${ctx.caller.accountId}:trail/*`;
  },
};
