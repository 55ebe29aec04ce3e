/**
 * One home for each rule an input must follow, wherever it comes from: the configuration file
 * (src/config/schema.ts), the CLI's options (adapters/cli/options.ts) and the chat command parser
 * (src/core/commands.ts) all check with these, so a rule changes in one place. Pure; nothing here
 * throws: each surface words its own error (a zod issue, a commander message, a chat usage line) around
 * the offending value these return. Notification levels are in ./levels.
 */

/** An AWS account id: exactly 12 digits (quoted in YAML, or leading zeros are lost). */
export const ACCOUNT_ID = /^\d{12}$/;

/** An AWS region name such as eu-west-2 or us-gov-west-1. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** A CIS control id such as 4.1 (whether it is registered is the control registry's question). */
export const CONTROL_ID = /^\d+\.\d+$/;

/** A control id (`4.1`) or a whole section (`4`): what an audit, a schedule or a chat command may name. */
export const CONTROL_SELECTOR = /^\d+(\.\d+)?$/;

/** An IAM role name (the CLI's --role NAME): what IAM accepts in a role path and name. */
export const ROLE_NAME = /^[\w+=,.@/-]{1,64}$/;

/**
 * An AWS Organizations root (`r-xxxx`) or organizational unit (`ou-xxxx-xxxxxxxx`) id: the ParentId
 * pattern of the Organizations API (aws.organization.include_ous).
 */
export const ORGANIZATION_PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

/** An IAM role ARN, e.g. arn:aws:iam::123456789012:role/CisBotOrganizationRead (aws.organization.role_arn). */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Where a role ARN template takes the account id. */
export const ACCOUNT_PLACEHOLDER = '{account}';

/** The role cis-bot assumes in each audited account unless configured otherwise. */
export const DEFAULT_ROLE_ARN_TEMPLATE = `arn:aws:iam::${ACCOUNT_PLACEHOLDER}:role/CisBotAudit`;

/** The formats of the CLI's reports: text for people, JSON for programs. */
export const OUTPUT_FORMATS = ['text', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `cis-bot audit`'s report formats: text and JSON, and the published formats other tools read. */
export const AUDIT_OUTPUT_FORMATS = [
  ...OUTPUT_FORMATS,
  'sarif',
  'ocsf',
  'asff',
  'csv',
  'junit',
  'markdown',
] as const;
export type AuditOutputFormat = (typeof AUDIT_OUTPUT_FORMATS)[number];

/** Where an audit's findings can be sent besides the output (`--export`). */
export const EXPORT_TARGETS = ['securityhub'] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

export function isRegion(value: string): boolean {
  return REGION.test(value);
}

export function isControlId(value: string): boolean {
  return CONTROL_ID.test(value);
}

export function isControlSelector(value: string): boolean {
  return CONTROL_SELECTOR.test(value);
}

export function isOutputFormat(value: unknown): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly unknown[]).includes(value);
}

/** Items of a comma-separated list, trimmed, empty ones dropped. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** A list as read, or the item that breaks the rule (the whole text when an empty list is not allowed). */
export type ListCheck = { ok: true; items: string[] } | { ok: false; bad: string };

/** Comma-separated account ids, e.g. `111111111111,222222222222`. */
export function parseAccountIds(text: string, options: { allowEmpty?: boolean } = {}): ListCheck {
  const items = splitList(text);
  const bad = items.find((id) => !isAccountId(id));
  if (bad !== undefined) return { ok: false, bad };
  if (items.length === 0 && !options.allowEmpty) return { ok: false, bad: text };
  return { ok: true, items };
}

/** Comma-separated control ids or sections, e.g. `4` or `4.1,4.3,4.4` (never empty). */
export function parseControlSelectors(text: string): ListCheck {
  const items = splitList(text);
  const bad = items.find((id) => !isControlSelector(id));
  if (bad !== undefined) return { ok: false, bad };
  if (items.length === 0) return { ok: false, bad: text };
  return { ok: true, items };
}

/** A whole number from min to max written as text, or undefined. */
export function parseWholeNumber(text: string, min: number, max: number): number | undefined {
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A role name becomes `arn:aws:iam::{account}:role/NAME`; a template with `{account}` is kept; else undefined. */
export function roleArnTemplateFor(role: string): string | undefined {
  if (role.includes(ACCOUNT_PLACEHOLDER)) return role;
  return ROLE_NAME.test(role) ? `arn:aws:iam::${ACCOUNT_PLACEHOLDER}:role/${role}` : undefined;
}

/** The role ARN of one account (`*` for any account). */
export function roleArnFor(template: string, accountId: string): string {
  return template.replaceAll(ACCOUNT_PLACEHOLDER, accountId);
}
