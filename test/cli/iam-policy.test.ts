import { runCli } from '../../adapters/cli/main';
import { CONTROLS } from '../../src/core/controls/registry';

interface Statement {
  Action: string[];
  Resource: string;
}
interface Printed {
  accountRolePolicy: { Statement: Statement[] };
  hubPolicy: { Statement: Statement[] };
}

async function policy(args: string[]): Promise<{ code: number; out: Printed }> {
  let stdout = '';
  const code = await runCli(['iam-policy', ...args], { stdout: (s) => (stdout += s), stderr: () => {} });
  return { code, out: (code === 0 ? JSON.parse(stdout) : undefined) as Printed };
}

describe('cis-bot iam-policy', () => {
  it('grants exactly the read actions the registry declares, and nothing that writes', async () => {
    const { code, out } = await policy(['--control', '4.1']);
    expect(code).toBe(0);
    const [read, ...rest] = out.accountRolePolicy.Statement as [Statement, ...Statement[]];
    expect(rest).toEqual([]);
    expect(read.Action).toEqual([...(CONTROLS.get('4.1')?.readActions ?? [])].sort());
    expect(read.Action.some((a) => /Put|Create|Subscribe|Delete/.test(a))).toBe(false);
  });

  it('adds the remediation calls only when asked, and scopes AssumeRole to the role template', async () => {
    const { out } = await policy([
      '--control',
      '4.1',
      '--remediation',
      '--role',
      'arn:aws:iam::{account}:role/Audit',
    ]);
    expect(out.accountRolePolicy.Statement[1]?.Action).toEqual([
      'cloudwatch:DescribeAlarms',
      'cloudwatch:PutMetricAlarm',
      'logs:PutMetricFilter',
      'sns:CreateTopic',
      'sns:Subscribe',
    ]);
    expect(out.hubPolicy.Statement[1]).toMatchObject({
      Action: ['sts:AssumeRole'],
      Resource: 'arn:aws:iam::*:role/Audit',
    });
  });

  it('names one role per configured account when given the accounts, and refuses malformed ids', async () => {
    const { out } = await policy(['--accounts', '111122223333,444455556666']);
    expect(out.hubPolicy.Statement[1]?.Resource).toEqual([
      'arn:aws:iam::111122223333:role/CisBotAudit',
      'arn:aws:iam::444455556666:role/CisBotAudit',
    ]);
    expect((await policy(['--accounts', '1:role/x'])).code).toBe(2);
  });

  it('refuses an unknown control', async () => {
    expect((await policy(['--control', '9.9'])).code).toBe(2);
  });
});
