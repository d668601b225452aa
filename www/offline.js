// Makes the page an offline application: registers the service worker (sw.js)
// once the page is ready, so that caching its assets never delays the first
// highlight. Resolves to whether the page will load without a network.
export async function registerOffline() {
  if (!('serviceWorker' in navigator)) return false;
  try {
    await navigator.serviceWorker.register('sw.js');
    await navigator.serviceWorker.ready;
    return true;
  } catch (e) {
    // Not fatal: the page works, only not offline (e.g. a file:// origin).
    console.warn(`spanmark: offline use is unavailable: ${e.message}`);
    return false;
  }
}
