/**
 * How a document's ids become names in each language, deterministically: `cis-4-1-metric-filter` is the
 * Terraform label `cis_4_1_metric_filter` and the CloudFormation logical id `Cis41MetricFilter`; a region
 * is the Terraform provider alias `eu_west_2`. The validator checks that no two ids collide once
 * converted (CloudFormation drops the dashes, so `a-1` and `a1` would).
 */

/** Lower-case words of letters and digits joined by single dashes, starting with a letter. */
export const ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** An AWS region name (`eu-west-2`, `us-gov-west-1`, `cn-north-1`). */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function terraformName(id: string): string {
  return id.replaceAll('-', '_');
}

/** CloudFormation logical ids are alphanumeric only. */
export function logicalId(id: string): string {
  return id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

export function providerAlias(region: string): string {
  return region.replaceAll('-', '_');
}
