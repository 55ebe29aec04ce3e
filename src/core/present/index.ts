/**
 * Every card the core shows, built here and nowhere else: neutral cards (src/core/cards.ts) that each
 * adapter renders for its platform. One file per subject: audits, digests, schedules, remediations, the
 * read-only commands and notices.
 */
export {
  accountCard,
  accountName,
  LINK_MARK,
  type PresentOptions,
  presentAudit,
  STATUS_WORD,
  summaryCard,
} from './audit-cards';
export {
  DEFAULT_DIGEST_LIMITS,
  DIGEST_STATUS_WORD,
  type DigestCardsInput,
  type DigestLimits,
  digestCards,
} from './digest-cards';
export { decidedDrillCard, drillProgressCard, drillRequestCard, drillResultCard } from './drill-cards';
export { helpCard, historyCard, noticeCard, statusCard, stoppedCard } from './info-cards';
export { decidedPlanCard, iacCard, planCard, progressCard, resultCard } from './remediation-cards';
export { resumedCard } from './resume-cards';
export { digestReceipt, type PlatformLabel, scheduleListCard } from './schedule-cards';
export { cardWithVerdict } from './verdict';
