/* The outbox: forms saved on the phone until the server has them.
 *
 * Shared by the pages (<script>) and the service worker (importScripts), so Background Sync and
 * the pages replay with the same code. Each entry: {id (the Idempotency-Key, a UUID made on the
 * phone), url, fields [[name, value]…], files [[name, Blob, filename]…] (a photo, if any), userId,
 * created, label, state, message}.
 * An entry is removed only when the server said it is saved (or was saved before); a refusal
 * keeps it, marked, with the server's words, until the worker fixes it.
 */
"use strict";

(function (scope) {
  var DB_NAME = "waymark";
  var DB_VERSION = 1;
  var OUTBOX_HEADER = "X-Waymark-Outbox";
  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  var dbPromise = null;

  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function open() {
    if (!dbPromise) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id" });
        if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
      };
      dbPromise = done(request);
    }
    return dbPromise;
  }

  function store(name, mode) {
    return open().then(function (db) { return db.transaction(name, mode).objectStore(name); });
  }

  function all() {
    return store("outbox", "readonly").then(function (s) { return done(s.getAll()); }).then(function (entries) {
      return entries.sort(function (a, b) { return a.created - b.created; });
    });
  }
  function get(id) { return store("outbox", "readonly").then(function (s) { return done(s.get(id)); }); }
  function put(entry) { return store("outbox", "readwrite").then(function (s) { return done(s.put(entry)); }); }
  function remove(id) { return store("outbox", "readwrite").then(function (s) { return done(s.delete(id)); }); }
  function kvGet(key) { return store("kv", "readonly").then(function (s) { return done(s.get(key)); }); }
  function kvSet(key, value) { return store("kv", "readwrite").then(function (s) { return done(s.put(value, key)); }); }
  function kvDelete(key) { return store("kv", "readwrite").then(function (s) { return done(s.delete(key)); }); }

  /* A persistent client ID made on the phone: 8 random Crockford symbols and the mod-37
     check, only from the plain alphabet (see webapp/client_ids.py). */
  function newClientId() {
    for (;;) {
      var bytes = scope.crypto.getRandomValues(new Uint8Array(5));
      var value = 0n;
      for (var i = 0; i < bytes.length; i++) value = (value << 8n) | BigInt(bytes[i]);
      var check = Number(value % 37n);
      if (check >= 32) continue;
      var body = "";
      for (var shift = 35n; shift >= 0n; shift -= 5n) body += ALPHABET[Number((value >> shift) & 31n)];
      return body.slice(0, 4) + "-" + body.slice(4) + "-" + ALPHABET[check];
    }
  }

  function unescapeHtml(text) {
    return text.replace(/&#39;|&#34;|&quot;|&lt;|&gt;|&amp;/g, function (entity) {
      return { "&#39;": "'", "&#34;": '"', "&quot;": '"', "&lt;": "<", "&gt;": ">", "&amp;": "&" }[entity];
    });
  }

  /* The server's words about a refused entry, read without a DOM (the worker has none). */
  function refusal(html) {
    var found = [];
    var pattern = /class="field__error" id="([^"]+)-error">([^<]*)</g;
    var match;
    while ((match = pattern.exec(html))) {
      // Named by its field's label, so "must be today or later" says which date.
      var label = new RegExp('for="' + match[1] + '"[^>]*>([^<]*)<').exec(html) ||
        new RegExp('id="' + match[1] + '-label"[^>]*>([^<]*)<').exec(html);
      var words = unescapeHtml(match[2].trim());
      found.push(label ? unescapeHtml(label[1].trim()) + ": " + words : words);
    }
    if (!found.length) {
      var page = /<h1>([^<]*)<\/h1>\s*<p>([^<]*)</.exec(html);
      if (page) found.push(unescapeHtml(page[1] + ": " + page[2]));
    }
    return found.join(" ") || "The server did not accept this entry.";
  }

  /* Send one entry, never under another user's session (the server checks X-Waymark-User and
     answers 403 with X-Waymark-Wrong-User). The CSRF token is the one last kept (from a page or
     /session): /session is asked only when there is none or the server refused the one sent, so
     an online submit costs one request, not two. The entry the worker is waiting on is
     "interactive": only its confirmation is shown on the next page. */
  function freshToken() {
    return fetch("/session", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (session) {
        if (session.status === 401) return { outcome: "signed-out" };
        if (!session.ok) return { outcome: "retry", status: session.status };
        return session.json().then(function (info) {
          return kvSet("csrf", { userId: info.user_id, token: info.csrf_token }).then(function () { return info; });
        });
      });
  }

  function keptToken(userId) {
    return kvGet("csrf").then(function (kept) {
      return kept && kept.userId === userId ? { user_id: userId, csrf_token: kept.token } : freshToken();
    });
  }

  /* A form with a file (a photo taken for a client's record) keeps it as a Blob in the entry's
     `files` ([name, blob, filename]…) and is sent as multipart; any other form as URL-encoded. */
  function post(entry, token, interactive) {
    var files = entry.files || [];
    var body = files.length ? new FormData() : new URLSearchParams();
    entry.fields.forEach(function (pair) { if (pair[0] !== "csrf_token") body.append(pair[0], pair[1]); });
    files.forEach(function (file) { body.append(file[0], file[1], file[2]); });
    var headers = { "X-CSRFToken": token, "Idempotency-Key": entry.id, Accept: "application/json, text/html" };
    headers[OUTBOX_HEADER] = interactive ? "interactive" : "background";
    headers["X-Waymark-User"] = String(entry.userId);
    return fetch(entry.url, { method: "POST", body: body, credentials: "same-origin", cache: "no-store", headers: headers });
  }

  function sendOne(entry, interactive, retried) {
    return keptToken(entry.userId)
      .then(function (info) {
        if (info.outcome) return info;
        if (info.user_id !== entry.userId) return { outcome: "other-user" };
        return post(entry, info.csrf_token, interactive).then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (response.ok && type.indexOf("application/json") === 0) {
            return response.json().then(function (result) { return { outcome: "sent", result: result }; });
          }
          if (response.headers.get("X-Waymark-CSRF") && !retried) {
            return kvDelete("csrf").then(function () { return sendOne(entry, interactive, true); });
          }
          if (response.status === 401) return kvDelete("csrf").then(function () { return { outcome: "signed-out" }; });
          if (response.headers.get("X-Waymark-Wrong-User")) return { outcome: "other-user" };
          if (response.status === 409 || response.status === 429 || response.status >= 500) {
            return { outcome: "retry", status: response.status };
          }
          return response.text().then(function (html) {
            return { outcome: "refused", status: response.status, html: html, message: refusal(html) };
          });
        });
      })
      .catch(function () { return { outcome: "offline" }; });
  }

  function rewriteClientId(oldId, newId) {
    return all().then(function (entries) {
      return Promise.all(entries.filter(function (e) { return e.url.indexOf("/clients/" + oldId + "/") === 0; })
        .map(function (e) { e.url = e.url.replace("/clients/" + oldId + "/", "/clients/" + newId + "/"); return put(e); }));
    });
  }

  /* Replay every waiting entry in the order it was made; stop at the first that cannot go yet,
     so a contact never overtakes the intake it belongs to. onResult(entry, outcome) is told of each. */
  var running = null;
  // What was just sent changed the worker's cases: the kept caseload is fetched again on the next
  // page, whether the entry went from its form, "Send now", coming back online or the service
  // worker's background sync.
  function markCaseloadStale() {
    return kvGet("caseload").then(function (kept) {
      if (kept && kept.fetched) { kept.fetched = 0; return kvSet("caseload", kept); }
    });
  }

  function replayAll(onResult, interactiveId) {
    if (running) return running;
    var work = function () {
      return all().then(function (entries) {
        var index = 0;
        function next() {
          if (index >= entries.length) return Promise.resolve();
          var entry = entries[index++];
          if (entry.state === "refused") return next();
          return sendOne(entry, entry.id === interactiveId).then(function (outcome) {
            if (onResult) onResult(entry, outcome);
            if (outcome.outcome === "sent") {
              var reissued = outcome.result.client_id_reissued;
              return remove(entry.id)
                .then(markCaseloadStale)
                .then(function () {
                  // "<phone-made> <issued>" for each ID re-issued, joined by ";"; one at a time.
                  return (reissued ? reissued.split(";") : []).reduce(function (done, pair) {
                    return done.then(function () { return rewriteClientId.apply(null, pair.split(" ")); });
                  }, Promise.resolve());
                })
                .then(function () { if (reissued) entries = null; })
                .then(function () { return entries ? next() : all().then(function (fresh) { entries = fresh; index = 0; return next(); }); });
            }
            if (outcome.outcome === "refused") {
              entry.state = "refused";
              entry.status = outcome.status;
              entry.message = /^\/clients\/[^/]+\/contacts\/new$/.test(entry.url) && outcome.status === 404
                ? "Nobody with this client ID is open to you (their intake may have been joined to a known " +
                  "client): choose who this contact is for."
                : outcome.message;
              return put(entry).then(next);
            }
            if (outcome.outcome === "other-user") return next();
            if (outcome.outcome === "signed-out") {
              // Every entry of this worker waits for the same thing: say so on each, not the first.
              var theirs = entries.slice(index - 1).filter(function (e) {
                return e.userId === entry.userId && e.state !== "refused";
              });
              return Promise.all(theirs.map(function (e) {
                e.state = "signed-out";
                e.message = "Sign in again to send it.";
                return put(e);
              }));
            }
            entry.state = "waiting";
            if (outcome.outcome === "retry") {
              entry.tries = (entry.tries || 0) + 1;
              entry.message = "Not sent yet: the server could not take it (" + (outcome.status || "no answer") +
                "), tried " + entry.tries + (entry.tries === 1 ? " time" : " times") + "; it is tried again.";
            } else {
              entry.message = "";
            }
            return put(entry);
          });
        }
        return next();
      });
    };
    var locks = scope.navigator && scope.navigator.locks;
    running = (locks ? locks.request("waymark-outbox", work) : work()).finally(function () { running = null; });
    return running;
  }

  /* A sign-out made offline ended everything on the phone at once; the server's session ends
     here, at the first chance online (a page, the worker, a sync), before any page shows it. */
  var PENDING_SIGN_OUT = "sign-out-pending";
  function finishSignOut() {
    return kvGet(PENDING_SIGN_OUT).then(function (pending) {
      if (pending === undefined) return false;
      var done = function () { return kvDelete(PENDING_SIGN_OUT).then(function () { return true; }); };
      return fetch("/session", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (session) {
          if (session.status === 401) return done();  // the session ended by itself meanwhile
          if (!session.ok) return false;
          return session.json().then(function (info) {
            if (info.user_id !== pending.userId) return done();  // someone else has signed in since
            var body = new URLSearchParams(pending.fields || []);
            body.set("csrf_token", info.csrf_token);
            return fetch("/logout", { method: "POST", body: body, credentials: "same-origin", cache: "no-store",
                                      redirect: "manual", headers: { "X-CSRFToken": info.csrf_token } })
              .then(function (response) { return response.type === "opaqueredirect" || response.ok ? done() : false; });
          });
        })
        .catch(function () { return false; });
    });
  }

  /* True when entries wait that a later try could send (not refused, not another worker's). */
  function stillWaiting(userId) {
    return all().then(function (entries) {
      return entries.some(function (e) { return e.state === "waiting" && (userId === undefined || e.userId === userId); });
    });
  }

  /* Bytes an entry keeps on the phone: its typed fields and any file. */
  function sizeOf(entry) {
    var size = 0;
    (entry.fields || []).forEach(function (pair) { size += pair[0].length + String(pair[1]).length; });
    (entry.files || []).forEach(function (file) { size += file[1].size; });
    return size;
  }

  scope.WaymarkOutbox = {
    sizeOf: sizeOf,
    all: all, get: get, put: put, remove: remove, kvGet: kvGet, kvSet: kvSet, kvDelete: kvDelete,
    newClientId: newClientId, sendOne: sendOne, replayAll: replayAll, SYNC_TAG: "waymark-outbox",
    finishSignOut: finishSignOut, PENDING_SIGN_OUT: PENDING_SIGN_OUT, stillWaiting: stillWaiting,
  };
})(self);
