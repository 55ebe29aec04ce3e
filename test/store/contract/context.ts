/** What the store contract's parts share: the store under test, its peers, and common fixtures. */
import type { NewApproval, Store } from '../../../src/core/ports/store';
import { StoreError } from '../../../src/core/ports/store';

export interface FreshStore {
  /** A store on a new, empty, fully migrated database. */
  store: Store;
  /** Another handle on the same database, as a second replica or process would open it. */
  openPeer(): Promise<Store>;
}

export interface ContractContext {
  /** The store of the current test (a fresh database per test). */
  readonly store: Store;
  /** Another handle on the current test's database; closed after the test. */
  openPeer(): Promise<Store>;
}

export const A = '111111111111';
export const B = '222222222222';
export const C = '333333333333';
export const T0 = '2025-03-01T07:00:00.000Z';

/** `T0` plus `minutes` (may be fractional), as an ISO string. */
export function at(minutes: number, from = T0): string {
  return new Date(Date.parse(from) + minutes * 60_000).toISOString();
}

export async function savePlan(store: Store, hash = 'plan-1', accountId = A): Promise<void> {
  await store.savePlan({
    hash,
    control: '4.1',
    accountId,
    region: 'eu-west-2',
    createdAt: T0,
    plan: { steps: ['x'] },
  });
}

export function newApproval(id = 'ap1', overrides: Partial<NewApproval> = {}): NewApproval {
  return {
    id,
    kind: 'remediation',
    planHash: 'plan-1',
    control: '4.1',
    accountId: A,
    requestedBy: { platform: 'slack', userId: 'U1' },
    conversation: { platform: 'slack', id: 'C1' },
    createdAt: T0,
    expiresAt: at(60),
    ...overrides,
  };
}

/** Resolves to the rejection of `promise`, failing the test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the store call to reject');
}

/** Asserts that `promise` rejects with a StoreError and returns it. */
export async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

/** A value JSON cannot hold: a store must refuse it, loudly. */
export function circular(): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  value.self = value;
  return value;
}

/** Checks that `value` is a canonical ISO timestamp between `before` and `after` (inclusive). */
export function expectTimeBetween(value: string | undefined, before: Date, after: Date): void {
  expect(value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const t = Date.parse(value as string);
  expect(t).toBeGreaterThanOrEqual(before.getTime());
  expect(t).toBeLessThanOrEqual(after.getTime());
}
