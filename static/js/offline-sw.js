/* Huhang's service worker, served as /sw.js (volunteer/offline/app_shell.py puts its settings, self.HUHANG_SW,
   on the first line: the app shell's fingerprinted files to precache, the offline page, the store script).

   - Static files with a fingerprint in their name never change: from the cache first (precached at install,
     the rest kept when first used).
   - Pages come from the network; when it fails, the offline page kept at install (nothing a page shows about
     people is ever cached here: the visits kept for use without signal live in IndexedDB, offline-store.js).
   - A check-in, check-out or report posted from a page while the network fails (a signal that comes and
     goes) is kept in the outbox, then the visit is shown; Background Sync sends the outbox later.
   - At logout the page asks it to drop every cache (the server's Clear-Site-Data does the same). */
'use strict';

var C = self.HUHANG_SW;
importScripts(C.store);

var SHELL = 'huhang-shell-' + C.version;
var STATIC = 'huhang-static';
var FINGERPRINT = /\.[0-9a-f]{12}(\/|\.[A-Za-z0-9]+$)/;
var ACTION = /^\/visits\/(\d+)\/(checkin|checkout|report)$/;

// The shell is fetched without cookies: it names no one, and an answer to a request sent before a login
// (the offline page's, with the anonymous session) must not replace the session cookie the login just set.
function shellRequests() {
  return C.precache.map(function (url) { return new Request(url, { credentials: 'omit' }); });
}

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(shellRequests());
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('huhang-') === 0 && k !== SHELL; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function offlinePage() {
  return caches.open(SHELL).then(function (cache) { return cache.match(C.offline); }).then(function (resp) {
    return resp || new Response('', { status: 503, statusText: 'Offline' });
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (resp) {
      if (resp.ok) {
        var copy = resp.clone();
        caches.open(STATIC).then(function (cache) { return cache.put(request, copy); });
      }
      return resp;
    });
  });
}

function postOrKeep(request, match) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    var visit = parseInt(match[1], 10);
    return copy.formData().then(function (form) {
      return self.HuhangOffline.keepForm(visit, match[2], form);
    }).then(function () {
      if (self.registration.sync) self.registration.sync.register('huhang-outbox').catch(function () { return null; });
      return Response.redirect('/visits/' + visit, 303);
    }).catch(offlinePage);
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var action = ACTION.exec(url.pathname);
  if (request.method === 'POST' && request.mode === 'navigate' && action) {
    event.respondWith(postOrKeep(request, action));
  } else if (request.method !== 'GET') {
    return;
  } else if (url.pathname.indexOf('/static/') === 0) {
    if (FINGERPRINT.test(url.pathname)) event.respondWith(cacheFirst(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(offlinePage));
  }
});

// Logout: every cache goes; the app shell (no one's data in it) is fetched again for the next user.
self.addEventListener('message', function (event) {
  if (event.data && event.data.type === 'clear') {
    event.waitUntil(caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf('huhang-') === 0; })
        .map(function (k) { return caches.delete(k); }));
    }).then(function () {
      return caches.open(SHELL).then(function (cache) { return cache.addAll(shellRequests()); });
    }).catch(function () { return null; }));
  }
});

self.addEventListener('sync', function (event) {
  if (event.tag !== 'huhang-outbox') return;
  event.waitUntil(self.HuhangOffline.sync().then(function (result) {
    if (result.state === 'offline' || result.state === 'retry') throw new Error('not sent yet: ' + result.state);
  }));
});
