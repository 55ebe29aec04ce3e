/**
 * Guidance for what cis-bot does not repair: the CloudTrail links (no multi-region trail, trail not
 * logging, management events not recorded, no CloudWatch Logs delivery or a missing log group) and links
 * it could not read (AccessDenied, errors). These change how an account is audited and billed, so a
 * person decides; the guidance says what to do, with the standard AWS CLI command where there is one.
 */
import type { AccountFinding, LinkResult } from '../evaluate/findings';
import { shellQuote } from './cli-text';
import type { Guidance } from './types';

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Guidance for the first broken link when it is one the bot does not repair; undefined otherwise. */
export function unrepairedLinkGuidance(finding: AccountFinding, link: LinkResult): Guidance | undefined {
  const trail = finding.chain.trailName;
  const region = finding.chain.trailHomeRegion;
  const at = region ? ` --region ${region}` : '';
  switch (link.link) {
    case 'trail':
      return {
        link: 'trail',
        severity: 'blocker',
        title: 'Create or convert a multi-region CloudTrail trail',
        detail:
          `${link.detail} cis-bot does not create or change trails (they decide what is recorded and billed): ` +
          'make a trail multi-region (or use an organization trail), recording all management events and delivering to CloudWatch Logs.',
        cli: trail
          ? `aws cloudtrail update-trail --name ${shellQuote(trail)} --is-multi-region-trail${at}`
          : 'aws cloudtrail create-trail --name <trail-name> --s3-bucket-name <bucket> --is-multi-region-trail',
        iamAction: trail ? 'cloudtrail:UpdateTrail' : 'cloudtrail:CreateTrail',
      };
    case 'logging':
      return {
        link: 'logging',
        severity: 'blocker',
        title: 'Start logging on the trail',
        detail: `${link.detail} Turn logging back on (and find out who stopped it).`,
        cli: `aws cloudtrail start-logging --name ${shellQuote(trail ?? '<trail-name>')}${at}`,
        iamAction: 'cloudtrail:StartLogging',
      };
    case 'management-events':
      return {
        link: 'management-events',
        severity: 'blocker',
        title: 'Record all management events, read and write',
        detail: `${link.detail} Set the trail's event selectors to record all management events (ReadWriteType All).`,
        cli: `aws cloudtrail put-event-selectors --trail-name ${shellQuote(trail ?? '<trail-name>')} --event-selectors ${shellQuote('[{"ReadWriteType":"All","IncludeManagementEvents":true}]', true)}${at}`,
        iamAction: 'cloudtrail:PutEventSelectors',
      };
    case 'log-group':
      return {
        link: 'log-group',
        severity: 'blocker',
        title: 'Deliver the trail to a CloudWatch Logs log group',
        detail:
          `${link.detail} Create the log group and an IAM role CloudTrail can use to write to it, then point the trail at both; ` +
          'cis-bot can then add the metric filter, alarm and topic.',
        cli: `aws cloudtrail update-trail --name ${shellQuote(trail ?? '<trail-name>')} --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>${at}`,
        iamAction: 'cloudtrail:UpdateTrail',
      };
    default:
      return undefined;
  }
}

/** Guidance for a link cis-bot could not read: the verdict cannot be trusted until it can. */
export function errorLinkGuidance(link: LinkResult, blocking: boolean): Guidance {
  const error = link.evidence.error as Record<string, unknown> | undefined;
  const kind = str(error?.kind);
  const title =
    kind === 'access-denied' && link.action
      ? `Grant ${link.action} to cis-bot's role`
      : kind === 'credentials'
        ? 'Renew the AWS credentials AWS refused (invalid, expired or revoked)'
        : kind === 'unreachable'
          ? 'Give cis-bot a role in the account the chain leads to'
          : `Could not read the ${link.link} link`;
  return {
    link: link.link,
    severity: blocking ? 'blocker' : 'note',
    title,
    detail: blocking
      ? `${link.detail} cis-bot does not change what it cannot read; fix access and audit again.`
      : `${link.detail} cis-bot cannot verify this link; the re-audit will report it until access is fixed.`,
    ...(link.action ? { iamAction: link.action } : {}),
  };
}

export function accountErrorGuidance(finding: AccountFinding): Guidance {
  if (finding.accessError?.kind === 'credentials') {
    return {
      link: 'account',
      severity: 'blocker',
      title: "AWS refused cis-bot's credentials",
      detail: `${finding.reason} Renew the credentials and audit again; no IAM grant fixes this.`,
    };
  }
  return {
    link: 'account',
    severity: 'blocker',
    title: 'cis-bot cannot reach this account',
    detail: `${finding.reason} Fix access (role, trust policy, external id) and audit again.`,
  };
}
