/**
 * A batch's transfers as one PostgreSQL binary COPY. Measured against `INSERT … SELECT FROM
 * unnest(text arrays)`, this spares the server parsing thirteen text arrays and lets it insert
 * the heap rows in multi-row WAL records; the client builds one buffer instead of thirteen
 * strings. The format is PostgreSQL's documented binary COPY format (see "COPY" → "Binary
 * Format"): a header, then per row a field count and, per field, a length (−1 for NULL) and the
 * value in the type's binary (send/recv) form.
 */
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Transfer } from './types.ts';

/** The columns, in the order each row carries them. */
const COLUMNS = `id, debit_account_id, credit_account_id, amount, currency, code, flags, pending_id,
  timeout_seconds, expires_at, user_data, ts, limit_keys`;
const FIELDS = 13;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const TEXT_OID = 25;

export async function copyTransfers(client: pg.PoolClient, transfers: readonly Transfer[]): Promise<void> {
  const buffer = encodeTransfers(transfers);
  const stream = client.query(copyFrom(`COPY ledger_transfers (${COLUMNS}) FROM STDIN (FORMAT binary)`));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(buffer);
  });
}

export function encodeTransfers(transfers: readonly Transfer[]): Buffer {
  // Fixed part of a row: field count, 13 lengths, 3 uuids, 2 int8s, 3 int4s; the rest varies.
  let size = SIGNATURE.length + 8 + 2;
  for (const t of transfers) {
    size += 2 + FIELDS * 4 + 3 * 16 + 2 * 8 + 3 * 4;
    size += Buffer.byteLength(t.currency, 'utf8');
    if (t.pendingId !== null) size += 16;
    if (t.expiresAt !== null) size += 8;
    if (t.userData !== null) size += Buffer.byteLength(t.userData, 'utf8');
    if (t.limitKeys.length > 0) {
      size += 20;
      for (const key of t.limitKeys) size += 4 + Buffer.byteLength(key, 'utf8');
    }
  }
  const out = Buffer.allocUnsafe(size);
  let at = SIGNATURE.copy(out, 0);
  at = out.writeInt32BE(0, at); // flags
  at = out.writeInt32BE(0, at); // header extension length
  for (const t of transfers) {
    at = out.writeInt16BE(FIELDS, at);
    at = uuid(out, at, t.id);
    at = uuid(out, at, t.debitAccountId);
    at = uuid(out, at, t.creditAccountId);
    at = int8(out, at, t.amount);
    at = text(out, at, t.currency);
    at = int4(out, at, t.code);
    at = int4(out, at, t.flags);
    at = t.pendingId === null ? nullField(out, at) : uuid(out, at, t.pendingId);
    at = int4(out, at, t.timeoutSeconds);
    at = t.expiresAt === null ? nullField(out, at) : int8(out, at, t.expiresAt);
    at = t.userData === null ? nullField(out, at) : text(out, at, t.userData);
    at = int8(out, at, t.timestamp);
    // No limits: NULL, as the column has always held for them.
    at = t.limitKeys.length === 0 ? nullField(out, at) : textArray(out, at, t.limitKeys);
  }
  at = out.writeInt16BE(-1, at); // trailer
  if (at !== size) throw new Error(`binary COPY buffer: wrote ${at} bytes, sized ${size}`);
  return out;
}

function nullField(out: Buffer, at: number): number {
  return out.writeInt32BE(-1, at);
}

function int4(out: Buffer, at: number, value: number): number {
  at = out.writeInt32BE(4, at);
  return out.writeInt32BE(value, at);
}

function int8(out: Buffer, at: number, value: bigint): number {
  at = out.writeInt32BE(8, at);
  return out.writeBigInt64BE(value, at);
}

function text(out: Buffer, at: number, value: string): number {
  const length = out.write(value, at + 4, 'utf8');
  out.writeInt32BE(length, at);
  return at + 4 + length;
}

/** Hex digit → value, −1 for anything else (ASCII only; indexes past it read undefined). */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;
/** Where each of the 16 bytes starts in the 36-character text form. */
const UUID_BYTE_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** A UUID string (8-4-4-4-12 hex digits) as its 16 bytes. */
function uuid(out: Buffer, at: number, value: string): number {
  at = out.writeInt32BE(16, at);
  if (value.length !== 36) throw new Error(`not a UUID: ${value}`);
  for (let i = 0; i < 16; i++) {
    const high = HEX[value.charCodeAt(UUID_BYTE_AT[i]!)] ?? -1;
    const low = HEX[value.charCodeAt(UUID_BYTE_AT[i]! + 1)] ?? -1;
    if (high < 0 || low < 0) throw new Error(`not a UUID: ${value}`);
    out[at + i] = (high << 4) | low;
  }
  return at + 16;
}

/** A one-dimensional text[] without NULLs: ndim, has-nulls, element type, length, lower bound, elements. */
function textArray(out: Buffer, at: number, values: readonly string[]): number {
  const start = at;
  at += 4; // length, written last
  at = out.writeInt32BE(1, at);
  at = out.writeInt32BE(0, at);
  at = out.writeInt32BE(TEXT_OID, at);
  at = out.writeInt32BE(values.length, at);
  at = out.writeInt32BE(1, at);
  for (const value of values) at = text(out, at, value);
  out.writeInt32BE(at - start - 4, start);
  return at;
}
