/**
 * Ordinary, successful CloudTrail records that a section-4 control must NOT alarm on: the everyday ones
 * every control shares (`COMMON_BENIGN_EVENTS`) and the builder each control record uses for the reads
 * next to its own subject. The audit uses them to judge a metric filter that is BROADER than the CIS
 * pattern: catching more than the benchmark asks is fine (a warning) until the extra includes everyday
 * activity like these, at which point the alarm fires all day and real findings drown. Every record has
 * the fields CloudTrail always writes, a normal caller, and no errorCode; the registry's contract test
 * checks that no control's own reference pattern matches any of its benign records.
 */
import type { BenignEvent } from './types';

const ACCOUNT = '111122223333';

const alice = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEALICE00001',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAEXAMPLEALICE0001',
  userName: 'alice',
};

export const APP_ROLE = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLEAPPROLE01:i-0abc1234def567890',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app-server/i-0abc1234def567890`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAEXAMPLEAPPROLE01',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLEAPPROLE01',
      arn: `arn:aws:iam::${ACCOUNT}:role/app-server`,
      accountId: ACCOUNT,
      userName: 'app-server',
    },
    attributes: { creationDate: '2030-01-15T09:00:00Z', mfaAuthenticated: 'false' },
  },
};

let serial = 0;

/** A successful API call record as CloudTrail writes it (management event, read-only unless said). */
export function cloudTrailCall(
  service: string,
  eventName: string,
  more: Record<string, unknown> = {},
): BenignEvent {
  serial++;
  const id = String(serial).padStart(12, '0');
  return Object.freeze({
    eventVersion: '1.09',
    userIdentity: alice,
    eventTime: '2030-01-15T10:00:00Z',
    eventSource: `${service}.amazonaws.com`,
    eventName,
    awsRegion: 'eu-west-2',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
    requestParameters: {},
    responseElements: null,
    requestID: `0b1c2d3e-0000-4000-8000-${id}`,
    eventID: `9f8e7d6c-0000-4000-8000-${id}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...more,
  });
}

const lambdaRole = {
  ...APP_ROLE,
  principalId: 'AROAEXAMPLELAMBDA001:order-handler',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/order-handler-role/order-handler`,
  accessKeyId: 'ASIAEXAMPLELAMBDA001',
};

/**
 * Everyday activity in any account: an EC2 describe from a laptop, S3 reads and writes by an app, a
 * console sign-in with MFA, and the writes every workload makes (log streams, custom metrics), which a
 * filter on name prefixes such as `Create*` or `Put*` would catch.
 */
export const COMMON_BENIGN_EVENTS: readonly BenignEvent[] = [
  cloudTrailCall('ec2', 'DescribeInstances', {
    requestParameters: { instancesSet: {}, filterSet: {} },
  }),
  cloudTrailCall('s3', 'GetObject', {
    userIdentity: APP_ROLE,
    sourceIPAddress: '198.51.100.7',
    userAgent: '[aws-sdk-java/2.21.0]',
    requestParameters: {
      bucketName: 'app-assets',
      key: 'logo.png',
      Host: 'app-assets.s3.eu-west-2.amazonaws.com',
    },
    managementEvent: false,
    eventCategory: 'Data',
    resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::app-assets/logo.png' }],
  }),
  cloudTrailCall('s3', 'PutObject', {
    userIdentity: APP_ROLE,
    sourceIPAddress: '198.51.100.7',
    userAgent: '[aws-sdk-java/2.21.0]',
    requestParameters: {
      bucketName: 'app-assets',
      key: 'upload.bin',
      Host: 'app-assets.s3.eu-west-2.amazonaws.com',
    },
    readOnly: false,
    managementEvent: false,
    eventCategory: 'Data',
    resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::app-assets/upload.bin' }],
  }),
  cloudTrailCall('logs', 'CreateLogStream', {
    userIdentity: lambdaRole,
    sourceIPAddress: '198.51.100.23',
    userAgent: 'awslambda-worker/1.0',
    requestParameters: {
      logGroupName: '/aws/lambda/order-handler',
      logStreamName: '2030/01/15/[$LATEST]0a1b2c3d',
    },
    readOnly: false,
  }),
  cloudTrailCall('monitoring', 'PutMetricData', {
    userIdentity: APP_ROLE,
    sourceIPAddress: '198.51.100.7',
    userAgent: '[aws-sdk-java/2.21.0]',
    requestParameters: { namespace: 'App/Orders' },
    readOnly: false,
  }),
  cloudTrailCall('signin', 'ConsoleLogin', {
    eventTime: '2030-01-15T08:59:00Z',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: {
      LoginTo: 'https://console.aws.amazon.com/console/home',
      MobileVersion: 'No',
      MFAIdentifier: `arn:aws:iam::${ACCOUNT}:mfa/alice`,
      MFAUsed: 'Yes',
    },
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
  }),
];
