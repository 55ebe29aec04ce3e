/**
 * Runs the AWS sandbox standalone and prints what to export so any AWS SDK or the AWS CLI talks to it:
 *   npx tsx src/sandbox/cli.ts --scenario src/sandbox/scenarios/audit-demo.yaml [--port 4566] [--latency-ms 50]
 * Stops on Ctrl-C. Calls are logged as JSON lines on stderr with --verbose.
 */
import { Command, InvalidArgumentError } from 'commander';
import { loadScenario, type Sandbox, startSandbox } from './index';

function int(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0`);
    return n;
  };
}
function rate(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('a rate is a number from 0 to 1');
  return n;
}
/** `organizations=0.2,cloudwatch:DescribeAlarms=0.5`: throttling rates per service or service:Operation. */
function rates(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [key, r] = part.split('=');
    if (!key || r === undefined)
      throw new InvalidArgumentError('expected service=rate or service:Operation=rate, comma-separated');
    out[key.trim()] = rate(r);
  }
  return out;
}

interface Options {
  scenario: string;
  port: number;
  latencyMs: number;
  throttleRate: number;
  throttle?: Record<string, number>;
  errorRate: number;
  seed: number;
  account?: string;
  verbose?: boolean;
}

/** The summary printed at start-up: endpoint, env exports for one account, and every account's keys. */
export function describeSandbox(sb: Sandbox, account: string, region: string): string {
  const creds = sb.credentialsFor(account);
  const lines = [
    `AWS sandbox listening on ${sb.endpoint}`,
    '',
    `# Use it as account ${account}:`,
    `export AWS_ENDPOINT_URL=${sb.endpoint}`,
    `export AWS_REGION=${region}`,
    `export AWS_ACCESS_KEY_ID=${creds.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}`,
    '',
    'Accounts (access key id, label, regions, roles):',
  ];
  const shown = 20;
  for (const a of [...sb.state.accounts.values()].slice(0, shown)) {
    const roles = [...a.roles.values()].map(
      (r) => `${r.name}${r.externalId ? ' (ExternalId required)' : ''}`,
    );
    lines.push(
      `  ${a.id}  ${a.accessKeyId}  ${a.label ?? ''}  [${[...a.regions.keys()].join(', ')}]  ${roles.join(', ')}`,
    );
  }
  if (sb.state.accounts.size > shown) lines.push(`  ... and ${sb.state.accounts.size - shown} more`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('sandbox')
    .description(
      'Run the loopback AWS sandbox (CloudTrail, CloudWatch Logs, CloudWatch, SNS, STS, SQS, KMS, Organizations, Security Hub)',
    )
    .requiredOption('--scenario <file>', 'scenario YAML file')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', int('--port'), 0)
    .option('--latency-ms <n>', 'delay every answer', int('--latency-ms'), 0)
    .option('--throttle-rate <r>', 'share of calls answered with throttling (0..1)', rate, 0)
    .option(
      '--throttle <rates>',
      'throttling per service or operation: organizations=0.2,sqs:ReceiveMessage=0.1',
      rates,
    )
    .option('--error-rate <r>', 'share of calls answered with 503 (0..1)', rate, 0)
    .option('--seed <n>', 'seed of the fault RNG', int('--seed'), 1)
    .option('--account <id>', 'account whose credentials to print (default: the first)')
    .option('--verbose', 'log every call on stderr');
  program.parse(argv);
  const o = program.opts<Options>();
  const scenario = loadScenario(o.scenario);
  const sb = await startSandbox({
    scenario,
    port: o.port,
    latencyMs: o.latencyMs,
    throttleRate: o.throttleRate,
    ...(o.throttle ? { throttle: o.throttle } : {}),
    errorRate: o.errorRate,
    seed: o.seed,
    ...(o.verbose ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
  });
  const account = o.account ?? scenario.accounts[0]?.id ?? '';
  const region =
    Object.keys(scenario.accounts.find((a) => a.id === account)?.regions ?? {})[0] ?? 'us-east-1';
  process.stdout.write(`${describeSandbox(sb, account, region)}\n`);
  const stop = () => {
    sb.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
