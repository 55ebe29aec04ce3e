/**
 * CIS AWS Foundations v4.0.0 section 4 (Monitoring), controls 4.1 to 4.15, as data. Patterns, names and
 * alarm settings are the CIS text's; v3.0.0 numbers section 4 the same way (checked against the public
 * Steampipe cis_v300/section_4 mapping), v1.2.0 had these as 3.x (3.2 is the v1.2.0 sign-in-without-MFA
 * control, 3.1 unauthorized API calls, and so on; 4.15 Organizations did not exist then).
 * 4.16 (Security Hub enabled) has no filter pattern and is not a metric-filter-chain control.
 */
import { benignEventsFor } from './benign-events';
import type { Control, MetricAlarmDefaults, Severity } from './types';

/** What an audit of any section-4 chain control reads, one IAM action per API operation it calls. */
export const CHAIN_READ_ACTIONS = [
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:GetEventSelectors',
  'logs:DescribeMetricFilters',
  'cloudwatch:DescribeAlarmsForMetric',
  'sns:ListSubscriptionsByTopic',
  'sns:GetTopicAttributes',
] as const;

/**
 * Read only when the optional confirmation with AWS's own evaluator is on (`aws.confirm_patterns`,
 * `cis-bot audit --confirm-patterns`): the events the engine's judgement rests on go to TestMetricFilter.
 */
export const CONFIRM_PATTERN_ACTIONS = ['logs:TestMetricFilter'] as const;

/** The IAM actions an audit of `control` reads, with the confirmation's when it is enabled. */
export function readActionsFor(control: Control, options: { confirmPatterns?: boolean } = {}): string[] {
  return [...control.readActions, ...(options.confirmPatterns ? CONFIRM_PATTERN_ACTIONS : [])];
}

/** What the CIS remediation of a chain control calls (put-metric-filter, create-topic, subscribe, put-metric-alarm). */
export const CHAIN_REMEDIATION_ACTIONS = [
  'logs:PutMetricFilter',
  'sns:CreateTopic',
  'sns:Subscribe',
  'cloudwatch:PutMetricAlarm',
  // The executor re-reads the alarm by name before writing it (idempotence, never overwrite unplanned).
  'cloudwatch:DescribeAlarms',
] as const;

function defaults(
  metricName: string,
  alarmName = metricName.replace(/_metric$/, '_alarm'),
): MetricAlarmDefaults {
  return {
    filterName: metricName,
    metricName,
    metricNamespace: 'CISBenchmark',
    metricValue: '1',
    alarmName,
    statistic: 'Sum',
    period: 300,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    evaluationPeriods: 1,
  };
}

/** `($.eventName = A) || ($.eventName = B) ...`, the CIS text's shape for "any of these API calls". */
function anyEventName(names: readonly string[]): string {
  return names.map((n) => `($.eventName = ${n})`).join(' || ');
}

const MONITORING_RATIONALE =
  'Real-time monitoring of API calls: CloudTrail delivers to CloudWatch Logs, a metric filter counts the ' +
  'matching events, and an alarm notifies an SNS topic with a confirmed subscriber.';

function chainControl(
  id: string,
  v12: string | undefined,
  title: string,
  rationale: string,
  severity: Severity,
  pattern: string,
  metricName: string,
  alarmName?: string,
): Control {
  return {
    id,
    cis: { 'v4.0.0': id, 'v3.0.0': id, ...(v12 ? { 'v1.2.0': v12 } : {}) },
    title,
    rationale: `${rationale} ${MONITORING_RATIONALE}`,
    severity,
    kind: 'metric-filter-chain',
    pattern,
    defaults: defaults(metricName, alarmName),
    readActions: CHAIN_READ_ACTIONS,
    remediationActions: CHAIN_REMEDIATION_ACTIONS,
    benignEvents: benignEventsFor(id),
  };
}

export const CIS_V4_SECTION_4: readonly Control[] = [
  chainControl(
    '4.1',
    '3.1',
    'Ensure unauthorized API calls are monitored',
    'Monitoring unauthorized API calls helps reduce the time to detect malicious activity and can alert you to a potential security incident.',
    'high',
    '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
    'unauthorized_api_calls_metric',
    'unauthorized_api_calls_alarm',
  ),
  chainControl(
    '4.2',
    '3.2',
    'Ensure management console sign-in without MFA is monitored',
    'Monitoring single-factor console logins increases visibility into accounts not protected by MFA.',
    'medium',
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    'no_mfa_console_signin_metric',
  ),
  chainControl(
    '4.3',
    '3.3',
    "Ensure usage of the 'root' account is monitored",
    'Monitoring root account logins provides visibility into the use of a fully privileged account.',
    'high',
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    'root_usage_metric',
  ),
  chainControl(
    '4.4',
    '3.4',
    'Ensure IAM policy changes are monitored',
    'Monitoring changes to IAM policies helps ensure authentication and authorization controls remain intact.',
    'medium',
    `{ ${anyEventName([
      'DeleteGroupPolicy',
      'DeleteRolePolicy',
      'DeleteUserPolicy',
      'PutGroupPolicy',
      'PutRolePolicy',
      'PutUserPolicy',
      'CreatePolicy',
      'DeletePolicy',
      'CreatePolicyVersion',
      'DeletePolicyVersion',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'AttachUserPolicy',
      'DetachUserPolicy',
      'AttachGroupPolicy',
      'DetachGroupPolicy',
    ])} }`,
    'iam_changes_metric',
  ),
  chainControl(
    '4.5',
    '3.5',
    'Ensure CloudTrail configuration changes are monitored',
    'Monitoring changes to CloudTrail configuration helps ensure sustained visibility into account activity.',
    'medium',
    `{ ${anyEventName(['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging'])} }`,
    'cloudtrail_cfg_changes_metric',
  ),
  chainControl(
    '4.6',
    '3.6',
    'Ensure AWS Management Console authentication failures are monitored',
    'Monitoring failed console logins may decrease the lead time to detect a brute-force attempt.',
    'medium',
    '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    'console_signin_failure_metric',
  ),
  chainControl(
    '4.7',
    '3.7',
    'Ensure disabling or scheduled deletion of customer created CMKs is monitored',
    'Data encrypted with disabled or deleted keys is no longer accessible.',
    'medium',
    '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }',
    'disable_or_delete_cmk_changes_metric',
  ),
  chainControl(
    '4.8',
    '3.8',
    'Ensure S3 bucket policy changes are monitored',
    'Monitoring changes to S3 bucket policies may reduce the time to detect and correct permissive policies on sensitive buckets.',
    'medium',
    `{ ($.eventSource = s3.amazonaws.com) && (${anyEventName([
      'PutBucketAcl',
      'PutBucketPolicy',
      'PutBucketCors',
      'PutBucketLifecycle',
      'PutBucketReplication',
      'DeleteBucketPolicy',
      'DeleteBucketCors',
      'DeleteBucketLifecycle',
      'DeleteBucketReplication',
    ])}) }`,
    's3_bucket_policy_changes_metric',
  ),
  chainControl(
    '4.9',
    '3.9',
    'Ensure AWS Config configuration changes are monitored',
    'Monitoring changes to AWS Config configuration helps ensure sustained visibility of configuration items.',
    'medium',
    `{ ($.eventSource = config.amazonaws.com) && (${anyEventName([
      'StopConfigurationRecorder',
      'DeleteDeliveryChannel',
      'PutDeliveryChannel',
      'PutConfigurationRecorder',
    ])}) }`,
    'aws_config_changes_metric',
  ),
  chainControl(
    '4.10',
    '3.10',
    'Ensure security group changes are monitored',
    'Monitoring changes to security groups helps ensure resources and services are not unintentionally exposed.',
    'medium',
    `{ ${anyEventName([
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'CreateSecurityGroup',
      'DeleteSecurityGroup',
    ])} }`,
    'security_group_changes_metric',
  ),
  chainControl(
    '4.11',
    '3.11',
    'Ensure Network Access Control Lists (NACL) changes are monitored',
    'Monitoring changes to NACLs helps ensure AWS resources and services are not unintentionally exposed.',
    'medium',
    `{ ${anyEventName([
      'CreateNetworkAcl',
      'CreateNetworkAclEntry',
      'DeleteNetworkAcl',
      'DeleteNetworkAclEntry',
      'ReplaceNetworkAclEntry',
      'ReplaceNetworkAclAssociation',
    ])} }`,
    'nacl_changes_metric',
  ),
  chainControl(
    '4.12',
    '3.12',
    'Ensure changes to network gateways are monitored',
    'Monitoring changes to network gateways helps ensure all ingress/egress traffic traverses a controlled path.',
    'medium',
    `{ ${anyEventName([
      'CreateCustomerGateway',
      'DeleteCustomerGateway',
      'AttachInternetGateway',
      'CreateInternetGateway',
      'DeleteInternetGateway',
      'DetachInternetGateway',
    ])} }`,
    'network_gw_changes_metric',
  ),
  chainControl(
    '4.13',
    '3.13',
    'Ensure route table changes are monitored',
    'Monitoring changes to route tables helps ensure all VPC traffic flows through an expected path.',
    'medium',
    `{ ${anyEventName([
      'CreateRoute',
      'CreateRouteTable',
      'ReplaceRoute',
      'ReplaceRouteTableAssociation',
      'DeleteRouteTable',
      'DeleteRoute',
      'DisassociateRouteTable',
    ])} }`,
    'route_table_changes_metric',
  ),
  chainControl(
    '4.14',
    '3.14',
    'Ensure VPC changes are monitored',
    'Monitoring changes to VPCs helps ensure VPC traffic flow is not adversely impacted.',
    'medium',
    `{ ${anyEventName([
      'CreateVpc',
      'DeleteVpc',
      'ModifyVpcAttribute',
      'AcceptVpcPeeringConnection',
      'CreateVpcPeeringConnection',
      'DeleteVpcPeeringConnection',
      'RejectVpcPeeringConnection',
      'AttachClassicLinkVpc',
      'DetachClassicLinkVpc',
      'DisableVpcClassicLink',
      'EnableVpcClassicLink',
    ])} }`,
    'vpc_changes_metric',
  ),
  chainControl(
    '4.15',
    undefined,
    'Ensure AWS Organizations changes are monitored',
    'Monitoring AWS Organizations changes helps prevent unwanted, accidental or intentional modifications.',
    'medium',
    `{ ($.eventSource = organizations.amazonaws.com) && (${anyEventName([
      'AcceptHandshake',
      'AttachPolicy',
      'CreateAccount',
      'CreateOrganizationalUnit',
      'CreatePolicy',
      'DeclineHandshake',
      'DeleteOrganization',
      'DeleteOrganizationalUnit',
      'DeletePolicy',
      'DetachPolicy',
      'DisablePolicyType',
      'EnablePolicyType',
      'InviteAccountToOrganization',
      'LeaveOrganization',
      'MoveAccount',
      'RemoveAccountFromOrganization',
      'UpdatePolicy',
      'UpdateOrganizationalUnit',
    ])}) }`,
    'organizations_changes_metric',
  ),
];
