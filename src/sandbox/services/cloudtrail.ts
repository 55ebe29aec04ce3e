/**
 * CloudTrail (AWS JSON 1.1, target prefix CloudTrail_20131101): DescribeTrails, GetTrailStatus,
 * GetEventSelectors, GetTrail and ListTrails over the trails visible in the caller's account and region;
 * the writes that can break the chain (StopLogging, DeleteTrail, UpdateTrail, Put*Selectors) are in
 * ./cloudtrail-write.ts, and trail visibility (home, shadow and organization trails) in ./cloudtrail-trails.ts.
 * `organization.member_status_calls: denied` refuses members' status/selector reads of organization trails.
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import type { CallContext, ServiceDef } from '../service';
import { describe, readTrail, visibleTrails } from './cloudtrail-trails';
import {
  deleteTrail,
  putEventSelectors,
  putInsightSelectors,
  startLogging,
  stopLogging,
  updateTrail,
} from './cloudtrail-write';

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
    StartLogging: startLogging,
    StopLogging: stopLogging,
    DeleteTrail: deleteTrail,
    UpdateTrail: updateTrail,
    PutEventSelectors: putEventSelectors,
    PutInsightSelectors: putInsightSelectors,
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
