import type { VerifyReport } from '@qianbao/ledger';

/** The report of `qianbao verify`, for people: counts, the journal's keying, trial balance, every problem. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [
    `Ledger verification: ${report.ok ? 'OK' : 'BROKEN'}`,
    `  journal batches  ${report.batches}`,
    `  transfers        ${report.transfers}`,
    `  accounts         ${report.accounts}`,
    `  journal keying   ${journalKeying(report.journal)}`,
    `  checkpoints      ${checkpoints(report.checkpoints)}`,
    '',
    ...trialBalanceTable(report.trialBalance),
  ];
  if (report.problems.length > 0) {
    // Every broken place (the ledger bounds the list): an account, a record, a limit counter.
    lines.push('', `Problems found: ${report.problemsFound}`);
    for (const problem of report.problems) lines.push(`  - ${problem}`);
    const unlisted = report.problemsFound - report.problems.length;
    if (unlisted > 0) lines.push(`  … and ${unlisted} more not listed`);
  }
  return lines.join('\n');
}

function journalKeying(journal: VerifyReport['journal']): string {
  if (journal.keyedFromSeq === null) return 'not sealed (plain SHA-256)';
  const from =
    journal.keyedFromSeq === 1n
      ? 'keyed from the first record'
      : `keyed from record ${journal.keyedFromSeq} (records before it predate keyed hashing)`;
  return `${from}; ${journal.keyChecked ? 'keyed hashes checked' : 'keyed hashes NOT checked'}`;
}

function checkpoints(summary: VerifyReport['checkpoints']): string {
  if (summary === null) return 'none checked (no checkpoint file): a cut-off journal tail would not show';
  const newest =
    summary.newest === null ? '' : `; newest saw record ${summary.newest.seq} at ${summary.newest.at}`;
  return `${summary.authentic} of ${summary.lines} line(s) authentic${newest}`;
}

function trialBalanceTable(rows: VerifyReport['trialBalance']): string[] {
  if (rows.length === 0) return ['Trial balance: no accounts yet'];
  const header = ['currency', 'debits posted', 'credits posted', 'debits pending', 'credits pending'];
  const cells = rows.map((row) => [
    row.currency,
    row.debitsPosted.toString(),
    row.creditsPosted.toString(),
    row.debitsPending.toString(),
    row.creditsPending.toString(),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => cell[column]!.length)),
  );
  const format = (cell: string[]) =>
    `  ${cell.map((text, column) => (column === 0 ? text.padEnd(widths[0]!) : text.padStart(widths[column]!))).join('  ')}`;
  return ['Trial balance (minor units):', format(header), ...cells.map(format)];
}
