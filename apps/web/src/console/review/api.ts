/**
 * What the console's review and help pages ask the API: real-name reviews (kyc:review), company
 * merchants (merchants:review), help articles (help:manage) and app feedback (tickets:answer).
 */
import { consoleRequest } from '../api.ts';

// ---- real-name reviews (docs/kyc.md) -----------------------------------------------------------

export const REVIEW_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export interface KycDocument {
  id: string;
  kind: 'id_front' | 'id_back' | 'selfie';
  contentType: string;
  sizeBytes: number;
}

export interface KycReview {
  id: string;
  userId: string;
  status: ReviewStatus;
  submittedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  reason: string | null;
  tier: string;
  /** Masked by the server. */
  realName: { name: string; idNumber: string } | null;
  documents: KycDocument[];
}

export const reviewKeys = {
  kycList: (status: ReviewStatus) => ['console', 'kyc', 'list', status] as const,
  kyc: (id: string) => ['console', 'kyc', 'one', id] as const,
  merchantList: (status: MerchantStatus) => ['console', 'merchants', 'list', status] as const,
  merchant: (id: string) => ['console', 'merchants', 'one', id] as const,
  articles: ['console', 'help', 'articles'] as const,
  article: (id: string) => ['console', 'help', 'article', id] as const,
  feedback: (filter: FeedbackFilter) => ['console', 'feedback', filter] as const,
};

export async function fetchKycReviews(status: ReviewStatus): Promise<KycReview[]> {
  const answer = await consoleRequest<{ reviews: KycReview[] }>(
    'GET',
    `/v1/operator/kyc/reviews?status=${status}&limit=100`,
  );
  return answer.reviews;
}

export function fetchKycReview(id: string): Promise<KycReview> {
  return consoleRequest('GET', `/v1/operator/kyc/reviews/${encodeURIComponent(id)}`);
}

/** The image itself (the operator's cookie goes with it; every view is audited by the server). */
export function kycDocumentUrl(reviewId: string, documentId: string): string {
  return `/v1/operator/kyc/reviews/${encodeURIComponent(reviewId)}/documents/${encodeURIComponent(documentId)}`;
}

export function decideKycReview(
  id: string,
  decision: { decision: 'approve' } | { decision: 'reject'; reason: string },
): Promise<KycReview> {
  return consoleRequest('POST', `/v1/operator/kyc/reviews/${encodeURIComponent(id)}/decision`, {
    body: decision,
  });
}

// ---- company merchants (docs/merchants.md, "Company merchants") --------------------------------

export const MERCHANT_STATUSES = ['pending_review', 'active', 'rejected', 'suspended'] as const;
export type MerchantStatus = (typeof MERCHANT_STATUSES)[number];

export interface CompanyApplication {
  id: string;
  status: MerchantStatus;
  name: string;
  city: string;
  mcc: string;
  legalName: string;
  registrationNumber: string;
  representative: string;
  submittedAt: string;
  decidedAt: string | null;
  reason: string | null;
  documents: { id: string; kind: 'business_license'; contentType: string; bytes: number }[];
}

export async function fetchCompanies(status: MerchantStatus): Promise<CompanyApplication[]> {
  const answer = await consoleRequest<{ merchants: CompanyApplication[] }>(
    'GET',
    `/v1/operator/merchants?status=${status}&limit=100`,
  );
  return answer.merchants;
}

export function fetchCompany(id: string): Promise<CompanyApplication> {
  return consoleRequest('GET', `/v1/operator/merchants/${encodeURIComponent(id)}`);
}

export function companyDocumentUrl(merchantId: string, documentId: string): string {
  return `/v1/operator/merchants/${encodeURIComponent(merchantId)}/documents/${encodeURIComponent(documentId)}`;
}

export function decideCompany(
  id: string,
  decision: { approve: boolean; reason?: string },
): Promise<CompanyApplication> {
  return consoleRequest('POST', `/v1/operator/merchants/${encodeURIComponent(id)}/decision`, {
    body: decision,
  });
}

// ---- help articles (docs/help.md) --------------------------------------------------------------

export const HELP_CATEGORIES = [
  'account',
  'cards',
  'payments',
  'redpackets',
  'security',
  'merchants',
] as const;
export type HelpCategory = (typeof HELP_CATEGORIES)[number];
export const HELP_LANGS = ['zh-CN', 'en'] as const;
export type HelpLang = (typeof HELP_LANGS)[number];

export type ArticleTexts = Record<HelpLang, { title: string; body: string }>;

export interface ManagedArticle {
  id: string;
  category: HelpCategory;
  position: number;
  published: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
  publishedAt: string | null;
  texts: ArticleTexts;
}

export interface ArticleInput {
  category: HelpCategory;
  position: number;
  texts: ArticleTexts;
}

export async function fetchArticles(): Promise<ManagedArticle[]> {
  return (await consoleRequest<{ articles: ManagedArticle[] }>('GET', '/v1/operator/help/articles')).articles;
}

export function fetchArticle(id: string): Promise<ManagedArticle> {
  return consoleRequest('GET', `/v1/operator/help/articles/${encodeURIComponent(id)}`);
}

export function createArticle(input: ArticleInput): Promise<ManagedArticle> {
  return consoleRequest('POST', '/v1/operator/help/articles', { body: input });
}

export function updateArticle(
  id: string,
  input: ArticleInput & { version: number },
): Promise<ManagedArticle> {
  return consoleRequest('PUT', `/v1/operator/help/articles/${encodeURIComponent(id)}`, { body: input });
}

export function publishArticle(id: string, published: boolean): Promise<ManagedArticle> {
  return consoleRequest('POST', `/v1/operator/help/articles/${encodeURIComponent(id)}/publication`, {
    body: { published },
  });
}

// ---- app feedback ------------------------------------------------------------------------------

export interface Feedback {
  id: string;
  rating: number;
  text: string;
  screen: string | null;
  userAgent: string | null;
  createdAt: string;
  holder: { id: string; phone: string | null };
}

export interface FeedbackFilter {
  rating?: number;
  screen?: string;
  q?: string;
}

export interface FeedbackPage {
  feedback: Feedback[];
  next: string | null;
  summary: { count: number; ratings: number[]; average: number | null };
}

export function fetchFeedback(filter: FeedbackFilter, before: string | null): Promise<FeedbackPage> {
  const query = new URLSearchParams({ limit: '50' });
  if (filter.rating) query.set('rating', String(filter.rating));
  if (filter.screen) query.set('screen', filter.screen);
  if (filter.q) query.set('q', filter.q);
  if (before) query.set('before', before);
  return consoleRequest('GET', `/v1/operator/feedback?${query.toString()}`);
}
