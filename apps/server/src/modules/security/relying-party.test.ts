import { describe, expect, it } from 'vitest';
import { relyingPartyFor } from './relying-party.ts';

describe('the WebAuthn relying party of a request', () => {
  const production = { publicUrl: 'https://wallet.example.com', sandbox: false };
  const sandbox = { publicUrl: 'http://localhost:8080', sandbox: true };

  it('is the public URL in production, and a page elsewhere is refused', () => {
    const standard = { id: 'wallet.example.com', origin: 'https://wallet.example.com' };
    expect(relyingPartyFor({ ...production, origin: null })).toEqual(standard);
    expect(relyingPartyFor({ ...production, origin: 'https://wallet.example.com' })).toEqual(standard);
    for (const origin of [
      'http://localhost:5173',
      'https://evil.example',
      'https://wallet.example.com.evil.example',
    ]) {
      expect(() => relyingPartyFor({ ...production, origin })).toThrow(
        expect.objectContaining({ code: 'ORIGIN_NOT_ALLOWED' }),
      );
    }
  });

  it('in sandbox mode is the page itself when it is on localhost, at any port', () => {
    expect(relyingPartyFor({ ...sandbox, origin: 'http://localhost:41234' })).toEqual({
      id: 'localhost',
      origin: 'http://localhost:41234',
    });
    expect(relyingPartyFor({ ...sandbox, origin: 'https://127.0.0.1:3000' })).toEqual({
      id: '127.0.0.1',
      origin: 'https://127.0.0.1:3000',
    });
    for (const origin of [
      'https://evil.example',
      'http://localhost.evil.example',
      'null',
      'http://localhost:1/x',
    ]) {
      expect(() => relyingPartyFor({ ...sandbox, origin })).toThrow(
        expect.objectContaining({ code: 'ORIGIN_NOT_ALLOWED' }),
      );
    }
  });
});
