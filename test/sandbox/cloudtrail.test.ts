import {
  AccessDeniedException,
  CloudTrailARNInvalidException,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { baseScenario, caught, clients, MEMBER, MGMT, RESTRICTED } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: baseScenario() });
});
afterAll(() => sb.close());

const mainArn = `arn:aws:cloudtrail:eu-west-2:${MEMBER}:trail/main`;
const orgArn = `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-trail`;

describe('CloudTrail DescribeTrails', () => {
  it('shows own trails, multi-region shadows and organization trails with their home region', async () => {
    const { cloudtrail } = clients(sb, MEMBER);
    const { trailList } = await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
    expect(trailList?.map((t) => t.TrailARN)).toEqual([mainArn, orgArn].sort());
    const main = trailList?.find((t) => t.Name === 'main');
    expect(main).toEqual({
      Name: 'main',
      S3BucketName: `aws-cloudtrail-logs-${MEMBER}`,
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: true,
      HomeRegion: 'eu-west-2',
      TrailARN: mainArn,
      LogFileValidationEnabled: true,
      CloudWatchLogsLogGroupArn: `arn:aws:logs:eu-west-2:${MEMBER}:log-group:ct-logs:*`,
      CloudWatchLogsRoleArn: `arn:aws:iam::${MEMBER}:role/CloudTrail_CloudWatchLogs_Role`,
      HasCustomEventSelectors: false,
      HasInsightSelectors: false,
      IsOrganizationTrail: false,
    });
    const org = trailList?.find((t) => t.Name === 'org-trail');
    expect(org).toMatchObject({
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      HomeRegion: 'us-east-1',
      CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${MGMT}:log-group:org-cloudtrail:*`,
      HasCustomEventSelectors: true,
    });
  });

  it('omits shadow trails when includeShadowTrails is false (the default is true)', async () => {
    const { cloudtrail } = clients(sb, MEMBER);
    const own = await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    expect(own.trailList?.map((t) => t.Name)).toEqual(['main']);
    const all = await cloudtrail.send(new DescribeTrailsCommand({}));
    expect(all.trailList).toHaveLength(2);
  });

  it('shows a multi-region trail as a shadow in another region, and single-region trails only at home', async () => {
    const { cloudtrail } = clients(sb, MEMBER, { region: 'eu-west-1' });
    const { trailList } = await cloudtrail.send(new DescribeTrailsCommand({}));
    expect(trailList?.map((t) => [t.Name, t.HomeRegion]).sort()).toEqual([
      ['local', 'eu-west-1'],
      ['main', 'eu-west-2'],
      ['org-trail', 'us-east-1'],
    ]);
    const { cloudtrail: other } = clients(sb, MEMBER, { region: 'ap-south-1' });
    const far = await other.send(new DescribeTrailsCommand({}));
    expect(far.trailList?.map((t) => t.Name).sort()).toEqual(['main', 'org-trail']);
  });

  it('filters by trailNameList: names find home trails, ARNs find shadows too', async () => {
    const home = clients(sb, MEMBER).cloudtrail;
    const away = clients(sb, MEMBER, { region: 'eu-west-1' }).cloudtrail;
    expect((await home.send(new DescribeTrailsCommand({ trailNameList: ['main'] }))).trailList).toHaveLength(
      1,
    );
    expect((await away.send(new DescribeTrailsCommand({ trailNameList: ['main'] }))).trailList).toEqual([]);
    const byArn = await away.send(new DescribeTrailsCommand({ trailNameList: [mainArn, 'missing'] }));
    expect(byArn.trailList?.map((t) => t.TrailARN)).toEqual([mainArn]);
  });

  it('shows the organization trail to the management account, not to accounts outside the organization', async () => {
    const mgmt = await clients(sb, MGMT, { region: 'us-east-1' }).cloudtrail.send(
      new DescribeTrailsCommand({ includeShadowTrails: false }),
    );
    expect(mgmt.trailList?.map((t) => t.TrailARN)).toEqual([orgArn]);
    const outsider = await clients(sb, RESTRICTED).cloudtrail.send(new DescribeTrailsCommand({}));
    expect(outsider.trailList?.map((t) => t.Name)).toEqual(['restricted-trail']);
  });
});

describe('CloudTrail GetTrailStatus', () => {
  it('answers by name at home and by ARN for shadow and organization trails', async () => {
    const { cloudtrail } = clients(sb, MEMBER);
    const byName = await cloudtrail.send(new GetTrailStatusCommand({ Name: 'main' }));
    expect(byName.IsLogging).toBe(true);
    expect(byName.StartLoggingTime).toBeInstanceOf(Date);
    expect(byName.LatestCloudWatchLogsDeliveryTime).toBeInstanceOf(Date);
    const org = await cloudtrail.send(new GetTrailStatusCommand({ Name: orgArn }));
    expect(org.IsLogging).toBe(true);
    const away = clients(sb, MEMBER, { region: 'eu-west-1' }).cloudtrail;
    expect((await away.send(new GetTrailStatusCommand({ Name: mainArn }))).IsLogging).toBe(true);
    const stopped = await away.send(new GetTrailStatusCommand({ Name: 'local' }));
    expect(stopped.IsLogging).toBe(false);
    expect(stopped.StopLoggingTime).toBeInstanceOf(Date);
  });

  it('throws TrailNotFoundException for unknown trails and for shadow trails named by name', async () => {
    const { cloudtrail } = clients(sb, MEMBER);
    const unknown = await caught(() => cloudtrail.send(new GetTrailStatusCommand({ Name: 'nope' })));
    expect(unknown).toBeInstanceOf(TrailNotFoundException);
    expect(unknown.message).toBe(`Unknown trail: nope for the user: ${MEMBER}`);
    expect((unknown.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
    const shadow = await caught(() => cloudtrail.send(new GetTrailStatusCommand({ Name: 'org-trail' })));
    expect(shadow).toBeInstanceOf(TrailNotFoundException);
    const badArn = await caught(() =>
      cloudtrail.send(new GetTrailStatusCommand({ Name: 'arn:aws:s3:::bucket' })),
    );
    expect(badArn).toBeInstanceOf(CloudTrailARNInvalidException);
  });

  it('answers AccessDeniedException naming the denied action', async () => {
    const { cloudtrail } = clients(sb, RESTRICTED);
    const error = await caught(() =>
      cloudtrail.send(new GetTrailStatusCommand({ Name: 'restricted-trail' })),
    );
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toBe(
      `User: arn:aws:iam::${RESTRICTED}:user/cis-bot-sandbox is not authorized to perform: cloudtrail:GetTrailStatus on resource: arn:aws:cloudtrail:eu-west-2:${RESTRICTED}:trail/restricted-trail because no identity-based policy allows the cloudtrail:GetTrailStatus action`,
    );
    // Other actions of the same account still work.
    expect((await cloudtrail.send(new DescribeTrailsCommand({}))).trailList).toHaveLength(1);
  });
});

describe('CloudTrail GetEventSelectors', () => {
  it('returns the default basic selectors of a trail created without custom ones', async () => {
    const { cloudtrail } = clients(sb, MEMBER);
    const out = await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: 'main' }));
    expect(out.TrailARN).toBe(mainArn);
    expect(out.EventSelectors).toEqual([
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: true,
        DataResources: [],
        ExcludeManagementEventSources: [],
      },
    ]);
    expect(out.AdvancedEventSelectors).toBeUndefined();
  });

  it('returns custom basic selectors with excluded sources', async () => {
    const { cloudtrail } = clients(sb, MEMBER, { region: 'eu-west-1' });
    const out = await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: 'local' }));
    expect(out.EventSelectors).toEqual([
      {
        ReadWriteType: 'WriteOnly',
        IncludeManagementEvents: true,
        DataResources: [],
        ExcludeManagementEventSources: ['kms.amazonaws.com'],
      },
    ]);
  });

  it('returns advanced selectors only (no basic ones) for a trail that has them', async () => {
    const { cloudtrail } = clients(sb, MEMBER);
    const out = await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: orgArn }));
    expect(out.EventSelectors).toBeUndefined();
    expect(out.AdvancedEventSelectors).toEqual([
      { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
    ]);
    const missing = await caught(() => cloudtrail.send(new GetEventSelectorsCommand({ TrailName: 'gone' })));
    expect(missing).toBeInstanceOf(TrailNotFoundException);
  });
});

describe('organization.member_status_calls: denied', () => {
  let denied: Sandbox;
  beforeAll(async () => {
    const scenario = baseScenario();
    denied = await startSandbox({
      scenario: {
        ...scenario,
        organization: { management_account: MGMT, members: [MEMBER], member_status_calls: 'denied' },
      },
    });
  });
  afterAll(() => denied.close());

  it('refuses a member reading the organization trail by ARN, as some reports see real AWS do', async () => {
    const { cloudtrail } = clients(denied, MEMBER);
    // The member still sees the trail...
    const { trailList } = await cloudtrail.send(new DescribeTrailsCommand({}));
    expect(trailList?.map((t) => t.TrailARN)).toContain(orgArn);
    // ...but may not read its status, selectors or the trail itself.
    for (const call of [
      () => cloudtrail.send(new GetTrailStatusCommand({ Name: orgArn })),
      () => cloudtrail.send(new GetEventSelectorsCommand({ TrailName: orgArn })),
    ]) {
      const error = await caught(call);
      expect(error).toBeInstanceOf(CloudTrailARNInvalidException);
      expect(error.message).toBe(
        `AccountID in ARN is wrong, you can only access resources with AccountID ${MEMBER}.`,
      );
    }
    // The member's own trails are unaffected.
    expect((await cloudtrail.send(new GetTrailStatusCommand({ Name: mainArn }))).IsLogging).toBe(true);
  });

  it('lets the management account read its own organization trail', async () => {
    const { cloudtrail } = clients(denied, MGMT, { region: 'us-east-1' });
    expect((await cloudtrail.send(new GetTrailStatusCommand({ Name: orgArn }))).IsLogging).toBe(true);
    const selectors = await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: orgArn }));
    expect(selectors.AdvancedEventSelectors).toHaveLength(1);
  });

  it('is off by default: the member reads the organization trail (the first sandbox)', async () => {
    const { cloudtrail } = clients(sb, MEMBER);
    expect((await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: orgArn }))).TrailARN).toBe(
      orgArn,
    );
  });
});
