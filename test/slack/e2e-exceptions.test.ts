/**
 * Accepted exceptions end to end through signed Slack requests (issue 14): `/cis 4.1 except` asks, the
 * same Approve/Reject buttons and rules as a remediation decide (no self-approval, approvers only), the
 * audit then shows ACCEPTED with who, why and until when; `/cis exceptions` lists it with a Revoke button
 * (approvers only, audit-logged); it expires by itself; a named deviation accepts exactly the failing
 * filter and stops applying when the filter changes; bad input is refused and stores nothing. The real
 * bot server and core over the AWS sandbox (account 333333333333's filter misses UnauthorizedOperation).
 */
import {
  ALICE,
  BOB,
  buttonsOf,
  CHANNEL,
  type E2E,
  expectAllAccepted,
  MALLORY,
  startE2E,
  textOf,
  withThread,
} from './e2e-harness';

const DEV = '333333333333';
const DAY = 24 * 60 * 60 * 1000;
let e: E2E;

beforeEach(async () => {
  e = await startE2E();
});
afterEach(async () => {
  await e.close();
});

/** A UTC day `days` from the core's now. */
function day(days: number): string {
  return new Date(Date.now() + e.clock.offsetMs + days * DAY).toISOString().slice(0, 10);
}

async function auditText(): Promise<string> {
  const audit = await e.command(`4.1 audit --account ${DEV} --level verbose`);
  return withThread(e.fake, audit.message as never)
    .map(textOf)
    .join('\n');
}

async function requestException(extra = '', until = day(30)) {
  const result = await e.command(
    `4.1 except --account ${DEV} --reason "vendor scanner, replaced in Q2" --until ${until}${extra}`,
    { user: ALICE },
  );
  if (!result.message) throw new Error(`no request posted: ${JSON.stringify(result.responses)}`);
  return result.message;
}

function current(ts: string) {
  const message = e.fake.message(CHANNEL, ts);
  if (!message) throw new Error(`message ${ts} is gone`);
  return message;
}

it('is requested, approved by another approver with the same buttons, shows ACCEPTED, and is revoked by a button', async () => {
  expect(await auditText()).toContain(`CIS 4.1 NON-COMPLIANT: account ${DEV} (dev)`);
  const until = day(30);
  const request = await requestException('', until);
  expect(textOf(request)).toContain(`Exception requested: accept CIS 4.1 on account ${DEV} until ${until}`);
  const [approve, reject] = buttonsOf(request);
  expect(approve?.action_id).toBe('cis:approve');
  expect(reject?.action_id).toBe('cis:reject');
  const [approval] = await e.services.store.listApprovals();
  expect(approval).toMatchObject({ kind: 'exception', state: 'requested', control: '4.1', accountId: DEV });

  // The same rules as a remediation: not the requester, not a non-approver.
  await e.click(request, 'cis:approve', ALICE);
  await e.click(request, 'cis:approve', MALLORY);
  const refusals = e.fake.ephemerals.map((m) => m.text);
  expect(refusals).toEqual([
    expect.stringMatching(/requested this exception and may not also approve it/),
    expect.stringMatching(/may not approve exceptions/),
  ]);
  expect(await e.services.store.listExceptions()).toEqual([]);

  await e.click(request, 'cis:approve', BOB);
  await e.idle();
  const final = textOf(current(request.ts));
  expect(final).toMatch(/Approved by bob/);
  const stored = await e.services.store.listExceptions();
  expect(stored).toEqual([
    expect.objectContaining({
      id: approval?.id,
      control: '4.1',
      accountId: DEV,
      until,
      reason: 'vendor scanner, replaced in Q2',
      requestedBy: expect.objectContaining({ userId: ALICE.id }),
      approvedBy: expect.objectContaining({ userId: BOB.id }),
    }),
  ]);
  const granted = e.fake.thread(CHANNEL, request.ts).map(textOf).join('\n');
  expect(granted).toContain(`CIS 4.1 on account ${DEV} is ACCEPTED until ${until}`);

  // The audit: ACCEPTED, with who, why and until when; the failure is still named.
  const accepted = await auditText();
  expect(accepted).toContain(`CIS 4.1 ACCEPTED: account ${DEV} (dev)`);
  expect(accepted).toContain(
    `Accepted until ${until} by bob, requested by alice: vendor scanner, replaced in Q2`,
  );
  expect(accepted).toMatch(/misses .*UnauthorizedOperation/);

  // /cis exceptions lists it with Revoke; a non-approver's click is refused, an approver's revokes it.
  const list = await e.command('exceptions');
  const listed = list.message as never;
  expect(textOf(listed)).toContain(`CIS 4.1 · account ${DEV} · until ${until} · approved by bob`);
  const [revoke] = buttonsOf(listed);
  expect(revoke).toMatchObject({ action_id: 'cis:revoke-exception', value: approval?.id, style: 'danger' });
  await e.click(listed, 'cis:revoke-exception', MALLORY);
  expect(e.fake.ephemerals.at(-1)?.text).toMatch(/may not revoke exceptions/);
  expect((await e.services.store.getException(approval?.id as string))?.revokedAt).toBeUndefined();
  await e.click(listed, 'cis:revoke-exception', BOB);
  expect(textOf(current((list.message as { ts: string }).ts))).toMatch(/revoked by bob/);
  expect((await e.services.store.getException(approval?.id as string))?.revokedBy?.userId).toBe(BOB.id);
  const log = await e.services.store.listAuditLog({ kinds: ['exception-revoked'], limit: 5 });
  expect(log).toEqual([expect.objectContaining({ approvalId: approval?.id, accountId: DEV })]);
  expect(await auditText()).toContain(`CIS 4.1 NON-COMPLIANT: account ${DEV} (dev)`);
  expect(textOf((await e.command('exceptions')).message as never)).toContain('No accepted exceptions');
  expectAllAccepted(e.fake);
});

it('expires by itself: the next audit fails again and says the exception expired', async () => {
  const until = day(2);
  const request = await requestException('', until);
  await e.click(request, 'cis:approve', BOB);
  await e.idle();
  expect(await auditText()).toContain(`CIS 4.1 ACCEPTED: account ${DEV} (dev)`);
  e.clock.offsetMs = 3 * DAY; // past the last valid day
  const after = await auditText();
  expect(after).toContain(`CIS 4.1 NON-COMPLIANT: account ${DEV} (dev)`);
  expect(after).toMatch(new RegExp(`exception \\S+ expired on ${until}`));
});

it('a named deviation accepts exactly the failing filter (witness shown and stored) and lapses when the filter changes', async () => {
  const request = await requestException(' --deviation');
  const shown = textOf(request);
  expect(shown).toContain("Named deviation: only metric filter 'access-denied'");
  expect(shown).toContain('{ $.errorCode = "AccessDenied*" }');
  expect(shown).toMatch(/UnauthorizedOperation/); // the engine's witness: an event the filter misses
  await e.click(request, 'cis:approve', BOB);
  await e.idle();
  const [stored] = await e.services.store.listExceptions();
  expect(stored?.deviation).toMatchObject({
    filterName: 'access-denied',
    filterPattern: '{ $.errorCode = "AccessDenied*" }',
  });
  expect(JSON.stringify(stored?.deviation?.witness)).toMatch(/UnauthorizedOperation/);
  expect(await auditText()).toContain(`CIS 4.1 ACCEPTED: account ${DEV} (dev)`);

  // Someone edits the filter: it is not the accepted one any more.
  const region = e.run.sandbox.state.region(DEV, 'eu-west-2');
  const filter = region.logGroups.get('cloudtrail')?.metricFilters.get('access-denied');
  if (!filter) throw new Error('the scenario filter is gone');
  filter.filterPattern = '{ $.errorCode = "AccessDenied" }';
  const after = await auditText();
  expect(after).toContain(`CIS 4.1 NON-COMPLIANT: account ${DEV} (dev)`);
  expect(after).toMatch(/no longer applies: the accepted metric filter changed/);
});

it('refuses bad input with the rule and stores nothing', async () => {
  const cases: Array<[string, RegExp]> = [
    [`4.1 except --account ${DEV} --reason "x" --until ${day(-1)}`, /is in the past/],
    [
      `4.1 except --account ${DEV} --reason "x" --until ${day(400)}`,
      /more than 365 days away: the latest allowed is/,
    ],
    [`4.1 except --account ${DEV} --reason "x" --until 2027-02-30`, /takes a date as YYYY-MM-DD/],
    [
      `4.1 except --account 999999999999 --reason "x" --until ${day(10)}`,
      /Not a configured account: 999999999999/,
    ],
    [`4.99 except --account ${DEV} --reason "x" --until ${day(10)}`, /4\.99/],
    [`4.1 except --account ${DEV} --until ${day(10)}`, /needs --reason/],
    [
      `4.16 except --account ${DEV} --reason "x" --until ${day(10)} --deviation`,
      /--deviation accepts a metric filter/,
    ],
  ];
  for (const [command, rule] of cases) {
    const result = await e.command(command, { user: ALICE });
    const said = [
      ...result.responses.map((r) => textOf(r as never)),
      result.message ? textOf(result.message) : '',
    ];
    expect(said.join('\n')).toMatch(rule);
  }
  expect(await e.services.store.listApprovals()).toEqual([]);
  expect(await e.services.store.listExceptions({ includeRevoked: true })).toEqual([]);
});
