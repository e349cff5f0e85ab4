import { parseArgs } from 'node:util';
import { migrate } from '@qianbao/db';
import {
  AppError,
  DEFAULT_OPERATOR_CONFIG,
  OPERATOR_ROLES,
  OperatorService,
  SecretBox,
  allMigrations,
  openDatabase,
  resolveSecretKey,
} from '@qianbao/server';
import type { AuditVerifyReport, Config, OperatorRole } from '@qianbao/server';

const USAGE = `Usage: qianbao operator create --username NAME [--role admin|kyc_reviewer|support|risk|finance] [--name "Display Name"]

Makes an operator account and prints, once, its password and the TOTP secret to add to an
authenticator app. Operators sign in at POST /v1/operator/login with both.`;

export async function operatorCommand(args: readonly string[], config: Config): Promise<0 | 1 | 2> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'create') {
    console.error(USAGE);
    return 2;
  }
  let values: { username?: string; role?: string; name?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        username: { type: 'string' },
        role: { type: 'string', default: 'admin' },
        name: { type: 'string' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const username = values.username?.trim().toLowerCase();
  if (!username || !/^[a-z][a-z0-9._-]{2,31}$/.test(username)) {
    console.error(`--username must be 3–32 characters: a letter, then letters, digits, . _ -\n\n${USAGE}`);
    return 2;
  }
  if (!OPERATOR_ROLES.includes(values.role as OperatorRole)) {
    console.error(`--role must be one of ${OPERATOR_ROLES.join(', ')}`);
    return 2;
  }
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const database = await openDatabase({ config, print: progress, whenEmbeddedRunning: 'connect' });
  try {
    await migrate(database.pool, allMigrations);
    const service = new OperatorService({
      pool: database.pool,
      secrets: new SecretBox(resolveSecretKey(config, progress), config.dataKeys),
      config: DEFAULT_OPERATOR_CONFIG,
      now: () => new Date(),
      issuer: 'Qianbao',
    });
    const created = await service.create({
      username,
      role: values.role as OperatorRole,
      ...(values.name ? { displayName: values.name } : {}),
    });
    console.log(`Operator ${created.operator.username} (${created.operator.role}) created.`);
    console.log('Shown once — keep them safe:');
    console.log(`  password:    ${created.password}`);
    console.log(`  TOTP secret: ${created.totpSecret}`);
    console.log(`  otpauth URI: ${created.otpauthUri}`);
    console.log(
      'Add the secret (or URI) to an authenticator app; sign in with the password and its 6-digit code.',
    );
    return 0;
  } catch (error) {
    if (error instanceof AppError && error.code === 'OPERATOR_EXISTS') {
      console.error(`An operator named ${username} already exists.`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

/** The audit log's part of `qianbao verify` (null: no key, the chain cannot be checked). */
export function formatAuditReport(report: AuditVerifyReport | null): string {
  if (report === null) return 'operator audit log: not checked (no key: QIANBAO_SECRET_KEY is unset)';
  const checkpoints = `  checkpoints      ${auditCheckpoints(report.checkpoints)}`;
  if (report.ok) {
    const legacy =
      report.unchained > 0
        ? `, ${report.unchained} written before the chain (chained at the next action)`
        : '';
    return `operator audit log: ok — ${report.entries} entries, chain intact${legacy}\n${checkpoints}`;
  }
  const lines = [
    `operator audit log: TAMPERED — first broken entry #${report.firstBrokenSeq ?? '?'}; ` +
      `${report.problemCount} problem(s) in ${report.entries} entries:`,
    ...report.problems.map((problem) =>
      problem.seq === null ? `  ${problem.problem}` : `  entry #${problem.seq}: ${problem.problem}`,
    ),
  ];
  if (report.problemCount > report.problems.length)
    lines.push(`  … and ${report.problemCount - report.problems.length} more`);
  lines.push(checkpoints);
  return lines.join('\n');
}

function auditCheckpoints(summary: AuditVerifyReport['checkpoints']): string {
  if (summary === null) return 'none checked (no checkpoint file): deleted newest entries would not show';
  const newest =
    summary.newest === null ? '' : `; newest saw entry ${summary.newest.seq} at ${summary.newest.at}`;
  return `${summary.authentic} of ${summary.lines} audit line(s) authentic${newest}`;
}
