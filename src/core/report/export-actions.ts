/**
 * The IAM actions of the Security Hub export, for the identity cis-bot runs as (the hub): `cis-bot
 * iam-policy --export securityhub` prints them, the README lists them (a test keeps both equal), and the
 * exporter calls exactly these. Kept apart from the exporter so `iam-policy` loads nothing else.
 */
export const SECURITY_HUB_EXPORT_ACTIONS = [
  // Reads what Security Hub holds of cis-bot's findings, to keep their CreatedAt and FirstObservedAt.
  'securityhub:GetFindings',
  'securityhub:BatchImportFindings',
] as const;
