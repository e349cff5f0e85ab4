/**
 * A batch's transfers as one PostgreSQL binary COPY. Measured against `INSERT … SELECT FROM
 * unnest(text arrays)`, this spares the server parsing thirteen text arrays and lets it insert
 * the heap rows in multi-row WAL records; the client builds one buffer instead of thirteen
 * strings. The format is PostgreSQL's documented binary COPY format (see "COPY" → "Binary
 * Format"): a header, then per row a field count and, per field, a length (−1 for NULL) and the
 * value in the type's binary (send/recv) form.
 */
import { textArraySize, writeTextArray, writeUuid } from './binary.ts';
import type { Transfer } from './types.ts';

/** The columns, in the order each row carries them. */
const COLUMNS = `id, debit_account_id, credit_account_id, amount, currency, code, flags, pending_id,
  timeout_seconds, expires_at, user_data, ts, limit_keys`;
const FIELDS = 13;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** The statement that reads `encodeTransfers`'s rows. */
export const COPY_TRANSFERS = `COPY ledger_transfers (${COLUMNS}) FROM STDIN (FORMAT binary)`;

export function encodeTransfers(transfers: readonly Transfer[]): Buffer {
  // Fixed part of a row: field count, 13 lengths, 3 uuids, 2 int8s, 3 int4s; the rest varies.
  let size = SIGNATURE.length + 8 + 2;
  for (const t of transfers) {
    size += 2 + FIELDS * 4 + 3 * 16 + 2 * 8 + 3 * 4;
    size += Buffer.byteLength(t.currency, 'utf8');
    if (t.pendingId !== null) size += 16;
    if (t.expiresAt !== null) size += 8;
    if (t.userData !== null) size += Buffer.byteLength(t.userData, 'utf8');
    if (t.limitKeys.length > 0) size += textArraySize(t.limitKeys);
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
    at = t.limitKeys.length === 0 ? nullField(out, at) : textArrayField(out, at, t.limitKeys);
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
  return writeInt64(out, at, value);
}

/**
 * A bigint as 8 big-endian bytes (two's complement), with integer operations only: the high 32
 * bits by an arithmetic shift, the low 32 by BigInt.asUintN. Buffer.writeBigInt64BE allocates
 * more intermediate bigints per call, and a batch writes some 35,000 int8 fields (amounts,
 * timestamps, four counters per changed account). Outside the int64 range the high word does
 * not fit an int32 and writeInt32BE throws a RangeError, as writeBigInt64BE does.
 */
export function writeInt64(out: Buffer, at: number, value: bigint): number {
  out.writeInt32BE(Number(value >> 32n), at);
  out.writeUInt32BE(Number(BigInt.asUintN(32, value)), at + 4);
  return at + 8;
}

function text(out: Buffer, at: number, value: string): number {
  const length = out.write(value, at + 4, 'utf8');
  out.writeInt32BE(length, at);
  return at + 4 + length;
}

/** A UUID field: its length, then its 16 bytes. */
function uuid(out: Buffer, at: number, value: string): number {
  at = out.writeInt32BE(16, at);
  return writeUuid(out, at, value);
}

/** A text[] field: its length, then the array in binary form. */
function textArrayField(out: Buffer, at: number, values: readonly string[]): number {
  at = out.writeInt32BE(textArraySize(values), at);
  return writeTextArray(out, at, values);
}

/**
 * What a batch writes besides its transfers, one row each, for the session's temporary table
 * `ledger_batch_rows` (store.ts): account counters, remembered failures, limit counters, and
 * holds entering and leaving the expiry index. One binary COPY carries them all.
 */
export const BatchRowKind = {
  account: 1,
  failure: 2,
  limit: 3,
  expiring: 4,
  leaving: 5,
} as const;

export interface BatchRow {
  kind: (typeof BatchRowKind)[keyof typeof BatchRowKind];
  id: string | null;
  key: string | null;
  numbers: readonly bigint[];
}

const ROW_FIELDS = 7; // kind, id, key, n1…n4

export function encodeBatchRows(rows: readonly BatchRow[]): Buffer {
  let size = SIGNATURE.length + 8 + 2;
  for (const row of rows) {
    size += 2 + ROW_FIELDS * 4 + 2 + (row.id === null ? 0 : 16) + row.numbers.length * 8;
    if (row.key !== null) size += Buffer.byteLength(row.key, 'utf8');
  }
  const out = Buffer.allocUnsafe(size);
  let at = SIGNATURE.copy(out, 0);
  at = out.writeInt32BE(0, at);
  at = out.writeInt32BE(0, at);
  for (const row of rows) {
    at = out.writeInt16BE(ROW_FIELDS, at);
    at = out.writeInt32BE(2, at);
    at = out.writeInt16BE(row.kind, at);
    at = row.id === null ? nullField(out, at) : uuid(out, at, row.id);
    at = row.key === null ? nullField(out, at) : text(out, at, row.key);
    for (let i = 0; i < 4; i++) {
      const value = row.numbers[i];
      at = value === undefined ? nullField(out, at) : int8(out, at, value);
    }
  }
  at = out.writeInt16BE(-1, at);
  if (at !== size) throw new Error(`binary COPY buffer: wrote ${at} bytes, sized ${size}`);
  return out;
}
