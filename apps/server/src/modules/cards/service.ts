import type { FastifyBaseLogger } from 'fastify';
import { isUuid, newId } from '@qianbao/ledger';
import {
  BankRequestError,
  BankUnavailableError,
  lookupBin,
  maskCardParts,
  parseCardNumber,
} from '../../adapters/bank/index.ts';
import type { BankAdapter } from '../../adapters/bank/index.ts';
import { BANKS, isBankCode } from '../../adapters/bank/index.ts';
import { AppError } from '../../errors.ts';
import { normalizePhone } from '../identity/phone.ts';
import type { KycService } from '../kyc/index.ts';
import type { NotificationsService } from '../notifications/service.ts';
import type { CardsStore } from './store.ts';
import type { CardRow } from './store.ts';

/** A verification (bank SMS code) must be finished within this time. */
const VERIFICATION_TTL_MS = 10 * 60 * 1000;
/** Card verifications a holder may start per rolling 24 h (each one costs a bank check). */
const MAX_VERIFICATIONS_PER_DAY = 10;
const MAX_CARDS_PER_HOLDER = 10;
const DAY_MS = 24 * 3600 * 1000;

export interface CardView {
  id: string;
  /** `6222 **** **** 7894` */
  maskedNumber: string;
  last4: string;
  bankCode: string;
  bankName: { zh: string; en: string };
  cardType: 'debit' | 'credit';
  scheme: string;
  isDefault: boolean;
  boundAt: Date;
}

/** What the funding module needs to move money with a card: the bank token, never the number. */
export interface FundingCard {
  id: string;
  userId: string;
  cardToken: string;
  bin: string;
  last4: string;
  bankCode: string;
  maskedNumber: string;
}

export interface CardsServiceDeps {
  store: CardsStore;
  bank: BankAdapter;
  kyc: Pick<KycService, 'legalNameOf' | 'idNumberOf' | 'onSameNameCardBound'>;
  notifications: Pick<NotificationsService, 'notify'>;
  /** True while a top-up or withdrawal on the card is unfinished (the funding module answers). */
  isCardBusy: (cardId: string) => Promise<boolean>;
  now: () => Date;
  log?: FastifyBaseLogger;
}

/**
 * Bank cards (capability C5): bind a debit card in the holder's own name, checked four ways by
 * the bank (name, ID number, card number, the card's phone) plus the bank's SMS code; list, set
 * default, unbind. Binding a same-name card lifts the holder to T2 (kyc.onSameNameCardBound).
 */
export class CardsService {
  constructor(private readonly deps: CardsServiceDeps) {}

  async startVerification(input: { userId: string; cardNumber: string; phone: string }): Promise<{
    verificationId: string;
    card: Omit<CardView, 'id' | 'isDefault' | 'boundAt'>;
    expiresAt: Date;
  }> {
    const { deps } = this;
    const cardNumber = parseCardNumber(input.cardNumber);
    if (cardNumber === null) throw new AppError('CARD_NUMBER_INVALID');
    const bin = lookupBin(cardNumber);
    if (bin === null) throw new AppError('CARD_TYPE_NOT_SUPPORTED', { details: { reason: 'unknownBank' } });
    if (bin.cardType !== 'debit') {
      throw new AppError('CARD_TYPE_NOT_SUPPORTED', {
        details: { reason: 'creditCard', cardType: bin.cardType },
      });
    }
    const phone = normalizePhone(input.phone);
    if (phone === null) {
      throw new AppError('VALIDATION_FAILED', {
        details: { fields: [{ in: 'body', path: 'phone', issue: 'not a mainland mobile number' }] },
      });
    }
    const [legalName, idNumber] = await Promise.all([
      deps.kyc.legalNameOf(input.userId),
      deps.kyc.idNumberOf(input.userId),
    ]);
    if (legalName === null || idNumber === null) throw new AppError('REAL_NAME_REQUIRED');
    const now = deps.now();
    if (
      (await deps.store.countVerificationsSince(input.userId, new Date(now.getTime() - DAY_MS))) >=
      MAX_VERIFICATIONS_PER_DAY
    ) {
      throw new AppError('CARD_VERIFICATIONS_EXCEEDED');
    }
    if ((await deps.store.countActive(input.userId)) >= MAX_CARDS_PER_HOLDER) {
      throw new AppError('CARD_LIMIT_REACHED', { details: { max: MAX_CARDS_PER_HOLDER } });
    }
    const token = await deps.bank.tokeniseCard(cardNumber);
    if (await deps.store.findActiveByToken(input.userId, token.cardToken))
      throw new AppError('CARD_ALREADY_BOUND');

    const verification = await bankCall(() =>
      deps.bank.verifyCard({ cardNumber, holderName: legalName, idNumber, phone }),
    );
    if (verification.result === 'UNAVAILABLE') throw new AppError('BANK_UNAVAILABLE');
    if (verification.result !== 'MATCH') {
      throw new AppError('CARD_VERIFICATION_FAILED', { details: { reason: verification.result } });
    }
    const sent = await bankCall(() => deps.bank.sendCardSmsCode({ cardNumber, phone, purpose: 'bind' }));
    const id = newId();
    const expiresAt = new Date(now.getTime() + VERIFICATION_TTL_MS);
    await deps.store.insertVerification({
      id,
      user_id: input.userId,
      card_token: token.cardToken,
      bin: token.bin,
      last4: token.last4,
      bank_code: bin.bankCode,
      card_type: bin.cardType,
      scheme: bin.scheme,
      bank_verification_id: sent.verificationId,
      status: 'sent',
      created_at: now,
      expires_at: expiresAt,
    });
    return {
      verificationId: id,
      card: {
        maskedNumber: maskCardParts({ bin: token.bin, last4: token.last4 }),
        last4: token.last4,
        bankCode: bin.bankCode,
        bankName: { zh: bin.bankNameZh, en: bin.bankNameEn },
        cardType: bin.cardType,
        scheme: bin.scheme,
      },
      expiresAt,
    };
  }

  async bind(input: { userId: string; verificationId: string; smsCode: string }): Promise<CardView> {
    const { deps } = this;
    const verification = await deps.store.findVerification(input.userId, input.verificationId);
    const now = deps.now();
    if (!verification || verification.status !== 'sent' || verification.expires_at <= now) {
      throw new AppError('CARD_VERIFICATION_NOT_FOUND');
    }
    const answer = await bankCall(() =>
      deps.bank.confirmCardSmsCode({
        verificationId: verification.bank_verification_id,
        code: input.smsCode,
      }),
    );
    if (answer !== 'ok') throw new AppError('CARD_SMS_CODE_INVALID', { details: { reason: answer } });
    const bound = await deps.store.bind({ verificationId: verification.id, cardId: newId(), at: now });
    if (bound === 'used') throw new AppError('CARD_VERIFICATION_NOT_FOUND');
    if (bound === 'bound') throw new AppError('CARD_ALREADY_BOUND');
    // The bank matched the card to the holder's legal name (four factors): a same-name card.
    const legalName = await deps.kyc.legalNameOf(input.userId);
    if (legalName !== null)
      await deps.kyc.onSameNameCardBound({ userId: input.userId, cardHolderName: legalName });
    const view = cardView(bound);
    await deps.notifications.notify(input.userId, {
      kind: 'cards.bound',
      params: { cardId: view.id, last4: view.last4, bankCode: view.bankCode },
      title: { 'zh-CN': '银行卡绑定成功', en: 'Card bound' },
      body: {
        'zh-CN': `${view.bankName.zh}储蓄卡（尾号 ${view.last4}）已绑定到您的钱包。`,
        en: `Your ${view.bankName.en} debit card ending ${view.last4} is now bound to your wallet.`,
      },
    });
    return view;
  }

  async list(userId: string): Promise<CardView[]> {
    return (await this.deps.store.listActive(userId)).map(cardView);
  }

  async setDefault(input: { userId: string; cardId: string }): Promise<CardView> {
    if (!(await this.deps.store.setDefault(input.userId, input.cardId))) throw new AppError('CARD_NOT_FOUND');
    const card = await this.deps.store.findActive(input.userId, input.cardId);
    if (!card) throw new AppError('CARD_NOT_FOUND');
    return cardView(card);
  }

  /**
   * Unbind, refused with CARD_BUSY while a top-up or withdrawal on the card is unfinished. (A
   * funding operation started in the instant between the check and the removal still completes:
   * it carries the bank token with it.)
   */
  async remove(input: { userId: string; cardId: string }): Promise<void> {
    const card = await this.deps.store.findActive(input.userId, input.cardId);
    if (!card) throw new AppError('CARD_NOT_FOUND');
    if (await this.deps.isCardBusy(card.id)) throw new AppError('CARD_BUSY');
    if (!(await this.deps.store.remove(input.userId, input.cardId, this.deps.now()))) {
      throw new AppError('CARD_NOT_FOUND');
    }
    await this.deps.notifications.notify(input.userId, {
      kind: 'cards.removed',
      params: { cardId: card.id, last4: card.last4 },
      title: { 'zh-CN': '银行卡已解绑', en: 'Card removed' },
      body: {
        'zh-CN': `尾号 ${card.last4} 的银行卡已从您的钱包解绑。`,
        en: `The card ending ${card.last4} was removed from your wallet.`,
      },
    });
  }

  /** An active card of this holder for a top-up or withdrawal; CARD_NOT_FOUND otherwise. */
  async cardForFunding(input: { userId: string; cardId: string }): Promise<FundingCard> {
    const card = await this.deps.store.findActive(input.userId, input.cardId);
    if (!card) throw new AppError('CARD_NOT_FOUND');
    return fundingCard(card);
  }

  /** Any card ever bound (removed too), by id: the recovery worker finishes operations on it. */
  async cardById(cardId: string): Promise<FundingCard | null> {
    const card = await this.deps.store.findAny(cardId);
    return card ? fundingCard(card) : null;
  }

  /**
   * What is stored of a card's number, for an operator's "reveal" (modules/console): the full
   * number never is (domain-rules §2) — the BIN and the last 4 are all there is. Any card the
   * holder ever bound (removed too); null for another holder's or an unknown id.
   */
  async storedNumberOf(input: {
    userId: string;
    cardId: string;
  }): Promise<{ bin: string; last4: string; maskedNumber: string; status: 'active' | 'removed' } | null> {
    const card = isUuid(input.cardId) ? await this.deps.store.findAny(input.cardId) : null;
    if (!card || card.user_id !== input.userId) return null;
    return {
      bin: card.bin,
      last4: card.last4,
      maskedNumber: maskCardParts({ bin: card.bin, last4: card.last4 }),
      status: card.status,
    };
  }
}

function fundingCard(card: CardRow): FundingCard {
  return {
    id: card.id,
    userId: card.user_id,
    cardToken: card.card_token,
    bin: card.bin,
    last4: card.last4,
    bankCode: card.bank_code,
    maskedNumber: maskCardParts({ bin: card.bin, last4: card.last4 }),
  };
}

/** Every bank of the BIN table, in its order (the large state banks first). */
export function listBanks(): { code: string; name: { zh: string; en: string } }[] {
  return Object.values(BANKS).map((bank) => ({
    code: bank.code,
    name: { zh: bank.nameZh, en: bank.nameEn },
  }));
}

export function bankNameOf(bankCode: string): { zh: string; en: string } {
  if (!isBankCode(bankCode)) return { zh: bankCode, en: bankCode };
  const bank = BANKS[bankCode];
  return { zh: bank.nameZh, en: bank.nameEn };
}

function cardView(card: CardRow): CardView {
  return {
    id: card.id,
    maskedNumber: maskCardParts({ bin: card.bin, last4: card.last4 }),
    last4: card.last4,
    bankCode: card.bank_code,
    bankName: bankNameOf(card.bank_code),
    cardType: card.card_type,
    scheme: card.scheme,
    isDefault: card.is_default,
    boundAt: card.bound_at,
  };
}

/** Bank errors that mean "nothing happened" become the holder-facing codes. */
async function bankCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BankUnavailableError) {
      throw new AppError('BANK_UNAVAILABLE', { retryAfterSeconds: error.retryAfterSeconds, cause: error });
    }
    if (error instanceof BankRequestError && error.code === 'SMS_RATE_LIMITED') {
      throw new AppError('CARD_SMS_RATE_LIMITED', {
        ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
        cause: error,
      });
    }
    throw error;
  }
}
