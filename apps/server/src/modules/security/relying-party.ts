import { AppError } from '../../errors.ts';

/** Who the passkeys belong to: the WebAuthn relying party id (a host name) and the page origin. */
export interface RelyingParty {
  id: string;
  origin: string;
}

/** Host names a sandbox accepts pages from, whatever their port (tests listen on random ports). */
const SANDBOX_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * The relying party of a request, from the page's `Origin` header. In production it is always
 * the public URL, and a page elsewhere is refused. In sandbox mode a page on localhost (any port,
 * http or https) or on the public URL's host is its own relying party, so a developer's or a
 * test's random port works. Browsers refuse WebAuthn on IP addresses: use `localhost`.
 */
export function relyingPartyFor(input: {
  publicUrl: string;
  sandbox: boolean;
  origin: string | null | undefined;
}): RelyingParty {
  const publicOrigin = new URL(input.publicUrl);
  const standard = { id: publicOrigin.hostname, origin: publicOrigin.origin };
  if (!input.origin || input.origin === standard.origin) return standard;
  if (input.sandbox) {
    const page = parseOrigin(input.origin);
    if (page && (SANDBOX_HOSTS.has(page.hostname) || page.hostname === standard.id)) {
      return { id: page.hostname, origin: page.origin };
    }
  }
  throw new AppError('ORIGIN_NOT_ALLOWED', { details: { expectedOrigin: standard.origin } });
}

function parseOrigin(value: string): URL | null {
  if (value.length > 256) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    // An Origin header is exactly scheme://host[:port]; anything more is not one.
    return url.origin === value ? url : null;
  } catch {
    return null;
  }
}
