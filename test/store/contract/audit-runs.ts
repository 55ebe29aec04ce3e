/** Store contract: audit runs and their findings (AuditRunStore). */
import type { AuditRunRecord } from '../../../src/core/ports/store';
import { A, B, C, type ContractContext, circular, storeError, T0 } from './context';

function run(id: string, finishedAt: string, accounts: AuditRunRecord['accounts'], control = '4.1') {
  return {
    id,
    control,
    startedAt: finishedAt,
    finishedAt,
    trigger: 'schedule' as const,
    accounts,
  };
}

export function auditRunsContract(ctx: ContractContext): void {
  it('records a run with its findings and reads it back as recorded, timestamps in canonical form', async () => {
    await ctx.store.recordAuditRun({
      id: 'r1',
      control: '4.1',
      startedAt: '2025-03-01T07:00:00Z',
      finishedAt: '2025-03-01T07:00:05+00:00',
      trigger: 'slack',
      actor: { platform: 'slack', userId: 'U1', displayName: 'Ann' },
      accounts: [
        { accountId: B, status: 'NON_COMPLIANT', reason: 'no alarm', finding: { broken: ['alarm'], n: 1.5 } },
        { accountId: A, status: 'COMPLIANT', finding: { links: [{ ok: true }] } },
      ],
    });
    expect(await ctx.store.getAuditRun('r1')).toEqual({
      id: 'r1',
      control: '4.1',
      startedAt: '2025-03-01T07:00:00.000Z',
      finishedAt: '2025-03-01T07:00:05.000Z',
      trigger: 'slack',
      actor: { platform: 'slack', userId: 'U1', displayName: 'Ann' },
      // In the order recorded; a reason that was not given is absent, not null.
      accounts: [
        { accountId: B, status: 'NON_COMPLIANT', reason: 'no alarm', finding: { broken: ['alarm'], n: 1.5 } },
        { accountId: A, status: 'COMPLIANT', finding: { links: [{ ok: true }] } },
      ],
    });
    expect(await ctx.store.getAuditRun('nope')).toBeUndefined();
  });

  it('records a run without accounts or actor', async () => {
    await ctx.store.recordAuditRun({ ...run('empty', T0, []), trigger: 'cli' });
    expect(await ctx.store.getAuditRun('empty')).toEqual({
      id: 'empty',
      control: '4.1',
      startedAt: T0,
      finishedAt: T0,
      trigger: 'cli',
      accounts: [],
    });
  });

  it('refuses a run id twice, loudly, and keeps the first run', async () => {
    await ctx.store.recordAuditRun(run('r', T0, [{ accountId: A, status: 'COMPLIANT', finding: {} }]));
    await storeError(
      ctx.store.recordAuditRun(run('r', T0, [{ accountId: B, status: 'ERROR', finding: {} }])),
    );
    expect((await ctx.store.getAuditRun('r'))?.accounts.map((a) => a.accountId)).toEqual([A]);
    expect((await ctx.store.latestFindings('4.1')).map((f) => f.accountId)).toEqual([A]);
  });

  it("records a run's audit-log lines with it, in order, and none of them when the run is refused", async () => {
    const line = (accountId: string) => ({
      at: T0,
      kind: 'audit' as const,
      control: '4.1',
      accountId,
      detail: { runId: 'logged' },
    });
    await ctx.store.recordAuditRun(run('logged', T0, [{ accountId: A, status: 'COMPLIANT', finding: {} }]), [
      line(A),
      line(B),
    ]);
    // Newest first.
    expect((await ctx.store.listAuditLog()).map((e) => [e.kind, e.accountId, e.detail])).toEqual([
      ['audit', B, { runId: 'logged' }],
      ['audit', A, { runId: 'logged' }],
    ]);
    // The same run id again: refused, and its lines are not appended either.
    await storeError(ctx.store.recordAuditRun(run('logged', T0, []), [line(C)]));
    // A line that cannot be stored: the run is not recorded either.
    await storeError(
      ctx.store.recordAuditRun(run('bad-line', T0, []), [line(A), { ...line(B), detail: circular() }]),
    );
    expect(await ctx.store.getAuditRun('bad-line')).toBeUndefined();
    expect(await ctx.store.listAuditLog()).toHaveLength(2);
  });

  it('records nothing of a run whose finding cannot be stored', async () => {
    await storeError(
      ctx.store.recordAuditRun(
        run('bad', T0, [
          { accountId: A, status: 'COMPLIANT', finding: {} },
          { accountId: B, status: 'COMPLIANT', finding: circular() },
        ]),
      ),
    );
    expect(await ctx.store.getAuditRun('bad')).toBeUndefined();
    expect(await ctx.store.latestFindings('4.1')).toEqual([]);
  });

  it('returns the latest finding per account, ordered by account id, filtered by accounts and control', async () => {
    await ctx.store.recordAuditRun(
      run('r1', '2025-03-01T07:00:05Z', [
        { accountId: C, status: 'NON_COMPLIANT', reason: 'no alarm', finding: { n: 1 } },
        { accountId: A, status: 'NON_COMPLIANT', finding: { n: 2 } },
      ]),
    );
    await ctx.store.recordAuditRun({
      ...run('r2', '2025-03-02T07:00:05Z', [{ accountId: A, status: 'COMPLIANT', finding: { n: 3 } }]),
      trigger: 'teams',
    });
    await ctx.store.recordAuditRun(
      run('other', '2025-03-03T07:00:05Z', [{ accountId: A, status: 'ERROR', finding: {} }], '4.2'),
    );
    expect(await ctx.store.latestFindings('4.1')).toEqual([
      {
        runId: 'r2',
        control: '4.1',
        accountId: A,
        status: 'COMPLIANT',
        finding: { n: 3 },
        at: '2025-03-02T07:00:05.000Z',
        trigger: 'teams',
      },
      {
        runId: 'r1',
        control: '4.1',
        accountId: C,
        status: 'NON_COMPLIANT',
        reason: 'no alarm',
        finding: { n: 1 },
        at: '2025-03-01T07:00:05.000Z',
        trigger: 'schedule',
      },
    ]);
    expect((await ctx.store.latestFindings('4.1', [C, B])).map((f) => f.runId)).toEqual(['r1']);
    expect(await ctx.store.latestFindings('4.1', [])).toEqual([]);
    expect((await ctx.store.latestFindings('4.2')).map((f) => f.status)).toEqual(['ERROR']);
    expect(await ctx.store.latestFindings('4.3')).toEqual([]);
  });

  it('takes, of runs finishing at the same instant, the one recorded last as the latest', async () => {
    for (const id of ['first', 'second', 'third']) {
      await ctx.store.recordAuditRun(run(id, T0, [{ accountId: A, status: id, finding: {} }]));
    }
    expect((await ctx.store.latestFindings('4.1')).map((f) => f.runId)).toEqual(['third']);
  });

  it('returns the findings since a time (inclusive), oldest first, in recording order at equal times', async () => {
    await ctx.store.recordAuditRun(
      run('late', '2025-03-03T07:00:00Z', [{ accountId: A, status: 'COMPLIANT', finding: {} }]),
    );
    await ctx.store.recordAuditRun(
      run('early', '2025-03-01T07:00:00Z', [
        { accountId: B, status: 'NON_COMPLIANT', finding: {} },
        { accountId: A, status: 'NON_COMPLIANT', finding: {} },
      ]),
    );
    await ctx.store.recordAuditRun(
      run('middle', '2025-03-02T07:00:00Z', [{ accountId: A, status: 'ERROR', finding: {} }]),
    );
    const key = (f: { runId: string; accountId: string }) => `${f.runId}/${f.accountId}`;
    expect((await ctx.store.findingsSince('4.1', '2025-03-01T07:00:00Z')).map(key)).toEqual([
      `early/${B}`,
      `early/${A}`,
      `middle/${A}`,
      `late/${A}`,
    ]);
    expect((await ctx.store.findingsSince('4.1', '2025-03-02T07:00:00.000Z', [A])).map(key)).toEqual([
      `middle/${A}`,
      `late/${A}`,
    ]);
    expect((await ctx.store.findingsSince('4.1', '2025-03-01T07:00:00.001Z', [B])).map(key)).toEqual([]);
    expect(await ctx.store.findingsSince('4.2', T0)).toEqual([]);
  });

  it('refuses a "since" that is not a time', async () => {
    await storeError(ctx.store.findingsSince('4.1', 'last tuesday'));
  });

  it('shows a run recorded through one handle to another', async () => {
    const peer = await ctx.openPeer();
    await peer.recordAuditRun(run('r', T0, [{ accountId: A, status: 'COMPLIANT', finding: {} }]));
    expect((await ctx.store.latestFindings('4.1')).map((f) => f.runId)).toEqual(['r']);
  });
}
