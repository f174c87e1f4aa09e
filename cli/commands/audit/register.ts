import type { Command } from 'commander';
import { registerAuditVerify } from './verify.ts';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('tools for data protection officers: verify, export, query and report on the audit log');
  registerAuditVerify(audit);
}
