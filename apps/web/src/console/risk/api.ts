/**
 * The risk API as the console's risk pages use it (server: modules/risk/routes.ts and
 * case-routes.ts; docs/risk.md): review cases with their context, rule-set versions, backtests and
 * maker-checker activation.
 */
import type { MoneyJson } from '@qianbao/money';
import { consoleRequest } from '../api.ts';

export const DECISIONS = ['allow', 'step_up', 'review', 'block'] as const;
export type Decision = (typeof DECISIONS)[number];

export const CASE_STATUSES = ['open', 'approved', 'rejected', 'expired', 'cancelled'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface RiskCase {
  id: string;
  status: CaseStatus;
  kind: string;
  holderId: string;
  movementId: string;
  amount: MoneyJson;
  payee: string;
  decisionId: string | null;
  rules: string[];
  score: number;
  outcome: 'approve' | 'reject' | 'expire' | 'cancel' | null;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  openedAt: string;
  expiresAt: string;
  closedAt: string | null;
}

export interface RiskDecision {
  id: string;
  subject: 'payment' | 'sign_in' | 'merchant_refund';
  kind: string;
  movementId: string | null;
  amount: MoneyJson | null;
  payee: string | null;
  score: number;
  decision: Decision;
  fired: string[];
  version: number;
  features: Record<string, number | boolean | null>;
  at: string;
}

export interface Description {
  zh: string;
  en: string;
}

export interface CaseDetail extends RiskCase {
  context: {
    version: number | null;
    firedRules: {
      id: string;
      score: number | null;
      decision: Decision | null;
      description: Description | null;
    }[];
    features: Record<string, number | boolean | null> | null;
    recentDecisions: RiskDecision[];
    devices: { deviceId: string; firstSeenAt: string }[];
    lastSignIn: { at: string; city: string | null } | null;
    credentialResetAt: string | null;
    previousCases: {
      id: string;
      status: CaseStatus;
      amount: MoneyJson;
      payee: string;
      rules: string[];
      decidedBy: string | null;
      reason: string | null;
      openedAt: string;
    }[];
  };
}

export interface Rule {
  id: string;
  subject: 'payment' | 'sign_in' | 'merchant_refund';
  description: Description;
  when: unknown;
  score: number;
  decision?: Decision;
}

export interface Thresholds {
  stepUp: number;
  review: number;
  block: number;
}

export interface RuleSet {
  version: number;
  status: 'draft' | 'active' | 'retired';
  note: string;
  thresholds: Thresholds;
  rules: Rule[];
  createdBy: string;
  createdAt: string;
  activatedBy: string | null;
  activatedAt: string | null;
}

export interface BacktestDecision {
  decision: Decision;
  score: number;
  fired: string[];
}

export interface Backtest {
  version: number;
  from: string;
  to: string;
  judged: number;
  changed: number;
  byChange: Record<string, number>;
  differences: {
    decisionId: string;
    subject: RiskDecision['subject'];
    kind: string;
    holderId: string;
    movementId: string | null;
    amount: MoneyJson | null;
    at: string;
    was: BacktestDecision & { version: number };
    now: BacktestDecision;
  }[];
}

export const riskKeys = {
  cases: (status: CaseStatus | 'all') => ['console', 'risk', 'cases', status] as const,
  case: (id: string) => ['console', 'risk', 'case', id] as const,
  ruleSets: ['console', 'risk', 'rule-sets'] as const,
  ruleSet: (version: number) => ['console', 'risk', 'rule-set', version] as const,
};

export async function fetchCases(status: CaseStatus | 'all'): Promise<RiskCase[]> {
  const query = status === 'all' ? '?limit=100' : `?status=${status}&limit=100`;
  return (await consoleRequest<{ cases: RiskCase[] }>('GET', `/v1/operator/risk/cases${query}`)).cases;
}

export function fetchCase(id: string): Promise<CaseDetail> {
  return consoleRequest<CaseDetail>('GET', `/v1/operator/risk/cases/${encodeURIComponent(id)}`);
}

export function decideCase(input: {
  id: string;
  action: 'approve' | 'reject';
  reason: string;
}): Promise<RiskCase> {
  const body = input.reason.trim() ? { reason: input.reason.trim() } : {};
  return consoleRequest<RiskCase>(
    'POST',
    `/v1/operator/risk/cases/${encodeURIComponent(input.id)}/${input.action}`,
    { body },
  );
}

export async function fetchRuleSets(): Promise<RuleSet[]> {
  return (await consoleRequest<{ ruleSets: RuleSet[] }>('GET', '/v1/operator/risk/rule-sets')).ruleSets;
}

export function fetchRuleSet(version: number): Promise<RuleSet> {
  return consoleRequest<RuleSet>('GET', `/v1/operator/risk/rule-sets/${version}`);
}

export function saveDraft(input: { rules: unknown; thresholds: Thresholds; note: string }): Promise<RuleSet> {
  return consoleRequest<RuleSet>('POST', '/v1/operator/risk/rule-sets', { body: input });
}

export function runBacktest(input: { version: number; from: string; to: string }): Promise<Backtest> {
  return consoleRequest<Backtest>('POST', `/v1/operator/risk/rule-sets/${input.version}/backtest`, {
    body: { from: input.from, to: input.to, sample: 200 },
  });
}

export function activateRuleSet(version: number): Promise<RuleSet> {
  return consoleRequest<RuleSet>('POST', `/v1/operator/risk/rule-sets/${version}/activate`);
}
