/**
 * The first links of a chain: the trail is multi-region, it is logging, it records every management
 * event (read and write), and it delivers to a CloudWatch Logs log group. Hands over to the log group's
 * checks (log-group-links.ts) for the rest of the chain.
 */

import {
  type AccountSnapshot,
  logGroupKey,
  type ProbeError,
  type Trail,
  type TrailSnapshot,
} from '../snapshot';
import type { TrailStart } from './account-links';
import { type Ctx, notRead, type Path, q } from './chain-path';
import type { ChainRef, LinkName, LinkResult } from './findings';
import { errorLink, fail, pass } from './links';
import { filterPaths, logGroupStart } from './log-group-links';
import { managementCoverage } from './management-events';

/**
 * The candidate chains through one trail. Everything up to the log group's own link is the same for
 * every control (it reads only the trail, its status and selectors, and the log group), so a section
 * audit builds it once per trail and account (`ctx.shared`, see account-links.ts) and each control adds
 * its metric filters, alarms and topics.
 */
export function trailPaths(ctx: Ctx, ts: TrailSnapshot): Path[] {
  const start = sharedStart(ctx, ts);
  // Fresh arrays per control: the links and chain objects are shared, never mutated (shared-links.ts).
  if ('done' in start) return [{ links: [...start.done.links], chain: start.done.chain }];
  return filterPaths(ctx, start.links, start.chain, start.lg, start.filters);
}

function sharedStart(ctx: Ctx, ts: TrailSnapshot): TrailStart {
  const memo = ctx.shared?.snap === ctx.snap ? ctx.shared.trailStarts : undefined;
  let start = memo?.get(ts);
  if (start === undefined) {
    start = trailStart(ctx.snap, ts);
    memo?.set(ts, start);
  }
  return start;
}

function trailStart(snap: AccountSnapshot, ts: TrailSnapshot): TrailStart {
  const t = ts.trail;
  const chain: ChainRef = { trailArn: t.arn, trailName: t.name, trailHomeRegion: t.homeRegion };
  const trailEvidence = {
    trailArn: t.arn,
    homeRegion: t.homeRegion,
    multiRegion: t.isMultiRegion,
    organizationTrail: t.isOrganizationTrail,
    logGroupArn: t.logGroupArn ?? null,
  };
  if (!t.isMultiRegion) {
    return {
      done: {
        links: [
          fail(
            'trail',
            `Trail ${q(t.name)} records ${t.homeRegion} only: it is not multi-region.`,
            trailEvidence,
          ),
        ],
        chain,
      },
    };
  }
  const org = t.isOrganizationTrail ? ` (organization trail of account ${t.ownerAccountId})` : '';
  const links: LinkResult[] = [
    pass('trail', `Multi-region trail ${q(t.name)}${org}, home region ${t.homeRegion}.`, trailEvidence),
  ];

  // logging
  const status = ts.status;
  if (!status) {
    links.push(errorLink('logging', notRead('cloudtrail:GetTrailStatus'), `trail ${t.name}`));
  } else if (!status.ok) {
    links.push(trailErrorLink('logging', status.error, snap, t));
  } else if (!status.value.isLogging) {
    const since = status.value.stopLoggingTime ? ` since ${status.value.stopLoggingTime}` : '';
    links.push(
      fail('logging', `Trail ${q(t.name)} is not logging${since}.`, { trailArn: t.arn, isLogging: false }),
    );
    return { done: { links, chain } };
  } else {
    links.push(pass('logging', `Trail ${q(t.name)} is logging.`, { trailArn: t.arn, isLogging: true }));
  }

  // management events
  const selectors = ts.selectors;
  if (!selectors) {
    links.push(errorLink('management-events', notRead('cloudtrail:GetEventSelectors'), `trail ${t.name}`));
  } else if (!selectors.ok) {
    links.push(trailErrorLink('management-events', selectors.error, snap, t));
  } else {
    const cov = managementCoverage(selectors.value);
    const evidence = {
      selectorKind: cov.kind,
      read: cov.read,
      write: cov.write,
      excluded: cov.excludedSources,
      eventSelectors: selectors.value.basic,
      advancedEventSelectors: selectors.value.advanced,
    };
    if (!cov.read || !cov.write) {
      const what =
        cov.excludedSources.length > 0 && !cov.read && !cov.write
          ? `excludes management events (${cov.excludedSources.join(', ')})`
          : cov.read
            ? 'records read-only management events only (no write events)'
            : cov.write
              ? 'records write-only management events only (no read events)'
              : 'records no management events';
      links.push(fail('management-events', `Trail ${q(t.name)} ${what}.`, evidence));
      return { done: { links, chain } };
    }
    links.push(
      pass(
        'management-events',
        `Trail ${q(t.name)} records all management events, read and write (${cov.kind} selectors).`,
        evidence,
      ),
    );
  }

  // log group
  if (!t.logGroupArn) {
    links.push(
      fail('log-group', `Trail ${q(t.name)} does not deliver to CloudWatch Logs (no log group).`, {
        trailArn: t.arn,
      }),
    );
    return { done: { links, chain } };
  }
  const lg = snap.logGroups[logGroupKey(t.logGroupArn)];
  if (!lg) {
    links.push(errorLink('log-group', notRead('logs:DescribeMetricFilters'), `log group ${t.logGroupArn}`));
    return { done: { links, chain } };
  }
  const lgChain: ChainRef = {
    ...chain,
    logGroupArn: lg.ref.arn,
    logGroupName: lg.ref.name,
    logGroupAccountId: lg.ref.accountId,
    logGroupRegion: lg.ref.region,
  };
  return logGroupStart(links, lgChain, lg, ts);
}

/**
 * A failed GetTrailStatus/GetEventSelectors. For an organization trail of another account the detail
 * names that account and the account the call was made in (the collector asks the owner when it can,
 * else the audited account: collector.ts puts "called in account N (...)" first in the message).
 */
function trailErrorLink(link: LinkName, error: ProbeError, snap: AccountSnapshot, t: Trail): LinkResult {
  const foreign = t.ownerAccountId !== '' && t.ownerAccountId !== snap.accountId;
  const what = foreign
    ? `organization trail ${q(t.name)} of account ${t.ownerAccountId}`
    : `trail ${q(t.name)}`;
  const r = errorLink(link, error, what, { trailArn: t.arn, ownerAccountId: t.ownerAccountId });
  const called = /^called in account (\d{12}) \(([^)]*)\)/.exec(error.message);
  if (!foreign || !called || error.kind !== 'access-denied') return r;
  return { ...r, detail: `${r.detail} The call was made in account ${called[1]} (${called[2]}).` };
}
