/**
 * The Security Hub port on the AWS SDK: the hub is the account of cis-bot's own credentials (the
 * administrator account in an organization) in the audit's region; findings go in with
 * BatchImportFindings, and what Security Hub already holds of them is read with GetFindings. The client
 * uses the SDK's adaptive retry mode, which spaces calls out when Security Hub throttles (10 calls a second
 * per account and region). SDK errors become SecurityHubError with a message that names what to grant
 * or enable, never the SDK's raw text.
 */
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type GetFindingsCommandInput,
  SecurityHubClient,
  type StringFilter,
} from '@aws-sdk/client-securityhub';
import type { AuditReport } from '../core/evaluate/findings';
import type { FindingsExport } from '../core/ports/security-hub';
import {
  type AsffFinding,
  type HubTarget,
  type ImportFailure,
  type PriorFinding,
  type PriorFindings,
  SecurityHubError,
  type SecurityHubPort,
} from '../core/ports/security-hub';
import { defaultProductArn } from '../core/report/asff';
import { reportRun, type ToolInfo } from '../core/report/results';
import { exportToSecurityHub } from '../core/report/security-hub-export';
import { errorCode, isAccessDenied, safeErrorSummary } from './errors';
import type { AwsSession } from './session';

/** Security Hub takes at most 20 values per filter attribute. */
const FILTER_VALUES_LIMIT = 20;
/** Up to this many findings, their stored state is read by Id (20 a call); beyond, by a scan of cis-bot's. */
const READ_BY_ID_UP_TO = 200;

export interface SecurityHubAdapter extends SecurityHubPort {
  destroy(): void;
}

function securityHubError(error: unknown, action: string, hub?: HubTarget): SecurityHubError {
  const code = errorCode(error) ?? 'Error';
  const where = hub ? ` in account ${hub.accountId}, region ${hub.region}` : '';
  if (code === 'InvalidAccessException') {
    return new SecurityHubError(
      code,
      `Security Hub is not enabled${where}: enable it there (aws securityhub enable-security-hub) to receive cis-bot's findings`,
      { cause: error },
    );
  }
  if (isAccessDenied(error)) {
    return new SecurityHubError(
      code,
      `access denied to ${action}${where}: grant ${action} to the identity cis-bot runs as (cis-bot iam-policy --export securityhub)`,
      { cause: error },
    );
  }
  return new SecurityHubError(code, `${action} failed${where}: ${safeErrorSummary(error)}`, { cause: error });
}

function priorOf(f: AwsSecurityFinding): PriorFinding | undefined {
  if (!f.CreatedAt || !f.UpdatedAt) return undefined;
  return {
    createdAt: f.CreatedAt,
    updatedAt: f.UpdatedAt,
    ...(f.FirstObservedAt ? { firstObservedAt: f.FirstObservedAt } : {}),
    ...(f.Compliance?.Status ? { complianceStatus: f.Compliance.Status } : {}),
  };
}

export function createSecurityHubAdapter(session: AwsSession, region: string): SecurityHubAdapter {
  const client = session.measure(
    new SecurityHubClient({ ...session.baseClientConfig(region), retryMode: 'adaptive' }),
  );

  /** Every page of one GetFindings query; returns the number of calls made. */
  async function readAll(
    hub: HubTarget,
    filters: GetFindingsCommandInput['Filters'],
    keep: (f: AwsSecurityFinding) => void,
  ): Promise<number> {
    let calls = 0;
    let NextToken: string | undefined;
    do {
      calls += 1;
      const out = await client
        .send(
          new GetFindingsCommand({ Filters: filters, MaxResults: 100, ...(NextToken ? { NextToken } : {}) }),
        )
        .catch((error: unknown) => {
          throw securityHubError(error, 'securityhub:GetFindings', hub);
        });
      for (const f of out.Findings ?? []) keep(f);
      NextToken = out.NextToken || undefined;
    } while (NextToken);
    return calls;
  }

  return {
    async target() {
      const me = await session.callerIdentity();
      return { accountId: me.accountId, region };
    },

    async priorFindings(hub, ids): Promise<PriorFindings> {
      const wanted = new Set(ids);
      const findings = new Map<string, PriorFinding>();
      const keep = (f: AwsSecurityFinding) => {
        const prior = f.Id && wanted.has(f.Id) ? priorOf(f) : undefined;
        if (prior && f.Id) findings.set(f.Id, prior);
      };
      const product: StringFilter[] = [{ Value: defaultProductArn(hub), Comparison: 'EQUALS' }];
      let calls = 0;
      if (ids.length <= READ_BY_ID_UP_TO) {
        for (let i = 0; i < ids.length; i += FILTER_VALUES_LIMIT) {
          const Id = ids
            .slice(i, i + FILTER_VALUES_LIMIT)
            .map((Value) => ({ Value, Comparison: 'EQUALS' as const }));
          calls += await readAll(hub, { ProductArn: product, Id }, keep);
        }
      } else {
        // Many findings: one scan of everything cis-bot imported beats 20 ids a call.
        const GeneratorId: StringFilter[] = [{ Value: 'cis-bot/', Comparison: 'PREFIX' }];
        calls += await readAll(hub, { ProductArn: product, GeneratorId }, keep);
      }
      return { findings, calls };
    },

    async importFindings(batch): Promise<ImportFailure[]> {
      // Our ASFF type must stay assignable to the SDK's model: this line fails to compile otherwise.
      const Findings: AwsSecurityFinding[] = batch as AsffFinding[];
      const out = await client.send(new BatchImportFindingsCommand({ Findings })).catch((error: unknown) => {
        throw securityHubError(error, 'securityhub:BatchImportFindings', {
          accountId: batch[0]?.AwsAccountId ?? '',
          region,
        });
      });
      return (out.FailedFindings ?? []).map((f) => ({
        id: f.Id ?? '',
        code: f.ErrorCode ?? 'Unknown',
        message: (f.ErrorMessage ?? 'no reason given').slice(0, 500),
      }));
    },

    destroy() {
      client.destroy();
    },
  };
}

/**
 * The export the scheduler and the CLI call: each call opens a Security Hub client for the hub's region,
 * exports the reports' findings (src/core/report/security-hub-export.ts) and closes the client.
 */
export function createFindingsExport(session: AwsSession, region: string, tool: ToolInfo): FindingsExport {
  return async (reports: readonly AuditReport[]) => {
    const port = createSecurityHubAdapter(session, region);
    try {
      return await exportToSecurityHub(port, reportRun(reports, tool));
    } finally {
      port.destroy();
    }
  };
}
