/**
 * The shipped dashboard and alert rules (ops/grafana, ops/prometheus) against a real server's
 * /metrics: every metric a panel or an alert reads must exist there — a renamed metric would
 * otherwise leave an empty panel and an alert that can never fire — and every alert must point
 * at a runbook entry that exists. `promtool check rules` validates the rule file when Debian's
 * `prometheus` package is installed (the step is skipped, not the test, when it is not).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../apps/server/src/testing.ts';
import type { TestApp } from '../../apps/server/src/testing.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DASHBOARD = path.join(ROOT, 'ops/grafana/qianbao-dashboard.json');
const ALERTS = path.join(ROOT, 'ops/prometheus/alerts.yml');
const RUNBOOK = path.join(ROOT, 'docs/runbook.md');

/** Series Prometheus makes itself, not the server. */
const PROMETHEUS_SERIES = new Set(['up']);
/** PromQL words that look like metric names: functions, keywords, Grafana's variables. */
const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'topk',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'rate',
  'irate',
  'increase',
  'histogram_quantile',
  'label_values',
  'time',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'le',
]);

interface Rule {
  alert?: string;
  expr: string;
  annotations?: Record<string, string>;
}

let subject: TestApp;
let exposed: Set<string>;
beforeAll(async () => {
  subject = await createTestApp();
  const response = await subject.app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  exposed = metricNames(response.body);
});
afterAll(async () => subject.close());

/** Every series name /metrics can answer: each family's name and a histogram's or summary's parts. */
function metricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match;
    names.add(name!);
    if (type === 'histogram') for (const part of ['_bucket', '_sum', '_count']) names.add(name! + part);
    if (type === 'summary') for (const part of ['_sum', '_count']) names.add(name! + part);
  }
  return names;
}

/** The metric names an expression reads (not label names, values, functions or durations). */
function metricsOf(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const withoutLabels = withoutStrings
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  const withoutRanges = withoutLabels.replace(/\[[^\]]*\]/g, '[]').replace(/\$\w+/g, '');
  const names = withoutRanges.match(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b/g) ?? [];
  return [...new Set(names.filter((name) => !PROMQL_WORDS.has(name) && !/^\d/.test(name)))];
}

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
    templating: { list: { name: string; type: string; query?: unknown }[] };
  };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

function alertRules(): Rule[] {
  const file = parse(readFileSync(ALERTS, 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
  return file.groups.flatMap((group) => group.rules);
}

/** GitHub's anchors of a Markdown file's headings. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add(
      match[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}

describe('the Grafana dashboard', () => {
  it('uses a Prometheus datasource variable and reads only metrics the server exposes', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      templating: { list: { name: string; type: string; query: unknown }[] };
      panels: { type: string; datasource?: { uid: string } }[];
    };
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid).toBe('${datasource}');
    }
    const expressions = dashboardExpressions();
    expect(expressions.length).toBeGreaterThan(20);
    const missing = expressions
      .flatMap(metricsOf)
      .filter((name) => !exposed.has(name) && !PROMETHEUS_SERIES.has(name));
    expect(missing).toEqual([]);
  });

  it('has a panel for each capability', () => {
    const read = new Set(dashboardExpressions().flatMap(metricsOf));
    for (const metric of [
      'qianbao_payment_authorizations_total',
      'qianbao_payment_movements_total',
      'qianbao_ledger_batch_size_bucket',
      'qianbao_ledger_batch_duration_seconds_bucket',
      'qianbao_ledger_queue_depth',
      'qianbao_job_lag_seconds_bucket',
      'qianbao_jobs_failed_total',
      'qianbao_outbox_lag_seconds',
      'qianbao_outbox_relay_failures_total',
      'qianbao_webhook_attempts_total',
      'qianbao_risk_decision_seconds_count',
      'qianbao_sign_ins_total',
      'qianbao_backlog_items',
      'qianbao_frozen_wallets',
      'qianbao_database_up',
    ]) {
      expect(read, metric).toContain(metric);
    }
  });
});

describe('the alert rules', () => {
  it('read only metrics the server exposes (and Prometheus’s own `up`)', () => {
    const rules = alertRules();
    expect(rules.length).toBeGreaterThanOrEqual(12);
    const missing = rules.flatMap((rule) =>
      metricsOf(rule.expr)
        .filter((name) => !exposed.has(name) && !PROMETHEUS_SERIES.has(name))
        .map((name) => `${rule.alert}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('each point at a runbook entry that exists', () => {
    const anchors = anchorsOf(readFileSync(RUNBOOK, 'utf8'));
    for (const rule of alertRules()) {
      const url = rule.annotations?.['runbook_url'] ?? '';
      expect(url, rule.alert).toMatch(/^docs\/runbook\.md#[a-z0-9-]+$/);
      expect(anchors, `${rule.alert} → ${url}`).toContain(url.split('#')[1]);
      expect(url.split('#')[1], rule.alert).toBe(rule.alert!.toLowerCase());
    }
  });

  it('cover what the brief asks to be alerted on', () => {
    const names = alertRules().map((rule) => rule.alert);
    for (const name of [
      'QianbaoApiDown',
      'QianbaoDatabaseUnavailable',
      'QianbaoHighErrorRate',
      'QianbaoHighLatencyP99',
      'QianbaoLedgerBatchSlow',
      'QianbaoLedgerQueueBacklog',
      'QianbaoJobLag',
      'QianbaoJobsFailing',
      'QianbaoOutboxLag',
      'QianbaoWebhookFailureRate',
      'QianbaoRiskReviewBacklog',
      'QianbaoBooksVerifyFailed',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('pass `promtool check rules` (when Debian’s prometheus package is installed)', async () => {
    const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((file) => existsSync(file));
    if (!promtool) {
      console.warn('promtool not installed (apt-get install prometheus): rule syntax not checked by it');
      return;
    }
    const { stdout } = await promisify(execFile)(promtool, ['check', 'rules', ALERTS]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });
});
