/**
 * AWS profiles, through the real command (bin/cis-bot.js) and real shared config files in a temporary
 * HOME: a profile that does not exist is named, with the profiles there are, before anything reaches AWS
 * (the SDK alone says "no credentials"); `--profile NAME` picks the profile's credentials and region,
 * reaching the sandbox at AWS_ENDPOINT_URL like any AWS-compatible endpoint.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { bundledScenario } from '../../src/sandbox-run';
import { runProcess } from '../support/cli-process';

const BIN = join(__dirname, '..', '..', 'bin', 'cis-bot.js');
const home = mkdtempSync(join(tmpdir(), 'cis-bot-profile-'));
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: loadScenario(bundledScenario('audit-demo')) as Scenario });
  const prod = sandbox.credentialsFor('111111111111');
  mkdirSync(join(home, '.aws'));
  writeFileSync(
    join(home, '.aws', 'config'),
    '[default]\nregion = us-east-1\n\n[profile prod]\nregion = eu-west-2\n',
  );
  writeFileSync(
    join(home, '.aws', 'credentials'),
    `[prod]\naws_access_key_id = ${prod.accessKeyId}\naws_secret_access_key = ${prod.secretAccessKey}\n`,
  );
});
afterAll(async () => {
  await sandbox.close();
  rmSync(home, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  return runProcess(process.execPath, [BIN, ...args], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL: sandbox.endpoint,
      ...env,
    },
  });
}

test('AWS_PROFILE naming a missing profile is said as such, with the profiles there are', async () => {
  sandbox.resetCalls();
  const r = await run(['audit', '4.1'], { AWS_PROFILE: 'nonexistent' });
  expect(r.code).toBe(2);
  expect(r.err).toBe(
    'cis-bot: The AWS profile "nonexistent" (AWS_PROFILE) is not in ~/.aws/config or ~/.aws/credentials; ' +
      'the profiles there are: default, prod. Set AWS_PROFILE (or pass --profile) to one of them, or unset ' +
      'AWS_PROFILE to use the default credentials chain.\n',
  );
  expect(sandbox.calls).toHaveLength(0);
});

test('--profile with a missing profile is refused the same way', async () => {
  const r = await run(['remediate', '4.1', '--profile', 'staging']);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(
    /The AWS profile "staging" \(--profile\) is not in .*Pass one of them to --profile\./,
  );
});

test("--profile uses the profile's credentials and region (and wins over AWS_PROFILE)", async () => {
  const r = await run(['audit', '4.1', '--profile', 'prod', '--output', 'json'], { AWS_PROFILE: 'default' });
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out)).toMatchObject({
    region: 'eu-west-2',
    accounts: [{ accountId: '111111111111', status: 'COMPLIANT' }],
  });
});
