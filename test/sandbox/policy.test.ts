import { evaluatePolicy, type PolicyRequest } from '../../src/sandbox/policy';

const topic = 'arn:aws:sns:eu-west-2:111122223333:alarms';
const cloudwatch: PolicyRequest = {
  principal: { service: 'cloudwatch.amazonaws.com' },
  action: 'SNS:Publish',
  resource: topic,
  context: {
    'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-2:111122223333:alarm:a',
    'aws:SourceAccount': '111122223333',
  },
};
const doc = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: 'sns:publish',
  Resource: topic,
  ...extra,
});

describe('resource policy evaluation', () => {
  it('allows a matching statement, case-insensitively on actions, and lets an explicit Deny win', () => {
    expect(evaluatePolicy(doc(allow()), cloudwatch)).toBe('allow');
    expect(evaluatePolicy(doc(allow(), { ...allow(), Effect: 'Deny' }), cloudwatch)).toBe('deny');
    expect(evaluatePolicy(doc(allow({ Resource: 'arn:aws:sns:*:*:other' })), cloudwatch)).toBe(
      'implicit-deny',
    );
    expect(evaluatePolicy(doc(allow({ Action: undefined, NotAction: 'sns:Subscribe' })), cloudwatch)).toBe(
      'allow',
    );
  });

  it('evaluates the String and Arn operators, IfExists and negation on missing keys as IAM does', () => {
    const cond = (Condition: unknown) => evaluatePolicy(doc(allow({ Condition })), cloudwatch);
    expect(cond({ ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:*:111122223333:alarm:*' } })).toBe('allow');
    expect(
      cond({ ArnEquals: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-2:111122223333:alarm:b' } }),
    ).toBe('implicit-deny');
    expect(cond({ StringEquals: { 'AWS:SOURCEACCOUNT': ['999', '111122223333'] } })).toBe('allow');
    expect(cond({ StringEquals: { 'aws:PrincipalOrgID': 'o-1' } })).toBe('implicit-deny');
    expect(cond({ StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-1' } })).toBe('allow');
    expect(cond({ StringNotEquals: { 'aws:PrincipalOrgID': 'o-1' } })).toBe('allow');
    expect(cond({ NumericLessThan: { 'aws:EpochTime': '1' } })).toBe('implicit-deny');
  });

  it('matches account principals by id, root ARN or role (for an assumed-role session), and AWS "*" for services', () => {
    const session: PolicyRequest = {
      principal: { account: '111122223333', arn: 'arn:aws:sts::111122223333:assumed-role/Audit/bot' },
      action: 'sqs:SendMessage',
      resource: 'arn:aws:sqs:eu-west-2:111122223333:q',
      context: {},
    };
    const byPrincipal = (Principal: unknown) =>
      evaluatePolicy(doc({ Effect: 'Allow', Principal, Action: 'sqs:*', Resource: '*' }), session);
    expect(byPrincipal({ AWS: '111122223333' })).toBe('allow');
    expect(byPrincipal({ AWS: ['arn:aws:iam::999988887777:root', 'arn:aws:iam::111122223333:root'] })).toBe(
      'allow',
    );
    expect(byPrincipal({ AWS: 'arn:aws:iam::111122223333:role/Audit' })).toBe('allow');
    expect(byPrincipal({ Service: 'sns.amazonaws.com' })).toBe('implicit-deny');
    expect(evaluatePolicy(doc(allow({ Principal: { AWS: '*' } })), cloudwatch)).toBe('allow');
  });

  it('errs towards denying what it cannot judge, and allows nothing without a readable policy', () => {
    expect(
      evaluatePolicy(
        doc({ Effect: 'Deny', NotPrincipal: { AWS: 'x' }, Action: '*', Resource: '*' }, allow()),
        cloudwatch,
      ),
    ).toBe('deny');
    expect(evaluatePolicy(doc(allow({ NotPrincipal: { AWS: 'x' } })), cloudwatch)).toBe('implicit-deny');
    expect(evaluatePolicy(undefined, cloudwatch)).toBe('implicit-deny');
    expect(evaluatePolicy('{not json', cloudwatch)).toBe('implicit-deny');
  });
});
