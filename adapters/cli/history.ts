/**
 * `cis-bot history`: the store's append-only audit log (audits, plans, approval requests and decisions,
 * refusals, execution start, every step, execution end): the newest N entries in the order they happened
 * (oldest first, so it reads like a log), as text lines or JSON, from the configured store (store.path /
 * CIS_BOT_DB, or store.url / DATABASE_URL). The demo shows the log in the same order.
 */
import type { Command } from 'commander';
import { loadCliConfig, openCliStore } from '../../src/cli-runtime';
import type { OutputFormat } from '../../src/core/inputs';
import type { AuditLogEntry, Store } from '../../src/core/ports/store';
import type { CliContext } from './io';
import { configOption, outputOption, wholeNumber } from './options';

export interface HistoryCliOptions {
  limit: number;
  approval?: string;
  output: OutputFormat;
  config?: string;
}

type Detail = Record<string, unknown>;

const text = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);

/** One line saying what an entry is about, by kind. */
export function summarizeEntry(entry: AuditLogEntry): string {
  const d = (entry.detail && typeof entry.detail === 'object' ? entry.detail : {}) as Detail;
  switch (entry.kind) {
    case 'audit':
      return `${text(d.purpose)}: ${text(d.status)}${d.brokenLink ? ` (${text(d.brokenLink)})` : ''}: ${text(d.reason)}`;
    case 'plan': {
      const steps = Array.isArray(d.steps) ? d.steps.length : 0;
      return `${text(d.kind)}: ${steps} step(s), plan ${entry.planHash?.slice(0, 12) ?? ''}`;
    }
    case 'step':
      return `${text(d.status)}: ${text(d.title)}${d.errorCode ? ` [${text(d.errorCode)}]` : ''}${d.status === 'failed' ? `: ${text(d.detail)}` : ''}`;
    case 'execution-finished': {
      const result = (d.result && typeof d.result === 'object' ? d.result : {}) as Detail;
      const reaudit = (result.reaudit && typeof result.reaudit === 'object' ? result.reaudit : {}) as Detail;
      return `${text(d.outcome)}${result.status ? ` (${text(result.status)}, re-audit ${text(reaudit.status ?? reaudit.error)})` : ''}${d.error ? `: ${text(d.error)}` : ''}`;
    }
    case 'refused':
      return `${text(d.decision)} refused (${text(d.reason)})${d.message ? `: ${text(d.message)}` : ''}`;
    case 'approval-requested':
      return `expires ${text(d.expiresAt)}`;
    case 'approved':
    case 'rejected':
      return `${text(d.decision ?? entry.kind)}${d.automatic ? ' (automatic)' : ''}${d.reason ? `: ${text(d.reason)}` : ''}`;
    case 'execution-started':
    case 'execution-resumed':
      return `owner ${text(d.owner)}${d.previousOwner ? ` (after ${text(d.previousOwner)})` : ''}`;
    case 'stale':
      return `plan changed: approved ${text(d.approvedPlanHash).slice(0, 12)}, now ${text(d.currentPlanHash).slice(0, 12)}`;
    default: {
      const line = text(entry.detail);
      return line.length > 160 ? `${line.slice(0, 159)}…` : line;
    }
  }
}

export function renderHistoryText(entries: readonly AuditLogEntry[]): string {
  if (entries.length === 0) return 'The audit log is empty.\n';
  const lines = entries.map((e) => {
    const who = e.actor ? `${e.actor.platform}:${e.actor.userId}` : (e.platform ?? '-');
    const what = [e.control, e.accountId].filter(Boolean).join(' ') || '-';
    const approval = e.approvalId ? ` approval ${e.approvalId}` : '';
    return `#${e.seq} ${e.at} ${e.kind.padEnd(18)} ${who} ${what}${approval}: ${summarizeEntry(e)}`;
  });
  return `${lines.join('\n')}\n`;
}

/** The newest `limit` entries, oldest first: the one order of every listing of the log in the CLI. */
export async function recentEntries(
  store: Pick<Store, 'listAuditLog'>,
  filter: { limit: number; approvalId?: string },
): Promise<AuditLogEntry[]> {
  const newestFirst = await store.listAuditLog(filter);
  return [...newestFirst].reverse();
}

async function history(ctx: CliContext, opts: HistoryCliOptions): Promise<void> {
  const store = await openCliStore(await loadCliConfig(ctx.io, opts.config), ctx.io);
  try {
    const entries = await recentEntries(store, {
      limit: opts.limit,
      ...(opts.approval ? { approvalId: opts.approval } : {}),
    });
    ctx.io.stdout(
      opts.output === 'json' ? `${JSON.stringify(entries, null, 2)}\n` : renderHistoryText(entries),
    );
  } finally {
    await store.close();
  }
}

export function registerHistoryCommand(program: Command, ctx: CliContext): void {
  program
    .command('history')
    .description(
      'list the audit log (audits, plans, approvals, executed steps): the newest entries, oldest first',
    )
    .option(
      '--limit <n>',
      'how many of the newest entries to show (oldest first)',
      wholeNumber(1, 10_000),
      50,
    )
    .option('--approval <id>', 'only the entries of one approval')
    .addOption(outputOption())
    .addOption(configOption())
    .action((opts: HistoryCliOptions) => history(ctx, opts));
}
