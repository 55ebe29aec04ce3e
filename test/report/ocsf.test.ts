/**
 * OCSF Compliance Finding events validated against the class's definitions (./ocsf-schema.ts, driven by
 * the pinned OCSF files): every event of a run conforms, and the validator catches what breaks the
 * definitions (a missing required attribute, a wrong type, an enum value the class lacks, a caption that
 * does not match its id, a type_uid off the class_uid * 100 + activity_id rule, an undefined attribute).
 */
import { findingId } from '../../src/core/report/finding-id';
import { ocsfEvent, renderOcsf } from '../../src/core/report/ocsf';
import { ocsfProblems } from './ocsf-schema';
import { sampleRun } from './runs';

describe('OCSF report', () => {
  const run = sampleRun();
  const events = JSON.parse(renderOcsf(run)) as Array<Record<string, unknown>>;

  it('is one Compliance Finding (class_uid 2003) per (account x control), each valid for its class', () => {
    expect(events).toHaveLength(run.results.length);
    for (const e of events) expect(ocsfProblems(e)).toEqual([]);
    expect(events[0]).toMatchObject({
      class_uid: 2003,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200301,
      finding_info: { uid: findingId('4.1', '111111111111') },
      cloud: { provider: 'AWS', account: { uid: '111111111111', type_id: 10 } },
    });
  });

  it('maps statuses to compliance Pass / Fail / Warning and the finding to Resolved / New', () => {
    // The first result of each status is a 4.1 one (severity high).
    const byStatus = new Map(
      [...run.results].reverse().map((r, i) => [r.finding.status, events[events.length - 1 - i]]),
    );
    const statuses = (e: Record<string, unknown> = {}) => [
      (e.compliance as { status_id?: number } | undefined)?.status_id,
      e.status_id,
      e.severity_id,
    ];
    expect(statuses(byStatus.get('COMPLIANT'))).toEqual([1, 4, 1]);
    expect(statuses(byStatus.get('NON_COMPLIANT'))).toEqual([3, 1, 4]);
    expect(statuses(byStatus.get('ERROR'))).toEqual([2, 1, 4]);
  });

  it('the validator refuses what the definitions do not allow', () => {
    const [result] = run.results;
    if (!result) throw new Error('no result');
    const good = ocsfEvent(result, run);
    const without = (key: string) => Object.fromEntries(Object.entries(good).filter(([k]) => k !== key));
    expect(ocsfProblems(without('compliance'))).toEqual(['event.compliance: required']);
    expect(ocsfProblems(without('finding_info'))).toEqual(['event.finding_info: required']);
    expect(ocsfProblems({ ...good, compliance: { ...(good.compliance as object), status_id: 7 } })).toEqual([
      'event.compliance.status_id: 7 is not one of 1, 2, 3',
    ]);
    expect(ocsfProblems({ ...good, status: 'Closed' })).toEqual([
      'event.status: "Closed" is not the caption of status_id 4 ("Resolved")',
    ]);
    expect(ocsfProblems({ ...good, type_uid: 200302 })).toEqual([
      'event.type_uid: 200302 is not class_uid * 100 + activity_id',
    ]);
    expect(ocsfProblems({ ...good, time: '2026-12-04' })).toEqual([
      'event.time: expected an integer (timestamp_t)',
    ]);
    expect(ocsfProblems({ ...good, accountId: '1' })).toEqual([
      'event.accountId: not an attribute of Compliance Finding',
    ]);
    expect(ocsfProblems({ ...good, metadata: { ...(good.metadata as object), profiles: [] } })).toEqual([
      'event.cloud: needs the cloud profile',
      'event.resources[0].region: needs the cloud profile',
    ]);
    expect(ocsfProblems({ ...good, finding_info: { title: 'x' } })).toEqual([
      'event.finding_info.uid: required',
    ]);
  });
});
