import { runCli } from '../../adapters/cli/main';
import { CONTROLS } from '../../src/core/controls/registry';

async function policy(args: string[]): Promise<{ code: number; out: any }> {
  let stdout = '';
  const code = await runCli(['iam-policy', ...args], { stdout: (s) => (stdout += s), stderr: () => {} });
  return { code, out: code === 0 ? JSON.parse(stdout) : undefined };
}

describe('cis-bot iam-policy', () => {
  it('grants exactly the read actions the registry declares, and nothing that writes', async () => {
    const { code, out } = await policy(['--control', '4.1']);
    expect(code).toBe(0);
    const [read, ...rest] = out.accountRolePolicy.Statement;
    expect(rest).toEqual([]);
    expect(read.Action).toEqual([...(CONTROLS.get('4.1')?.readActions ?? [])].sort());
    expect(read.Action.some((a: string) => /Put|Create|Subscribe|Delete/.test(a))).toBe(false);
  });

  it('adds the remediation calls only when asked, and scopes AssumeRole to the role template', async () => {
    const { out } = await policy([
      '--control',
      '4.1',
      '--remediation',
      '--role',
      'arn:aws:iam::{account}:role/Audit',
    ]);
    expect(out.accountRolePolicy.Statement[1].Action).toEqual([
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

  it('refuses an unknown control', async () => {
    expect((await policy(['--control', '9.9'])).code).toBe(2);
  });
});
