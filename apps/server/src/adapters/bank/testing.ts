import { randomInt } from 'node:crypto';
import { luhnValid } from './card-number.ts';

/**
 * A fresh Luhn-valid 16-digit card number with this BIN. Without `last4`, the last 4 digits are
 * 1000–9999, so never one of the sandbox's magic endings (00xx).
 */
export function sandboxCardNumber(bin = '622202', last4?: string): string {
  const tail = last4 ?? String(randomInt(1000, 10_000));
  for (let attempt = 0; attempt < 1000; attempt++) {
    const number = `${bin}${String(randomInt(0, 1_000_000)).padStart(16 - bin.length - tail.length, '0')}${tail}`;
    if (luhnValid(number)) return number;
  }
  throw new Error('no Luhn-valid number found');
}

/** A clock tests can move. */
export class ManualClock {
  constructor(private ms: number = Date.now()) {}

  readonly now = (): Date => new Date(this.ms);

  set(iso: string): void {
    this.ms = Date.parse(iso);
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
