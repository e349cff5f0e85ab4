import type { VerifyReport } from '@qianbao/ledger';

/** The report of `qianbao verify`, for people: counts, trial balance, and the first problem. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [
    `Ledger verification: ${report.ok ? 'OK' : 'BROKEN'}`,
    `  journal batches  ${report.batches}`,
    `  transfers        ${report.transfers}`,
    `  accounts         ${report.accounts}`,
    '',
    ...trialBalanceTable(report.trialBalance),
  ];
  const [firstProblem, ...otherProblems] = report.problems;
  if (firstProblem !== undefined) {
    lines.push('', `First problem: ${firstProblem}`);
    // Later problems are often consequences of the first: fix that one first.
    if (otherProblems.length > 0) lines.push(`  (and ${otherProblems.length} more found)`);
  }
  return lines.join('\n');
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
