/**
 * One request through the sandbox: route (X-Amz-Target for JSON, method and path for REST, SigV4 scope
 * or Version for forms), resolve the caller from the access key id, apply injected faults, check denied
 * IAM actions, run the handler (awaiting it: SQS long polls), and shape the answer for the protocol.
 * Pure of HTTP: the server feeds it the request's parts and writes the answer.
 */
import { ApiError } from './api-error';
import { Input } from './input';
import { errorResponse, type Protocol, statusFor, successResponse, type WireResponse } from './protocols';
import { SERVER_ERRORS } from './server-errors';
import {
  type CallContext,
  type Caller,
  isDenied,
  type Output,
  type ServiceDef,
  type ServiceName,
} from './service';
import { cloudtrail } from './services/cloudtrail';
import { cloudwatch } from './services/cloudwatch';
import { kms } from './services/kms';
import { logs } from './services/logs';
import { organizations } from './services/organizations';
import { securityhub } from './services/securityhub';
import { sns } from './services/sns';
import { sqs } from './services/sqs';
import { sts } from './services/sts';
import type { SandboxState } from './state';
import { decodeForm } from './wire';

const BY_TARGET: Record<string, [ServiceDef, Protocol]> = {
  CloudTrail_20131101: [cloudtrail, 'json1.1'],
  Logs_20140328: [logs, 'json1.1'],
  GraniteServiceVersion20100801: [cloudwatch, 'json1.0'],
  AmazonSQS: [sqs, 'json1.0'],
  TrentService: [kms, 'json1.1'],
  AWSOrganizationsV20161128: [organizations, 'json1.1'],
};
const BY_SCOPE: Record<string, ServiceDef> = { sns, sts, monitoring: cloudwatch };
const REST_BY_SCOPE: Record<string, ServiceDef> = { securityhub };
const BY_VERSION: Record<string, ServiceDef> = {
  '2010-03-31': sns,
  '2011-06-15': sts,
  '2010-08-01': cloudwatch,
};
const VERSION_OF: Partial<Record<ServiceName, string>> = {
  sns: '2010-03-31',
  sts: '2011-06-15',
  monitoring: '2010-08-01',
};

export interface Routed {
  service: ServiceDef;
  protocol: Protocol;
  operation: string;
  raw: Record<string, unknown>;
  accessKeyId?: string;
  region: string;
  securityToken?: string;
  userAgent: string;
}

export interface RawRequest {
  method: string;
  /** Path and query string, as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What the server decided before the handler runs (fault injection is the server's business). */
export type Fault = { kind: 'throttle' } | { kind: 'unavailable' } | { kind: 'inject'; errorCode: string };

function header(headers: RawRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseJson(body: string): Record<string, unknown> | undefined {
  if (body.trim() === '') return {};
  try {
    const raw = JSON.parse(body) as unknown;
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  } catch {
    return undefined;
  }
}

const malformed = (protocol: Protocol, service: ServiceDef) =>
  errorResponse(protocol, service.name, new ApiError('SerializationException', 'Malformed JSON body'), '-');

const PLAIN_PATH = /^(?:\/[\w-]+)+\/?$|^\/$/;

/** A REST request: the operation whose route matches method and path; input = query members + JSON body. */
function routeRest(
  service: ServiceDef,
  request: RawRequest,
): Omit<Routed, 'region' | 'userAgent'> | WireResponse {
  // A plain path (no query, escapes, dots or empty segments) is its own pathname: no URL object needed.
  const url = PLAIN_PATH.test(request.url) ? undefined : new URL(request.url, 'http://sandbox');
  const pathname = url ? url.pathname : request.url;
  const hit = service.rest?.find((r) => r.method === request.method && r.path === pathname);
  if (!hit) {
    return errorResponse(
      'rest-json',
      service.name,
      new ApiError('UnknownOperationException', `No operation for ${request.method} ${pathname}`, 404),
      '-',
    );
  }
  const body = parseJson(request.body);
  if (!body) return malformed('rest-json', service);
  return {
    service,
    protocol: 'rest-json',
    operation: hit.operation,
    raw: url ? { ...Object.fromEntries(url.searchParams), ...body } : body,
  };
}

/** Routes a request; answers at once (a WireResponse) when it names no service the sandbox serves. */
export function route(request: RawRequest): Routed | WireResponse {
  const { headers, body } = request;
  const auth = header(headers, 'authorization') ?? '';
  const scope = /Credential=([^/\s,]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  const base = {
    ...(scope?.[1] ? { accessKeyId: scope[1] } : {}),
    region: scope?.[2] ?? 'us-east-1',
    userAgent: header(headers, 'user-agent') ?? '',
    ...(header(headers, 'x-amz-security-token')
      ? { securityToken: header(headers, 'x-amz-security-token') as string }
      : {}),
  };
  const target = header(headers, 'x-amz-target');
  if (target) {
    const dot = target.indexOf('.');
    const hit = BY_TARGET[target.slice(0, dot)];
    if (!hit)
      return errorResponse(
        'json1.1',
        'cloudtrail',
        new ApiError('UnknownOperationException', `Unknown target ${target}`),
        '-',
      );
    const raw = parseJson(body);
    if (!raw) return malformed(hit[1], hit[0]);
    return { service: hit[0], protocol: hit[1], operation: target.slice(dot + 1), raw, ...base };
  }
  const rest = REST_BY_SCOPE[scope?.[3] ?? ''];
  if (rest) {
    const routed = routeRest(rest, request);
    return 'status' in routed ? routed : { ...routed, ...base };
  }
  const form = new URLSearchParams(body);
  const service = BY_SCOPE[scope?.[3] ?? ''] ?? BY_VERSION[form.get('Version') ?? ''];
  if (!service) {
    return errorResponse(
      'query',
      'sns',
      new ApiError('InvalidAction', 'The request names no service this sandbox serves'),
      '-',
    );
  }
  return { service, protocol: 'query', operation: form.get('Action') ?? '', raw: decodeForm(form), ...base };
}

/** Resolves the caller from the access key id: an account's base key or a live AssumeRole session. */
function resolveCaller(state: SandboxState, routed: Routed): Caller {
  const errs = SERVER_ERRORS[routed.service.name];
  const key = routed.accessKeyId;
  if (!key) throw new ApiError('MissingAuthenticationToken', 'Missing Authentication Token', 403);
  const invalidToken = () =>
    new ApiError(
      errs.badToken[0],
      'The security token included in the request is invalid.',
      errs.badToken[1],
    );
  const session = state.sessions.get(key);
  if (session) {
    if (routed.securityToken !== session.sessionToken) throw invalidToken();
    if (session.expiration.getTime() < Date.now())
      throw new ApiError(errs.expired, 'The security token included in the request is expired');
    const account = state.accounts.get(session.accountId);
    const role = account?.roles.get(session.roleName);
    if (!account || !role) throw invalidToken();
    return {
      accountId: account.id,
      arn: `arn:aws:sts::${account.id}:assumed-role/${role.name}/${session.sessionName}`,
      userId: `${role.roleId}:${session.sessionName}`,
      accessKeyId: key,
      deniedActions: [...account.deniedActions, ...role.deniedActions],
      session,
      roleArn: role.arn,
    };
  }
  const account = state.accountByAccessKey(key);
  if (!account) throw invalidToken();
  return {
    accountId: account.id,
    arn: `arn:aws:iam::${account.id}:user/${account.userName}`,
    userId: `AIDA${account.accessKeyId.slice(-16)}`,
    accessKeyId: key,
    deniedActions: account.deniedActions,
  };
}

export interface DispatchHooks {
  state: SandboxState;
  /** Decides the fault for this call (called once per call, after the caller is known). */
  fault(
    service: ServiceName,
    iamPrefix: string,
    operation: string,
    caller: Caller,
    region: string,
  ): Fault | undefined;
  nextId(): string;
  requestId: string;
  host: string;
  signal: AbortSignal;
}

export interface Outcome {
  response: WireResponse;
  accountId: string;
  errorCode?: string;
  /** A bug in a handler (answered as a 500); the server logs it. */
  bug?: unknown;
  /** Set when a successful call changed state: what a CloudTrail management event would record. */
  change?: { caller: Caller; resources: string[]; output: Output };
}

function actionName(service: ServiceDef, operation: string): string {
  // AWS spells SNS actions upper-case in its messages ("SNS:Publish").
  return `${service.iamPrefix === 'sns' ? 'SNS' : service.iamPrefix}:${operation}`;
}

/** The error a fault stands for, spelled as the service spells it. */
function faultError(service: ServiceName, fault: Fault): ApiError {
  const errs = SERVER_ERRORS[service];
  if (fault.kind === 'throttle') return new ApiError(errs.throttle[0], 'Rate exceeded', errs.throttle[1]);
  if (fault.kind === 'unavailable') return new ApiError(errs.unavailable, 'Service Unavailable', 503);
  return new ApiError(
    fault.errorCode,
    `Injected fault: ${fault.errorCode}`,
    statusFor(service, fault.errorCode),
  );
}

export async function dispatch(routed: Routed, hooks: DispatchHooks): Promise<Outcome> {
  const { service, protocol, operation } = routed;
  const errs = SERVER_ERRORS[service.name];
  let accountId = '';
  const fail = (error: ApiError): Outcome => ({
    response: errorResponse(protocol, service.name, error, hooks.requestId),
    accountId,
    errorCode: error.errorCode,
  });
  try {
    const caller = resolveCaller(hooks.state, routed);
    accountId = caller.accountId;
    const handler = Object.hasOwn(service.operations, operation) ? service.operations[operation] : undefined;
    if (!handler) {
      const version = VERSION_OF[service.name];
      const message =
        protocol === 'query' && version
          ? `Could not find operation ${operation} for version ${version}`
          : `Unknown operation ${operation}`;
      return fail(new ApiError(errs.unknownOp, message));
    }
    const fault = hooks.fault(service.name, service.iamPrefix, operation, caller, routed.region);
    if (fault) return fail(faultError(service.name, fault));
    const input = new Input(routed.raw, service.fail);
    let resources: string[] | undefined;
    const ctx: CallContext = {
      state: hooks.state,
      caller,
      region: routed.region,
      action: actionName(service, operation),
      requestId: hooks.requestId,
      nextId: hooks.nextId,
      host: hooks.host,
      get signal() {
        return hooks.signal;
      },
      changed(names = []) {
        resources = [...(resources ?? []), ...names];
      },
    };
    if (isDenied(caller, `${service.iamPrefix}:${operation}`)) {
      const resource = service.resource(operation, ctx, input);
      return fail(
        new ApiError(
          errs.denied[0],
          `User: ${caller.arn} is not authorized to perform: ${ctx.action} on resource: ${resource} because no identity-based policy allows the ${ctx.action} action`,
          errs.denied[1],
        ),
      );
    }
    const output = await handler(ctx, input);
    return {
      response: successResponse(protocol, service.name, operation, output, hooks.requestId),
      accountId,
      ...(resources ? { change: { caller, resources, output } } : {}),
    };
  } catch (error) {
    if (error instanceof ApiError) return fail(error);
    return {
      ...fail(
        new ApiError(
          protocol === 'query' ? 'InternalFailure' : 'InternalServerException',
          'Internal sandbox error',
          500,
        ),
      ),
      bug: error,
    };
  }
}
