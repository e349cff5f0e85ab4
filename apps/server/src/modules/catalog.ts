/**
 * Every module, listed once (modules/README.md). Core derives from this list: the error table
 * (../errors.ts), the schema and the job queues (../migrations.ts) and the modules' settings
 * (../config.ts, `config.modules`). The order is the order of their migrations.
 *
 * `qianbao new-module <name>` adds a line here.
 */
import { checkCatalog } from './kit.ts';
import { cardsDeclaration } from './cards/module.ts';
import { fundingDeclaration } from './funding/module.ts';
import { historyDeclaration } from './history/module.ts';
import { identityDeclaration } from './identity/module.ts';
import { kycDeclaration } from './kyc/module.ts';
import { notificationsDeclaration } from './notifications/module.ts';
import { operatorDeclaration } from './operator/module.ts';
import { securityDeclaration } from './security/module.ts';
import { transfersDeclaration } from './transfers/module.ts';
import { riskDeclaration } from './risk/module.ts';
import { freezeDeclaration } from './freeze/module.ts';
import { merchantsDeclaration } from './merchants/module.ts';
import { redPacketsDeclaration } from './redpackets/module.ts';
import { splitsDeclaration } from './splits/module.ts';
import { developersDeclaration } from './developers/module.ts';
import { consoleDeclaration } from './console/module.ts';
import { approvalsDeclaration } from './approvals/module.ts';
import { supportDeclaration } from './support/module.ts';
import { disputesDeclaration } from './disputes/module.ts';
import { helpDeclaration } from './help/module.ts';
// new-module: imports

export const MODULES = [
  identityDeclaration,
  notificationsDeclaration,
  securityDeclaration,
  kycDeclaration,
  operatorDeclaration,
  transfersDeclaration,
  cardsDeclaration,
  fundingDeclaration,
  historyDeclaration,
  riskDeclaration,
  freezeDeclaration,
  merchantsDeclaration,
  redPacketsDeclaration,
  splitsDeclaration,
  developersDeclaration,
  consoleDeclaration,
  approvalsDeclaration,
  supportDeclaration,
  disputesDeclaration,
  helpDeclaration,
  // new-module: above this line
] as const;

/** 00 is the ledger's and core's (idempotency 0050, outbox 0060, payments 0070); 09 the adapters'. */
export const RESERVED_HUNDREDS = [0, 9] as const;

checkCatalog(MODULES, RESERVED_HUNDREDS);
