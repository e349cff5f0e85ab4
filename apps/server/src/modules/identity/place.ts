import { isIPv4, isIPv6 } from 'node:net';

/**
 * A coarse, human description of where a session was used, from its IP address alone. There is
 * no geo-IP database yet: a public address is shown as it is, which the holder can look up.
 */
export function placeOf(ip: string | null): string {
  if (!ip) return 'Unknown';
  const address = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (isIPv4(address)) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    if (a === 127) return 'This computer';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'Local network';
    if (a === 169 && b === 254) return 'Local network';
    if (a === 100 && b >= 64 && b <= 127) return 'Carrier network';
    return address;
  }
  if (isIPv6(address)) {
    const lower = address.toLowerCase();
    if (lower === '::1') return 'This computer';
    if (/^f[cd]/.test(lower) || /^fe[89ab]/.test(lower)) return 'Local network';
    return address;
  }
  return 'Unknown';
}
