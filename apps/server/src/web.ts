/**
 * The consumer web app (apps/web, built into apps/web/dist) served from the API's own origin, so
 * the session cookie needs no CORS and no third-party cookie rules.
 *
 * One GET route, `/*`, registered after every API route (more specific routes win):
 * - a file of the build: sent, hashed assets cached for a year, the rest revalidated;
 * - an API-like path (`/v1/…`, `/dev/…`, `/docs…`, probes, metrics): the API's JSON 404, as before;
 * - a missing file (`/assets/gone.js`): the JSON 404, never the page (a script must not get HTML);
 * - anything else that a browser navigates to (Accept: text/html): index.html, and the app's
 *   router shows the screen. Clients that do not ask for HTML get the JSON 404.
 * When the app has not been built, those pages say how to build it; the API works regardless.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Paths that belong to the API: never answered with the app's page. */
const API_PREFIXES = ['/v1/', '/dev/', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics'];

/** Vite names the files under /assets by their content hash: they never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** Only plain relative file names are looked up on disk; no dot segments, no dotfiles. */
const SAFE_FILE_PATH = /^\/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Security headers for the page itself. The app loads nothing from other origins; antd-mobile
 * sets inline `style` attributes, hence 'unsafe-inline' for styles only.
 */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

export interface WebAppOptions {
  /** The built app; `apps/web/dist` by default. */
  distDir?: string;
}

export const webApp: FastifyPluginAsync<WebAppOptions> = async (app, options) => {
  const root = path.resolve(options.distDir ?? DEFAULT_WEB_DIST);
  await app.register(fastifyStatic, {
    root,
    serve: false, // one route below decides what each path is
    cacheControl: false, // set per file in setHeaders
    dotfiles: 'deny',
    index: false,
    setHeaders: (response, filePath) => {
      const relative = path.relative(root, filePath).split(path.sep).join('/');
      response.setHeader('cache-control', relative.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
      if (relative === 'index.html') {
        for (const [name, value] of Object.entries(PAGE_HEADERS)) response.setHeader(name, value);
      }
    },
  });

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (API_PREFIXES.some((prefix) => pathname.startsWith(prefix))) return reply.callNotFound();
    if (pathname !== '/' && SAFE_FILE_PATH.test(pathname) && (await isFile(path.join(root, pathname)))) {
      return reply.sendFile(pathname.slice(1));
    }
    if (pathname !== '/' && (looksLikeFile(pathname) || !acceptsHtml(request))) return reply.callNotFound();
    if (!(await isFile(path.join(root, 'index.html')))) return notBuilt(reply);
    return reply.sendFile('index.html');
  });
};

function looksLikeFile(pathname: string): boolean {
  return /\.[A-Za-z0-9]+$/.test(pathname.slice(pathname.lastIndexOf('/') + 1));
}

function acceptsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await stat(filePath)).isFile();
  } catch {
    return false;
  }
}

function notBuilt(reply: FastifyReply): FastifyReply {
  return reply
    .code(503)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Qianbao: web app not built</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1em .3em;border-radius:4px}</style></head>
<body>
<h1>钱包 Qianbao</h1>
<p>The API is running, but the web app has not been built yet.</p>
<p>Build it with <code>node scripts/build-web.mjs</code> (or start with <code>npm start</code>, which builds it when needed), then reload this page.</p>
<p>API docs: <a href="/docs">/docs</a></p>
</body>
</html>
`);
}
