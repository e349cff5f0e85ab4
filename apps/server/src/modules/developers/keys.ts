/**
 * API keys as text (ADR 0020): `qbk_live_<id>_<secret>` (`qbk_test_…` in test mode, ADR 0022), where `id` is 16 hex characters (the
 * key's public handle) and `secret` 64 (256 random bits). Pure: making, parsing, hashing and
 * comparing; the store keeps only the id and SHA-256 of the secret.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `live` acts for the merchant; `test` for its test twin (test money only, ADR 0022). */
export const KEY_MODES = ['live', 'test'] as const;
export type KeyMode = (typeof KEY_MODES)[number];

const KEY_PATTERN = /^qbk_(live|test)_([0-9a-f]{16})_([0-9a-f]{64})$/;

export interface NewKey {
  id: string;
  /** The whole key, shown once. */
  secret: string;
  /** SHA-256 of the secret part, what the store keeps. */
  hash: Buffer;
  /** What lists show: `qbk_live_<id>_…`. */
  prefix: string;
}

export function newKey(mode: KeyMode, random: (bytes: number) => Buffer = randomBytes): NewKey {
  const id = random(8).toString('hex');
  const secret = random(32).toString('hex');
  return { id, secret: `qbk_${mode}_${id}_${secret}`, hash: hashOf(secret), prefix: prefixOf(mode, id) };
}

export function prefixOf(mode: KeyMode, id: string): string {
  return `qbk_${mode}_${id}_…`;
}

/** The parts of a presented key; null when it is not one (any other bearer token). */
export function parseKey(text: string): { mode: KeyMode; id: string; secretHash: Buffer } | null {
  const match = KEY_PATTERN.exec(text);
  if (!match) return null;
  return { mode: match[1] as KeyMode, id: match[2]!, secretHash: hashOf(match[3]!) };
}

/** Whether a presented key's hash is the stored one, in constant time. */
export function sameHash(presented: Buffer, stored: Buffer): boolean {
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Whether a header value looks like an API key (so the request is an API client's). */
export function looksLikeKey(bearer: string): boolean {
  return bearer.startsWith('qbk_');
}

function hashOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
