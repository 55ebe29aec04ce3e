/**
 * The wire shapes of answers, per protocol: AWS JSON 1.1 (CloudTrail, Logs), AWS JSON 1.0 with the
 * awsQueryCompatible `x-amzn-query-error` header (CloudWatch), and the query protocol's XML (SNS, STS, and
 * CloudWatch's older query protocol). Also the per-service spelling of the errors the server itself
 * raises (throttling, 503, AccessDenied, bad credentials, unknown operation) and the mapping from an
 * injected error code to its HTTP status.
 */
import type { ApiError } from './api-error';
import type { ServiceName } from './service';
import { toJsonValue, toXml } from './wire';

export type Protocol = 'json1.1' | 'json1.0' | 'query';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const XMLNS: Record<ServiceName, string> = {
  sns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  monitoring: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
  cloudtrail: '',
  logs: '',
};

/** CloudWatch's query error codes and the JSON shape names the SDK models for them. */
const CLOUDWATCH_SHAPES: Record<string, string> = {
  InvalidNextToken: 'com.amazonaws.cloudwatch#InvalidNextToken',
  InvalidParameterValue: 'com.amazonaws.cloudwatch#InvalidParameterValueException',
  InvalidParameterCombination: 'com.amazonaws.cloudwatch#InvalidParameterCombinationException',
  MissingParameter: 'com.amazonaws.cloudwatch#MissingRequiredParameterException',
  LimitExceeded: 'com.amazonaws.cloudwatch#LimitExceededFault',
  ResourceNotFound: 'com.amazonaws.cloudwatch#ResourceNotFound',
  InternalServiceError: 'com.amazonaws.cloudwatch#InternalServiceFault',
  AccessDenied: 'com.amazon.coral.service#AccessDeniedException',
  Throttling: 'com.amazon.coral.availability#ThrottlingException',
  ServiceUnavailable: 'com.amazon.coral.service#ServiceUnavailableException',
  InvalidClientTokenId: 'com.amazon.coral.service#UnrecognizedClientException',
  ExpiredToken: 'com.amazon.coral.service#ExpiredTokenException',
  InvalidAction: 'com.amazon.coral.service#UnknownOperationException',
};

/** Lets failNext take either spelling for CloudWatch (`InvalidParameterValue` or `...Exception`). */
export function cloudwatchQueryCode(code: string): string {
  for (const [query, shape] of Object.entries(CLOUDWATCH_SHAPES)) {
    if (shape.endsWith(`#${code}`)) return query;
  }
  return code;
}

const STATUS: Record<string, number> = {
  AccessDenied: 403,
  AuthorizationError: 403,
  InvalidClientTokenId: 403,
  MissingAuthenticationToken: 403,
  SignatureDoesNotMatch: 403,
  NotFound: 404,
  ResourceNotFound: 404,
  Throttled: 429,
  TooManyRequestsException: 429,
  InternalError: 500,
  InternalFailure: 500,
  InternalServiceError: 500,
  InternalServerException: 500,
  InternalServiceFault: 500,
  ServiceUnavailable: 503,
  ServiceUnavailableException: 503,
};

/** The HTTP status AWS uses for an error code (400 unless known otherwise). */
export function statusFor(service: ServiceName, code: string): number {
  if (service === 'monitoring') return STATUS[cloudwatchQueryCode(code)] ?? 400;
  return STATUS[code] ?? 400;
}

/** How each service spells the errors the server raises on its own. */
export const SERVER_ERRORS: Record<
  ServiceName,
  {
    throttle: [string, number];
    unavailable: string;
    denied: [string, number];
    badToken: [string, number];
    expired: string;
    unknownOp: string;
  }
> = {
  cloudtrail: {
    throttle: ['ThrottlingException', 400],
    unavailable: 'ServiceUnavailableException',
    denied: ['AccessDeniedException', 400],
    badToken: ['UnrecognizedClientException', 400],
    expired: 'ExpiredTokenException',
    unknownOp: 'UnknownOperationException',
  },
  logs: {
    throttle: ['ThrottlingException', 400],
    unavailable: 'ServiceUnavailableException',
    denied: ['AccessDeniedException', 400],
    badToken: ['UnrecognizedClientException', 400],
    expired: 'ExpiredTokenException',
    unknownOp: 'UnknownOperationException',
  },
  monitoring: {
    throttle: ['Throttling', 400],
    unavailable: 'ServiceUnavailable',
    denied: ['AccessDenied', 403],
    badToken: ['InvalidClientTokenId', 403],
    expired: 'ExpiredToken',
    unknownOp: 'InvalidAction',
  },
  sns: {
    throttle: ['Throttled', 429],
    unavailable: 'ServiceUnavailable',
    denied: ['AuthorizationError', 403],
    badToken: ['InvalidClientTokenId', 403],
    expired: 'ExpiredToken',
    unknownOp: 'InvalidAction',
  },
  sts: {
    throttle: ['Throttling', 400],
    unavailable: 'ServiceUnavailable',
    denied: ['AccessDenied', 403],
    badToken: ['InvalidClientTokenId', 403],
    expired: 'ExpiredToken',
    unknownOp: 'InvalidAction',
  },
};

export function successResponse(
  protocol: Protocol,
  service: ServiceName,
  operation: string,
  output: Record<string, unknown> | undefined,
  requestId: string,
): WireResponse {
  if (protocol !== 'query') {
    return {
      status: 200,
      headers: {
        'content-type': `application/x-amz-json-${protocol === 'json1.0' ? '1.0' : '1.1'}`,
        'x-amzn-requestid': requestId,
      },
      body: JSON.stringify(toJsonValue(output ?? {})),
    };
  }
  const result = output
    ? `<${operation}Result>${Object.entries(output)
        .map(([k, v]) => toXml(k, v))
        .join('')}</${operation}Result>`
    : '';
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<${operation}Response xmlns="${XMLNS[service]}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

export function errorResponse(
  protocol: Protocol,
  service: ServiceName,
  error: ApiError,
  requestId: string,
): WireResponse {
  if (protocol === 'json1.1') {
    return {
      status: error.status,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': error.errorCode,
      },
      body: JSON.stringify({ __type: error.errorCode, message: error.message }),
    };
  }
  if (protocol === 'json1.0') {
    const code = cloudwatchQueryCode(error.errorCode);
    return {
      status: error.status,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': requestId,
        'x-amzn-query-error': `${code};${error.fault}`,
      },
      body: JSON.stringify({ __type: CLOUDWATCH_SHAPES[code] ?? code, message: error.message }),
    };
  }
  const code = service === 'monitoring' ? cloudwatchQueryCode(error.errorCode) : error.errorCode;
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<ErrorResponse xmlns="${XMLNS[service]}"><Error><Type>${error.fault}</Type>${toXml('Code', code)}${toXml(
      'Message',
      error.message,
    )}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
