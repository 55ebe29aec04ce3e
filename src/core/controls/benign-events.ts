/**
 * Ordinary, successful CloudTrail records, per section-4 control, that the control must NOT alarm on.
 * The audit uses them to judge a metric filter that is BROADER than the CIS pattern: catching more than
 * the benchmark asks is fine (a warning) until the extra includes everyday activity like these, at which
 * point the alarm fires all day and real findings drown. Every record has the fields CloudTrail always
 * writes, a normal caller, and no errorCode; the contract test checks that no control's own reference
 * pattern matches any of its benign records.
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

const appRole = {
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
function call(service: string, eventName: string, more: Record<string, unknown> = {}): BenignEvent {
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
  ...appRole,
  principalId: 'AROAEXAMPLELAMBDA001:order-handler',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/order-handler-role/order-handler`,
  accessKeyId: 'ASIAEXAMPLELAMBDA001',
};

/**
 * Everyday activity in any account: an EC2 describe from a laptop, S3 reads and writes by an app, a
 * console sign-in with MFA, and the writes every workload makes (log streams, custom metrics), which a
 * filter on name prefixes such as `Create*` or `Put*` would catch.
 */
const COMMON: readonly BenignEvent[] = [
  call('ec2', 'DescribeInstances', {
    requestParameters: { instancesSet: {}, filterSet: {} },
  }),
  call('s3', 'GetObject', {
    userIdentity: appRole,
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
  call('s3', 'PutObject', {
    userIdentity: appRole,
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
  call('logs', 'CreateLogStream', {
    userIdentity: lambdaRole,
    sourceIPAddress: '198.51.100.23',
    userAgent: 'awslambda-worker/1.0',
    requestParameters: {
      logGroupName: '/aws/lambda/order-handler',
      logStreamName: '2030/01/15/[$LATEST]0a1b2c3d',
    },
    readOnly: false,
  }),
  call('monitoring', 'PutMetricData', {
    userIdentity: appRole,
    sourceIPAddress: '198.51.100.7',
    userAgent: '[aws-sdk-java/2.21.0]',
    requestParameters: { namespace: 'App/Orders' },
    readOnly: false,
  }),
  call('signin', 'ConsoleLogin', {
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

/** Reads (and routine writes) next to each control's subject: what a BROADER-by-service filter would catch. */
const SPECIFIC: Readonly<Record<string, readonly BenignEvent[]>> = {
  '4.4': [call('iam', 'GetPolicy'), call('iam', 'ListAttachedRolePolicies')],
  // cis-bot's own audit calls these on every run.
  '4.5': [call('cloudtrail', 'DescribeTrails'), call('cloudtrail', 'GetTrailStatus')],
  // Every read of an encrypted object or secret calls Decrypt.
  '4.7': [
    call('kms', 'Decrypt', {
      userIdentity: appRole,
      sourceIPAddress: '198.51.100.7',
      requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    }),
    call('kms', 'DescribeKey'),
  ],
  '4.8': [call('s3', 'GetBucketPolicy'), call('s3', 'GetBucketAcl')],
  // AWS Config rules report their results with PutEvaluations all day long.
  '4.9': [
    call('config', 'DescribeConfigurationRecorders'),
    call('config', 'PutEvaluations', { readOnly: false }),
  ],
  '4.10': [call('ec2', 'DescribeSecurityGroups')],
  '4.11': [call('ec2', 'DescribeNetworkAcls')],
  '4.12': [call('ec2', 'DescribeInternetGateways'), call('ec2', 'DescribeCustomerGateways')],
  '4.13': [call('ec2', 'DescribeRouteTables')],
  '4.14': [call('ec2', 'DescribeVpcs'), call('ec2', 'DescribeVpcAttribute')],
  '4.15': [call('organizations', 'DescribeOrganization'), call('organizations', 'ListAccounts')],
};

/** The benign records of a section-4 control: the common ones plus those next to its subject. */
export function benignEventsFor(controlId: string): readonly BenignEvent[] {
  return Object.freeze([...COMMON, ...(SPECIFIC[controlId] ?? [])]);
}
