/** Production webhooks post only outward: internal addresses and names resolving inward are refused. */
import { describe, expect, it } from 'vitest';
import { internalDestination, isInternalAddress } from './destinations.ts';

describe('webhook destinations', () => {
  it('tells internal addresses from public ones, v4, v6 and v4-mapped', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.5',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      'not-an-address',
    ]) {
      expect(isInternalAddress(address), address).toBe(true);
    }
    for (const address of ['203.0.113.7', '8.8.8.8', '2001:db8::1', '::ffff:8.8.4.4']) {
      expect(isInternalAddress(address), address).toBe(false);
    }
  });

  it('resolves the host: localhost is refused, a public literal passes', async () => {
    expect(await internalDestination('https://localhost:5432/x')).toMatch(/^refused: localhost resolves to/);
    expect(await internalDestination('https://[::1]/x')).toMatch(/internal address ::1/);
    expect(await internalDestination('https://203.0.113.7/hooks')).toBeNull();
  });
});
