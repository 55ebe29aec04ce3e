/**
 * Generated organizations (scenario `organization.generate`): N member accounts spread over OUs, each with
 * a compliant CIS section-4 chain in the first listed region (a multi-region trail to a log group with
 * the section's metric filters, one alarm per filter, all sharing one topic with a confirmed
 * subscription) and Security Hub in every listed region. The chain comes from the control registry
 * (patterns and defaults), so it follows the controls the bot audits. Accounts are cheap until touched:
 * an account's regions are built on first access, so 1,000 accounts start in milliseconds and only the
 * accounts a run reads take memory.
 */
import { type MetricAlarmDefaults, metricFilterControls } from '../core/controls';
import { ConfigError } from '../core/errors';
import { addOu } from './build-org';
import { buildRegion } from './build-region';
import { defaultAccessKeyId, regionSchema, type ScenarioGenerate, type ScenarioRegion } from './scenario';
import {
  type AccountState,
  newRole,
  type OrganizationState,
  type RegionState,
  type RoleState,
  type SandboxState,
} from './state';

/** A control's CIS pattern with its remediation defaults: what the generated chain is built from. */
type ChainControl = MetricAlarmDefaults & { pattern: string };

/** The metric-filter-chain controls of the registry, read through its public catalogue. */
function chainControls(): ChainControl[] {
  return metricFilterControls().map((c) => ({ pattern: c.pattern, ...c.defaults }));
}

const TOPIC = 'cis-alarms';
const LOG_GROUP = 'cis/cloudtrail';
const STANDARDS = [
  'aws-foundational-security-best-practices/v/1.0.0',
  'cis-aws-foundations-benchmark/v/3.0.0',
];

/** The compliant chain of the home region, validated once; accounts patch in their own ARNs. */
function chainTemplate(spec: ScenarioGenerate): { home: ScenarioRegion; other: ScenarioRegion } {
  const controls = chainControls();
  const hub = spec.security_hub ? { security_hub: { standards: STANDARDS } } : {};
  const home = regionSchema.parse({
    trails: [{ name: 'cis-trail', multi_region: true, log_group: LOG_GROUP }],
    log_groups: [
      {
        name: LOG_GROUP,
        retention_in_days: 365,
        metric_filters: controls.map((c) => ({
          name: c.filterName,
          pattern: c.pattern,
          metric_name: c.metricName,
          metric_namespace: c.metricNamespace,
          metric_value: c.metricValue,
        })),
      },
    ],
    alarms: controls.map((c) => ({
      name: c.alarmName,
      metric_name: c.metricName,
      namespace: c.metricNamespace,
      statistic: c.statistic,
      period: c.period,
      threshold: c.threshold,
      comparison_operator: c.comparisonOperator,
      evaluation_periods: c.evaluationPeriods,
    })),
    topics: [{ name: TOPIC }],
    ...hub,
  });
  return { home, other: regionSchema.parse(hub) };
}

function accountRegions(id: string, spec: ScenarioGenerate, template: ReturnType<typeof chainTemplate>) {
  const [homeRegion, ...others] = spec.regions;
  const topicArn = `arn:aws:sns:${homeRegion}:${id}:${TOPIC}`;
  const home: ScenarioRegion = {
    ...template.home,
    alarms: template.home.alarms.map((a) => ({ ...a, alarm_actions: [topicArn] })),
    topics: [
      {
        name: TOPIC,
        subscriptions: [{ protocol: 'email', endpoint: `security+${id}@example.com`, confirmed: true }],
      },
    ],
  };
  const regions = new Map<string, RegionState>();
  if (homeRegion) regions.set(homeRegion, buildRegion({ id }, homeRegion, home));
  for (const r of others) regions.set(r, buildRegion({ id }, r, template.other));
  return regions;
}

/** An account whose regions are built on first access (ListAccounts and AssumeRole never touch them). */
class GeneratedAccount implements AccountState {
  readonly userName = 'cis-bot-sandbox';
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly deniedActions: string[] = [];
  private built?: Map<string, RegionState>;

  constructor(
    readonly id: string,
    readonly label: string,
    readonly roles: Map<string, RoleState>,
    private readonly build: (id: string) => Map<string, RegionState>,
  ) {
    this.accessKeyId = defaultAccessKeyId(id);
    this.secretAccessKey = `sandbox-secret-${id}`;
  }

  get regions(): Map<string, RegionState> {
    this.built ??= this.build(this.id);
    return this.built;
  }
}

export function addGeneratedAccounts(
  state: SandboxState,
  org: OrganizationState,
  spec: ScenarioGenerate,
): void {
  const template = chainTemplate(spec);
  const ous = Array.from({ length: spec.organizational_units }, (_, i) => {
    const name = `Workloads-${String(i + 1).padStart(3, '0')}`;
    return addOu(org, name, org.rootId, `/${name}`);
  });
  const first = BigInt(spec.first_account_id);
  for (let i = 0; i < spec.accounts; i++) {
    const id = (first + BigInt(i)).toString().padStart(12, '0');
    if (id.length > 12)
      throw new ConfigError(`organization.generate: account ids overflow 12 digits at ${id}`);
    if (state.accounts.has(id))
      throw new ConfigError(`organization.generate: generated account ${id} is also a scenario account`);
    const roles = new Map([[spec.role, newRole(id, spec.role)]]);
    const label = `generated-${String(i + 1).padStart(5, '0')}`;
    state.addAccount(new GeneratedAccount(id, label, roles, (a) => accountRegions(a, spec, template)));
    org.members.push(id);
    org.parentOf.set(id, ous.length > 0 ? (ous[i % ous.length]?.Id ?? org.rootId) : org.rootId);
    if (spec.suspended_every > 0 && (i + 1) % spec.suspended_every === 0) org.suspended.add(id);
  }
}
