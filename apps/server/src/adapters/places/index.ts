/**
 * Where an IP address is, for the risk engine's travel speed between sign-ins (issue 11). A
 * bank plugs in its geo-IP provider behind `PlaceLookup`; the sandbox knows the documentation
 * ranges of RFC 5737 and a few private ranges, each placed in a city, so tests and the synthetic
 * generator can sign in "from Shanghai" and then "from London" (docs/risk.md lists them):
 *
 * | addresses          | city      |
 * | ------------------ | --------- |
 * | 192.0.2.0/24       | Shanghai  |
 * | 198.51.100.0/24    | Beijing   |
 * | 203.0.113.0/24     | London    |
 * | 10.0.0.0/8         | Shanghai  | (the bank's own network)
 *
 * Loopback and every other address: unknown (null) — no travel is inferred from an unknown place.
 */
import { isIPv4 } from 'node:net';
import type { Place } from '../../modules/risk/engine/types.ts';

export interface PlaceLookup {
  placeOf(ip: string | null): Place | null;
}

export const SANDBOX_CITIES = {
  Shanghai: { city: 'Shanghai', latitude: 31.2304, longitude: 121.4737 },
  Beijing: { city: 'Beijing', latitude: 39.9042, longitude: 116.4074 },
  London: { city: 'London', latitude: 51.5072, longitude: -0.1276 },
} as const satisfies Record<string, Place>;

const RANGES: { prefix: string; place: Place }[] = [
  { prefix: '192.0.2.', place: SANDBOX_CITIES.Shanghai },
  { prefix: '198.51.100.', place: SANDBOX_CITIES.Beijing },
  { prefix: '203.0.113.', place: SANDBOX_CITIES.London },
  { prefix: '10.', place: SANDBOX_CITIES.Shanghai },
];

export class SandboxPlaces implements PlaceLookup {
  placeOf(ip: string | null): Place | null {
    if (!ip) return null;
    const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    if (!isIPv4(address)) return null;
    return RANGES.find((range) => address.startsWith(range.prefix))?.place ?? null;
  }
}
