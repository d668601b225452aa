// The offline application: every asset of the page is cached when this worker
// installs (the list and its version come from precache.js, written by
// ./build.sh build), so that after the first visit the page loads and works
// with no network at all.
//
// Requests for those assets go to the network first and to the cache only
// when the network fails: a cache-first worker would keep serving the old
// build after a rebuild until every tab closed. Each good response refreshes
// the cache. Anything not in the list is left to the browser untouched.
importScripts('precache.js');

const CACHE = `spanmark-${self.PRECACHE.version}`;
const scope = self.registration.scope;
const known = new Set(['', ...self.PRECACHE.files].map((f) => new URL(f, scope).href));

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll([...known].map((url) => new Request(url, { cache: 'no-store' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('spanmark-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function keyOf(request) {
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  if (request.mode === 'navigate' && url.href.startsWith(scope)) return scope;
  return url.href;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const key = keyOf(request);
  if (!known.has(key)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.ok) await cache.put(key, response.clone());
      return response;
    } catch (e) {
      const cached = await cache.match(key);
      if (cached) return cached;
      throw e;
    }
  })());
});
