/**
 * Security Hub (REST-JSON; methods and paths from the SDK's operation definitions): DescribeHub
 * (GET /accounts), EnableSecurityHub (POST /accounts), DisableSecurityHub (DELETE /accounts),
 * GetEnabledStandards (POST /standards/get), BatchImportFindings (POST /findings/import) and GetFindings
 * (POST /findings), per account and region. Errors travel in `x-amzn-errortype` with a `{Code, Message}`
 * body; every call but EnableSecurityHub answers InvalidAccessException (401) while the hub is not
 * enabled, as AWS does. Findings logic is in ./securityhub-findings.ts.
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import { DEFAULT_STANDARDS, enableHub, hubArn, subscriptionArn } from '../securityhub-hub';
import { type CallContext, paginate, type RestRoute, type ServiceDef } from '../service';
import type { SecurityHubState } from '../state';
import { getFindings, importFindings } from './securityhub-findings';

const ROUTES: readonly RestRoute[] = [
  { method: 'GET', path: '/accounts', operation: 'DescribeHub' },
  { method: 'POST', path: '/accounts', operation: 'EnableSecurityHub' },
  { method: 'DELETE', path: '/accounts', operation: 'DisableSecurityHub' },
  { method: 'POST', path: '/standards/get', operation: 'GetEnabledStandards' },
  { method: 'POST', path: '/findings/import', operation: 'BatchImportFindings' },
  { method: 'POST', path: '/findings', operation: 'GetFindings' },
];

const invalidInput = (message: string) => new ApiError('InvalidInputException', message);

function region(ctx: CallContext) {
  return ctx.state.region(ctx.caller.accountId, ctx.region);
}

/** The enabled hub of the caller's account and region, else AWS's InvalidAccessException. */
function hub(ctx: CallContext): SecurityHubState {
  const h = region(ctx).securityHub;
  if (!h)
    throw new ApiError(
      'InvalidAccessException',
      `Account ${ctx.caller.accountId} is not subscribed to AWS Security Hub`,
      401,
    );
  return h;
}

function describeHub(ctx: CallContext, input: Input) {
  const h = hub(ctx);
  const own = hubArn(ctx.region, ctx.caller.accountId);
  const asked = input.str('HubArn');
  if (asked !== undefined && asked !== own) {
    if (!/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:hub\/default$/.test(asked))
      throw invalidInput(`Invalid HubArn ${asked}`);
    throw new ApiError('ResourceNotFoundException', `Hub ${asked} not found`, 404);
  }
  return {
    HubArn: own,
    SubscribedAt: h.subscribedAt.toISOString(),
    AutoEnableControls: h.autoEnableControls,
    ControlFindingGenerator: h.controlFindingGenerator,
  };
}

function enableSecurityHub(ctx: CallContext, input: Input) {
  const r = region(ctx);
  if (r.securityHub)
    throw new ApiError(
      'ResourceConflictException',
      `Account ${ctx.caller.accountId} is already subscribed to Security Hub`,
      409,
    );
  const generator = input.str('ControlFindingGenerator');
  if (generator !== undefined && generator !== 'SECURITY_CONTROL' && generator !== 'STANDARD_CONTROL')
    throw invalidInput(`Invalid ControlFindingGenerator ${generator}`);
  enableHub(r, ctx.region, {
    standards: (input.bool('EnableDefaultStandards') ?? true) ? DEFAULT_STANDARDS : [],
    ...(generator ? { controlFindingGenerator: generator } : {}),
  });
  ctx.changed([hubArn(ctx.region, ctx.caller.accountId)]);
  return {};
}

function disableSecurityHub(ctx: CallContext) {
  hub(ctx);
  delete region(ctx).securityHub;
  ctx.changed([hubArn(ctx.region, ctx.caller.accountId)]);
  return {};
}

function getEnabledStandards(ctx: CallContext, input: Input) {
  const h = hub(ctx);
  const only = input.strList('StandardsSubscriptionArns');
  const max = input.num('MaxResults') ?? 100;
  if (max < 1 || max > 100) throw invalidInput('MaxResults must be between 1 and 100.');
  const subs = h.standards
    .map((arn) => ({
      StandardsSubscriptionArn: subscriptionArn(arn, ctx.region, ctx.caller.accountId),
      StandardsArn: arn,
      StandardsInput: {},
      StandardsStatus: 'READY',
      StandardsControlsUpdatable: 'READY_FOR_UPDATES',
    }))
    .filter((s) => !only || only.length === 0 || only.includes(s.StandardsSubscriptionArn))
    .sort((a, b) => (a.StandardsSubscriptionArn < b.StandardsSubscriptionArn ? -1 : 1));
  const { page, nextToken } = paginate(
    subs,
    (s) => s.StandardsSubscriptionArn,
    input.str('NextToken'),
    max,
    () => invalidInput('The NextToken is not valid.'),
  );
  return { StandardsSubscriptions: page, NextToken: nextToken };
}

export const securityhub: ServiceDef = {
  name: 'securityhub',
  iamPrefix: 'securityhub',
  rest: ROUTES,
  operations: {
    DescribeHub: describeHub,
    EnableSecurityHub: enableSecurityHub,
    DisableSecurityHub: disableSecurityHub,
    GetEnabledStandards: getEnabledStandards,
    BatchImportFindings: (ctx, input) => importFindings(ctx, hub(ctx), input),
    GetFindings: (ctx, input) => getFindings(ctx, hub(ctx), input),
  },
  fail: (member, problem) =>
    invalidInput(problem === 'missing' ? `${member} is required.` : `Invalid value for ${member}.`),
  resource(_operation, ctx) {
    return hubArn(ctx.region, ctx.caller.accountId);
  },
};
