#!/usr/bin/env node
import { Command } from 'commander';
import { isHubError } from '../lib/errors/hub-error.ts';
import { registerAccessLog } from './commands/access-log.ts';
import { registerAudit } from './commands/audit/register.ts';
import { registerBulk } from './commands/bulk.ts';
import { registerConnector } from './commands/connector.ts';
import { registerConsole } from './commands/console.ts';
import { registerConsent } from './commands/consent/register.ts';
import { registerDemo } from './commands/demo.ts';
import { registerEvidence } from './commands/evidence.ts';
import { registerKafka } from './commands/kafka.ts';
import { registerKeygen } from './commands/keygen.ts';
import { registerNode } from './commands/node.ts';
import { registerRequest } from './commands/request.ts';

const program = new Command('xhub').description('exchange-hub: inter-agency data exchange over Kafka').showHelpAfterError()
  // `xhub connector check --config` is the subcommand's own option, not the parent's.
  .enablePositionalOptions();
registerDemo(program);
registerNode(program);
registerConnector(program);
registerKeygen(program);
registerRequest(program);
registerBulk(program);
registerConsent(program);
registerKafka(program);
registerAudit(program);
registerEvidence(program);
registerAccessLog(program);
registerConsole(program);

program.parseAsync().catch((error: unknown) => {
  console.error(isHubError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error));
  process.exit(1);
});
