import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { RiskStore } from '../../server/src/modules/risk/store.ts';
import { DEFAULT_RULE_SET } from '../../server/src/modules/risk/engine/default-rules.ts';
import { FRAUD_PATTERNS } from '../../server/src/modules/risk/synthetic/generator.ts';
import { riskCommand } from './risk.ts';
import { runQianbao } from './testing.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'qianbao-risk-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; lines: string[]; errors: string }> {
  const lines: string[] = [];
  let errors = '';
  const code = await riskCommand(args, {
    print: (line) => lines.push(...line.split('\n')),
    error: (line) => (errors += `${line}\n`),
  });
  return { code, lines, errors };
}

describe('qianbao risk evaluate', () => {
  it('prints recall per pattern, precision and decisions whose figures add up', async () => {
    const { code, lines } = await run(['evaluate', '--seed', '3', '--holders', '120', '--days', '4']);
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^Seed 3, 120 holders, 4 days .*the default rule set, version 1$/);
    let fraudEvents = 0;
    let fraudFlagged = 0;
    for (const pattern of FRAUD_PATTERNS) {
      const line = lines.find((candidate) => candidate.startsWith(`${pattern} `));
      const match = /^\S+\s+(\d+)\s+(\d+)\s+(\d\.\d{3}|—)$/.exec(line ?? '');
      expect([pattern, match !== null]).toEqual([pattern, true]);
      const [events, flagged, recall] = [Number(match![1]), Number(match![2]), match![3]!];
      expect(flagged).toBeLessThanOrEqual(events);
      if (events > 0) expect(Number(recall)).toBeCloseTo(flagged / events, 3);
      fraudEvents += events;
      fraudFlagged += flagged;
    }
    expect(fraudEvents).toBeGreaterThan(0);
    const all = /^all fraud\s+(\d+)\s+(\d+)\s+(\d\.\d{3})$/.exec(
      lines.find((line) => line.startsWith('all fraud')) ?? '',
    );
    expect(all?.slice(1, 3).map(Number)).toEqual([fraudEvents, fraudFlagged]);

    const precision =
      /^precision (\d\.\d{3}|—) \((\d+) fraud of (\d+) flagged; (\d+) of (\d+) normal payments flagged\)$/.exec(
        lines.find((line) => line.startsWith('precision')) ?? '',
      );
    expect(precision).not.toBeNull();
    const [truePositives, flagged, falsePositives, normal] = precision!.slice(2).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    expect(truePositives).toBe(fraudFlagged);
    expect(flagged).toBe(truePositives + falsePositives);
    if (flagged > 0) expect(Number(precision![1])).toBeCloseTo(truePositives / flagged, 3);

    const decisions = new Map<string, number[]>();
    for (const decision of ['allow', 'step_up', 'review', 'block']) {
      const match = new RegExp(`^${decision}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$`).exec(
        lines.find((line) => line.startsWith(`${decision} `)) ?? '',
      );
      expect([decision, match !== null]).toEqual([decision, true]);
      decisions.set(decision, match!.slice(1).map(Number));
    }
    const column = (index: number) =>
      [...decisions.values()].reduce((sum, counts) => sum + (counts[index] ?? 0), 0);
    expect(column(0)).toBe(normal);
    expect(column(1)).toBe(fraudEvents);
    expect(decisions.get('allow')![0]).toBe(normal - falsePositives);
  });

  it('measures a rule set from a file, and refuses an invalid one', async () => {
    const file = path.join(directory, 'rules.json');
    writeFileSync(file, JSON.stringify({ ...DEFAULT_RULE_SET, version: 42, rules: [] }));
    const empty = await run(['evaluate', '--holders', '60', '--days', '2', '--rules', file]);
    expect(empty.code).toBe(0);
    expect(empty.lines[0]).toContain('version 42');
    expect(empty.lines.find((line) => line.startsWith('all fraud'))).toMatch(/\s0\s+0\.000$/);

    const invalid = path.join(directory, 'invalid.json');
    writeFileSync(
      invalid,
      JSON.stringify({ ...DEFAULT_RULE_SET, thresholds: { stepUp: 90, review: 75, block: 65 } }),
    );
    const refused = await run(['evaluate', '--rules', invalid]);
    expect(refused.code).toBe(2);
    expect(refused.errors).toMatch(/not a valid rule set:\n {2}thresholds: thresholds must satisfy/);
    const missing = await run(['evaluate', '--rules', path.join(directory, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.errors).toMatch(/ENOENT/);
  });

  it('refuses bad arguments', async () => {
    const few = await run(['evaluate', '--holders', '1']);
    expect(few.code).toBe(2);
    expect(few.errors).toMatch(/--holders must be a whole number from 2 to 20000/);
    expect((await run(['evaluate', '--days', 'x'])).code).toBe(2);
    expect((await run(['evaluate', '--seed', '-1'])).code).toBe(2);
    expect((await run(['backtest'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
  });
});

describe('qianbao risk backtest and evaluate --version (a real process on a database)', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(async () => database.drop());
  const env = () => ({ DATABASE_URL: database.url });

  it('judges stored decisions again under a stored rule set and prints what would change', async () => {
    const store = new RiskStore(database.pool);
    const at = new Date('2026-12-01T06:00:00Z');
    await store.seed({ rules: DEFAULT_RULE_SET.rules, thresholds: DEFAULT_RULE_SET.thresholds, at });
    const strict = await store.insertDraft({
      rules: [
        {
          id: 'large_amount',
          subject: 'payment',
          description: { zh: '大额', en: 'Large amount' },
          when: { feature: 'amount_minor', op: '>=', value: 100_000 },
          score: 0,
          decision: 'review',
        },
      ],
      thresholds: DEFAULT_RULE_SET.thresholds,
      note: 'test',
      by: 'test',
      at,
    });
    for (const [index, amount] of [500, 150_000, 200_000].entries()) {
      await store.insertDecision({
        id: randomUUID(),
        subject: 'payment',
        kind: 'transfer',
        holder_id: randomUUID(),
        movement_id: randomUUID(),
        amount_minor: BigInt(amount),
        currency: 'CNY',
        payee: `user:${randomUUID()}`,
        features: { amount_minor: amount },
        score: 0,
        decision: 'allow',
        fired: [],
        version: 1,
        at: new Date(at.getTime() + index * 1000),
      });
    }
    const backtest = await runQianbao(
      [
        'risk',
        'backtest',
        '--version',
        String(strict.version),
        '--from',
        '2026-12-01T00:00:00Z',
        '--to',
        '2026-12-02T00:00:00Z',
      ],
      env(),
    );
    expect(backtest.code, backtest.stderr).toBe(0);
    expect(backtest.stdout).toContain('3 judged again, 2 decided differently');
    expect(backtest.stdout).toMatch(/allow→review +2/);

    const evaluate = await runQianbao(
      ['risk', 'evaluate', '--version', 'active', '--holders', '40', '--days', '2'],
      env(),
    );
    expect(evaluate.code, evaluate.stderr).toBe(0);
    expect(evaluate.stdout).toMatch(/the database's rule set \(active\), version 1/);

    const missing = await runQianbao(['risk', 'backtest', '--version', '99'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no rule set 99');
  });
});
