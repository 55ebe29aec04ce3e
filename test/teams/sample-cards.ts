/**
 * Neutral cards shaped like the core's: a non-compliant 4.1 finding and an approval request. Used by
 * the renderer's exact-output tests and to show the rendered Adaptive Cards in the README.
 */
import type { Card } from '../../src/core/cards';
import { ACTION_APPROVE, ACTION_REJECT, ACTION_REMEDIATE } from '../../src/core/ports/chat';

export const CIS_41_PATTERN =
  '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';

export const FINDING_CARD: Card = {
  summary: '4.1 NON_COMPLIANT in 111111111111: no metric filter matches unauthorized API calls',
  elements: [
    { type: 'heading', text: 'CIS 4.1 Unauthorized API calls: NON_COMPLIANT' },
    {
      type: 'fields',
      fields: [
        { label: 'Account', value: '111111111111' },
        { label: 'Trail', value: 'arn:aws:cloudtrail:eu-west-2:111111111111:trail/org-trail' },
        { label: 'Broken link', value: 'metric filter' },
      ],
    },
    { type: 'text', text: 'Log group org-trail-logs has no metric filter matching the CIS pattern:' },
    { type: 'text', text: CIS_41_PATTERN, monospace: true },
    { type: 'divider' },
    {
      type: 'table',
      columns: ['Link', 'State'],
      rows: [
        ['Multi-region trail logging to CloudWatch Logs', 'OK'],
        ['Metric filter', 'MISSING'],
        ['Alarm', 'MISSING'],
        ['SNS subscription'],
      ],
    },
    {
      type: 'actions',
      buttons: [
        { id: ACTION_REMEDIATE, label: 'Propose a fix', style: 'primary', value: '4.1:111111111111' },
      ],
    },
    { type: 'context', text: 'Audited 2025-06-01T10:00:00Z · CIS AWS Foundations v4.0.0' },
  ],
};

export const APPROVAL_CARD: Card = {
  summary: 'Approval needed: fix CIS 4.1 in 111111111111',
  elements: [
    { type: 'heading', text: 'Fix CIS 4.1 in 111111111111?' },
    {
      type: 'fields',
      fields: [
        { label: 'Requested by', value: 'Megan Bowen' },
        { label: 'Plan', value: 'sha256:9f2c…e1 (3 steps)' },
        { label: 'Expires', value: '2025-06-01T11:00:00Z' },
      ],
    },
    {
      type: 'text',
      text: 'aws logs put-metric-filter --log-group-name org-trail-logs --filter-name cis-4-1-unauthorized-api-calls ...',
      monospace: true,
    },
    {
      type: 'actions',
      buttons: [
        {
          id: ACTION_APPROVE,
          label: 'Approve',
          style: 'primary',
          value: 'apr-7d2f',
          confirm: {
            title: 'Apply this plan?',
            text: 'cis-bot will create the metric filter, the alarm and the SNS topic in 111111111111.',
            confirm: 'Apply',
            deny: 'Cancel',
          },
        },
        { id: ACTION_REJECT, label: 'Reject', style: 'danger', value: 'apr-7d2f' },
      ],
    },
    { type: 'context', text: 'Approvers: approvals.teams.users · you cannot approve your own request' },
  ],
};
