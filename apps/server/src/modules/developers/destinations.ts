/**
 * Where a webhook may be posted in production: not to the server's own network. A merchant could
 * otherwise point an endpoint at `http://169.254.169.254/` (a cloud's metadata service), the
 * database's port on localhost, or an office's internal hosts, and read the answers' status codes
 * in the delivery log (SSRF). The endpoint's host is resolved at every attempt (so a name that
 * later resolves inward — DNS rebinding — is refused then too) and every address it resolves to
 * must be public. Sandbox mode allows them all: a developer's receiver is on their own machine.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

/** Whether an address is one a production server must not post to. */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1]! : address;
  const family = isIP(plain);
  if (family === 0) return true;
  return PRIVATE.check(plain, family === 6 ? 'ipv6' : 'ipv4');
}

/** Null when every address the URL's host resolves to is public; else why not. */
export async function internalDestination(url: string): Promise<string | null> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
  const inward = addresses.find(isInternalAddress);
  return inward === undefined ? null : `refused: ${host} resolves to the internal address ${inward}`;
}
