/** The pure audit evaluation: findings types and `evaluate(control, snapshot)` (the auditor port is in core/ports). */
export { type AcceptedDeviation, patternHash } from './accepted-deviations';
export { evaluate } from './evaluate';
export { closeness, type FilterJudgement, judgeFilter } from './filter-judge';
export {
  type AccountFinding,
  type AccountStatus,
  type AuditReport,
  type AuditStats,
  type AuditSummary,
  type ChainRef,
  type Evidence,
  exitCodeFor,
  LINKS,
  type LinkName,
  type LinkResult,
  type LinkStatus,
  summarize,
} from './findings';
export { type ManagementCoverage, managementCoverage } from './management-events';
export { cloudWatchCanPublish, type PolicyVerdict } from './topic-policy';
