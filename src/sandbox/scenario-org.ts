/**
 * Scenario schemas of AWS Organizations (organizational units, delegated administrators, suspended
 * accounts, and generated organizations of many compliant accounts) and of the chain-change event
 * routing (which calls are forwarded, as CloudTrail-shaped EventBridge events, to which SQS queue).
 */
import * as z from 'zod';
import { ACCOUNT_ID, REGION } from '../core/inputs';

export const accountId = z.string().regex(ACCOUNT_ID, 'an AWS account id is 12 digits (quote it in YAML)');
export const regionName = z.string().regex(REGION, 'an AWS region such as eu-west-2');

export interface ScenarioOu {
  name: string;
  accounts: string[];
  children: ScenarioOu[];
}
type ScenarioOuInput = {
  name: string;
  accounts?: string[] | undefined;
  children?: ScenarioOuInput[] | undefined;
};

export const ouSchema: z.ZodType<ScenarioOu, ScenarioOuInput> = z.lazy(() =>
  z
    .object({
      name: z.string().regex(/^[\s\S]{1,128}$/, 'an OU name (1-128 characters)'),
      accounts: z.array(accountId).default([]),
      children: z.array(ouSchema).default([]),
    })
    .strict(),
);

/** N generated member accounts, each with a compliant CIS section-4 chain (see ./generate-org.ts). */
export const generateSchema = z
  .object({
    accounts: z.number().int().min(1).max(100_000),
    /** Top-level OUs the accounts are spread over (round robin); 0 puts them all under the root. */
    organizational_units: z.number().int().min(0).max(1000).default(10),
    first_account_id: accountId.default('200000000000'),
    /** The first region holds the multi-region trail and the chain; every region has Security Hub. */
    regions: z.array(regionName).min(1).default(['us-east-1']),
    /** A role in every generated account that every scenario account may assume. */
    role: z.string().default('CisBotAudit'),
    security_hub: z.boolean().default(true),
    /** Every Nth generated account is SUSPENDED (0: none). */
    suspended_every: z.number().int().min(0).default(0),
  })
  .strict();

export const organizationSchema = z
  .object({
    /** o- followed by 10 to 32 lower-case letters or digits; default derived from the management account. */
    id: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, 'an organization id (o-xxxxxxxxxx)')
      .optional(),
    management_account: accountId,
    members: z.array(accountId).default([]),
    /**
     * `denied`: GetTrailStatus, GetEventSelectors and GetTrail on an organization trail's ARN, called
     * from a member account, answer CloudTrailARNInvalidException (as some public reports observe on
     * real AWS); `allowed` (default) answers them as in the management account.
     */
    member_status_calls: z.enum(['allowed', 'denied']).default('allowed'),
    delegated_administrators: z.array(accountId).default([]),
    /** Service principals with trusted access; organization trails need cloudtrail.amazonaws.com. */
    trusted_services: z
      .array(
        z
          .string()
          .regex(/^[\w+=,.@-]+\.amazonaws\.com$/, 'a service principal such as cloudtrail.amazonaws.com'),
      )
      .default(['cloudtrail.amazonaws.com', 'securityhub.amazonaws.com']),
    suspended: z.array(accountId).default([]),
    /** Accounts not placed in an OU sit under the root. */
    organizational_units: z.array(ouSchema).default([]),
    generate: generateSchema.optional(),
  })
  .strict();

export const eventRouteSchema = z
  .object({
    /** The SQS queue (any account) that receives the events, by ARN. */
    queue: z.string().regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/, 'an SQS queue ARN'),
    accounts: z.array(accountId).optional(),
    regions: z.array(regionName).optional(),
    sources: z
      .array(z.string().regex(/^aws\.[a-z0-9-]+$/, 'an EventBridge source such as aws.cloudwatch'))
      .optional(),
    names: z.array(z.string().min(1)).optional(),
    /** The EventBridge rule this route stands for (a queue policy may require it as aws:SourceArn). */
    rule: z
      .string()
      .regex(/^[.\-_A-Za-z0-9]{1,64}$/)
      .default('cis-bot-chain-changes'),
  })
  .strict();

export type ScenarioOrganization = z.output<typeof organizationSchema>;
export type ScenarioGenerate = z.output<typeof generateSchema>;
export type ScenarioEventRoute = z.output<typeof eventRouteSchema>;
