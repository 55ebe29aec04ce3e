/**
 * The fire drill end to end through signed Slack requests and the real bot server: `/cis 4.1 drill
 * --account ID` posts the approval request warning that the topic's subscribers will really be notified,
 * an approver's click runs the drill against the sandbox (steps in the thread, then what was proven), and
 * a drill of a broken chain is refused with its broken link, changing nothing.
 */
import { ALICE, awsWrites, BOB, buttonsOf, CHANNEL, type E2E, startE2E, textOf } from './e2e-harness';

const PROD = '111111111111'; // the compliant account of the audit-demo scenario
const DEV = '333333333333'; // broken at its filter

let e: E2E;
beforeEach(async () => {
  e = await startE2E({ document: { drill: { wait_seconds: 2 } } });
});
afterEach(async () => {
  await e.close();
});

it('asks for approval with the warning, runs on an approver click, and posts what was proven', async () => {
  const result = await e.command(`4.1 drill --account ${PROD}`, { user: ALICE });
  const request = result.message;
  if (!request) throw new Error('no drill request posted');
  expect(textOf(request)).toContain(
    "The topic's 1 confirmed subscriber will really be notified (email secops@example.com)",
  );
  const [approve] = buttonsOf(request);
  expect(approve?.action_id).toBe('cis:approve');
  expect(approve?.confirm?.text.text).toContain('goes to ALARM');
  expect(awsWrites(e.run)).toEqual([]);

  await e.click(structuredClone(request), 'cis:approve', BOB);
  const thread = e.fake.thread(CHANNEL, request.ts).map(textOf);
  expect(thread.join('\n')).toContain('Alarm to ALARM: done');
  expect(thread.at(-1)).toMatch(
    /Proven: The alarm unauthorized_api_calls_alarm fired at .+ UTC, SNS delivered to the probe queue \d+\.\d s later; 1 confirmed subscriber was notified too\./,
  );
  const [approval] = await e.services.store.listApprovals();
  expect(approval).toMatchObject({ kind: 'drill', state: 'succeeded', accountId: PROD });
  expect(awsWrites(e.run).filter((op) => op !== 'ReceiveMessage')).toEqual([
    'CreateQueue',
    'Subscribe',
    'SetAlarmState',
    'Unsubscribe',
    'DeleteQueue',
    'SetAlarmState',
  ]);
});

it('a drill of a broken chain is refused with the broken link, and nothing changes', async () => {
  const result = await e.command(`4.1 drill --account ${DEV}`, { user: ALICE });
  const said = [...result.responses, ...(result.message ? [result.message] : [])]
    .map((m) => textOf(m as never))
    .join('\n');
  expect(said).toMatch(
    /No drill: the CIS 4\.1 chain of account 333333333333 is broken at the metric-filter link/,
  );
  expect(said).toContain('Remediate first');
  expect(await e.services.store.listApprovals()).toEqual([]);
  expect(awsWrites(e.run)).toEqual([]);
});
