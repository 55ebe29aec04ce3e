/** Schema version 4: what an approval approves. Every approval before it approved a remediation plan. */
import type { SchemaMigration } from './schema-migration';

export const approvalKinds: SchemaMigration = {
  version: 4,
  name: 'approval kinds (what an approval approves)',
  sqlite: `
ALTER TABLE approvals ADD COLUMN kind TEXT NOT NULL DEFAULT 'remediation';
`,
  postgres: `
ALTER TABLE approvals ADD COLUMN kind text NOT NULL DEFAULT 'remediation';
`,
};
