// The offline attendance sheet's service worker, served at /attendance-sw.js (never cached) and
// registered by the sheet for /organiser/. It keeps the sheets and the static files they use:
// a sheet comes from the network when there is signal (and its copy is refreshed), from the
// copy when there is none; static files (fingerprinted URLs) from the copy first. Everything
// else, the API included, goes to the network as without a worker: the page itself sends the
// queued marks when it is online (a worker's own requests are not what the page sees offline).
"use strict";
var CACHE = "portal-sheet-v1";
var SHEET = /^\/organiser\/events\/\d+\/attendance\/\d+$/;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(request, response) {
  // A redirect (to the login page, say) is not the sheet: keep only the sheet itself.
  if (response.ok && !response.redirected && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && SHEET.test(url.pathname)) {
    event.respondWith(fetch(request).then(function (response) { return keep(request, response); })
      .catch(function () {
        return caches.match(request).then(function (found) {
          return found || caches.match(url.origin + url.pathname, {ignoreSearch: true});
        }).then(function (found) { return found || Response.error(); });
      }));
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/bootstrap/static/") === 0) {
    event.respondWith(caches.match(request).then(function (found) {
      return found || fetch(request).then(function (response) { return keep(request, response); });
    }));
  }
});
