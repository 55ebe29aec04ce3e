/** Findings to neutral cards, by notification level. */
export {
  accountCard,
  accountName,
  LINK_MARK,
  type PresentOptions,
  presentAudit,
  STATUS_WORD,
  summaryCard,
} from './audit-cards';
