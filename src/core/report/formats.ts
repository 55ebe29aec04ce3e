/**
 * The report formats' entry point: renders a run in a published format, loading that format's module
 * (and its library: csv-stringify, fast-xml-parser) only when it is asked for, so `cis-bot --help` and a
 * text or JSON audit never load them. Text and JSON stay with the CLI (cards and the stable JSON report).
 */
import type { AuditOutputFormat } from '../inputs';
import type { HubTarget } from './asff';
import type { ReportRun } from './results';

export type ReportFormat = Exclude<AuditOutputFormat, 'text' | 'json'>;

export function isReportFormat(format: AuditOutputFormat): format is ReportFormat {
  return format !== 'text' && format !== 'json';
}

/** ASFF findings belong to the Security Hub they are for: the account and region cis-bot runs in. */
export function needsHub(format: AuditOutputFormat): boolean {
  return format === 'asff';
}

export interface RenderContext {
  /** Required for `asff`. */
  hub?: HubTarget;
}

export function renderReport(format: ReportFormat, run: ReportRun, context: RenderContext = {}): string {
  switch (format) {
    case 'csv':
      return (require('./csv') as typeof import('./csv')).renderCsv(run);
    case 'markdown':
      return (require('./markdown') as typeof import('./markdown')).renderMarkdown(run);
    case 'junit':
      return (require('./junit') as typeof import('./junit')).renderJunit(run);
    case 'sarif':
      return (require('./sarif') as typeof import('./sarif')).renderSarif(run);
    case 'ocsf':
      return (require('./ocsf') as typeof import('./ocsf')).renderOcsf(run);
    case 'asff': {
      if (!context.hub) throw new Error('ASFF output needs the Security Hub account and region');
      return (require('./asff') as typeof import('./asff')).renderAsff(run, context.hub);
    }
    default:
      return format satisfies never;
  }
}
