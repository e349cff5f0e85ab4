/**
 * Partners (issue 14, ADR 0023): a platform — a SaaS till, an online-shop builder — is a merchant
 * of ours whose keys act for the merchants that granted it access, as Stripe Connect's platforms
 * do with `Stripe-Account`. A merchant's owner grants a partner (by its merchant id) some scopes;
 * a request of the partner's key that names the merchant in `Qianbao-Merchant` then acts for it,
 * with the scopes both the key and the grant have. The grant is read on every such request, so a
 * revocation is effective at once on every server.
 */
import { randomUUID } from 'node:crypto';
import type { ApiScope } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import type { GrantRow, PartnerStore } from './partner-store.ts';
import type { KeyRow } from './store.ts';

/** Partners a merchant may have granted access at once. */
export const PARTNER_GRANTS_PER_MERCHANT = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PartnerDeps {
  store: PartnerStore;
  /** The merchants' test twins (ADR 0022): the derived id of one, and one made if needed. */
  twins: { twinIdOf(liveMerchantId: string): string; twinOf(liveMerchantId: string): Promise<string> };
  /** A live merchant's name; null when there is no such live merchant (a test twin is none). */
  merchantNameOf: (merchantId: string) => Promise<string | null>;
  now: () => Date;
}

export interface GrantView {
  id: string;
  merchantId: string;
  merchantName: string;
  partnerMerchantId: string;
  partnerName: string;
  scopes: ApiScope[];
  status: 'active' | 'revoked';
  createdAt: Date;
  revokedAt: Date | null;
}

export class Partners {
  constructor(private readonly deps: PartnerDeps) {}

  /** The owner of `merchantId` grants `partnerMerchantId`, or changes its active grant's scopes. */
  async grant(input: {
    merchantId: string;
    partnerMerchantId: string;
    scopes: ApiScope[];
    byUserId: string;
  }): Promise<{ grant: GrantView; created: boolean }> {
    const partnerId = input.partnerMerchantId.toLowerCase();
    if (partnerId === input.merchantId) {
      throw new AppError('VALIDATION_FAILED', {
        details: { field: 'partnerMerchantId', problem: 'a merchant does not grant itself' },
      });
    }
    const [merchantName, partnerName] = await Promise.all([
      this.deps.merchantNameOf(input.merchantId),
      this.deps.merchantNameOf(partnerId),
    ]);
    if (partnerName === null) throw new AppError('PARTNER_NOT_FOUND');
    const made = await this.deps.store.grant(
      {
        id: randomUUID(),
        merchant_id: input.merchantId,
        partner_merchant_id: partnerId,
        merchant_test_id: this.deps.twins.twinIdOf(input.merchantId),
        partner_test_id: this.deps.twins.twinIdOf(partnerId),
        merchant_name: merchantName ?? '',
        partner_name: partnerName,
        scopes: [...new Set(input.scopes)],
        created_by: input.byUserId,
        created_at: this.deps.now(),
      },
      PARTNER_GRANTS_PER_MERCHANT,
    );
    if (!made) {
      throw new AppError('PARTNER_GRANT_LIMIT_REACHED', { details: { max: PARTNER_GRANTS_PER_MERCHANT } });
    }
    return { grant: view(made.grant), created: made.created };
  }

  async given(merchantId: string): Promise<GrantView[]> {
    return (await this.deps.store.given(merchantId)).map(view);
  }

  async received(partnerMerchantId: string): Promise<GrantView[]> {
    return (await this.deps.store.received(partnerMerchantId)).map(view);
  }

  /** Revoked at once: the partner's next request for the merchant, on any server, is refused. */
  async revoke(input: { merchantId: string; id: string; byUserId: string }): Promise<GrantView> {
    if (!UUID.test(input.id)) throw new AppError('PARTNER_GRANT_NOT_FOUND');
    const row = await this.deps.store.revoke({
      merchantId: input.merchantId,
      id: input.id,
      by: input.byUserId,
      now: this.deps.now(),
    });
    if (!row) throw new AppError('PARTNER_GRANT_NOT_FOUND');
    return view(row);
  }

  /**
   * Whom a key acts for when its request names `named` (`Qianbao-Merchant`): null when that is the
   * key's own merchant (a live key naming its merchant, a test key naming its twin's live one);
   * else the granting merchant — its test twin for a test key — with the grant's scopes. Not
   * granted (or not a merchant id at all): PARTNER_ACCESS_NOT_GRANTED, the same either way, so the
   * answer does not tell whether the merchant exists.
   */
  async actingFor(key: KeyRow, named: string): Promise<{ merchantId: string; scopes: ApiScope[] } | null> {
    if (!UUID.test(named)) throw new AppError('PARTNER_ACCESS_NOT_GRANTED');
    const merchantId = named.toLowerCase();
    const own = key.mode === 'live' ? merchantId : this.deps.twins.twinIdOf(merchantId);
    if (own === key.merchant_id) return null;
    const grant = await this.deps.store.active(
      merchantId,
      key.mode === 'live' ? { live: key.merchant_id } : { test: key.merchant_id },
    );
    if (!grant) throw new AppError('PARTNER_ACCESS_NOT_GRANTED');
    return {
      merchantId: key.mode === 'live' ? merchantId : await this.deps.twins.twinOf(merchantId),
      scopes: grant.scopes,
    };
  }
}

function view(row: GrantRow): GrantView {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    merchantName: row.merchant_name,
    partnerMerchantId: row.partner_merchant_id,
    partnerName: row.partner_name,
    scopes: row.scopes,
    status: row.revoked_at === null ? 'active' : 'revoked',
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
