/**
 * The wire shapes of answers, per protocol: AWS JSON 1.1 (CloudTrail, Logs, KMS, Organizations), AWS JSON
 * 1.0 with the awsQueryCompatible `x-amzn-query-error` header (CloudWatch, SQS), REST-JSON (Security Hub)
 * and the query protocol's XML (SNS, STS, and CloudWatch's older query protocol). Handlers throw query
 * codes for the query-compatible services (as those services' own code does); the JSON writers add the
 * shape name the SDK models for it, so the SDK throws the modelled class.
 */
import type { ApiError } from './api-error';
import { statusOf } from './server-errors';
import type { ServiceName } from './service';
import { toJsonValue, toXml } from './wire';

export type Protocol = 'json1.1' | 'json1.0' | 'query' | 'rest-json';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const XMLNS: Partial<Record<ServiceName, string>> = {
  sns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  monitoring: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
};

/** Query error codes of the awsQueryCompatible services and the JSON shape names the SDK models for them. */
const QUERY_COMPATIBLE: Partial<Record<ServiceName, Record<string, string>>> = {
  monitoring: {
    InvalidNextToken: 'com.amazonaws.cloudwatch#InvalidNextToken',
    InvalidParameterValue: 'com.amazonaws.cloudwatch#InvalidParameterValueException',
    InvalidParameterCombination: 'com.amazonaws.cloudwatch#InvalidParameterCombinationException',
    InvalidFormat: 'com.amazonaws.cloudwatch#InvalidFormatFault',
    MissingParameter: 'com.amazonaws.cloudwatch#MissingRequiredParameterException',
    LimitExceeded: 'com.amazonaws.cloudwatch#LimitExceededFault',
    ResourceNotFound: 'com.amazonaws.cloudwatch#ResourceNotFound',
    InternalServiceError: 'com.amazonaws.cloudwatch#InternalServiceFault',
  },
  sqs: {
    'AWS.SimpleQueueService.NonExistentQueue': 'com.amazonaws.sqs#QueueDoesNotExist',
    QueueAlreadyExists: 'com.amazonaws.sqs#QueueNameExists',
    'AWS.SimpleQueueService.QueueDeletedRecently': 'com.amazonaws.sqs#QueueDeletedRecently',
    ReceiptHandleIsInvalid: 'com.amazonaws.sqs#ReceiptHandleIsInvalid',
    'AWS.SimpleQueueService.MessageNotInflight': 'com.amazonaws.sqs#MessageNotInflight',
    'AWS.SimpleQueueService.PurgeQueueInProgress': 'com.amazonaws.sqs#PurgeQueueInProgress',
    'AWS.SimpleQueueService.EmptyBatchRequest': 'com.amazonaws.sqs#EmptyBatchRequest',
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest': 'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
    'AWS.SimpleQueueService.BatchEntryIdsNotDistinct': 'com.amazonaws.sqs#BatchEntryIdsNotDistinct',
    'AWS.SimpleQueueService.InvalidBatchEntryId': 'com.amazonaws.sqs#InvalidBatchEntryId',
    'AWS.SimpleQueueService.UnsupportedOperation': 'com.amazonaws.sqs#UnsupportedOperation',
    InvalidAttributeName: 'com.amazonaws.sqs#InvalidAttributeName',
    InvalidAttributeValue: 'com.amazonaws.sqs#InvalidAttributeValue',
    InvalidMessageContents: 'com.amazonaws.sqs#InvalidMessageContents',
    InvalidAddress: 'com.amazonaws.sqs#InvalidAddress',
    RequestThrottled: 'com.amazonaws.sqs#RequestThrottled',
    OverLimit: 'com.amazonaws.sqs#OverLimit',
    InvalidParameterValue: 'com.amazon.coral.validate#ValidationException',
    MissingParameter: 'com.amazon.coral.validate#ValidationException',
  },
};

/** Shapes every query-compatible service shares (coral's own errors). */
const CORAL_SHAPES: Record<string, string> = {
  AccessDenied: 'com.amazon.coral.service#AccessDeniedException',
  Throttling: 'com.amazon.coral.availability#ThrottlingException',
  ServiceUnavailable: 'com.amazon.coral.service#ServiceUnavailableException',
  InvalidClientTokenId: 'com.amazon.coral.service#UnrecognizedClientException',
  ExpiredToken: 'com.amazon.coral.service#ExpiredTokenException',
  InvalidAction: 'com.amazon.coral.service#UnknownOperationException',
};

function shapesOf(service: ServiceName): Record<string, string> {
  return { ...CORAL_SHAPES, ...QUERY_COMPATIBLE[service] };
}

/**
 * The query code for a code given either way (`InvalidParameterValue` or `InvalidParameterValueException`,
 * `AWS.SimpleQueueService.NonExistentQueue` or `QueueDoesNotExist`), so `failNext` takes both spellings.
 */
export function queryCode(service: ServiceName, code: string): string {
  if (!QUERY_COMPATIBLE[service]) return code;
  for (const [query, shape] of Object.entries(shapesOf(service))) {
    if (shape.endsWith(`#${code}`)) return query;
  }
  return code;
}

/** The HTTP status AWS uses for an error code (400 unless known otherwise). */
export function statusFor(service: ServiceName, code: string): number {
  return statusOf(service, queryCode(service, code));
}

/** Organizations and Security Hub spell the message member `Message`; the others `message`. */
const CAPITALIZED_MESSAGE: ReadonlySet<ServiceName> = new Set(['organizations', 'securityhub']);

function jsonHeaders(protocol: Protocol, requestId: string): Record<string, string> {
  const type =
    protocol === 'json1.0'
      ? 'application/x-amz-json-1.0'
      : protocol === 'json1.1'
        ? 'application/x-amz-json-1.1'
        : 'application/json';
  return { 'content-type': type, 'x-amzn-requestid': requestId };
}

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
      headers: jsonHeaders(protocol, requestId),
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
    body: `<${operation}Response xmlns="${XMLNS[service] ?? ''}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

export function errorResponse(
  protocol: Protocol,
  service: ServiceName,
  error: ApiError,
  requestId: string,
): WireResponse {
  const messageKey = CAPITALIZED_MESSAGE.has(service) ? 'Message' : 'message';
  if (protocol === 'json1.1' || protocol === 'rest-json') {
    return {
      status: error.status,
      headers: { ...jsonHeaders(protocol, requestId), 'x-amzn-errortype': error.errorCode },
      body: JSON.stringify(
        protocol === 'rest-json'
          ? { Code: error.errorCode, [messageKey]: error.message }
          : { __type: error.errorCode, [messageKey]: error.message },
      ),
    };
  }
  if (protocol === 'json1.0') {
    const code = queryCode(service, error.errorCode);
    return {
      status: error.status,
      headers: { ...jsonHeaders(protocol, requestId), 'x-amzn-query-error': `${code};${error.fault}` },
      body: JSON.stringify({ __type: shapesOf(service)[code] ?? code, message: error.message }),
    };
  }
  const code = queryCode(service, error.errorCode);
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<ErrorResponse xmlns="${XMLNS[service] ?? ''}"><Error><Type>${error.fault}</Type>${toXml('Code', code)}${toXml(
      'Message',
      error.message,
    )}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
