/**
 * The organization's live state from the scenario: ids and ARNs in AWS's formats (o-, r-, ou-), the OU
 * tree, each account's parent, delegated administrators and suspended accounts. Ids are derived from the
 * management account and OU paths so runs repeat.
 */
import type { ScenarioOrganization, ScenarioOu } from './scenario';
import { type OrganizationalUnitState, type OrganizationState, stableId } from './state';

/** Adds an OU under `parentId` (its id is stable for its path) and returns it. */
export function addOu(
  org: OrganizationState,
  name: string,
  parentId: string,
  path: string,
): OrganizationalUnitState {
  const root4 = org.rootId.slice(2);
  const id = `ou-${root4}-${stableId(`${org.id}/${path}`, 8)}`;
  const ou: OrganizationalUnitState = {
    Id: id,
    Arn: `arn:aws:organizations::${org.managementAccount}:ou/${org.id}/${id}`,
    Name: name,
    parentId,
  };
  org.ous.set(id, ou);
  return ou;
}

export function buildOrganization(spec: ScenarioOrganization): OrganizationState {
  const mgmt = spec.management_account;
  const id = spec.id ?? `o-${stableId(`org/${mgmt}`, 10)}`;
  const rootId = `r-${stableId(`root/${id}`, 4)}`;
  const org: OrganizationState = {
    id,
    arn: `arn:aws:organizations::${mgmt}:organization/${id}`,
    rootId,
    managementAccount: mgmt,
    members: spec.members.filter((m) => m !== mgmt),
    memberStatusCalls: spec.member_status_calls,
    delegatedAdministrators: new Set(spec.delegated_administrators),
    suspended: new Set(spec.suspended),
    ous: new Map(),
    parentOf: new Map([mgmt, ...spec.members].map((a) => [a, rootId])),
    trustedServices: new Map(spec.trusted_services.map((s) => [s, new Date(Date.UTC(2024, 0, 1))])),
    joinedAt: new Date(Date.UTC(2024, 0, 1)),
  };
  const walk = (ous: ScenarioOu[], parentId: string, path: string) => {
    for (const o of ous) {
      const ou = addOu(org, o.name, parentId, `${path}/${o.name}`);
      for (const account of o.accounts) org.parentOf.set(account, ou.Id);
      walk(o.children, ou.Id, `${path}/${o.name}`);
    }
  };
  walk(spec.organizational_units, rootId, '');
  return org;
}
