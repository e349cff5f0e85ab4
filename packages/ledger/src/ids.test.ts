import { describe, expect, it } from 'vitest';
import { encodeTransfers, writeInt64 } from './copy.ts';
import { derivedId, isUuid, newId } from './ids.ts';

describe('ids', () => {
  it('newId gives distinct, increasing UUIDv7s with random tails across refills of the random pool', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7'); // version
      expect('89ab').toContain(id[19]); // variant
    }
    expect([...ids].sort()).toEqual(ids);
    const tails = new Set(ids.map((id) => id.slice(19)));
    expect(tails.size).toBe(ids.length);
  });

  it('derivedId is stable', () => {
    expect(derivedId('expire:x')).toBe(derivedId('expire:x'));
    expect(derivedId('expire:x')).not.toBe(derivedId('expire:y'));
  });

  it('the binary COPY encoding refuses a malformed id rather than writing other bytes', () => {
    const transfer = {
      id: newId(),
      debitAccountId: newId(),
      creditAccountId: newId(),
      amount: 1n,
      currency: 'CNY',
      code: 1,
      flags: 0,
      pendingId: null,
      timeoutSeconds: 0,
      timestamp: 1n,
      expiresAt: null,
      userData: null,
      limitKeys: [],
    };
    expect(encodeTransfers([transfer]).length).toBeGreaterThan(100);
    expect(() => encodeTransfers([{ ...transfer, creditAccountId: transfer.id.replace(/.$/, 'g') }])).toThrow(
      /not a UUID/,
    );
  });
});

describe('writeInt64', () => {
  it('writes every int64 as writeBigInt64BE does, and refuses what does not fit', () => {
    const values = [
      0n,
      1n,
      255n,
      2n ** 32n - 1n,
      2n ** 32n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 63n - 1n,
      -1n,
      -(2n ** 63n),
    ];
    for (let i = 0; i < 1000; i++) values.push(BigInt(Math.floor(Math.random() * 2 ** 53)));
    for (const value of values) {
      const fast = Buffer.alloc(8);
      const reference = Buffer.alloc(8);
      expect(writeInt64(fast, 0, value)).toBe(8);
      reference.writeBigInt64BE(value, 0);
      expect(fast.equals(reference), String(value)).toBe(true);
    }
    for (const outside of [2n ** 63n, -(2n ** 63n) - 1n]) {
      expect(() => writeInt64(Buffer.alloc(8), 0, outside)).toThrow(RangeError);
    }
  });
});
