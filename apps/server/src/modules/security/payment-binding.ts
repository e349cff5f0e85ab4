import { createHash, randomBytes } from 'node:crypto';

/** What a confirmation is bound to: the payment the holder saw, field by field. */
export interface PaymentToConfirm {
  /** The payment's id (the ledger transfer id the payment route will use). */
  id: string;
  amountMinor: bigint;
  /** ISO 4217 code. */
  currency: string;
  /** Who receives the money, as the payment route names it (e.g. `wallet:<accountId>`). */
  payee: string;
}

const DOMAIN = 'qianbao.payment.v1';
const NONCE_BYTES = 16;
const HASH_BYTES = 32;

/**
 * SHA-256 over a canonical encoding of the payment: the domain tag and the fields id, amount (a
 * decimal integer of minor units), currency and payee, each as a 4-byte big-endian length then
 * its UTF-8 bytes. Lengths make the encoding unambiguous (no two payments share one), and anyone
 * holding the stored evidence can recompute it.
 */
export function paymentHash(payment: PaymentToConfirm): Buffer {
  const hash = createHash('sha256');
  for (const field of [
    DOMAIN,
    payment.id,
    payment.amountMinor.toString(10),
    payment.currency,
    payment.payee,
  ]) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  }
  return hash.digest();
}

/**
 * A WebAuthn challenge for a payment: 16 random bytes (single use) followed by the payment
 * hash. The authenticator signs client data holding this challenge, so the signature itself says
 * which payment was approved, and an assertion for one payment cannot confirm another.
 */
export function paymentChallenge(payment: PaymentToConfirm): Buffer {
  return Buffer.concat([randomBytes(NONCE_BYTES), paymentHash(payment)]);
}

/** The payment hash inside a payment challenge; null when the challenge is not of that shape. */
export function paymentHashOfChallenge(challenge: Buffer): Buffer | null {
  return challenge.length === NONCE_BYTES + HASH_BYTES ? challenge.subarray(NONCE_BYTES) : null;
}
