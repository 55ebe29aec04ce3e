/**
 * CIS AWS Foundations v4.0.0 section 4 (Monitoring), in benchmark order: one record per file. Patterns,
 * names and alarm settings are the CIS text's; v3.0.0 numbers section 4 the same way (checked against the
 * public Steampipe cis_v300/section_4 mapping), v1.2.0 had these as 3.x (3.1 unauthorized API calls, 3.2
 * sign-in without MFA, and so on; 4.15 Organizations did not exist then). 4.16 (Security Hub enabled) is
 * a `service` control, not a chain. Adding a control is adding its file and its line here
 * (ARCHITECTURE.md, "How to add a control").
 */

import type { Control } from '../types';
import { CIS_4_1 } from './4-01-unauthorized-api-calls';
import { CIS_4_2 } from './4-02-console-sign-in-without-mfa';
import { CIS_4_3 } from './4-03-root-account-usage';
import { CIS_4_4 } from './4-04-iam-policy-changes';
import { CIS_4_5 } from './4-05-cloudtrail-configuration-changes';
import { CIS_4_6 } from './4-06-console-authentication-failures';
import { CIS_4_7 } from './4-07-cmk-disabling-or-deletion';
import { CIS_4_8 } from './4-08-s3-bucket-policy-changes';
import { CIS_4_9 } from './4-09-aws-config-changes';
import { CIS_4_10 } from './4-10-security-group-changes';
import { CIS_4_11 } from './4-11-nacl-changes';
import { CIS_4_12 } from './4-12-network-gateway-changes';
import { CIS_4_13 } from './4-13-route-table-changes';
import { CIS_4_14 } from './4-14-vpc-changes';
import { CIS_4_15 } from './4-15-organizations-changes';
import { CIS_4_16 } from './4-16-security-hub-enabled';

export const CIS_V4_SECTION_4: readonly Control[] = [
  CIS_4_1,
  CIS_4_2,
  CIS_4_3,
  CIS_4_4,
  CIS_4_5,
  CIS_4_6,
  CIS_4_7,
  CIS_4_8,
  CIS_4_9,
  CIS_4_10,
  CIS_4_11,
  CIS_4_12,
  CIS_4_13,
  CIS_4_14,
  CIS_4_15,
  CIS_4_16,
];
