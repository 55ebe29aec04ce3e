/**
 * Builds the sandbox's live state from a validated scenario: the accounts (with their roles and
 * regions), the organization with its OUs, the generated accounts of a generated organization, and the
 * chain-change event routes. Also the state object's own small helpers (region on demand, access-key
 * index, the bounded delivery log).
 */
import { buildOrganization } from './build-org';
import { buildRegion } from './build-region';
import { addGeneratedAccounts } from './generate-org';
import { defaultAccessKeyId, type ResolvedScenario, type ScenarioAccount } from './scenario';
import {
  type AccountState,
  type DeliveryRecord,
  emptyRegion,
  newRole,
  type RegionState,
  type RoleState,
  type SandboxState,
} from './state';

/** How many deliveries the log keeps (a long demo must not grow it without bound). */
const DELIVERY_LOG_SIZE = 1000;

function buildAccount(a: ScenarioAccount): AccountState {
  const roles = new Map<string, RoleState>();
  for (const r of a.roles) {
    const role = newRole(a.id, r.name, r.denied_actions);
    if (r.external_id !== undefined) role.externalId = r.external_id;
    if (r.trusted_accounts !== undefined) role.trustedAccounts = r.trusted_accounts;
    roles.set(r.name, role);
  }
  const regions = new Map<string, RegionState>();
  for (const [name, r] of Object.entries(a.regions)) regions.set(name, buildRegion(a, name, r));
  const account: AccountState = {
    id: a.id,
    userName: a.user_name,
    accessKeyId: a.access_key_id ?? defaultAccessKeyId(a.id),
    secretAccessKey: `sandbox-secret-${a.id}`,
    deniedActions: a.denied_actions,
    roles,
    regions,
  };
  if (a.label !== undefined) account.label = a.label;
  return account;
}

export function createState(): SandboxState {
  const accounts = new Map<string, AccountState>();
  const byKey = new Map<string, AccountState>();
  const deliveries: DeliveryRecord[] = [];
  const sessions: SandboxState['sessions'] = new Map();
  return {
    accounts,
    sessions,
    events: [],
    deliveries,
    region(accountId, region) {
      const account = accounts.get(accountId);
      if (!account) throw new Error(`sandbox: unknown account ${accountId}`);
      let r = account.regions.get(region);
      if (!r) {
        r = emptyRegion();
        account.regions.set(region, r);
      }
      return r;
    },
    accountByAccessKey: (key) => byKey.get(key),
    addAccount(account) {
      accounts.set(account.id, account);
      byKey.set(account.accessKeyId, account);
    },
    revokeAccessKey(accessKeyId) {
      byKey.delete(accessKeyId);
      sessions.delete(accessKeyId);
    },
    recordDelivery(record) {
      deliveries.push({ at: new Date(), ...record });
      if (deliveries.length > DELIVERY_LOG_SIZE) deliveries.splice(0, deliveries.length - DELIVERY_LOG_SIZE);
    },
  };
}

export function buildState(scenario: ResolvedScenario): SandboxState {
  const state = createState();
  for (const a of scenario.accounts) state.addAccount(buildAccount(a));
  if (scenario.organization) {
    const org = buildOrganization(scenario.organization);
    state.organization = org;
    if (scenario.organization.generate) addGeneratedAccounts(state, org, scenario.organization.generate);
  }
  state.events = scenario.events.map((e) => ({
    ...(e.accounts ? { accounts: e.accounts } : {}),
    ...(e.regions ? { regions: e.regions } : {}),
    ...(e.sources ? { sources: e.sources } : {}),
    ...(e.names ? { names: e.names } : {}),
    queueArn: e.queue,
    ruleName: e.rule,
  }));
  return state;
}
