/**
 * Digests and accepted exceptions (issue 14): accepted exceptions that expire within 14 days are listed,
 * and an exception that expired is named with its date while its control fails again.
 */
import type { AcceptedException } from '../../src/core/evaluate/findings';
import { EXCEPTION_WARNING_DAYS, exceptionNotes } from '../../src/core/present/digest-cards';
import { finding, report } from './fixtures';

const AT = new Date('2027-03-20T08:00:00.000Z');
const accepted = (until: string): AcceptedException => ({
  id: `ap-${until}`,
  reason: 'vendor scanner',
  until,
  requestedBy: { platform: 'slack', userId: 'U1' },
  approvedBy: { platform: 'slack', userId: 'U2' },
  grantedAt: '2027-01-01T00:00:00.000Z',
});

test('lists exceptions expiring within 14 days and those that expired; nothing else', () => {
  expect(EXCEPTION_WARNING_DAYS).toBe(14);
  const soon = { ...finding('111111111111', 'ACCEPTED'), exception: accepted('2027-04-03') };
  const later = { ...finding('222222222222', 'ACCEPTED'), exception: accepted('2027-04-04') };
  const lapsed = {
    ...finding('333333333333', 'NON_COMPLIANT'),
    lapsedException: { id: 'ap-x', reason: 'migration', until: '2027-03-15', why: 'expired' as const },
  };
  const [expiring, expired, ...rest] = exceptionNotes([report([soon, later, lapsed])], AT);
  expect(expiring).toBe(
    'Accepted exceptions expiring within 14 days: CIS 4.1 111111111111 until 2027-04-03 (vendor scanner).',
  );
  expect(expired).toBe(
    'Exceptions that expired (the control fails again): CIS 4.1 333333333333 expired on 2027-03-15.',
  );
  expect(rest).toEqual([]);
  expect(exceptionNotes([report([later, finding('444444444444', 'NON_COMPLIANT')])], AT)).toEqual([]);
});
