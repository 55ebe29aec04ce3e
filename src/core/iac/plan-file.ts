/**
 * A remediation plan as one file of infrastructure as code: what `cis-bot remediate --output
 * terraform|cloudformation|cloudformation-json` prints and what the plan card's "Show as Terraform" /
 * "Show as CloudFormation" buttons deliver into the thread. The one writer (toTerraform,
 * toCloudFormation) does the writing; this only names the file.
 */

import type { Plan } from '../remediation/types';
import { toCloudFormation } from './cloudformation';
import type { IacFormat } from './formats';
import { planToIac } from './from-plan';
import { toTerraform } from './terraform';

export interface IacFile {
  /** `cis-4-1-111122223333.tf`, `cis-4-1-111122223333.eu-west-2.yaml`. */
  fileName: string;
  /** What the file is, for a title: `Terraform`, `CloudFormation (YAML)`. */
  label: string;
  /** Slack's snippet type / a file type: `hcl`, `yaml`, `json`. */
  fileType: 'hcl' | 'yaml' | 'json';
  mimeType: string;
  body: string;
}

/**
 * The plan's missing resources as `format`; IacExportRefused (a UsageError saying what to do first) for
 * a plan that is not offered for approval (nothing to do, or guidance only).
 */
export function planAsIacFile(plan: Plan, format: IacFormat): IacFile {
  const doc = planToIac(plan);
  const stem = `cis-${plan.control.replace(/[^0-9A-Za-z]+/g, '-')}-${plan.accountId}`;
  if (format === 'terraform') {
    return {
      fileName: `${stem}.tf`,
      label: 'Terraform',
      fileType: 'hcl',
      mimeType: 'text/plain',
      body: toTerraform(doc),
    };
  }
  const json = format === 'cloudformation-json';
  // A plan is in one region, so one template.
  const templates = toCloudFormation(doc, json ? 'json' : 'yaml');
  const body = templates.map((t) => t.body).join('\n');
  const region = templates[0]?.region ?? plan.target.region;
  return {
    fileName: `${stem}.${region}.${json ? 'json' : 'yaml'}`,
    label: json ? 'CloudFormation (JSON)' : 'CloudFormation (YAML)',
    fileType: json ? 'json' : 'yaml',
    mimeType: json ? 'application/json' : 'text/plain',
    body,
  };
}
