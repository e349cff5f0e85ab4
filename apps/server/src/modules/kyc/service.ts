import { createHash } from 'node:crypto';
import type pg from 'pg';
import { newId } from '@qianbao/ledger';
import type { IdentityVerifier } from '../../adapters/identity-verifier/index.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { AppError } from '../../errors.ts';
import type { NotificationsService } from '../notifications/service.ts';
import { isPlausibleLegalName, maskIdNumber, maskName, parseIdNumber } from './id-number.ts';
import { KycStore } from './store.ts';
import type { ProfileRow, ReviewRow } from './store.ts';
import { higherTier } from './tiers.ts';
import type { Tier, TierLimits } from './tiers.ts';
import { KYC_SEALED } from './module.ts';

const ID_NUMBER_PURPOSE = KYC_SEALED.idNumber;
const LEGAL_NAME_PURPOSE = KYC_SEALED.legalName;
export const DOCUMENT_KINDS = ['id_front', 'id_back', 'selfie'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

export interface KycConfig {
  /** Identity checks a holder may start per rolling 24 h (each costs money at a real verifier). */
  verificationAttemptsPerDay: number;
}

export interface KycServiceDeps {
  pool: pg.Pool;
  verifier: IdentityVerifier;
  secrets: SecretBox;
  identity: { setRealNameVerified(input: { userId: string; idNumber: string }): Promise<void> };
  notifications: Pick<NotificationsService, 'notify'>;
  config: KycConfig;
  now: () => Date;
  /**
   * Tier limits set by approved configuration changes (modules/approvals, ADR 0025): the change
   * in force at a time, or null — then the row of `kyc_tier_limits` (the defaults) applies.
   */
  settings?: { tierLimitsAt(tier: Tier, at: Date): Promise<TierLimits | null> };
}

export interface KycProfile {
  tier: Tier;
  limits: TierLimits;
  /** Masked: `*明`, `1101**********002X`. */
  realName: { name: string; idNumber: string; verifiedAt: Date } | null;
  sameNameCardAt: Date | null;
  review: { id: string; status: ReviewRow['status']; reason: string | null; submittedAt: Date } | null;
}

export interface UploadedDocument {
  kind: DocumentKind;
  contentType: string;
  content: Buffer;
}

export interface ReviewView {
  id: string;
  userId: string;
  status: ReviewRow['status'];
  submittedAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  reason: string | null;
  tier: Tier;
  /** Masked, as everywhere. */
  realName: { name: string; idNumber: string } | null;
  documents: { id: string; kind: DocumentKind; contentType: string; sizeBytes: number }[];
}

/**
 * Real-name tiers (capability C4): T1 by name + ID number through the identity verifier, T2 when
 * a same-name bank card is bound (the cards module calls `onSameNameCardBound`), T3 after an
 * operator approves uploaded documents. A tier never goes down here. Limits per tier are
 * configuration in `kyc_tier_limits`; payments turn them into ledger limits (limits.ts).
 */
export class KycService {
  private readonly store: KycStore;

  constructor(private readonly deps: KycServiceDeps) {
    this.store = new KycStore(deps.pool);
  }

  async getProfile(userId: string): Promise<KycProfile> {
    const profile = await this.store.getProfile(userId);
    const tier = profile?.tier ?? 'T0';
    const review = await this.store.latestReview(userId);
    return {
      tier,
      limits: await this.tierLimits(tier),
      realName: profile ? this.maskedRealName(profile) : null,
      sameNameCardAt: profile?.same_name_card_at ?? null,
      review: review
        ? { id: review.id, status: review.status, reason: review.reason, submittedAt: review.submitted_at }
        : null,
    };
  }

  async tierOf(userId: string): Promise<Tier> {
    return (await this.store.getProfile(userId))?.tier ?? 'T0';
  }

  /** The limits that apply to this holder now. */
  async limitsFor(userId: string): Promise<TierLimits> {
    // Both reads at once: every payment asks this for the payer and the payee.
    const [profile, all] = await Promise.all([this.store.getProfile(userId), this.store.tierLimits()]);
    const tier = profile?.tier ?? 'T0';
    return this.inForce(all.find((limits) => limits.tier === tier)!);
  }

  /** A tier's limits in force now: an approved change's (modules/approvals), else the defaults. */
  async tierLimits(tier: Tier): Promise<TierLimits> {
    const all = await this.store.tierLimits();
    return this.inForce(all.find((limits) => limits.tier === tier)!);
  }

  async listTierLimits(): Promise<TierLimits[]> {
    return Promise.all((await this.store.tierLimits()).map((limits) => this.inForce(limits)));
  }

  /**
   * The defaults of every tier (`kyc_tier_limits`, seeded from tiers.ts): what applies when no
   * approved change is in force. Operators change limits only through maker-checker.
   */
  defaultTierLimits(): Promise<TierLimits[]> {
    return this.store.tierLimits();
  }

  private async inForce(defaults: TierLimits): Promise<TierLimits> {
    const changed = await this.deps.settings?.tierLimitsAt(defaults.tier, this.deps.now());
    return changed ?? defaults;
  }

  /** `YYYYMMDD` of the verified holder, for the PIN rules (no birthday PINs); null before T1. */
  async birthDateOf(userId: string): Promise<string | null> {
    const profile = await this.store.getProfile(userId);
    if (!profile?.birth_date) return null;
    return profile.birth_date.replaceAll('-', '');
  }

  /**
   * T1: check name + ID number (format, region, date, checksum first — the verifier is called
   * only for well-formed input), then the verifier, outside any transaction.
   */
  async submitRealName(input: { userId: string; legalName: string; idNumber: string }): Promise<KycProfile> {
    const now = this.deps.now();
    const legalName = input.legalName.trim().normalize('NFC');
    if (!isPlausibleLegalName(legalName)) throw new AppError('INVALID_LEGAL_NAME');
    const parsed = parseIdNumber(input.idNumber, now);
    if (!parsed.ok) throw new AppError('INVALID_ID_NUMBER', { details: { problem: parsed.problem } });
    const existing = await this.store.getProfile(input.userId);
    if (existing?.real_name_verified_at) throw new AppError('REAL_NAME_ALREADY_VERIFIED');
    const index = this.deps.secrets.blindIndex(parsed.id.value, ID_NUMBER_PURPOSE);
    const owner = await this.store.profileByIdIndex(index);
    if (owner && owner.user_id !== input.userId) throw new AppError('ID_NUMBER_ALREADY_USED');
    const since = new Date(now.getTime() - 24 * 3600 * 1000);
    if (
      (await this.store.countAttempts(input.userId, since)) >= this.deps.config.verificationAttemptsPerDay
    ) {
      throw new AppError('VERIFICATION_ATTEMPTS_EXCEEDED');
    }

    const result = await this.deps.verifier.verify({ legalName, idNumber: parsed.id.value });
    await this.store.recordAttempt({
      id: newId(),
      userId: input.userId,
      factors: result.factors,
      answer: result.answer,
      reference: result.reference,
      at: now,
    });
    if (result.answer === 'UNAVAILABLE') throw new AppError('VERIFIER_UNAVAILABLE');
    if (result.answer === 'MISMATCH') throw new AppError('REAL_NAME_MISMATCH');

    const { year, month, day } = parsed.id.birthDate;
    const birthDate = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const stored = await this.store.saveRealName({
      userId: input.userId,
      tier: higherTier(existing?.tier ?? 'T0', 'T1'),
      legalNameSealed: this.deps.secrets.seal(legalName, LEGAL_NAME_PURPOSE),
      idNumberSealed: this.deps.secrets.seal(parsed.id.value, ID_NUMBER_PURPOSE),
      idNumberIndex: index,
      birthDate,
      at: now,
    });
    if (!stored) throw new AppError('ID_NUMBER_ALREADY_USED'); // lost a race for the same number
    await this.deps.identity.setRealNameVerified({ userId: input.userId, idNumber: parsed.id.value });
    await this.deps.notifications.notify(input.userId, {
      kind: 'kyc.tier_raised',
      params: { tier: 'T1' },
      title: { 'zh-CN': '实名认证成功', en: 'Real name verified' },
      body: {
        'zh-CN': '您的钱包已升级为 T1 实名账户，限额已提高。',
        en: 'Your wallet is now a T1 real-name account with higher limits.',
      },
    });
    return this.getProfile(input.userId);
  }

  /**
   * T2 hook for the cards module: a debit card in the holder's own name, checked four ways by the
   * bank, was bound. Raises T1 to T2; does nothing for a name that differs or before T1.
   */
  async onSameNameCardBound(input: { userId: string; cardHolderName: string }): Promise<Tier> {
    const profile = await this.store.getProfile(input.userId);
    if (!profile?.legal_name_sealed) throw new AppError('REAL_NAME_REQUIRED');
    const legalName = this.deps.secrets.open(profile.legal_name_sealed, LEGAL_NAME_PURPOSE);
    if (legalName !== input.cardHolderName.trim().normalize('NFC')) return profile.tier;
    const tier = higherTier(profile.tier, 'T2');
    await this.store.raiseTier({ userId: input.userId, tier, sameNameCardAt: this.deps.now() });
    return tier;
  }

  /** The full legal name, for the verification flows only (a card's same-name check). */
  async legalNameOf(userId: string): Promise<string | null> {
    const profile = await this.store.getProfile(userId);
    return profile?.legal_name_sealed
      ? this.deps.secrets.open(profile.legal_name_sealed, LEGAL_NAME_PURPOSE)
      : null;
  }

  /**
   * The full ID number, for the verification flows only (the bank's four-factor card check):
   * never log it, store it or send it to a client; show `maskIdNumber` instead. Null before T1.
   */
  async idNumberOf(userId: string): Promise<string | null> {
    const profile = await this.store.getProfile(userId);
    return profile?.id_number_sealed
      ? this.deps.secrets.open(profile.id_number_sealed, ID_NUMBER_PURPOSE)
      : null;
  }

  /** T3: ID front, back and a selfie, reviewed by an operator. */
  async submitDocuments(input: { userId: string; documents: UploadedDocument[] }): Promise<KycProfile> {
    const profile = await this.store.getProfile(input.userId);
    if (!profile?.real_name_verified_at) throw new AppError('REAL_NAME_REQUIRED');
    const kinds = new Set(input.documents.map((d) => d.kind));
    if (input.documents.length !== DOCUMENT_KINDS.length || DOCUMENT_KINDS.some((kind) => !kinds.has(kind))) {
      throw new AppError('DOCUMENT_INVALID', { details: { required: DOCUMENT_KINDS } });
    }
    for (const document of input.documents) {
      const problem = documentProblem(document);
      if (problem) throw new AppError('DOCUMENT_INVALID', { details: { kind: document.kind, problem } });
    }
    const now = this.deps.now();
    const created = await this.store.createReview({
      id: newId(),
      userId: input.userId,
      at: now,
      documents: input.documents.map((document) => ({
        id: newId(),
        kind: document.kind,
        contentType: document.contentType,
        content: document.content,
        sha256: createHash('sha256').update(document.content).digest(),
      })),
    });
    if (!created) throw new AppError('REVIEW_ALREADY_PENDING');
    return this.getProfile(input.userId);
  }

  async listReviews(input: { status: ReviewRow['status']; limit: number }): Promise<ReviewView[]> {
    const rows = await this.store.listReviews(input.status, Math.min(Math.max(input.limit, 1), 100));
    return Promise.all(rows.map((row) => this.reviewView(row)));
  }

  async getReview(reviewId: string): Promise<ReviewView> {
    const row = await this.store.getReview(reviewId);
    if (!row) throw new AppError('NOT_FOUND');
    return this.reviewView(row);
  }

  async getDocument(input: {
    reviewId: string;
    documentId: string;
  }): Promise<{ contentType: string; content: Buffer }> {
    const document = await this.store.getDocument(input.reviewId, input.documentId);
    if (!document) throw new AppError('NOT_FOUND');
    return { contentType: document.content_type, content: document.content };
  }

  /**
   * Approve (→ T3) or reject a pending review. `audit` appends the operator's entry inside the
   * decision's transaction: the decision, the tier and the entry commit together or not at all.
   */
  async decideReview(input: {
    reviewId: string;
    operatorId: string;
    decision: 'approve' | 'reject';
    reason?: string;
    audit: (client: pg.PoolClient, review: { id: string; userId: string }) => Promise<void>;
  }): Promise<ReviewView> {
    const now = this.deps.now();
    const review = await this.store.decideReview({
      reviewId: input.reviewId,
      status: input.decision === 'approve' ? 'approved' : 'rejected',
      operatorId: input.operatorId,
      reason: input.reason ?? null,
      at: now,
      alongside: async (client, decided) => {
        if (input.decision === 'approve') {
          const tier = await this.store.lockedTier(client, decided.user_id);
          await this.store.raiseTier(
            { userId: decided.user_id, tier: higherTier(tier ?? 'T0', 'T3'), inPersonVerifiedAt: now },
            client,
          );
        }
        await input.audit(client, { id: decided.id, userId: decided.user_id });
      },
    });
    if (review === 'missing') throw new AppError('NOT_FOUND');
    if (review === 'decided') throw new AppError('REVIEW_ALREADY_DECIDED');
    await this.deps.notifications.notify(review.user_id, {
      kind: input.decision === 'approve' ? 'kyc.review_approved' : 'kyc.review_rejected',
      params: { reason: input.reason ?? null },
      title:
        input.decision === 'approve'
          ? { 'zh-CN': '证件审核通过', en: 'Documents approved' }
          : { 'zh-CN': '证件审核未通过', en: 'Documents not approved' },
      body:
        input.decision === 'approve'
          ? { 'zh-CN': '您的钱包已升级为 T3 账户。', en: 'Your wallet is now a T3 account.' }
          : {
              'zh-CN': `原因：${input.reason ?? '未说明'}。请重新上传。`,
              en: `Reason: ${input.reason ?? 'not given'}. Please upload again.`,
            },
    });
    return this.reviewView(review);
  }

  // ---- the operator console (modules/console): reads only ------------------------------------

  /**
   * Real-name records changed after a point, for the console's holder search: the legal name
   * in full (the console keeps only a keyed hash of it) and the ID number masked as shown
   * everywhere (`1101**********002X`). The full ID number never leaves here but by `idNumberOf`.
   */
  async realNamesChangedAfter(
    after: { at: Date; userId: string } | null,
    limit: number,
  ): Promise<{ userId: string; legalName: string; maskedIdNumber: string; updatedAt: Date }[]> {
    const rows = await this.store.realNamesChangedAfter(after, Math.min(Math.max(1, limit), 1000));
    return rows.flatMap((row) =>
      row.legal_name_sealed && row.id_number_sealed
        ? [
            {
              userId: row.user_id,
              legalName: this.deps.secrets.open(row.legal_name_sealed, LEGAL_NAME_PURPOSE),
              maskedIdNumber: maskIdNumber(this.deps.secrets.open(row.id_number_sealed, ID_NUMBER_PURPOSE)),
              updatedAt: row.updated_at,
            },
          ]
        : [],
    );
  }

  /** The holder verified with this full ID number (its blind index), or null. */
  async userIdOfIdNumber(idNumber: string): Promise<string | null> {
    const parsed = parseIdNumber(idNumber, this.deps.now());
    if (!parsed.ok) return null;
    const owner = await this.store.profileByIdIndex(
      this.deps.secrets.blindIndex(parsed.id.value, ID_NUMBER_PURPOSE),
    );
    return owner?.user_id ?? null;
  }

  /** Document reviews waiting for an operator (the console's dashboard). */
  pendingReviewCount(): Promise<number> {
    return this.store.countPendingReviews();
  }

  private async reviewView(row: ReviewRow): Promise<ReviewView> {
    const profile = await this.store.getProfile(row.user_id);
    const masked = profile ? this.maskedRealName(profile) : null;
    return {
      id: row.id,
      userId: row.user_id,
      status: row.status,
      submittedAt: row.submitted_at,
      decidedAt: row.decided_at,
      decidedBy: row.decided_by,
      reason: row.reason,
      tier: profile?.tier ?? 'T0',
      realName: masked ? { name: masked.name, idNumber: masked.idNumber } : null,
      documents: (await this.store.listDocuments(row.id)).map((d) => ({
        id: d.id,
        kind: d.kind,
        contentType: d.content_type,
        sizeBytes: d.size_bytes,
      })),
    };
  }

  private maskedRealName(profile: ProfileRow): KycProfile['realName'] {
    if (!profile.legal_name_sealed || !profile.id_number_sealed || !profile.real_name_verified_at)
      return null;
    return {
      name: maskName(this.deps.secrets.open(profile.legal_name_sealed, LEGAL_NAME_PURPOSE)),
      idNumber: maskIdNumber(this.deps.secrets.open(profile.id_number_sealed, ID_NUMBER_PURPOSE)),
      verifiedAt: profile.real_name_verified_at,
    };
  }
}

/** The declared type must match the bytes: a JPEG starts FF D8 FF, a PNG 89 50 4E 47 0D 0A 1A 0A. */
function documentProblem(document: UploadedDocument): string | null {
  if (document.content.length === 0) return 'empty';
  if (document.content.length > MAX_DOCUMENT_BYTES) return 'tooLarge';
  const jpeg = document.content.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));
  const png = document.content
    .subarray(0, 8)
    .equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (document.contentType === 'image/jpeg' && jpeg) return null;
  if (document.contentType === 'image/png' && png) return null;
  return 'notJpegOrPng';
}
