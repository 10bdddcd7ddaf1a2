/* Waymark's service worker, served at /sw.js with scope "/".
 *
 * - Static files: precached under a versioned name and kept by their full URL (`?v=<hash>` names
 *   the content, so a new page never gets an old file); any kept version stands in only offline.
 * - Pages: network first (they carry client data and are never stored). When the network fails,
 *   the field forms fall back to their shells and everything else to /offline; a slow answer is
 *   waited for (a field form shows its shell meanwhile), never taken for "offline".
 * - Form shells (no client data, no CSRF token) are kept per signed-in worker when a page asks,
 *   and deleted at sign-out (static/js/outbox.js).
 * - Background Sync replays the outbox with the pages' own code (outbox-core.js).
 * /sw.js is served with the static files' hash in front of VERSION, so a changed static file makes
 * a new worker by itself; bump VERSION when this file's own logic changes. Every quoted static path
 * here is served as the versioned URL the pages use (routes/pwa.py): the install's fetches are
 * answered by the browser's HTTP cache (the page registers the worker after `load`), not the network.
 */
"use strict";

importScripts("/static/js/outbox-core.js");

var VERSION = "10";
var STATIC_CACHE = "waymark-static-" + VERSION;
var SHELL_CACHE = "waymark-shells-" + VERSION;
/* What every page loads before `load` (so the HTTP cache has it) and the offline page. Icons are
   not: the browser fetches a favicon on its own schedule and keeps it itself, and a notification's
   icon is only needed when a push arrives, online. */
var STATIC_FILES = [
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/js/outbox-core.js",
  "/static/js/outbox.js",
  "/static/vendor/htmx-2.0.11.min.js",
  "/offline",
];
var SHELLS = ["/forms/intake", "/forms/contact", "/forms/referral-status", "/outbox", "/caseload"];
var SHELL_FOR = [
  [/^\/clients\/new$/, "/forms/intake"],
  [/^\/forms\/intake$/, "/forms/intake"],
  [/^\/cases\/\d+\/contacts\/new$/, "/forms/contact"],
  [/^\/clients\/[^/]+\/contacts\/new$/, "/forms/contact"],
  [/^\/forms\/contact$/, "/forms/contact"],
  [/^\/referrals\/\d+$/, "/forms/referral-status"],
  [/^\/forms\/referral-status$/, "/forms/referral-status"],
  [/^\/outbox$/, "/outbox"],
  [/^\/caseload$/, "/caseload"],
];
var NETWORK_TIMEOUT_MS = 4000;

function storable(response) {
  return response.ok && !response.redirected && !/no-store/.test(response.headers.get("Cache-Control") || "");
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC_CACHE).then(function (cache) { return cache.addAll(STATIC_FILES); }));
});

/* A new version keeps the signed-in worker's form shells: they are copied from the old cache
   before it goes, so a phone updated online and opened offline still has its forms; fresh copies
   replace them when the network allows. */
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      var old = names.filter(function (name) {
        return name.indexOf("waymark-") === 0 && name !== STATIC_CACHE && name !== SHELL_CACHE;
      });
      var oldShells = old.filter(function (name) { return name.indexOf("waymark-shells-") === 0; });
      return carryShells(oldShells).then(function () {
        return Promise.all(old.map(function (name) { return caches.delete(name); }));
      }).then(function () { return self.clients.claim(); }).then(function () {
        // An update (there were shells to carry): refresh them now if the network allows.
        if (oldShells.length) { shellsKeptAt = 0; return keepShells(); }
      });
    })
  );
});

function carryShells(oldNames) {
  return caches.open(SHELL_CACHE).then(function (fresh) {
    return oldNames.reduce(function (done, name) {
      return done.then(function () { return caches.open(name); }).then(function (old) {
        return old.keys().then(function (requests) {
          return Promise.all(requests.map(function (request) {
            return fresh.match(request).then(function (have) {
              if (have) return null;
              return old.match(request).then(function (response) { return response && fresh.put(request, response); });
            });
          }));
        });
      });
    }, Promise.resolve());
  });
}

/* A static file is the exact URL asked for, from the cache or the network; only responses the
   server marks immutable (a URL naming its content) are kept. Offline, any kept version of the same
   file stands in, so a page the worker serves offline is still styled. */
function fromStaticCache(request) {
  return caches.match(request, { cacheName: STATIC_CACHE }).then(function (cached) {
    return cached || fetch(request).then(function (response) {
      if (storable(response) && /immutable/.test(response.headers.get("Cache-Control") || "")) {
        var copy = response.clone();
        caches.open(STATIC_CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }, function (error) {
      return caches.match(request, { cacheName: STATIC_CACHE, ignoreSearch: true }).then(function (kept) {
        if (kept) return kept;
        throw error;
      });
    });
  });
}

function shellFor(pathname) {
  for (var i = 0; i < SHELL_FOR.length; i++) if (SHELL_FOR[i][0].test(pathname)) return SHELL_FOR[i][1];
  return null;
}

function shellOf(url) {
  var shell = shellFor(url.pathname);
  return shell ? caches.match(shell, { cacheName: SHELL_CACHE, ignoreVary: true }) : Promise.resolve(undefined);
}

function offlinePage(url) {
  return shellOf(url).then(function (cached) {
    return cached || caches.match("/offline", { cacheName: STATIC_CACHE });
  }).then(function (page) {
    return page || new Response("You are offline.", { status: 503, headers: { "Content-Type": "text/plain" } });
  });
}

/* Only a failed fetch means offline. A slow one is waited for; a field form shows its shell after
   NETWORK_TIMEOUT_MS (the worker can fill it in, and it sends through the outbox either way). */
function pageFromNetwork(request, url) {
  var network = fetch(request);
  var offline = network.then(function () { return null; }, function () { return offlinePage(url); });
  var slow = new Promise(function (resolve) { setTimeout(resolve, NETWORK_TIMEOUT_MS); })
    .then(function () { return shellOf(url); });
  return new Promise(function (resolve) {
    var answered = false;
    function answer(response) { if (!answered && response) { answered = true; resolve(response); } }
    network.then(answer, function () {});
    offline.then(answer);
    slow.then(answer);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // A client's documents and photos: straight to the network, never into Cache Storage (the
  // server sends them no-store; they are not even looked up here).
  if (url.pathname.indexOf("/documents/") === 0) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromStaticCache(request));
  } else if (request.mode === "navigate") {
    // A sign-out made offline is finished with the server before any page can show the session.
    var ready = self.WaymarkOutbox.finishSignOut().catch(function () { return false; });
    event.respondWith(ready.then(function () { return pageFromNetwork(request, url); }));
  }
  // Anything else (JSON with client data included) goes to the network and is never stored.
});

var shellsKeptAt = 0;
var SHELLS_FRESH_MS = 60 * 1000;

/* Fetch every shell first, then store whole bodies: a shell being replaced is never missing
   for long, and a failed fetch never removes the copy we have. */
function keepShells() {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return Promise.all(SHELLS.map(function (path) { return cache.match(path); }));
  }).then(function (kept) {
    // Fresh enough unless some are missing (a user switch or sign-out deleted them).
    if (kept.every(Boolean) && Date.now() - shellsKeptAt < SHELLS_FRESH_MS) return null;
    shellsKeptAt = Date.now();
    return fetchShells();
  });
}

function fetchShells() {
  return Promise.all(SHELLS.map(function (path) {
    return fetch(path, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!storable(response)) return null;
      return response.blob().then(function (body) {
        return [path, new Response(body, { status: response.status, headers: response.headers })];
      });
    }).catch(function () { return null; });
  })).then(function (fetched) {
    return caches.open(SHELL_CACHE).then(function (cache) {
      return Promise.all(fetched.filter(Boolean).map(function (pair) { return cache.put(pair[0], pair[1]); }));
    });
  });
}

function tellPages(message) {
  return self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage(message); });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "cache-shells") event.waitUntil(keepShells());
  if (data.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("sync", function (event) {
  if (event.tag === self.WaymarkOutbox.SYNC_TAG) {
    // A sync that leaves entries waiting fails, so the browser tries again later with its own backoff.
    event.waitUntil(self.WaymarkOutbox.replayAll()
      .then(function () { return tellPages({ type: "outbox-changed" }); })
      .then(function () { return self.WaymarkOutbox.stillWaiting(); })
      .then(function (waiting) { if (waiting) throw new Error("entries still waiting"); }));
  }
});

/* Push reminders: a digest with counts only (no client names on a lock screen). The tag makes a
   new digest replace the last one instead of piling up. */
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var title = data.title || "Waymark";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "You have reminders due.",
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    tag: data.tag || "waymark-reminders",
    renotify: true,
    data: { url: sameOriginPath(data.url) }
  }));
});

/* A tap opens the right page: an open Waymark window is brought to it, else a new one opens. */
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = sameOriginPath(event.notification.data && event.notification.data.url);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    var open = windows[0];
    if (open) {
      return open.navigate(url).then(function (client) {
        return (client || open).focus().catch(function () { /* focus needs a user gesture */ });
      });
    }
    return self.clients.openWindow(url);
  }));
});

function sameOriginPath(url) {
  // Only ever a path on this origin: a payload cannot send the worker elsewhere.
  return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "/reminders";
}
