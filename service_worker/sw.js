/* Waymark's service worker, served at /sw.js with scope "/".
 *
 * For now it only takes control of the site, so that pages have a worker to talk to.
 * Offline caching of the field forms and the outbox are built on top of it by the
 * offline-entry work; until then every request goes to the network as usual.
 */
"use strict";

const VERSION = "waymark-sw-1";

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", (event) => {
  if (event.data === "version") {
    event.source.postMessage(VERSION);
  }
});
