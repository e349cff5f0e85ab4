/**
 * Values in PostgreSQL's binary wire form (the types' send/recv functions), for the batch's
 * lookups and its COPY data. node-pg sends a `Buffer` parameter in binary format, and the server
 * reads it with the receive function of the type the statement gives it (`$1::uuid[]`), so an
 * array of 5,000 ids costs the server a copy of 16-byte values instead of parsing a 180 kB text
 * literal: with text arrays, `array_in`, `uuid_in` and `strtoull` were an eighth of the ledger's
 * PostgreSQL CPU (the writes now travel as binary COPY data instead of arrays).
 *
 * Arrays (array_send): ndim, has-nulls flag, element type OID, then per dimension its length and
 * lower bound, then per element a length (−1 for NULL) and the element's own binary form.
 */

export const OID = { text: 25, uuid: 2950 } as const;

const UUID_BYTES = 16;
/** Hex digit → value, −1 for anything else (ASCII only; indexes past it read undefined). */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;
/** Where each of the 16 bytes starts in the 36-character text form. */
const UUID_BYTE_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** A UUID string (8-4-4-4-12 hex digits) as its 16 bytes at `at`; returns the next offset. */
export function writeUuid(out: Buffer, at: number, value: string): number {
  if (value.length !== 36) throw new Error(`not a UUID: ${value}`);
  for (let i = 0; i < UUID_BYTES; i++) {
    const high = HEX[value.charCodeAt(UUID_BYTE_AT[i]!)] ?? -1;
    const low = HEX[value.charCodeAt(UUID_BYTE_AT[i]! + 1)] ?? -1;
    if (high < 0 || low < 0) throw new Error(`not a UUID: ${value}`);
    out[at + i] = (high << 4) | low;
  }
  return at + UUID_BYTES;
}

/** Bytes of a one-dimensional array without NULLs, given the total size of its elements' data. */
function arraySize(count: number, dataBytes: number): number {
  return count === 0 ? 12 : 20 + count * 4 + dataBytes;
}

function writeArrayHeader(out: Buffer, at: number, oid: number, count: number): number {
  at = out.writeInt32BE(count === 0 ? 0 : 1, at); // ndim: an empty array has none
  at = out.writeInt32BE(0, at); // no NULLs
  at = out.writeInt32BE(oid, at);
  if (count === 0) return at;
  at = out.writeInt32BE(count, at);
  return out.writeInt32BE(1, at); // lower bound
}

/** uuid[] in binary form. Throws on anything that is not a UUID's text form. */
export function uuidArray(values: readonly string[]): Buffer {
  const out = Buffer.allocUnsafe(arraySize(values.length, values.length * UUID_BYTES));
  let at = writeArrayHeader(out, 0, OID.uuid, values.length);
  for (const value of values) {
    at = out.writeInt32BE(UUID_BYTES, at);
    at = writeUuid(out, at, value);
  }
  return out;
}

/** Size of `textArray(values)`: for callers that write it inside a larger buffer. */
export function textArraySize(values: readonly string[]): number {
  let data = 0;
  for (const value of values) data += Buffer.byteLength(value, 'utf8');
  return arraySize(values.length, data);
}

/** text[] in binary form at `at`; returns the next offset. */
export function writeTextArray(out: Buffer, at: number, values: readonly string[]): number {
  at = writeArrayHeader(out, at, OID.text, values.length);
  for (const value of values) {
    const length = out.write(value, at + 4, 'utf8');
    out.writeInt32BE(length, at);
    at += 4 + length;
  }
  return at;
}

/** text[] in binary form. */
export function textArray(values: readonly string[]): Buffer {
  const out = Buffer.allocUnsafe(textArraySize(values));
  writeTextArray(out, 0, values);
  return out;
}
