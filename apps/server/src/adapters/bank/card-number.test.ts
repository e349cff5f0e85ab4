import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BANKS, BIN_TABLE, lookupBin } from './bins.ts';
import type { BinEntry } from './bins.ts';
import {
  binOf,
  cardSchemeOf,
  last4Of,
  luhnValid,
  maskCardNumber,
  maskCardParts,
  normaliseAccountNumber,
  normaliseCardNumber,
  parseCardNumber,
} from './card-number.ts';
import { SANDBOX_MAGIC_CARDS } from './magic.ts';

describe('card numbers', () => {
  it('passes the Luhn vectors of domain-rules §2 and fails their neighbours', () => {
    for (const number of ['6212345678901232', '6222021234567894', '4111111111111111']) {
      expect(luhnValid(number)).toBe(true);
      const last = Number(number.at(-1));
      expect(luhnValid(number.slice(0, -1) + String((last + 1) % 10))).toBe(false);
    }
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('6222 0212 3456 7894')).toBe(false);
  });

  it('normalises spaces and dashes and wants 13–19 digits', () => {
    expect(normaliseCardNumber('6222 0212-3456 7894')).toBe('6222021234567894');
    expect(normaliseCardNumber('622202123456')).toBeNull();
    expect(normaliseCardNumber('4222222222222')).toBe('4222222222222');
    expect(normaliseCardNumber('6'.repeat(19))).toBe('6'.repeat(19));
    expect(normaliseCardNumber('6'.repeat(20))).toBeNull();
    expect(normaliseCardNumber('6222O21234567894')).toBeNull();
    expect(normaliseCardNumber(' '.repeat(50) + '6222021234567894')).toBeNull();
    expect(parseCardNumber('6222 0212 3456 7894')).toBe('6222021234567894');
    expect(parseCardNumber('6222021234567895')).toBeNull();
  });

  it('masks, and never shows more than BIN head and last 4', () => {
    expect(maskCardNumber('6222021234567894')).toBe('6222 **** **** 7894');
    expect(maskCardNumber('6222 0212 3456 7894', 'short')).toBe('**** 7894');
    expect(maskCardNumber('6212261234567890123')).toBe('6212 **** **** 0123');
    expect(maskCardNumber('not a card')).toBe('****');
    expect(maskCardParts({ bin: '622202', last4: '7894' })).toBe('6222 **** **** 7894');
    expect(maskCardParts({ bin: null, last4: '1234' })).toBe('**** 1234');
    expect(binOf('6222021234567894')).toBe('622202');
    expect(binOf('6222021234567894', 8)).toBe('62220212');
    expect(last4Of('6222021234567894')).toBe('7894');
    expect(() => binOf('123')).toThrow(RangeError);
  });

  it('normalises bank account numbers: 8–32 digits', () => {
    expect(normaliseAccountNumber('1100 1234 5678')).toBe('110012345678');
    expect(normaliseAccountNumber('1234567')).toBeNull();
    expect(normaliseAccountNumber('1'.repeat(33))).toBeNull();
    expect(normaliseAccountNumber('12345678x')).toBeNull();
  });

  it('tells the scheme from the leading digits', () => {
    expect(cardSchemeOf('6222021234567894')).toBe('UnionPay');
    expect(cardSchemeOf('4111111111111111')).toBe('Visa');
    expect(cardSchemeOf('5555555555554444')).toBe('Mastercard');
    expect(cardSchemeOf('2221000000000009')).toBe('Mastercard');
    expect(cardSchemeOf('3530111333300000')).toBeNull();
  });
});

describe('the BIN table', () => {
  it('knows the major Chinese banks and the named BINs', () => {
    expect(lookupBin('6222021234567894')).toEqual({
      bankCode: 'ICBC',
      bankNameZh: '中国工商银行',
      bankNameEn: 'Industrial and Commercial Bank of China',
      cardType: 'debit',
      scheme: 'UnionPay',
    });
    const expected: [string, string, 'debit' | 'credit'][] = [
      ['621226', 'ICBC', 'debit'],
      ['622202', 'ICBC', 'debit'],
      ['622848', 'ABC', 'debit'],
      ['621661', 'BOC', 'debit'],
      ['621700', 'CCB', 'debit'],
      ['622700', 'CCB', 'debit'],
      ['622262', 'BOCOM', 'debit'],
      ['621483', 'CMB', 'debit'],
      ['622588', 'CMB', 'debit'],
      ['621799', 'PSBC', 'debit'],
      ['622188', 'PSBC', 'debit'],
      ['622575', 'CMB', 'credit'],
    ];
    for (const [bin, bankCode, cardType] of expected) {
      expect(lookupBin(`${bin}1234567890`)).toMatchObject({ bankCode, cardType });
    }
    for (const code of Object.keys(BANKS)) {
      expect(BIN_TABLE.filter((entry) => entry.bankCode === code).length).toBeGreaterThanOrEqual(4);
    }
    expect(Object.keys(BANKS)).toEqual(
      expect.arrayContaining(['ICBC', 'ABC', 'BOC', 'CCB', 'BOCOM', 'CMB', 'PSBC', 'CITIC', 'CEB']),
    );
    expect(Object.keys(BANKS)).toEqual(expect.arrayContaining(['CMBC', 'PAB', 'CIB', 'SPDB', 'HXB', 'GDB']));
  });

  it('answers null for unknown BINs and for non-numbers', () => {
    expect(lookupBin('6212345678901232')).toBeNull();
    expect(lookupBin('4111111111111111')).toBeNull();
    expect(lookupBin('62220')).toBeNull();
    expect(lookupBin('abcdefgh')).toBeNull();
    expect(lookupBin('6222 0212 3456 7894')?.bankCode).toBe('ICBC');
  });

  it('is consistent: prefixes unique, schemes match the leading digits', () => {
    const prefixes = BIN_TABLE.map((entry) => entry.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const entry of BIN_TABLE) {
      expect(entry.prefix).toMatch(/^\d{6,8}$/);
      // UnionPay also issued some legacy 60xxxx debit BINs (e.g. BOC 601382) outside the 62 range.
      const scheme = cardSchemeOf(`${entry.prefix}0000000000`);
      if (entry.scheme === 'UnionPay') expect(entry.prefix).toMatch(/^6[02]/);
      else expect(scheme).toBe(entry.scheme);
    }
  });

  it('prefers the longest matching prefix (6–8 digits)', () => {
    const table: BinEntry[] = [
      { prefix: '622202', bankCode: 'ICBC', cardType: 'debit', scheme: 'UnionPay' },
      { prefix: '62220212', bankCode: 'CMB', cardType: 'credit', scheme: 'UnionPay' },
    ];
    expect(lookupBin('6222021234567894', table)?.bankCode).toBe('CMB');
    expect(lookupBin('6222029934567894', table)?.bankCode).toBe('ICBC');
    expect(() => lookupBin('6222021234567894', [...table, table[0]!])).toThrow(/twice/);
  });
});

describe('the magic card numbers', () => {
  it('are Luhn-valid, carry a real bank BIN, and end in their 4 digits', () => {
    expect(new Set(SANDBOX_MAGIC_CARDS.map((card) => card.last4)).size).toBe(SANDBOX_MAGIC_CARDS.length);
    for (const card of SANDBOX_MAGIC_CARDS) {
      expect(parseCardNumber(card.example)).toBe(card.example);
      expect(card.example.endsWith(card.last4)).toBe(true);
      expect(lookupBin(card.example)?.bankCode).toBe(card.bankCode);
    }
  });

  it('are all listed in docs/bank-sandbox.md', () => {
    const doc = readFileSync(new URL('../../../../../docs/bank-sandbox.md', import.meta.url), 'utf8');
    for (const card of SANDBOX_MAGIC_CARDS) expect(doc).toContain(card.example);
  });
});
