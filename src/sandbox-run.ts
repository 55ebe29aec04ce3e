/**
 * Runs cis-bot against the in-process AWS sandbox (the demo, `--sandbox`, tests and benchmarks): starts
 * it with a scenario, and builds an AwsSession whose base credentials are the scenario's FIRST account
 * (the operator's, e.g. a security account) and whose endpoint is the sandbox. No real AWS credentials
 * are read or needed. The only module of the product that imports src/sandbox; the bot's production
 * path (src/main.ts, src/server.ts) never loads it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AwsSession, type SdkClientConfig } from './aws/session';
import { ConfigError } from './core/errors';
import type { Metrics } from './core/ports/metrics';
import { loadScenario, type Sandbox, type Scenario, startSandbox } from './sandbox';

export interface SandboxRun {
  sandbox: Sandbox;
  session: AwsSession;
  /** The first account of the scenario: whose credentials the session holds. */
  callerAccount: string;
  /** Every other account of the scenario (the demo audits these through AssumeRole). */
  otherAccounts: string[];
  labels: Record<string, string>;
  /** The first region the scenario mentions (the default audit region). */
  defaultRegion: string;
  close(): Promise<void>;
}

export interface SandboxRunOptions {
  region?: string;
  roleArnTemplate?: string;
  externalId?: string;
  roleAccounts?: readonly string[];
  clientConfig?: SdkClientConfig;
  latencyMs?: number;
  /** Where the session's AWS calls are counted (the bot's metrics); default nowhere. */
  metrics?: Metrics;
}

/** The path of a bundled scenario (src/sandbox/scenarios/NAME.yaml), from source or from dist/. */
export function bundledScenario(name: string): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src', 'sandbox', 'scenarios', `${name}.yaml`);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new ConfigError(
    `The bundled sandbox scenario "${name}" is missing (src/sandbox/scenarios/${name}.yaml).`,
  );
}

export async function startSandboxRun(
  scenarioFile: string,
  options: SandboxRunOptions = {},
): Promise<SandboxRun> {
  if (!scenarioFile.includes('\n') && !existsSync(scenarioFile)) {
    throw new ConfigError(`Sandbox scenario file not found: ${scenarioFile}`);
  }
  const scenario = loadScenario(scenarioFile);
  const [caller, ...others] = scenario.accounts;
  if (!caller) throw new ConfigError('The sandbox scenario has no accounts.');
  const defaultRegion =
    options.region ?? scenario.accounts.flatMap((a) => Object.keys(a.regions))[0] ?? 'us-east-1';
  const sandbox = await startSandbox({
    scenario: scenario as Scenario,
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
  });
  const labels: Record<string, string> = {};
  for (const a of scenario.accounts) if (a.label) labels[a.id] = a.label;
  const session = new AwsSession({
    region: defaultRegion,
    credentials: sandbox.credentialsFor(caller.id),
    ...(options.roleArnTemplate !== undefined ? { roleArnTemplate: options.roleArnTemplate } : {}),
    ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
    ...(options.roleAccounts !== undefined ? { roleAccounts: options.roleAccounts } : {}),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 3, ...options.clientConfig },
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  return {
    sandbox,
    session,
    callerAccount: caller.id,
    otherAccounts: others.map((a) => a.id),
    labels,
    defaultRegion,
    async close() {
      session.destroy();
      await sandbox.close();
    },
  };
}

/**
 * A scenario (file) with an SQS queue in its first account and first region, and the EventBridge route
 * that sends every account's chain changes there (the drift alerts' input), as YAML text.
 */
export function withEventsQueue(scenarioFile: string, queue: string): { scenario: string; account: string } {
  // Loaded here: `cis-bot --help` loads this module and no YAML parser (test/cli/composition.test.ts).
  const { parse, stringify } = require('yaml') as typeof import('yaml');
  const scenario = parse(readFileSync(scenarioFile, 'utf8')) as {
    accounts: Array<{ id: string; regions?: Record<string, { queues?: unknown[] }> }>;
    events?: unknown[];
  };
  const [first] = scenario.accounts;
  if (!first) throw new ConfigError('The sandbox scenario has no accounts.');
  const region =
    Object.keys(first.regions ?? {})[0] ??
    scenario.accounts.flatMap((a) => Object.keys(a.regions ?? {}))[0] ??
    'us-east-1';
  first.regions = { ...first.regions, [region]: { ...first.regions?.[region] } };
  const home = first.regions[region] as { queues?: unknown[] };
  home.queues = [...(home.queues ?? []), { name: queue }];
  scenario.events = [...(scenario.events ?? []), { queue: `arn:aws:sqs:${region}:${first.id}:${queue}` }];
  return { scenario: stringify(scenario), account: first.id };
}
