/**
 * Infrastructure as code: ONE model and ONE pair of writers for every Terraform / CloudFormation text
 * cis-bot prints (pure: no I/O, no SDK).
 *
 * - model.ts: the neutral document (inputs that exist, resources to create as a union of kinds, outputs;
 *   each node in a region, `Ref`s between nodes).
 * - terraform.ts (+ terraform-resources.ts, hcl.ts): `toTerraform(doc)`, one HCL file, a provider alias
 *   per region.
 * - cloudformation.ts (+ cloudformation-resources.ts, cloudformation-text.ts): `toCloudFormation(doc,
 *   'yaml' | 'json')`, one template per region (a stack is regional) in deployment order.
 * - from-plan.ts: `planToIac(plan)`, a remediation plan's missing resources (issue 15's
 *   `remediate --output terraform|cloudformation` and the "Show as ..." button).
 * - validate.ts: the checks both writers run first (IacModelError).
 *
 *     const doc = planToIac(plan); // IacExportRefused (a UsageError) for guidance-only plans
 *     const hcl = toTerraform(doc);
 *     const [template, ...more] = toCloudFormation(doc, 'yaml'); // a plan is one region: one template
 *
 * Issue 13's `events setup --output cloudformation|terraform` is meant to be built the same way: a
 * function from the settings (regions that hold a link of the chain, where the queue lives, the bot's
 * role) to an IacDocument, then the same two writers. The pieces it needs are kinds of the model:
 * - per region that holds a link: an `event-rule` (eventPattern: CloudTrail management events whose
 *   eventSource/eventName come from the control registry) whose target is the queue (same region) or
 *   the event bus of the queue's region (`arn:aws:events:REGION:ACCOUNT:event-bus/default`, with an
 *   `iam-role` that EventBridge assumes, allowing `events:PutEvents` on that bus);
 * - in the queue's region: an `sqs-queue` with `redrive` to a second `sqs-queue` (the dead-letter queue),
 *   an `sqs-queue-policy` allowing `sqs:SendMessage` to `events.amazonaws.com` only with `aws:SourceArn`
 *   equal to the rule's ARN (`ref(ruleId, 'arn')`), and an `iam-managed-policy` with the bot's
 *   permissions on the queue (`sqs:ReceiveMessage`, `sqs:DeleteMessage`, `sqs:ChangeMessageVisibility`,
 *   `sqs:GetQueueAttributes`).
 * test/iac/events-setup-example.ts builds exactly that document (one region, or several forwarding to
 * one bus) and its test checks both writers' output: copy it. New kinds (an event bus policy for the
 * organization layout, say) are added to the union in model.ts; every writer's `switch` then fails to
 * compile until it handles them.
 */
export type { CloudFormationFormat, CloudFormationTemplate } from './cloudformation';
export { toCloudFormation } from './cloudformation';
export { IAC_FORMATS, type IacFormat, isIacFormat } from './formats';
export { IacExportRefused, planNodeIds, planToIac } from './from-plan';
export { quoteHcl } from './hcl';
export * from './model';
export { type IacFile, planAsIacFile } from './plan-file';
export { toTerraform } from './terraform';
export { IacModelError, validateDocument } from './validate';
