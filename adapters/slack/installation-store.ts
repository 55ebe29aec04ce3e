/**
 * Where OAuth installations live: Bolt's `InstallationStore` over the bot's own store
 * (SlackInstallationStore: SQLite or PostgreSQL, shared by replicas), each installation sealed with
 * AES-256-GCM under CIS_BOT_ENCRYPTION_KEY before it is written, so the database never holds a token in
 * clear. The installation key is the additional authenticated data: a sealed installation copied into
 * another workspace's row does not open.
 *
 * Keys namespace workspaces by organisation: `<enterprise or ->:<team>` for a workspace install,
 * `<enterprise>:*` for an org-wide (Enterprise Grid) one.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import type { SlackWorkspaceRef } from '../../src/config/slack-targets';
import type { SlackInstallationStore } from '../../src/core/ports/store';

const SEAL_VERSION = 'v1';
const IV_BYTES = 12;

export interface InstallationIds {
  enterpriseId?: string | undefined;
  teamId?: string | undefined;
  isEnterpriseInstall?: boolean | undefined;
}

/** The store key of an installation or of the installation a request needs. */
export function installationKey(ids: InstallationIds): string | undefined {
  if (ids.isEnterpriseInstall) return ids.enterpriseId ? `${ids.enterpriseId}:*` : undefined;
  return ids.teamId ? `${ids.enterpriseId || '-'}:${ids.teamId}` : undefined;
}

/** The id an installation is configured and allowed by: the organisation (org-wide) or the workspace. */
export function installationId(ids: InstallationIds): string | undefined {
  return ids.isEnterpriseInstall ? ids.enterpriseId : ids.teamId;
}

export function seal(key: Buffer, aad: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [SEAL_VERSION, iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Throws when the text was not sealed with this key for this `aad` (or was changed since). */
export function unseal(key: Buffer, aad: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== SEAL_VERSION || iv === undefined || tag === undefined || body === undefined) {
    throw new Error('not a sealed installation');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

export class NoInstallationError extends Error {
  constructor(readonly key: string | undefined) {
    super(`cis-bot is not installed for ${key ?? 'this request'}`);
    this.name = 'NoInstallationError';
  }
}

export interface SealedInstallationStore extends InstallationStore {
  /** The installation a request needs, or undefined when there is none (no throw). */
  find(query: InstallationIds): Promise<Installation | undefined>;
  /**
   * The installation that posts to a workspace named in the configuration or by a platform id (no
   * request to say more): `E…` its org-wide install; `E…:T…` the workspace's own, else its
   * organisation's org-wide one; `T…` the workspace's own, in whichever organisation it is.
   */
  findWorkspace(ref: SlackWorkspaceRef): Promise<Installation | undefined>;
}

export function sealedInstallationStore(options: {
  store: SlackInstallationStore;
  /** CIS_BOT_ENCRYPTION_KEY, 32 bytes. */
  key: Buffer;
  now?: () => Date;
}): SealedInstallationStore {
  const { store, key } = options;
  const now = options.now ?? (() => new Date());
  const find = async (query: InstallationIds): Promise<Installation | undefined> => {
    const at = installationKey(query);
    if (at === undefined) return undefined;
    const record = await store.getSlackInstallation(at);
    if (record === undefined) return undefined;
    return JSON.parse(unseal(key, at, record.sealed)) as Installation;
  };
  const findWorkspace = async (ref: SlackWorkspaceRef): Promise<Installation | undefined> => {
    const { teamId, enterpriseId } = ref;
    if (teamId === undefined) {
      return enterpriseId ? find({ enterpriseId, isEnterpriseInstall: true }) : undefined;
    }
    if (enterpriseId !== undefined) {
      return (await find({ enterpriseId, teamId })) ?? find({ enterpriseId, isEnterpriseInstall: true });
    }
    const own = await find({ teamId });
    if (own !== undefined) return own;
    // A workspace of an organisation installed on its own: its key carries the organisation's id.
    const record = (await store.listSlackInstallations())
      .filter((r) => r.teamId === teamId && !r.enterpriseInstall)
      .sort((a, b) => b.installedAt.localeCompare(a.installedAt))[0];
    return record ? find({ teamId, enterpriseId: record.enterpriseId }) : undefined;
  };
  return {
    find,
    findWorkspace,
    async storeInstallation(installation) {
      const ids = {
        enterpriseId: installation.enterprise?.id,
        teamId: installation.team?.id,
        isEnterpriseInstall: installation.isEnterpriseInstall === true,
      };
      const at = installationKey(ids);
      if (at === undefined) throw new Error('the installation names no workspace or organisation');
      await store.saveSlackInstallation({
        key: at,
        ...(ids.enterpriseId ? { enterpriseId: ids.enterpriseId } : {}),
        ...(ids.teamId && !ids.isEnterpriseInstall ? { teamId: ids.teamId } : {}),
        enterpriseInstall: ids.isEnterpriseInstall,
        sealed: seal(key, at, JSON.stringify(installation)),
        installedAt: now().toISOString(),
      });
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const found = await find(query);
      if (found === undefined) throw new NoInstallationError(installationKey(query));
      return found;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      const at = installationKey(query);
      if (at !== undefined) await store.deleteSlackInstallation(at);
    },
  };
}
