/**
 * How each emulated service spells the errors the sandbox raises on its own (throttling, 503,
 * AccessDenied, bad credentials, unknown operation), with the HTTP status AWS sends, and the status of
 * any other error code an operation or `failNext` names. Each service differs: the SDK chooses the error
 * class (and whether it retries) by these names, so they must be the real ones.
 */
import type { ServiceName } from './service';

export interface ServerErrors {
  throttle: [string, number];
  unavailable: string;
  denied: [string, number];
  badToken: [string, number];
  expired: string;
  unknownOp: string;
}

/** The JSON 1.1 services that answer `UnrecognizedClientException`/`AccessDeniedException` like CloudTrail. */
const JSON_SERVICE: ServerErrors = {
  throttle: ['ThrottlingException', 400],
  unavailable: 'ServiceUnavailableException',
  denied: ['AccessDeniedException', 400],
  badToken: ['UnrecognizedClientException', 400],
  expired: 'ExpiredTokenException',
  unknownOp: 'UnknownOperationException',
};

/** The query-protocol spelling (STS, CloudWatch, and SQS through its awsQueryCompatible codes). */
const QUERY_SERVICE: ServerErrors = {
  throttle: ['Throttling', 400],
  unavailable: 'ServiceUnavailable',
  denied: ['AccessDenied', 403],
  badToken: ['InvalidClientTokenId', 403],
  expired: 'ExpiredToken',
  unknownOp: 'InvalidAction',
};

export const SERVER_ERRORS: Record<ServiceName, ServerErrors> = {
  cloudtrail: JSON_SERVICE,
  logs: JSON_SERVICE,
  kms: JSON_SERVICE,
  // Organizations models its throttling as TooManyRequestsException (retried by name) and answers 400.
  organizations: { ...JSON_SERVICE, throttle: ['TooManyRequestsException', 400] },
  // Security Hub (REST-JSON) models ThrottlingException with 429 and answers a missing key with 403.
  securityhub: {
    ...JSON_SERVICE,
    throttle: ['ThrottlingException', 429],
    denied: ['AccessDeniedException', 403],
    badToken: ['UnrecognizedClientException', 403],
  },
  monitoring: QUERY_SERVICE,
  sts: QUERY_SERVICE,
  sns: { ...QUERY_SERVICE, throttle: ['Throttled', 429], denied: ['AuthorizationError', 403] },
  // SQS's model names its throttling error RequestThrottled (query code, HTTP 403), retried by name.
  sqs: { ...QUERY_SERVICE, throttle: ['RequestThrottled', 403] },
};

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

/** Per-service statuses where a service departs from the table above (as its model and AWS answer). */
const SERVICE_STATUS: Partial<Record<ServiceName, Record<string, number>>> = {
  sqs: {
    RequestThrottled: 403,
    OverLimit: 403,
    PurgeQueueInProgress: 403,
    ReceiptHandleIsInvalid: 404,
    InvalidAddress: 404,
  },
  securityhub: {
    InvalidAccessException: 401,
    AccessDeniedException: 403,
    ResourceNotFoundException: 404,
    ResourceConflictException: 409,
    LimitExceededException: 429,
    ThrottlingException: 429,
    InternalException: 500,
  },
  kms: { NotFoundException: 400, KMSInternalException: 500, DependencyTimeoutException: 503 },
  // AWS Organizations answers 400 for its client errors whatever its model's httpError says.
  organizations: { TooManyRequestsException: 400, ServiceException: 500 },
};

/** The HTTP status AWS uses for an error code (400 unless known otherwise); `code` is the query code where one exists. */
export function statusOf(service: ServiceName, code: string): number {
  return SERVICE_STATUS[service]?.[code] ?? STATUS[code] ?? 400;
}
