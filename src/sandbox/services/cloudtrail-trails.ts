/**
 * Which trails a caller sees and how they are named: a trail is "home" in its own account and home
 * region; a multi-region trail is a shadow trail in the owner's other regions; an organization trail
 * (owned by the management account) is a shadow trail in every member account (in every region if
 * multi-region, else in its home region). Names find only home trails; ARNs find any visible trail (AWS:
 * "to get a shadow trail, specify its ARN"). Shared by the CloudTrail reads and writes.
 */
import { ApiError } from '../api-error';
import type { CallContext } from '../service';
import type { TrailState } from '../state';

interface Visible {
  trail: TrailState;
  shadow: boolean;
}

export function visibleTrails(ctx: CallContext): Visible[] {
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
  // Members see the organization trail while they belong to the organization and CloudTrail has trusted access.
  if (
    org &&
    org.managementAccount !== caller.accountId &&
    org.parentOf.has(caller.accountId) &&
    org.trustedServices.has('cloudtrail.amazonaws.com')
  ) {
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

export function findTrail(ctx: CallContext, nameOrArn: string): TrailState {
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
export function readTrail(ctx: CallContext, nameOrArn: string): TrailState {
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

export function describe(t: TrailState): Record<string, unknown> {
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
    HasInsightSelectors: (t.InsightSelectors?.length ?? 0) > 0,
    IsOrganizationTrail: t.IsOrganizationTrail,
  };
}
