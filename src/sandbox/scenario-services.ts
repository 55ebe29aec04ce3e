/**
 * Scenario schemas of the services added for drift alerts, drills and organization scale: SQS queues
 * (with redrive to a dead-letter queue), KMS customer keys (policies, aliases, disabled keys) and a
 * region's Security Hub. Each is a key of a region in the scenario (see ./scenario.ts, README-scenario.md).
 */
import * as z from 'zod';

/** A policy document as JSON text or as a YAML/TS object. */
export const policyDocument = z.union([z.string(), z.record(z.string(), z.unknown())]);

export function policyText(policy: z.output<typeof policyDocument>): string {
  return typeof policy === 'string' ? policy : JSON.stringify(policy);
}

export const queueSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,80}$/, 'an SQS queue name (1-80 letters, digits, - or _; no FIFO)'),
    visibility_timeout: z.number().int().min(0).max(43200).optional(),
    message_retention_period: z.number().int().min(60).max(1209600).optional(),
    receive_wait_time: z.number().int().min(0).max(20).optional(),
    delay_seconds: z.number().int().min(0).max(900).optional(),
    policy: policyDocument.optional(),
    /** Dead-letter queue: a queue name in the same account and region, after max_receive_count receives. */
    redrive: z
      .object({ dead_letter_queue: z.string().min(1), max_receive_count: z.number().int().min(1).max(1000) })
      .strict()
      .optional(),
  })
  .strict();

export const kmsKeySchema = z
  .object({
    /** The key id (a UUID); default: a stable id derived from the account, region and first alias. */
    id: z
      .string()
      .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a KMS key id (UUID)')
      .optional(),
    aliases: z
      .array(z.string().regex(/^alias\/(?!aws\/)[A-Za-z0-9/_-]{1,250}$/, 'alias/NAME (not alias/aws/)'))
      .default([]),
    description: z.string().default(''),
    enabled: z.boolean().default(true),
    /** The key policy; default: AWS's default key policy (the account's IAM policies decide). */
    policy: policyDocument.optional(),
  })
  .strict();

export const securityHubSchema = z
  .object({
    /** Standards ARNs, or their short paths (`cis-aws-foundations-benchmark/v/1.4.0`). Default: none. */
    standards: z.array(z.string().min(1)).default([]),
    auto_enable_controls: z.boolean().default(true),
    control_finding_generator: z.enum(['SECURITY_CONTROL', 'STANDARD_CONTROL']).default('SECURITY_CONTROL'),
  })
  .strict();

export type ScenarioQueue = z.output<typeof queueSchema>;
export type ScenarioKmsKey = z.output<typeof kmsKeySchema>;
export type ScenarioSecurityHub = z.output<typeof securityHubSchema>;
