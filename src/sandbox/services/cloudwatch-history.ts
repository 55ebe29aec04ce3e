/**
 * CloudWatch alarm history: the items the sandbox records (ConfigurationUpdate when an alarm is created,
 * updated or deleted; StateUpdate on a state change; Action for each alarm action run, succeeded or
 * failed) and DescribeAlarmHistory over them (alarm name, item type, date range, newest or oldest first,
 * MaxRecords 1..100 and NextToken paging with the token omitted on the last page).
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import { type CallContext, checkRange, paginate } from '../service';
import type { AlarmHistoryItem, AlarmState, RegionState } from '../state';

/** Items kept per region: a long demo must not grow the history without bound (AWS keeps 30 days). */
const HISTORY_LIMIT = 10_000;

export function recordHistory(
  r: RegionState,
  item: Omit<AlarmHistoryItem, 'AlarmType' | 'Timestamp'>,
  at = new Date(),
): void {
  r.alarmHistory.push({ AlarmType: 'MetricAlarm', Timestamp: at, ...item });
  if (r.alarmHistory.length > HISTORY_LIMIT) r.alarmHistory.splice(0, r.alarmHistory.length - HISTORY_LIMIT);
}

/** The alarm as CloudWatch writes it into ConfigurationUpdate history data (timestamps as ISO text). */
function alarmData(a: AlarmState): Record<string, unknown> {
  return JSON.parse(JSON.stringify(a)) as Record<string, unknown>;
}

export function recordConfiguration(
  r: RegionState,
  kind: 'Create' | 'Update' | 'Delete',
  alarm: AlarmState,
  before?: AlarmState,
): void {
  const verb = { Create: 'created', Update: 'updated', Delete: 'deleted' }[kind];
  const data: Record<string, unknown> = { type: kind, version: '1.0' };
  if (kind === 'Create') data.createdAlarm = alarmData(alarm);
  if (kind === 'Delete') data.deletedAlarm = alarmData(alarm);
  if (kind === 'Update') {
    data.originalAlarm = before ? alarmData(before) : undefined;
    data.updatedAlarm = alarmData(alarm);
  }
  recordHistory(r, {
    AlarmName: alarm.AlarmName,
    HistoryItemType: 'ConfigurationUpdate',
    HistorySummary: `Alarm "${alarm.AlarmName}" ${verb}`,
    HistoryData: JSON.stringify(data),
  });
}

const ITEM_TYPES = ['ConfigurationUpdate', 'StateUpdate', 'Action'];
const invalidValue = (message: string) => new ApiError('InvalidParameterValue', message);

export function describeAlarmHistory(ctx: CallContext, input: Input) {
  const name = input.str('AlarmName');
  const type = input.str('HistoryItemType');
  if (type !== undefined && !ITEM_TYPES.includes(type))
    throw invalidValue(`The parameter HistoryItemType must be one of ${ITEM_TYPES.join(', ')}.`);
  const start = input.num('StartDate');
  const end = input.num('EndDate');
  const max = input.num('MaxRecords') ?? 100;
  checkRange(invalidValue, 'maxRecords', max, 1, 100);
  const scanBy = input.str('ScanBy') ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending')
    throw invalidValue('The parameter ScanBy must be TimestampDescending or TimestampAscending.');
  const types = input.strList('AlarmTypes');
  const history = ctx.state.region(ctx.caller.accountId, ctx.region).alarmHistory;
  // Positions in the region's history give a stable key: newer items never shift an older page.
  const keyed = history
    .map((item, i) => ({ item, key: String(i).padStart(10, '0') }))
    .filter(
      ({ item }) =>
        (name === undefined || item.AlarmName === name) &&
        (type === undefined || item.HistoryItemType === type) &&
        (start === undefined || item.Timestamp.getTime() >= start * 1000) &&
        (end === undefined || item.Timestamp.getTime() <= end * 1000) &&
        (types === undefined || types.length === 0 || types.includes('MetricAlarm')),
    );
  if (scanBy === 'TimestampDescending') {
    keyed.reverse();
    for (const k of keyed) k.key = String(9_999_999_999 - Number(k.key)).padStart(10, '0');
  }
  const { page, nextToken } = paginate(
    keyed,
    (k) => k.key,
    input.str('NextToken'),
    max,
    () => new ApiError('InvalidNextToken', 'The service returned an invalid next token.'),
  );
  return { AlarmHistoryItems: page.map((k) => k.item), NextToken: nextToken };
}
