import { parseArgs } from 'node:util';
import {
  FundingStore,
  SandboxBank,
  SecretBox,
  openDatabase,
  reconcileFunding,
  reportJson,
  resolveSecretKey,
  settlementBankOperations,
} from '@qianbao/server';
import type { Config } from '@qianbao/server';

const USAGE = `Usage: qianbao reconcile [--date YYYY-MM-DD]

Compares the bank's settlement file of a day (Asia/Shanghai; default yesterday) with the wallet's
top-ups, withdrawals, transfers to bank accounts and merchants' settlements, and prints the report as JSON: missing (the bank has it, we don't), extra
(we have it, the bank doesn't), amountMismatch and statusMismatch. Exit 1 when anything differs.
Sandbox mode reads the sandbox bank; the same report is at GET /v1/operator/reconciliation.`;

export async function reconcileCommand(args: readonly string[], config: Config): Promise<0 | 1 | 2> {
  let values: { date?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { date: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (config.mode !== 'sandbox') {
    console.error('No bank integration is configured outside sandbox mode; use the operator API.');
    return 2;
  }
  const date =
    values.date ??
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 86_400_000));
  const database = await openDatabase({
    config,
    print: (line) => process.stderr.write(`${line}\n`),
    whenEmbeddedRunning: 'connect',
  });
  const secretBox = new SecretBox(
    resolveSecretKey(config, (line) => process.stderr.write(`${line}\n`)),
    config.dataKeys,
  );
  const bank = new SandboxBank({ pool: database.pool, secretBox, latencyMs: { min: 0, max: 0 } });
  try {
    const report = await reconcileFunding({
      store: new FundingStore(database.pool),
      bank,
      date,
      now: new Date(),
      // Merchants' payouts to cards go through the same bank account.
      others: [settlementBankOperations(database.pool)],
    });
    console.log(JSON.stringify(reportJson(report), null, 2));
    return report.mismatches === 0 ? 0 : 1;
  } catch (error) {
    if ((error as { code?: string }).code === 'RECONCILIATION_DATE_INVALID')
      return usage(`--date ${date} is not a valid past date`);
    throw error;
  } finally {
    await bank.close();
    await database.close();
  }
}

function usage(problem: string | null): 2 {
  console.error(problem ? `qianbao reconcile: ${problem}\n\n${USAGE}` : USAGE);
  return 2;
}
