/**
 * The stable identity of a (control, account) result, the same on every run: Security Hub updates the
 * finding with this Id instead of adding one (so a fixed account's finding turns PASSED / RESOLVED), SARIF
 * matches results across runs by it (partialFingerprints), and OCSF carries it as finding_info.uid.
 * Changing the scheme orphans every finding already exported: only ever add a new one beside it.
 */

/** Security Hub's spelling of a standard's path (`cis-aws-foundations-benchmark/v/1.4.0`), for v4.0.0. */
export const STANDARD_PATH = 'cis-aws-foundations-benchmark/v/4.0.0';

/** Groups the findings of one control (ASFF GeneratorId, SARIF rule). */
export function generatorId(controlId: string): string {
  return `cis-bot/${STANDARD_PATH}/${controlId}`;
}

/** `cis-bot/cis-aws-foundations-benchmark/v/4.0.0/4.1/111122223333`. */
export function findingId(controlId: string, accountId: string): string {
  return `${generatorId(controlId)}/${accountId}`;
}
