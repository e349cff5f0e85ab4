/**
 * The merchants' QR codes in the EMVCo merchant-presented format (@qianbao/qr): a static code
 * (the payer types the amount; at most 500 a day per payer, domain-rules §1) and a dynamic code
 * per order (amount and order number in it). Our scheme's account template is tag 26 with the
 * GUID `cn.qianbao` and, as sub-field 01, the merchant's opaque token — a code says nothing of
 * the merchant's id or owner, and a code of another scheme is told apart at once.
 */
import { QrError, encodeMerchantQr, parseMerchantQr } from '@qianbao/qr';
import { AppError } from '../../errors.ts';

export const QIANBAO_QR_GUID = 'cn.qianbao';
const ACCOUNT_TAG = '26';
const TOKEN_SUBFIELD = '01';
/** ISO 4217 numeric: the codes carry CNY only for now. */
const CNY_NUMERIC = '156';

export interface MerchantOnCode {
  name: string;
  city: string;
  mcc: string;
  qrToken: string;
}

/** "23.72" for 2372 fen. */
export function amountText(amountMinor: bigint): string {
  const whole = amountMinor / 100n;
  const cents = (amountMinor % 100n).toString().padStart(2, '0');
  return `${whole}.${cents}`;
}

export function merchantQrPayload(
  merchant: MerchantOnCode,
  order?: { amountMinor: bigint; merchantOrderId: string },
) {
  return encodeMerchantQr({
    initiation: order ? 'dynamic' : 'static',
    merchantAccounts: [
      { id: ACCOUNT_TAG, guid: QIANBAO_QR_GUID, fields: [{ id: TOKEN_SUBFIELD, value: merchant.qrToken }] },
    ],
    mcc: merchant.mcc,
    currency: CNY_NUMERIC,
    ...(order ? { amount: amountText(order.amountMinor) } : {}),
    country: 'CN',
    merchantName: merchant.name,
    merchantCity: merchant.city,
    ...(order ? { additionalData: { referenceLabel: order.merchantOrderId } } : {}),
  });
}

export interface ScannedCode {
  initiation: 'static' | 'dynamic';
  token: string;
  /** The amount a dynamic code carries, in fen. */
  amountMinor: bigint | null;
  merchantOrderId: string | null;
}

/**
 * What a scanned text says, if it is one of our merchants' codes: MERCHANT_QR_INVALID for text
 * that is no EMVCo code (or a damaged one), MERCHANT_QR_FOREIGN for another scheme's.
 */
export function readMerchantQr(text: string): ScannedCode {
  let parsed;
  try {
    parsed = parseMerchantQr(text.trim());
  } catch (error) {
    if (error instanceof QrError)
      throw new AppError('MERCHANT_QR_INVALID', { details: { reason: error.code } });
    throw error;
  }
  const account = parsed.merchantAccounts.find((a) => a.guid === QIANBAO_QR_GUID);
  const token = account?.fields.find((f) => f.id === TOKEN_SUBFIELD)?.value;
  if (!token) throw new AppError('MERCHANT_QR_FOREIGN');
  if (parsed.currency !== CNY_NUMERIC)
    throw new AppError('MERCHANT_QR_INVALID', { details: { reason: 'CURRENCY' } });
  const initiation = parsed.initiation ?? (parsed.amount ? 'dynamic' : 'static');
  const amountMinor = parsed.amount === undefined ? null : minorOf(parsed.amount);
  return {
    initiation,
    token,
    amountMinor,
    merchantOrderId: parsed.additionalData?.referenceLabel ?? null,
  };
}

function minorOf(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  if (fraction.length > 2) throw new AppError('MERCHANT_QR_INVALID', { details: { reason: 'AMOUNT' } });
  return BigInt(whole || '0') * 100n + BigInt(fraction.padEnd(2, '0'));
}
