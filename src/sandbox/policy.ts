/**
 * A small evaluator of AWS resource policies (SNS topic, SQS queue and KMS key policies) for the one
 * question the sandbox asks of them: may this principal (an IAM identity of some account, or an AWS
 * service such as cloudwatch.amazonaws.com) perform this action on this resource, given these condition
 * keys? An explicit Deny wins, then any Allow; otherwise the answer is an implicit deny. It covers the
 * policy language the chain's policies use (Principal AWS/Service/"*", Action/NotAction and
 * Resource/NotResource globs, the String/Arn/Bool condition operators with IfExists and ForAnyValue);
 * anything else (NotPrincipal, numeric or date operators) makes its statement not apply, so the sandbox
 * errs towards denying rather than towards a false pass.
 */
import { actionMatches } from './service';

export type PolicyPrincipal = { service: string } | { account: string; arn: string };

export interface PolicyRequest {
  principal: PolicyPrincipal;
  /** `service:Operation`, matched case-insensitively (`SNS:Publish` = `sns:publish`). */
  action: string;
  resource: string;
  /** Condition keys (matched case-insensitively) and their values for this request. */
  context: Record<string, string>;
}

export type Decision = 'allow' | 'deny' | 'implicit-deny';

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

const list = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');

function principalMatches(spec: unknown, who: PolicyPrincipal): boolean {
  if (spec === '*') return true;
  if (!spec || typeof spec !== 'object') return false;
  const entries = spec as Record<string, unknown>;
  if ('service' in who) {
    return list(entries.Service).includes(who.service) || list(entries.AWS).includes('*');
  }
  const roleArn = who.arn.replace(
    /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.*$/,
    'arn:aws:iam::$1:role/$2',
  );
  return list(entries.AWS).some(
    (p) =>
      p === '*' ||
      p === who.account ||
      p === `arn:aws:iam::${who.account}:root` ||
      p === who.arn ||
      p === roleArn,
  );
}

const globMatches = (pattern: string, value: string) => actionMatches(pattern, value);

/** StringLike/ArnLike: `*` and `?` wildcards, case-sensitive (unlike action names). */
function likeRegex(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

function stringTest(operator: string, want: string, have: string): boolean | undefined {
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return want === have;
    case 'StringEqualsIgnoreCase':
      return want.toLowerCase() === have.toLowerCase();
    case 'StringLike':
    case 'ArnLike':
      return likeRegex(want).test(have);
    case 'Bool':
      return want.toLowerCase() === have.toLowerCase();
    default:
      return undefined;
  }
}

/** One condition operator block; undefined when the operator is not one the sandbox understands. */
function conditionHolds(
  rawOperator: string,
  block: unknown,
  context: Record<string, string>,
): boolean | undefined {
  if (!block || typeof block !== 'object') return undefined;
  const operator = rawOperator.replace(/^(ForAnyValue|ForAllValues):/, '');
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const negated = /^(String|Arn)Not/.test(base);
  const positive = base.replace(/^(String|Arn)Not/, '$1');
  const lower = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [key, wanted] of Object.entries(block as Record<string, unknown>)) {
    const have = lower.get(key.toLowerCase());
    if (have === undefined) {
      if (ifExists || negated) continue;
      return false;
    }
    const results = list(wanted).map((w) => stringTest(positive, w, have));
    if (results.some((r) => r === undefined)) return undefined;
    const any = results.some(Boolean);
    if (negated ? any : !any) return false;
  }
  return true;
}

/** Whether a statement applies to the request (undefined when it uses something the sandbox cannot judge). */
function applies(s: Statement, req: PolicyRequest): boolean | undefined {
  if (s.NotPrincipal !== undefined) return undefined;
  if (!principalMatches(s.Principal, req.principal)) return false;
  const actionOk =
    s.NotAction !== undefined
      ? !list(s.NotAction).some((a) => globMatches(a, req.action))
      : list(s.Action).some((a) => globMatches(a, req.action));
  if (!actionOk) return false;
  const resources = s.NotResource !== undefined ? list(s.NotResource) : list(s.Resource ?? '*');
  const hit = resources.some((r) => globMatches(r, req.resource));
  if (s.NotResource !== undefined ? hit : !hit) return false;
  if (s.Condition === undefined) return true;
  if (!s.Condition || typeof s.Condition !== 'object') return undefined;
  for (const [operator, block] of Object.entries(s.Condition as Record<string, unknown>)) {
    const holds = conditionHolds(operator, block, req.context);
    if (holds !== true) return holds;
  }
  return true;
}

/** Evaluates a policy document (JSON text); a missing or unreadable policy allows nothing. */
export function evaluatePolicy(policy: string | undefined, req: PolicyRequest): Decision {
  if (!policy) return 'implicit-deny';
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return 'implicit-deny';
  }
  const raw = (doc as { Statement?: unknown } | null)?.Statement;
  const statements = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Statement[];
  let allowed = false;
  for (const s of statements) {
    const hit = applies(s, req);
    if (s.Effect === 'Deny' && hit !== false) {
      // A Deny the sandbox cannot judge is taken as applying: deny rather than pass.
      return 'deny';
    }
    if (s.Effect === 'Allow' && hit === true) allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
