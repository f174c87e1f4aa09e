import type { Command } from 'commander';
import { registerAuditQuery } from './query.ts';
import { registerAuditReport } from './report.ts';
import { registerAuditVerifierKey } from './verifier-key.ts';
import { registerAuditVerify } from './verify.ts';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('tools for data protection officers: verify, export, query and report on the audit log, and print its verifier key');
  registerAuditVerify(audit);
  registerAuditVerifierKey(audit);
  registerAuditQuery(audit);
  registerAuditReport(audit);
}
