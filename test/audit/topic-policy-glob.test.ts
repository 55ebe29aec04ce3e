/**
 * globMatch, the IAM-style wildcard match of topic policies: a pattern without wildcards is compared as
 * text (case-insensitive, like the regular expression it replaces), one with `*` or `?` as a glob.
 */
import { globMatch } from '../../src/core/evaluate/topic-policy';

const ARN = 'arn:aws:sns:eu-west-2:200000000001:cis-alarms';

describe('globMatch', () => {
  it.each([
    [ARN, ARN, true],
    [ARN.toUpperCase(), ARN, true],
    [ARN, `${ARN}x`, false],
    [`${ARN}x`, ARN, false],
    [ARN.replace('cis', 'cys'), ARN, false],
    ['arn:aws:sns:eu-west-2:200000000001:*', ARN, true],
    ['arn:aws:sns:*:200000000002:*', ARN, false],
    ['arn:aws:sns:eu-west-?:200000000001:cis-alarms', ARN, true],
    ['SNS:Publish', 'sns:Publish', true],
    ['sns:Pub.ish', 'sns:Publish', false],
    ['*', 'anything', true],
    [
      'arn:aws:sns:eu-west-2:200000000001:cis-alarms-é',
      'arn:aws:sns:eu-west-2:200000000001:cis-alarms-É',
      true,
    ],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });
});
