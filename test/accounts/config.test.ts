/** `aws.organization` in the configuration file: defaults, and a clear message for each kind of mistake. */
import { loadConfig } from '../../src/config/load';

function load(organization: unknown) {
  return loadConfig({ document: { aws: { organization } }, env: {} });
}

function problem(organization: unknown): string {
  try {
    load(organization);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('aws.organization', () => {
  it('is off by default, with a short cache', () => {
    expect(loadConfig({ document: {}, env: {} }).aws.organization).toEqual({
      enabled: false,
      include_ous: [],
      exclude_accounts: [],
      cache_ttl_seconds: 300,
      max_stale_seconds: 3600,
    });
  });

  it('takes OU and root ids, a role ARN and account ids', () => {
    const org = load({
      enabled: true,
      role_arn: 'arn:aws:iam::999988887777:role/CisBotOrganizationRead',
      include_ous: ['ou-ab12-cd34ef56', 'r-ab12'],
      exclude_accounts: ['111122223333'],
    }).aws.organization;
    expect(org.include_ous).toEqual(['ou-ab12-cd34ef56', 'r-ab12']);
    expect(org.role_arn).toBe('arn:aws:iam::999988887777:role/CisBotOrganizationRead');
  });

  it('names the setting and what an OU id looks like', () => {
    expect(problem({ enabled: true, include_ous: ['Production'] })).toContain(
      '  - aws.organization.include_ous.0: an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)',
    );
  });

  it('refuses a role that is not an IAM role ARN, account ids that are not 12 digits, and unknown keys', () => {
    expect(problem({ role_arn: 'CisBotOrganizationRead' })).toContain(
      'aws.organization.role_arn: an IAM role ARN such as arn:aws:iam::123456789012:role/CisBotOrganizationRead',
    );
    expect(problem({ exclude_accounts: ['1111'] })).toContain(
      'aws.organization.exclude_accounts.0: an AWS account id is 12 digits',
    );
    expect(problem({ enabled: true, include_ou: ['r-ab12'] })).toMatch(/aws\.organization: .*include_ou/);
    expect(problem({ cache_ttl_seconds: -1 })).toContain('aws.organization.cache_ttl_seconds');
  });
});
