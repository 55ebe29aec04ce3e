/**
 * The store contract suite: the behaviour every implementation of the core's store ports must have,
 * written once and run against each store. A store test file adds one line:
 *
 *   describeStoreContract('SQLite', async () => { ... return { store, openPeer }; });
 *
 * `openFreshStore` opens a store on a new, empty, migrated database; `openPeer` opens another handle on
 * the same database (a second replica or process), through which the cross-handle cases (compare-and-set
 * races, once-only keys, leases) are checked. Every store and peer opened is closed after each test.
 */
import { alertStatesContract } from './alert-states';
import { approvalsContract } from './approvals';
import { auditLogContract } from './audit-log';
import { auditRunsContract } from './audit-runs';
import type { ContractContext, FreshStore } from './context';
import { conversationsContract } from './conversations';
import { exceptionsContract } from './exceptions';
import { leasesContract } from './leases';
import { onceKeysContract } from './once-keys';
import { plansContract } from './plans';
import { scheduleRunsContract } from './schedule-runs';
import { slackInstallationsContract } from './slack-installations';

export type { FreshStore } from './context';

export function describeStoreContract(name: string, openFreshStore: () => Promise<FreshStore>): void {
  describe(`store contract: ${name}`, () => {
    let fresh: FreshStore | undefined;
    let opened: Array<{ close(): Promise<void> }> = [];
    beforeEach(async () => {
      fresh = await openFreshStore();
      opened = [fresh.store];
    });
    afterEach(async () => {
      // A test may have closed a handle itself (closed stores reject): closing again must not fail the test.
      for (const store of opened.reverse()) await store.close().catch(() => undefined);
      fresh = undefined;
    });
    const ctx: ContractContext = {
      get store() {
        if (!fresh) throw new Error('the contract store is opened in beforeEach');
        return fresh.store;
      },
      async openPeer() {
        if (!fresh) throw new Error('the contract store is opened in beforeEach');
        const peer = await fresh.openPeer();
        opened.push(peer);
        return peer;
      },
    };
    describe('audit runs and findings', () => auditRunsContract(ctx));
    describe('plans', () => plansContract(ctx));
    describe('approvals', () => approvalsContract(ctx));
    describe('audit log', () => auditLogContract(ctx));
    describe('conversation references', () => conversationsContract(ctx));
    describe('scheduled-run leases', () => scheduleRunsContract(ctx));
    describe('once-only keys', () => onceKeysContract(ctx));
    describe('leases (per-account exclusion)', () => leasesContract(ctx));
    describe('exceptions (accepted failing controls)', () => exceptionsContract(ctx));
    describe('alert states (drift alerts)', () => alertStatesContract(ctx));
    describe('Slack installations (OAuth)', () => slackInstallationsContract(ctx));
  });
}
