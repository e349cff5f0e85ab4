import { createHash, randomBytes } from 'node:crypto';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

let lastMs = 0;
let sequence = 0;

/**
 * Random bytes for ids, drawn from the CSPRNG in blocks: one `randomBytes` call per id cost more
 * than the rest of creating a transfer (a system call and a buffer each time).
 */
const RANDOM_BLOCK = 8 * 1024;
let randomPool = Buffer.alloc(0);
let randomAt = 0;

function takeRandom(bytes: Buffer, start: number, end: number): void {
  if (randomAt + (end - start) > randomPool.length) {
    randomPool = randomBytes(RANDOM_BLOCK);
    randomAt = 0;
  }
  randomAt += randomPool.copy(bytes, start, randomAt, randomAt + (end - start));
}

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter that keeps ids from one
 * process strictly increasing within a millisecond, then random bits. Time-ordered ids keep
 * B-tree inserts local.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs += 1;
      sequence = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    sequence = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  takeRandom(bytes, 8, 16); // bytes 0–7 are time, version and counter
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | ((sequence >> 8) & 0x0f);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/** A deterministic UUIDv8 derived from a name: the same input always gives the same id. */
export function derivedId(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

export function isUuid(value: unknown): value is string {
  return hasUuidShape(value) && value !== NIL_UUID;
}

/**
 * Whether `value` is a UUID's canonical text form: 8-4-4-4-12 lowercase hex digits (the nil UUID
 * included). A loop over char codes: the regular expression it replaces, run five times per
 * transfer, was 5 % of the batch thread's time in the ledger benchmark.
 */
export function hasUuidShape(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false; // '-'
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return false; // not 0-9 or a-f
    }
  }
  return true;
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
