/**
 * CRC-16/CCITT-FALSE, the checksum EMVCo puts in tag 63 of a merchant-presented QR: polynomial
 * 0x1021, initial value 0xFFFF, no reflection in or out, no final XOR. It guards against a
 * misread or a hand-edited code, not against forgery: anyone can recompute it.
 */

const POLYNOMIAL = 0x1021;

/** One entry per byte value, so the loop below does one lookup per byte instead of eight shifts. */
const TABLE: readonly number[] = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit += 1) {
    crc = crc & 0x8000 ? ((crc << 1) ^ POLYNOMIAL) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
});

const utf8 = new TextEncoder();

/**
 * The CRC of `text`'s UTF-8 bytes as 4 upper-case hex digits. UTF-8 because that is how the
 * string travels inside the QR symbol: a Chinese merchant name counts 3 bytes a character here,
 * even though the TLV lengths count it as one.
 */
export function crc16(text: string): string {
  let crc = 0xffff;
  for (const byte of utf8.encode(text)) {
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}
