import { describe, expect, it } from 'vitest';
import {
  confirmationInput,
  confirmationPlanJson,
  confirmationPlanOutput,
  givenFactor,
  paymentToSignJson,
  paymentToSignOutput,
} from './confirmation.ts';

const passkeyResponse = {
  id: 'Y3JlZA',
  rawId: 'Y3JlZA',
  type: 'public-key',
  response: { clientDataJSON: 'e30', authenticatorData: 'YXV0aA', signature: 'c2ln' },
};

describe('the one confirmation of a payment', () => {
  it('takes exactly one factor: a PIN, a TOTP code or a passkey response', () => {
    expect(givenFactor(confirmationInput.parse({ pin: '123456' }))).toEqual({ pin: '123456' });
    expect(givenFactor(confirmationInput.parse({ totpCode: '654321' }))).toEqual({ totpCode: '654321' });
    expect(givenFactor(confirmationInput.parse({ passkeyResponse }))).toEqual({
      // Unknown fields are dropped; extension results default to none.
      passkeyResponse: { ...passkeyResponse, clientExtensionResults: {} },
    });
  });

  it('takes `{}` or nothing as no factor, which only a password-free payment accepts', () => {
    expect(givenFactor(confirmationInput.parse({}))).toBeNull();
    expect(givenFactor(confirmationInput.parse(undefined))).toBeNull();
  });

  it('refuses two factors at once, an unknown one, and malformed ones', () => {
    for (const value of [
      { pin: '123456', totpCode: '654321' },
      { password: 'secret' },
      { pin: '12345' },
      { pin: 123456 },
      { pin: '1234567' },
      { totpCode: 'abcdef' },
      { passkeyResponse: { id: 'x' } },
      { passkeyResponse: { ...passkeyResponse, type: 'password' } },
      { passkeyResponse: { ...passkeyResponse, id: 'not base64url!' } },
      '123456',
      null,
    ]) {
      expect(confirmationInput.safeParse(value).success, JSON.stringify(value)).toBe(false);
    }
  });
});

describe('the answers that prepare a confirmation', () => {
  it('name the factor to ask for and every factor accepted', () => {
    const plan = confirmationPlanJson({ factor: 'pin', accepted: ['pin', 'passkey'], reason: 'standard' });
    expect(confirmationPlanOutput.parse(plan)).toEqual({
      factor: 'pin',
      accepted: ['pin', 'passkey'],
      reason: 'standard',
    });
  });

  it('name the payment a passkey signs, amount and currency flat as the signature binds them', () => {
    const payment = paymentToSignJson({ id: 'p-1', amountMinor: 1234n, currency: 'CNY', payee: 'user:u-1' });
    expect(paymentToSignOutput.parse(payment)).toEqual({
      id: 'p-1',
      amount: '1234',
      currency: 'CNY',
      payee: 'user:u-1',
    });
  });
});
