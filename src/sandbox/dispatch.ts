/**
 * One request through the sandbox: route (X-Amz-Target for JSON, SigV4 scope or Version for forms),
 * resolve the caller from the access key id, apply injected faults, check denied IAM actions, run the
 * handler, and shape the answer for the protocol. Pure of HTTP: the server feeds it headers and body.
 */
import { ApiError } from './api-error';
import { Input } from './input';
import {
  errorResponse,
  type Protocol,
  SERVER_ERRORS,
  statusFor,
  successResponse,
  type WireResponse,
} from './protocols';
import { type CallContext, type Caller, isDenied, type ServiceDef, type ServiceName } from './service';
import { cloudtrail } from './services/cloudtrail';
import { cloudwatch } from './services/cloudwatch';
import { logs } from './services/logs';
import { sns } from './services/sns';
import { sts } from './services/sts';
import type { SandboxState } from './state';
import { decodeForm } from './wire';

const BY_TARGET: Record<string, [ServiceDef, Protocol]> = {
  CloudTrail_20131101: [cloudtrail, 'json1.1'],
  Logs_20140328: [logs, 'json1.1'],
  GraniteServiceVersion20100801: [cloudwatch, 'json1.0'],
};
const BY_SCOPE: Record<string, ServiceDef> = { sns, sts, monitoring: cloudwatch };
const BY_VERSION: Record<string, ServiceDef> = {
  '2010-03-31': sns,
  '2011-06-15': sts,
  '2010-08-01': cloudwatch,
};

export interface Routed {
  service: ServiceDef;
  protocol: Protocol;
  operation: string;
  raw: Record<string, unknown>;
  accessKeyId?: string;
  region: string;
  securityToken?: string;
}

/** What the server decided before the handler runs (fault injection is the server's business). */
export type Fault = { kind: 'throttle' } | { kind: 'unavailable' } | { kind: 'inject'; errorCode: string };

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Routes a request; answers at once (a WireResponse) when it names no service the sandbox serves. */
export function route(
  headers: Record<string, string | string[] | undefined>,
  body: string,
): Routed | WireResponse {
  const auth = header(headers, 'authorization') ?? '';
  const scope = /Credential=([^/\s,]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  const base = {
    ...(scope?.[1] ? { accessKeyId: scope[1] } : {}),
    region: scope?.[2] ?? 'us-east-1',
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
    let raw: unknown = {};
    if (body.trim() !== '') {
      try {
        raw = JSON.parse(body);
      } catch {
        return errorResponse(
          hit[1],
          hit[0].name,
          new ApiError('SerializationException', 'Malformed JSON body'),
          '-',
        );
      }
    }
    return {
      service: hit[0],
      protocol: hit[1],
      operation: target.slice(dot + 1),
      raw: (raw ?? {}) as Record<string, unknown>,
      ...base,
    };
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
      deniedActions: [...account.deniedActions, ...role.deniedActions],
      session,
    };
  }
  for (const account of state.accounts.values()) {
    if (account.accessKeyId === key) {
      return {
        accountId: account.id,
        arn: `arn:aws:iam::${account.id}:user/${account.userName}`,
        userId: `AIDA${account.accessKeyId.slice(-16)}`,
        deniedActions: account.deniedActions,
      };
    }
  }
  throw invalidToken();
}

export interface DispatchHooks {
  state: SandboxState;
  /** Decides the fault for this call (called once per call, after the caller is known). */
  fault(service: ServiceName, iamPrefix: string, operation: string): Fault | undefined;
  nextId(): string;
  requestId: string;
}

export interface Outcome {
  response: WireResponse;
  accountId: string;
  errorCode?: string;
  /** A bug in a handler (answered as a 500); the server logs it. */
  bug?: unknown;
}

function actionName(service: ServiceDef, operation: string): string {
  // AWS spells SNS actions upper-case in its messages ("SNS:Publish").
  return `${service.iamPrefix === 'sns' ? 'SNS' : service.iamPrefix}:${operation}`;
}

export function dispatch(routed: Routed, hooks: DispatchHooks): Outcome {
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
      const message =
        protocol === 'query'
          ? `Could not find operation ${operation} for version ${service.name === 'sns' ? '2010-03-31' : service.name === 'sts' ? '2011-06-15' : '2010-08-01'}`
          : `Unknown operation ${operation}`;
      return fail(new ApiError(errs.unknownOp, message));
    }
    const fault = hooks.fault(service.name, service.iamPrefix, operation);
    if (fault?.kind === 'throttle')
      return fail(new ApiError(errs.throttle[0], 'Rate exceeded', errs.throttle[1]));
    if (fault?.kind === 'unavailable')
      return fail(new ApiError(errs.unavailable, 'Service Unavailable', 503));
    if (fault?.kind === 'inject') {
      return fail(
        new ApiError(
          fault.errorCode,
          `Injected fault: ${fault.errorCode}`,
          statusFor(service.name, fault.errorCode),
        ),
      );
    }
    const input = new Input(routed.raw, service.fail);
    const action = actionName(service, operation);
    const ctx: CallContext = {
      state: hooks.state,
      caller,
      region: routed.region,
      action,
      requestId: hooks.requestId,
      nextId: hooks.nextId,
    };
    if (isDenied(caller, `${service.iamPrefix}:${operation}`)) {
      const resource = service.resource(operation, ctx, input);
      return fail(
        new ApiError(
          errs.denied[0],
          `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
          errs.denied[1],
        ),
      );
    }
    const output = handler(ctx, input);
    return {
      response: successResponse(protocol, service.name, operation, output, hooks.requestId),
      accountId,
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
