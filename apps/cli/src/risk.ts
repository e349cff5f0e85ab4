/**
 * `qianbao risk evaluate`: measure a risk rule set on the seeded synthetic world
 * (apps/server/src/modules/risk/synthetic): recall per fraud pattern, overall precision, and the
 * decisions taken. The world, the state and the engine all live in memory; only `--version`
 * reads a stored rule set from the database.
 *
 * `qianbao risk backtest --version N`: judge the decisions stored in a period again under rule
 * set N (docs/risk.md "Backtests") and print what would change.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_RULE_SET } from '../../server/src/modules/risk/engine/default-rules.ts';
import { parseRuleSet } from '../../server/src/modules/risk/engine/rules.ts';
import { DECISIONS } from '../../server/src/modules/risk/engine/types.ts';
import type { RuleSet } from '../../server/src/modules/risk/engine/types.ts';
import { DEFAULT_SEED, evaluateRuleSet } from '../../server/src/modules/risk/synthetic/evaluate.ts';
import type { Evaluation } from '../../server/src/modules/risk/synthetic/evaluate.ts';
import { FRAUD_PATTERNS, generate } from '../../server/src/modules/risk/synthetic/generator.ts';
import { backtest } from '../../server/src/modules/risk/backtest.ts';
import type { Backtest } from '../../server/src/modules/risk/backtest.ts';
import { toRuleSet } from '../../server/src/modules/risk/service.ts';
import type { RiskStore } from '../../server/src/modules/risk/store.ts';

const MIN_HOLDERS = 2;
const MAX_HOLDERS = 20_000;
const MAX_DAYS = 120;

const USAGE = `Usage: qianbao risk evaluate [--seed N] [--holders N] [--days N] [--rules FILE.json | --version N|active]
       qianbao risk backtest --version N [--from ISO-TIME] [--to ISO-TIME] [--sample N]

Plays a seeded synthetic world of wallet holders (normal behaviour and six fraud patterns) through
the risk engine and prints, per pattern, the fraud events, how many were flagged (any decision but
allow) and the recall; then the overall precision and the count of each decision. The same seed
gives the same figures. Without --rules the shipped default rule set is measured.

  --seed N      the world's seed (default ${DEFAULT_SEED})
  --holders N   ordinary holders, ${MIN_HOLDERS}–${MAX_HOLDERS} (default 1000)
  --days N      measured days after a 14-day warm-up, 1–${MAX_DAYS} (default 30)
  --rules FILE  a rule set as JSON (the stored shape: version, thresholds, rules)
  --version V   a rule set of the database: its version number, or "active"

backtest: every decision stored from --from (default: 30 days ago) to --to (default: now) is
judged again under rule set --version, on the features it was made on; prints how many would be
decided differently, by change, and up to --sample of them (default 20).`;

/** Where the command writes: the terminal, or a test's collector. */
export interface Output {
  print: (line: string) => void;
  error: (line: string) => void;
}

const TERMINAL: Output = { print: (line) => console.log(line), error: (line) => console.error(line) };

/** The database, for the subcommands that read stored rule sets and decisions. */
export type OpenStore = () => Promise<{ store: RiskStore; close: () => Promise<void> }>;

export async function riskCommand(
  args: readonly string[],
  output: Output = TERMINAL,
  openStore?: OpenStore,
): Promise<0 | 1 | 2> {
  const { print } = output;
  const usage = (problem: string | null): 2 => {
    output.error(problem ? `qianbao risk: ${problem}\n\n${USAGE}` : USAGE);
    return 2;
  };
  const [subcommand, ...rest] = args;
  if (subcommand === 'backtest') return backtestCommand(rest, output, usage, openStore);
  if (subcommand !== 'evaluate') {
    return usage(subcommand === undefined ? null : `unknown risk command "${subcommand}"`);
  }
  let values: {
    seed?: string;
    holders?: string;
    days?: string;
    rules?: string;
    version?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        seed: { type: 'string' },
        holders: { type: 'string' },
        days: { type: 'string' },
        rules: { type: 'string' },
        version: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    print(USAGE);
    return 0;
  }
  if (values.rules !== undefined && values.version !== undefined)
    return usage('give --rules or --version, not both');
  const seed = wholeNumber(values.seed, DEFAULT_SEED, 0, Number.MAX_SAFE_INTEGER);
  const holders = wholeNumber(values.holders, 1000, MIN_HOLDERS, MAX_HOLDERS);
  const days = wholeNumber(values.days, 30, 1, MAX_DAYS);
  if (seed === null) return usage('--seed must be a whole number ≥ 0');
  if (holders === null)
    return usage(`--holders must be a whole number from ${MIN_HOLDERS} to ${MAX_HOLDERS}`);
  if (days === null) return usage(`--days must be a whole number from 1 to ${MAX_DAYS}`);

  let ruleSet: RuleSet = DEFAULT_RULE_SET;
  let source = 'the default rule set';
  if (values.rules !== undefined) {
    const loaded = await loadRuleSet(values.rules);
    if (!loaded.ok) {
      output.error(`qianbao risk: ${values.rules}: ${loaded.problem}`);
      return 2;
    }
    ruleSet = loaded.ruleSet;
    source = values.rules;
  }
  if (values.version !== undefined) {
    if (values.version !== 'active' && !/^[1-9]\d{0,6}$/.test(values.version))
      return usage('--version must be a version number or "active"');
    if (!openStore) return usage('--version needs the database');
    const stored = await withStore(openStore, (store) =>
      values.version === 'active' ? store.activeRuleSet() : store.ruleSet(Number(values.version)),
    );
    if (!stored) {
      output.error(`qianbao risk: no rule set ${values.version} in the database`);
      return 1;
    }
    ruleSet = toRuleSet(stored);
    source = `the database's rule set (${stored.status})`;
  }

  const stream = generate(seed, { holders, days });
  const evaluation = await evaluateRuleSet(ruleSet, stream);
  print(
    `Seed ${seed}, ${holders} holders, ${days} days (after a 14-day warm-up); ${source}, version ${ruleSet.version}`,
  );
  print('');
  for (const line of formatEvaluation(evaluation)) print(line);
  return 0;
}

/** The report's lines: the pattern table, precision, then the decisions table. */
export function formatEvaluation(evaluation: Evaluation): string[] {
  const lines: string[] = [];
  const row = (cells: string[], widths: number[]) =>
    cells
      .map((cell, index) => (index === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[index] ?? 0)))
      .join('  ');
  const patternWidths = [18, 12, 7, 6];
  lines.push(row(['pattern', 'fraud events', 'flagged', 'recall'], patternWidths));
  for (const pattern of FRAUD_PATTERNS) {
    const figures = evaluation.patterns[pattern];
    lines.push(
      row(
        [pattern, String(figures.events), String(figures.flagged), fraction(figures.recall)],
        patternWidths,
      ),
    );
  }
  const { overall } = evaluation;
  lines.push(
    row(
      ['all fraud', String(overall.fraudEvents), String(overall.truePositives), fraction(overall.recall)],
      patternWidths,
    ),
  );
  lines.push('');
  lines.push(
    `precision ${fraction(overall.precision)} (${overall.truePositives} fraud of ${overall.flagged} flagged; ` +
      `${overall.falsePositives} of ${overall.normalEvents} normal payments flagged)`,
  );
  lines.push('');
  const decisionWidths = [10, 15, 14, 8];
  lines.push(row(['decision', 'normal payments', 'fraud payments', 'sign-ins'], decisionWidths));
  for (const decision of DECISIONS) {
    lines.push(
      row(
        [
          decision,
          String(evaluation.decisions.normal[decision]),
          String(evaluation.decisions.fraud[decision]),
          String(evaluation.decisions.sign_in[decision]),
        ],
        decisionWidths,
      ),
    );
  }
  return lines;
}

async function backtestCommand(
  args: readonly string[],
  output: Output,
  usage: (problem: string | null) => 2,
  openStore: OpenStore | undefined,
): Promise<0 | 1 | 2> {
  let values: { version?: string; from?: string; to?: string; sample?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        version: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        sample: { type: 'string' },
      },
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.version === undefined || !/^[1-9]\d{0,6}$/.test(values.version))
    return usage('backtest needs --version N');
  const to = values.to === undefined ? new Date() : new Date(values.to);
  const from = values.from === undefined ? new Date(to.getTime() - 30 * 86_400_000) : new Date(values.from);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to)
    return usage('--from and --to must be ISO 8601 times, --from before --to');
  const sample = wholeNumber(values.sample, 20, 0, 1000);
  if (sample === null) return usage('--sample must be a whole number from 0 to 1000');
  if (!openStore) return usage('backtest needs the database');
  const version = Number(values.version);
  const result = await withStore(openStore, async (store) => {
    const stored = await store.ruleSet(version);
    return stored ? backtest(store, toRuleSet(stored), { from, to, sample }) : null;
  });
  if (!result) {
    output.error(`qianbao risk: no rule set ${version} in the database`);
    return 1;
  }
  for (const line of formatBacktest(result)) output.print(line);
  return 0;
}

/** The backtest's lines: totals, changes by kind, then the sample. */
export function formatBacktest(result: Backtest): string[] {
  const lines = [
    `Rule set ${result.version} on the decisions from ${result.from.toISOString()} to ${result.to.toISOString()}:`,
    `${result.judged} judged again, ${result.changed} decided differently`,
  ];
  for (const [change, count] of Object.entries(result.byChange).sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${change.padEnd(18)} ${String(count).padStart(8)}`);
  }
  if (result.differences.length > 0) {
    lines.push('', 'at                        kind            amount (fen)  was → now   fired now');
    for (const d of result.differences) {
      lines.push(
        `${d.at.toISOString().padEnd(25)} ${d.kind.padEnd(15)} ${String(d.amountMinor ?? '—').padStart(12)}  ` +
          `${d.was.decision} → ${d.now.decision}   ${d.now.fired.join(', ') || '—'}`,
      );
    }
  }
  return lines;
}

async function withStore<T>(openStore: OpenStore, work: (store: RiskStore) => Promise<T>): Promise<T> {
  const { store, close } = await openStore();
  try {
    return await work(store);
  } finally {
    await close();
  }
}

async function loadRuleSet(
  file: string,
): Promise<{ ok: true; ruleSet: RuleSet } | { ok: false; problem: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON: ${(error as Error).message}` };
  }
  const parsed = parseRuleSet(json);
  return parsed.ok
    ? parsed
    : { ok: false, problem: `not a valid rule set:\n  ${parsed.problems.slice(0, 20).join('\n  ')}` };
}

function wholeNumber(text: string | undefined, fallback: number, min: number, max: number): number | null {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : null;
}

function fraction(value: number | null): string {
  return value === null ? '—' : value.toFixed(3);
}
