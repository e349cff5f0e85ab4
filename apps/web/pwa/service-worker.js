/* global self, caches, fetch, Response, __QIANBAO_SHELL_FILES__ */
// The Qianbao service worker. The build (pwa/plugin.ts) replaces the two placeholders below with
// this build's id and the files of its app shell.
//
// What it caches, and what it never caches:
// - the app shell (index.html, the hashed JS/CSS, icons, manifest): precached at install, so the
//   app starts offline and shows its own "you are offline" state;
// - API calls (/v1/*): network first, and NEVER stored: they carry balances, phone numbers and
//   sessions, which must not outlive a sign-out in a cache on a shared phone. Offline, the app
//   gets a JSON error in the API's own shape (code NETWORK_OFFLINE);
// - /dev, /docs, /openapi.json and the probes: left to the network untouched.
const BUILD_ID = '__QIANBAO_BUILD_ID__';
const SHELL_FILES = __QIANBAO_SHELL_FILES__;
const CACHE = `qianbao-shell-${BUILD_ID}`;
const PASS_THROUGH = ['/dev/', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith('qianbao-shell-') && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PASS_THROUGH.some((prefix) => url.pathname.startsWith(prefix))) return;

  if (url.pathname.startsWith('/v1/')) {
    event.respondWith(fetch(request).catch(() => offlineApiError()));
    return;
  }
  if (request.mode === 'navigate') {
    // Network first, so a new build is picked up at once; the cached shell when offline.
    event.respondWith(
      fetch(request).catch(() =>
        caches.match('/', { cacheName: CACHE }).then((cached) => cached || offlinePage()),
      ),
    );
    return;
  }
  // Hashed assets never change under one name: the cache answers first.
  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then(
      (cached) =>
        cached ||
        fetch(request).then((response) => {
          if (response.ok && url.pathname.startsWith('/assets/')) {
            const copy = response.clone();
            event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
          }
          return response;
        }),
    ),
  );
});

function offlineApiError() {
  return new Response(
    JSON.stringify({ error: { code: 'NETWORK_OFFLINE', message: 'You are offline.', details: {} } }),
    { status: 503, headers: { 'content-type': 'application/json; charset=utf-8' } },
  );
}

function offlinePage() {
  return new Response(
    '<!doctype html><meta charset="utf-8"><title>钱包</title><p>网络未连接 · You are offline</p>',
    {
      status: 503,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    },
  );
}
