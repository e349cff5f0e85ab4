import { createHash, randomBytes, randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id cost. Production defaults follow OWASP's minimum (19 MiB, 2 passes, 1 lane). */
export interface HashingCost {
  memoryCostKib: number;
  timeCost: number;
  parallelism: number;
}

/**
 * Slow, salted hashing (argon2id) for everything a person types that must never be stored:
 * login passwords, one-time SMS codes (a 6-digit code behind a fast hash is recovered from a
 * leaked row in milliseconds) and ID numbers.
 */
export class SecretHasher {
  /** A hash of a random secret, verified against when there is no real hash, so "no such holder" costs the same time. */
  private readonly decoy: Promise<string | null>;

  constructor(private readonly cost: HashingCost) {
    this.decoy = this.hash(randomBytes(16).toString('base64url')).catch(() => null);
  }

  hash(secret: string): Promise<string> {
    return hash(secret, {
      memoryCost: this.cost.memoryCostKib,
      timeCost: this.cost.timeCost,
      parallelism: this.cost.parallelism,
    });
  }

  async verify(stored: string, secret: string): Promise<boolean> {
    try {
      return await verify(stored, secret);
    } catch {
      return false; // a malformed stored hash matches nothing
    }
  }

  /** Spend the time of one verification and answer false. */
  async verifyDecoy(secret: string): Promise<false> {
    const decoy = await this.decoy;
    if (decoy) await this.verify(decoy, secret);
    else await this.hash(secret);
    return false;
  }
}

const SESSION_TOKEN_BYTES = 32;

/** An opaque bearer token: 32 random bytes, base64url (43 characters). */
export function newSessionToken(): string {
  return randomBytes(SESSION_TOKEN_BYTES).toString('base64url');
}

/** Tokens are high-entropy, so a fast hash is enough: a leaked table gives nothing usable. */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A uniformly random 6-digit code, leading zeros allowed. */
export function newSmsCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}
