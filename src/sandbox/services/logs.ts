/**
 * CloudWatch Logs (AWS JSON 1.1, target prefix Logs_20140328): DescribeLogGroups, DescribeMetricFilters,
 * PutMetricFilter, DeleteMetricFilter, TestMetricFilter, CreateLogGroup and DeleteLogGroup, with AWS's
 * pagination (limit 1..50, nextToken omitted on the last page) and errors (ResourceNotFoundException,
 * ResourceAlreadyExistsException, InvalidParameterException, LimitExceededException at 100 filters per
 * log group).
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import { testPattern, validatePattern } from '../pattern-check';
import { type CallContext, checkRange, paginate, type ServiceDef, validationMessage } from '../service';
import type { LogGroupState, MetricFilterState, MetricTransformation } from '../state';

const bad = (message: string) => new ApiError('InvalidParameterException', message);
const badToken = () => bad('The specified nextToken is invalid.');
const noGroup = () => new ApiError('ResourceNotFoundException', 'The specified log group does not exist.');
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function groups(ctx: CallContext) {
  return ctx.state.region(ctx.caller.accountId, ctx.region).logGroups;
}

function groupArn(ctx: CallContext, name: string): string {
  return `arn:aws:logs:${ctx.region}:${ctx.caller.accountId}:log-group:${name}`;
}

function describeLogGroups(ctx: CallContext, input: Input) {
  const prefix = input.str('logGroupNamePrefix');
  const pattern = input.str('logGroupNamePattern');
  if (prefix !== undefined && pattern !== undefined)
    throw bad('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
  const limit = input.num('limit') ?? 50;
  checkRange(bad, 'limit', limit, 1, 50);
  const ids = input
    .strList('logGroupIdentifiers')
    ?.map((id) => id.replace(/^arn:[^:]*:logs:[^:]*:\d+:log-group:/, '').replace(/:\*$/, ''));
  let list = [...groups(ctx).values()].sort((a, b) => byString(a.logGroupName, b.logGroupName));
  if (prefix !== undefined) list = list.filter((g) => g.logGroupName.startsWith(prefix));
  if (pattern !== undefined)
    list = list.filter((g) => g.logGroupName.toLowerCase().includes(pattern.toLowerCase()));
  if (ids) list = list.filter((g) => ids.includes(g.logGroupName));
  const { page, nextToken } = paginate(list, (g) => g.logGroupName, input.str('nextToken'), limit, badToken);
  return {
    logGroups: page.map((g) => ({
      logGroupName: g.logGroupName,
      creationTime: g.creationTime,
      retentionInDays: g.retentionInDays,
      metricFilterCount: g.metricFilters.size,
      arn: `${groupArn(ctx, g.logGroupName)}:*`,
      logGroupArn: groupArn(ctx, g.logGroupName),
      storedBytes: 0,
      kmsKeyId: g.kmsKeyId,
      logGroupClass: 'STANDARD',
    })),
    nextToken,
  };
}

function filterKey(f: MetricFilterState): string {
  return `${f.logGroupName}\u0000${f.filterName}`;
}

function describeMetricFilters(ctx: CallContext, input: Input) {
  const groupName = input.str('logGroupName');
  const prefix = input.str('filterNamePrefix');
  const metricName = input.str('metricName');
  const metricNamespace = input.str('metricNamespace');
  const limit = input.num('limit') ?? 50;
  checkRange(bad, 'limit', limit, 1, 50);
  if (prefix !== undefined && groupName === undefined)
    throw bad(
      'If you include the filterNamePrefix parameter, you must also include the logGroupName parameter.',
    );
  if ((metricName === undefined) !== (metricNamespace === undefined))
    throw bad(
      'If you include the metricName parameter, you must also include the metricNamespace parameter.',
    );
  let source: LogGroupState[];
  if (groupName !== undefined) {
    const g = groups(ctx).get(groupName);
    if (!g) throw noGroup();
    source = [g];
  } else source = [...groups(ctx).values()];
  let list = source.flatMap((g) => [...g.metricFilters.values()]);
  if (prefix !== undefined) list = list.filter((f) => f.filterName.startsWith(prefix));
  if (metricName !== undefined)
    list = list.filter((f) =>
      f.metricTransformations.some(
        (t) => t.metricName === metricName && t.metricNamespace === metricNamespace,
      ),
    );
  list.sort((a, b) => byString(filterKey(a), filterKey(b)));
  const { page, nextToken } = paginate(list, filterKey, input.str('nextToken'), limit, badToken);
  return {
    metricFilters: page.map((f) => ({
      filterName: f.filterName,
      filterPattern: f.filterPattern,
      metricTransformations: f.metricTransformations,
      creationTime: f.creationTime,
      logGroupName: f.logGroupName,
    })),
    nextToken,
  };
}

function readTransformations(input: Input): MetricTransformation[] {
  const items = input.structs('metricTransformations');
  if (!items || items.length === 0) throw bad('metricTransformations is required.');
  if (items.length !== 1)
    throw bad(
      validationMessage(
        'metricTransformations',
        `[${items.length} items]`,
        'Member must have length less than or equal to 1',
      ),
    );
  return items.map((t) => {
    const metricName = t.reqStr('metricName');
    const metricNamespace = t.reqStr('metricNamespace');
    const metricValue = t.reqStr('metricValue');
    for (const [member, v] of [
      ['metricName', metricName],
      ['metricNamespace', metricNamespace],
    ] as const) {
      if (/[:*$]/.test(v) || v.length > 255)
        throw bad(
          validationMessage(
            `metricTransformations.1.member.${member}`,
            v,
            'Member must satisfy regular expression pattern: [^:*$]*',
          ),
        );
    }
    const out: MetricTransformation = { metricName, metricNamespace, metricValue };
    const dv = t.num('defaultValue');
    if (dv !== undefined) out.defaultValue = dv;
    const unit = t.str('unit');
    if (unit !== undefined) out.unit = unit;
    const dims = t.strMap('dimensions');
    if (dims !== undefined) {
      if (dv !== undefined) throw bad('defaultValue cannot be used with dimensions.');
      out.dimensions = dims;
    }
    return out;
  });
}

function putMetricFilter(ctx: CallContext, input: Input) {
  const groupName = input.reqStr('logGroupName');
  const filterName = input.reqStr('filterName');
  const pattern = input.str('filterPattern');
  if (pattern === undefined) throw bad('filterPattern is required.');
  if (/[:*]/.test(filterName) || filterName.length > 512)
    throw bad(
      validationMessage('filterName', filterName, 'Member must satisfy regular expression pattern: [^:*]*'),
    );
  const transformations = readTransformations(input);
  const problem = validatePattern(pattern);
  if (problem) throw bad(problem);
  const g = groups(ctx).get(groupName);
  if (!g) throw noGroup();
  const existing = g.metricFilters.get(filterName);
  if (!existing && g.metricFilters.size >= 100)
    throw new ApiError('LimitExceededException', 'Resource limit exceeded.');
  g.metricFilters.set(filterName, {
    filterName,
    filterPattern: pattern,
    metricTransformations: transformations,
    creationTime: existing?.creationTime ?? Date.now(),
    logGroupName: groupName,
  });
  ctx.changed([groupArn(ctx, groupName)]);
  return undefined;
}

function deleteMetricFilter(ctx: CallContext, input: Input) {
  const g = groups(ctx).get(input.reqStr('logGroupName'));
  const filterName = input.reqStr('filterName');
  if (!g) throw noGroup();
  if (!g.metricFilters.delete(filterName))
    throw new ApiError('ResourceNotFoundException', 'The specified metric filter does not exist.');
  ctx.changed([groupArn(ctx, g.logGroupName)]);
  return undefined;
}

function createLogGroup(ctx: CallContext, input: Input) {
  const name = input.reqStr('logGroupName');
  if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name))
    throw bad(
      validationMessage(
        'logGroupName',
        name,
        'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+',
      ),
    );
  const all = groups(ctx);
  if (all.has(name))
    throw new ApiError('ResourceAlreadyExistsException', 'The specified log group already exists');
  const group: LogGroupState = { logGroupName: name, creationTime: Date.now(), metricFilters: new Map() };
  const kms = input.str('kmsKeyId');
  if (kms !== undefined) group.kmsKeyId = kms;
  all.set(name, group);
  ctx.changed([groupArn(ctx, name)]);
  return undefined;
}

function deleteLogGroup(ctx: CallContext, input: Input) {
  const name = input.reqStr('logGroupName');
  if (!groups(ctx).delete(name)) throw noGroup();
  ctx.changed([groupArn(ctx, name)]);
  return undefined;
}

function testMetricFilter(_ctx: CallContext, input: Input) {
  const pattern = input.str('filterPattern');
  if (pattern === undefined) throw bad('filterPattern is required.');
  const messages = input.strList('logEventMessages');
  if (!messages || messages.length === 0) throw bad('logEventMessages is required.');
  if (messages.length > 50)
    throw bad(
      validationMessage(
        'logEventMessages',
        `[${messages.length} items]`,
        'Member must have length less than or equal to 50',
      ),
    );
  const problem = validatePattern(pattern);
  if (problem) throw bad(problem);
  return {
    matches: testPattern(pattern, messages).map((n) => ({
      eventNumber: n,
      eventMessage: messages[n - 1],
      extractedValues: {},
    })),
  };
}

export const logs: ServiceDef = {
  name: 'logs',
  iamPrefix: 'logs',
  operations: {
    DescribeLogGroups: describeLogGroups,
    DescribeMetricFilters: describeMetricFilters,
    PutMetricFilter: putMetricFilter,
    DeleteMetricFilter: deleteMetricFilter,
    TestMetricFilter: testMetricFilter,
    CreateLogGroup: createLogGroup,
    DeleteLogGroup: deleteLogGroup,
  },
  fail: (member, problem) =>
    problem === 'missing'
      ? bad(validationMessage(member, 'null', 'Member must not be null'))
      : new ApiError('SerializationException', `Unexpected value type for ${member}.`),
  resource(_operation, ctx, input) {
    const name = input.raw.logGroupName;
    return typeof name === 'string'
      ? `arn:aws:logs:${ctx.region}:${ctx.caller.accountId}:log-group:${name}:*`
      : `arn:aws:logs:${ctx.region}:${ctx.caller.accountId}:log-group::log-stream:`;
  },
};
