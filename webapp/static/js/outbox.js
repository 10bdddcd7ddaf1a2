/* The outbox on the page: field forms go through it, the badge counts what waits, the outbox
 * page lists it, logout and user switches clear what the phone keeps. See outbox-core.js. */
"use strict";

(function () {
  var O = window.WaymarkOutbox;
  var SHELL_CACHE_PREFIX = "waymark-shells-";

  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    return element ? element.content : null;
  }
  function isShell() { return meta("waymark-shell") === "true"; }
  /* Who the phone is working for. A page the service worker served offline (the offline page)
     knows no user; it is the worker who last signed in here, not a sign-out. */
  var keptUser = null;
  function me() {
    var id = meta("user-id");
    if (id) return Number(id);
    return isShell() ? keptUser : null;
  }

  function mine(entries) { var id = me(); return entries.filter(function (e) { return e.userId === id; }); }

  function say(text, kind) {
    var status = document.getElementById("outbox-status");
    if (!status) return;
    status.textContent = text;
    status.className = "flash" + (kind ? " flash--" + kind : "");
    status.hidden = false;
  }

  function refreshBadge() {
    return O.all().then(function (entries) {
      var atLogin = document.getElementById("login-waiting");
      if (atLogin) {
        atLogin.hidden = entries.length === 0;
        atLogin.querySelector("[data-count]").textContent = String(entries.length);
      }
      var waiting = mine(entries);
      var badge = document.getElementById("outbox-badge");
      if (badge) {
        badge.hidden = waiting.length === 0;
        badge.querySelector("[data-count]").textContent = String(waiting.length);
        var refused = waiting.some(function (e) { return e.state === "refused"; });
        badge.classList.toggle("outbox-badge--refused", refused);
        badge.querySelector("[data-refused]").hidden = !refused;  // said, not only shown in red
      }
      var offlineCount = document.getElementById("offline-waiting");
      if (offlineCount) {
        offlineCount.hidden = waiting.length === 0;
        offlineCount.querySelector("[data-count]").textContent = String(waiting.length);
      }
      renderOutboxPage(waiting);
      renderCaseload();
      fillPickers(waiting);
    });
  }

  function localNow() {
    var now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 16);
  }

  function prepareForms() {
    var fixing = sessionStorage.getItem("waymark-fix");
    document.querySelectorAll("form[data-outbox]").forEach(function (form) {
      if (!form.dataset.key) form.dataset.key = crypto.randomUUID();
      // A kept form was drawn when it was cached: "when" is now, not then.
      var when = form.querySelector('input[name="occurred_at"]');
      if (when && isShell() && !fixing) when.value = localNow();
      var clientId = form.querySelector('input[name="persistent_id"]');
      if (clientId && !clientId.value) clientId.value = O.newClientId();
      if (fixing) refill(form, fixing);
    });
  }

  /* "Open and fix": put a refused entry's fields back into its form, under the same key. */
  function refill(form, id) {
    O.get(id).then(function (entry) {
      if (!entry) return;
      var picker = form.querySelector("#case-picker");
      var sameForm = form.getAttribute("action") &&
        new URL(form.action, location.href).pathname === new URL(entry.url, location.href).pathname;
      // A kept contact form takes any contact entry: the worker may choose whom it is for.
      var retarget = picker && /\/contacts\/new$/.test(entry.url);
      if (!sameForm && !retarget) return;
      sessionStorage.removeItem("waymark-fix");
      form.dataset.key = entry.id;
      var names = {};
      entry.fields.forEach(function (pair) { (names[pair[0]] = names[pair[0]] || []).push(pair[1]); });
      if (window.WaymarkRows) window.WaymarkRows.ensure(form, Object.keys(names));
      Object.keys(names).forEach(function (name) {
        form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (field) {
          if (field.type === "checkbox" || field.type === "radio") field.checked = names[name].indexOf(field.value) !== -1;
          else if (field.type !== "hidden" || field.hasAttribute("data-phone-id")) field.value = names[name][0];
        });
      });
      (entry.files || []).forEach(function (file) {
        var input = form.querySelector('input[type="file"][name="' + CSS.escape(file[0]) + '"]');
        if (!input || !window.DataTransfer) return;
        var kept = new DataTransfer();
        kept.items.add(new File([file[1]], file[2], { type: file[1].type }));
        input.files = kept.files;
      });

      // The intake shows the chosen program's questions: they follow the program filled in.
      var program = form.querySelector('select[name="program"]');
      if (program) program.dispatchEvent(new Event("change", { bubbles: true }));
      if (retarget) {
        pick(picker, new URL(entry.url, location.href).pathname);
        if (!picker.value) form.removeAttribute("action");
      }
      say("Fixing an entry saved on this phone: " + entry.message, "warn");
    });
  }

  /* On a kept form the person comes from the picker: "Name · ID · Program". */
  function pickedName(form) {
    var picker = form.querySelector("#case-picker, #referral-picker");
    var option = picker && picker.options[picker.selectedIndex];
    return option && option.value ? option.textContent.split(" · ")[0].split(" → ")[0] : "";
  }

  function showPage(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
    if (window.htmx) window.htmx.process(document.body);
    prepareForms();
    refreshBadge();
    document.dispatchEvent(new Event("waymark:page"));  // page scripts set up the new body
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(O.SYNC_TAG);
    }).catch(function () {});
  }

  var retryDelay = 0;
  var retryTimer = null;
  function replay(onResult, interactiveId) {
    return O.replayAll(onResult, interactiveId).then(refreshBadge).then(function () {
      return me() === null ? false : O.stillWaiting(me());
    }).then(function (waiting) {
      // Online but failing (a deploy, a database restart): try again, less often each time.
      clearTimeout(retryTimer);
      if (!waiting || !navigator.onLine) { retryDelay = 0; return; }
      retryDelay = Math.min(retryDelay ? retryDelay * 2 : 15000, 15 * 60 * 1000);
      retryTimer = setTimeout(function () { replay(); }, retryDelay);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.matches("form[data-logout]")) return logout(event, form);
    if (!form.matches("form[data-outbox]") || me() === null) return;
    // A button with its own destination (Ask for a referral on the intake form) posts there.
    if (event.submitter && event.submitter.hasAttribute("formaction")) return;
    event.preventDefault();
    if (!form.action || form.getAttribute("action") === "") {
      say("Choose who this is for first.", "warn");
      return;
    }
    // Each new client in the form (a household row ticked "Also a client" too) gets its ID here,
    // on the phone, so contacts queued for them before the intake is sent can name them.
    form.querySelectorAll("input[data-phone-id]").forEach(function (field) {
      if (!field.value) field.value = O.newClientId();
    });
    var entry = {
      id: form.dataset.key,
      url: new URL(form.action, location.href).pathname + new URL(form.action, location.href).search,
      fields: Array.from(new FormData(form)).filter(function (p) { return typeof p[1] === "string" && p[0] !== "csrf_token"; }),
      // A photo or PDF is kept as a Blob in IndexedDB with its form, never in Cache Storage.
      files: Array.from(new FormData(form)).filter(function (p) { return p[1] instanceof Blob && p[1].size > 0; })
        .map(function (p) { return [p[0], new Blob([p[1]], { type: p[1].type }), p[1].name || "file"]; }),
      userId: me(),
      created: Date.now(),
      label: form.dataset.outboxLabel || document.title,
      name: (form.querySelector('[name="preferred_name"]') || {}).value || form.dataset.outboxFor || pickedName(form),
      state: "waiting",
      message: "",
    };
    var button = form.querySelector('[type="submit"]');
    if (button) button.disabled = true;
    var queuedBefore = false;
    O.get(entry.id).then(function (earlier) {
      // Fixing an entry that was already waiting on this phone: it stays until it is sent.
      queuedBefore = !!earlier;
      if (earlier) entry.created = earlier.created;
      return O.put(entry);
    }).then(function () {
      var result = null;
      return replay(function (sent, outcome) { if (sent.id === entry.id) result = outcome; }, entry.id).then(function () {
        if (button) button.disabled = false;
        if (result && result.outcome === "sent") {
          // The kept caseload was marked stale as the entry went: the next page fetches it again.
          window.location.assign(result.result.location);
        } else if (result && result.outcome === "refused") {
          // The server's own page, errors beside the fields and everything typed kept. A form sent
          // online for the first time needs no outbox entry; one being fixed keeps its entry (and
          // key) until it is sent, so leaving the page loses nothing.
          if (queuedBefore) {
            sessionStorage.setItem("waymark-fix", entry.id);
            showPage(result.html);
          } else {
            O.remove(entry.id).then(function () { showPage(result.html); });
          }
        } else {
          form.reset();
          if (window.WaymarkRows) window.WaymarkRows.clear(form);
          form.querySelectorAll("#case-picker, #referral-picker").forEach(function (picker) {
            picker.dispatchEvent(new Event("change", { bubbles: true }));
          });
          form.dataset.key = crypto.randomUUID();
          var clientId = form.querySelector('input[name="persistent_id"]');
          if (clientId) clientId.value = O.newClientId();
          say("Saved on this phone — it will be sent when you are online.", "warn");
          askForSync();
          window.scrollTo(0, 0);
        }
      });
    });
  });

  /* Signing out: offer to send what waits, then clear what this phone keeps for this user. */
  var signingOut = false;
  function logout(event, form) {
    if (form.dataset.confirmed) return;
    event.preventDefault();
    O.all().then(function (entries) {
      var waiting = mine(entries).length;
      var before = waiting && window.confirm(waiting + " saved on this phone and not sent yet. Send now before signing out?")
        ? replay() : Promise.resolve();
      return before.then(O.all).then(function (left) {
        var unsent = mine(left).length;
        if (unsent && !window.confirm(unsent + " could not be sent yet. They stay on this phone, for you only, until you sign in again. Sign out anyway?")) return;
        signingOut = true;  // a caseload still on its way is not kept
        return clearUserData().then(function () { return forgetPush(form); })
          .then(function () { return signOutWithServer(form); });
      });
    });
  }

  /* Online, the server ends the session and the login page follows. Offline, the phone is signed
     out at once (its data is already gone) and the server's session is ended at the next chance
     online (WaymarkOutbox.finishSignOut), before any page could show it. */
  function signOutWithServer(form) {
    var fields = Array.from(new FormData(form)).filter(function (p) { return p[0] !== "csrf_token"; });
    return fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)),
                                credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.ok) return window.location.assign("/login");
        throw new Error("refused");
      })
      .catch(function () {
        return O.kvSet(O.PENDING_SIGN_OUT, { userId: me(), fields: fields }).then(function () {
          var main = document.getElementById("main") || document.body;
          main.innerHTML = "";
          var heading = document.createElement("h1");
          heading.textContent = "Signed out on this phone";
          var text = document.createElement("p");
          text.textContent = "Nothing of your work is shown here any more. Waymark finishes signing you out " +
            "with the server as soon as the phone is online.";
          main.append(heading, text);
          document.querySelectorAll(".account-menu, #outbox-badge, .bottom-nav").forEach(function (e) { e.remove(); });
        });
      });
  }

  /* At sign-out this device stops getting the user's reminders: the server deletes the
     subscription it is told about, and the browser drops it. */
  function forgetPush(form) {
    if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) return Promise.resolve();
    return navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager ? registration.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      if (!subscription) return;
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "push_endpoint";
      field.value = subscription.endpoint;
      form.appendChild(field);
      return subscription.unsubscribe();
    }).catch(function () { /* signing out matters more than tidying up */ });
  }

  /* Caseload, cached form pages, htmx's history, forms' kept drafts, and (at sign-out) other
     people's drafts. */
  function clearUserData() {
    var work = [O.kvDelete("caseload"), O.kvDelete("user"), O.kvDelete("csrf")];
    try {
      sessionStorage.removeItem("htmx-history-cache");
      // Forms' unsent answers kept across a detour (form-draft.js).
      Object.keys(sessionStorage).filter(function (k) { return k.indexOf("waymark-draft:") === 0; })
        .forEach(function (k) { sessionStorage.removeItem(k); });
    } catch (e) { /* storage may be off */ }
    if (window.caches) {
      work.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf(SHELL_CACHE_PREFIX) === 0; })
          .map(function (n) { return caches.delete(n); }));
      }));
    }
    // Unsent entries are never deleted here, whoever signs out: each stays with the worker who
    // typed it (the outbox shows and sends only the signed-in worker's own) until it is sent.
    return Promise.all(work);
  }

  /* Keep the caseload and the form pages on the phone for the signed-in worker. */
  function keepForOffline() {
    var id = me();
    return O.kvGet("user").then(function (stored) {
      if (id === null && isShell()) return null;  // a page kept by the service worker: not a sign-out
      if (id === null) return stored === undefined ? null : clearUserData();  // signed out or expired
      var switched = stored !== undefined && stored !== id ? clearUserData() : Promise.resolve();
      return switched.then(function () { return O.kvSet("user", id); }).then(function () {
        // The page's own CSRF token serves the outbox's next sends (no /session round trip).
        var token = meta("csrf-token");
        if (token) O.kvSet("csrf", { userId: id, token: token });
        if (isShell() || !navigator.onLine) return;
        return O.kvGet("caseload").then(function (kept) {
          // Refreshed at most every few minutes: working out each case's next step is not free.
          var fresh = kept && kept.user_id === id && Date.now() - (kept.fetched || 0) < CASELOAD_FRESH_MS;
          if (!fresh) refreshCaseload(id);
          askForShells();
        });
      });
    });
  }

  var CASELOAD_FRESH_MS = 5 * 60 * 1000;
  function refreshCaseload(id) {
        fetch("/offline/caseload.json", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : r.status === 401 ? clearUserData() : null; })
          .then(function (data) {
            if (!data || data.user_id !== id || signingOut) return;
            // On a slow line the answer can come after a sign-out cleared the phone: keep it only
            // while the same worker is still the phone's user.
            return O.kvGet("user").then(function (stored) {
              if (stored !== id || signingOut) return;
              data.fetched = Date.now();
              return O.kvSet("caseload", data).then(refreshBadge);
            });
          })
          .catch(function () {});
  }

  function askForShells() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({ type: "cache-shells" });
    });
  }

  /* My caseload, offline: one card a case, from the kept copy (textContent only: nothing in it
     is ever read as markup). */
  function renderCaseload() {
    var list = document.getElementById("caseload-cards");
    if (!list) return;
    O.kvGet("caseload").then(function (caseload) {
      var cases = caseload && caseload.user_id === me() ? caseload.cases : [];
      list.innerHTML = "";
      document.getElementById("caseload-empty").hidden = cases.length > 0;
      if (caseload && caseload.fetched) {
        document.getElementById("caseload-when").textContent =
          "Your open cases as this phone last saw them online, " + new Date(caseload.fetched).toLocaleString() + ".";
      }
      cases.forEach(function (c) {
        var item = document.createElement("li");
        item.className = "list__item caseload-card";
        function line(className, text) {
          var span = document.createElement("span");
          span.className = className;
          span.textContent = text;
          item.append(span);
        }
        line("list__title", c.name);
        line("badge", c.phase || "");
        line("list__meta", c.client_id + " · " + c.program);
        line("list__meta", "Next: " + c.next_step);
        if (c.follow_up_on) line("list__meta", "Follow-up due " + c.follow_up_on);
        line("list__meta", c.last_contact
          ? "Last contact " + c.last_contact.on + " · " + c.last_contact.type + (c.last_contact.line ? ": " + c.last_contact.line : "")
          : "No contact logged yet");
        c.referrals.forEach(function (r) {
          line("list__meta", "Referral: " + r.provider + " (" + r.service + ") · " + (r.status_label || r.status));
          if (r.appointment) line("list__meta", "Appointment " + r.appointment);
        });
        var log = document.createElement("a");
        log.className = "button button--secondary";
        log.href = "/cases/" + c.id + "/contacts/new";
        log.textContent = "Log contact";
        item.append(log);
        list.append(item);
      });
    });
  }

  /* The pickers of the offline contact and referral forms, from the kept caseload. */
  function fillPickers(waiting) {
    var casePicker = document.getElementById("case-picker");
    var referralPicker = document.getElementById("referral-picker");
    if (!casePicker && !referralPicker) return;
    O.kvGet("caseload").then(function (caseload) {
      var cases = caseload && caseload.user_id === me() ? caseload.cases : [];
      if (casePicker && casePicker.options.length <= 1) {
        cases.forEach(function (c) {
          casePicker.add(new Option(c.name + " · " + c.client_id + " · " + c.program, "/cases/" + c.id + "/contacts/new"));
        });
        waiting.filter(function (e) { return /\/clients\/new$/.test(e.url); }).forEach(function (e) {
          var field = {};
          e.fields.forEach(function (p) { field[p[0]] = p[1]; });
          var notSent = function (name, pid) {
            if (pid) casePicker.add(new Option(name + " · " + pid + " (not sent yet)", "/clients/" + pid + "/contacts/new"));
          };
          notSent(e.name, field.persistent_id);
          // The people who live with them and become clients with the same intake.
          Object.keys(field).forEach(function (name) {
            var row = /^members-(\d+)-becomes_client$/.exec(name);
            if (row) notSent(field["members-" + row[1] + "-name"], field["members-" + row[1] + "-persistent_id"]);
          });
        });
        pick(casePicker, location.pathname);
      }
      if (referralPicker && referralPicker.options.length <= 1) {
        var labels = JSON.parse(referralPicker.dataset.labels);
        cases.forEach(function (c) {
          c.referrals.forEach(function (r) {
            var option = new Option(c.name + " → " + r.provider + ": " + r.service + " (" + labels[r.status] + ")", "/referrals/" + r.id);
            option.dataset.status = r.status;
            option.dataset.address = r.address || "";
            referralPicker.add(option);
          });
        });
        pick(referralPicker, location.pathname);
      }
    });
  }

  function pick(picker, path) {
    for (var i = 0; i < picker.options.length; i++) {
      if (picker.options[i].value === path) { picker.selectedIndex = i; break; }
    }
    picker.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("change", function (event) {
    var picker = event.target;
    if (picker.id === "case-picker" || picker.id === "referral-picker") {
      var form = picker.closest("form");
      if (picker.value) form.setAttribute("action", picker.value); else form.removeAttribute("action");
    }
    if (picker.id === "referral-picker") {
      var status = document.getElementById("status");
      var option = picker.options[picker.selectedIndex];
      var transitions = JSON.parse(picker.dataset.transitions);
      var labels = JSON.parse(picker.dataset.labels);
      status.innerHTML = "";
      status.add(new Option("Choose what happened…", ""));
      (option && option.dataset.status ? transitions[option.dataset.status] : []).forEach(function (value) {
        status.add(new Option(value === option.dataset.status ? labels.again : labels[value], value));
      });
      // The appointment's place starts as the provider's address, unless the worker typed one.
      var place = document.getElementById("appointment_place");
      if (place && (!place.value || place.value === place.dataset.filled)) {
        place.value = (option && option.dataset.address) || "";
        place.dataset.filled = place.value;
      }
    }
  });

  function bytes(size) {
    return size >= 1024 * 1024 ? (size / 1024 / 1024).toFixed(1) + " MB" : Math.ceil(size / 1024) + " KB";
  }

  /* The phone's own estimate of the space left for this site, shown only when it is short
     (photos wait in IndexedDB until they are sent). */
  var SHORT_BYTES = 200 * 1024 * 1024;
  function showStorage() {
    var note = document.getElementById("storage-estimate");
    if (!note || !navigator.storage || !navigator.storage.estimate) return;
    navigator.storage.estimate().then(function (estimate) {
      var free = (estimate.quota || 0) - (estimate.usage || 0);
      var short = estimate.quota && (free < SHORT_BYTES || estimate.usage / estimate.quota > 0.8);
      note.hidden = !short;
      if (short) note.textContent = note.dataset.template.replace("{free}", bytes(Math.max(0, free)));
    }).catch(function () {});
  }

  /* The outbox page: what waits, what was refused and why, and a way to fix it. */
  function renderOutboxPage(waiting) {
    showStorage();
    var list = document.getElementById("outbox-list");
    if (!list) return;
    var total = document.getElementById("outbox-size");
    if (total) {
      var size = waiting.reduce(function (sum, entry) { return sum + O.sizeOf(entry); }, 0);
      total.hidden = waiting.length === 0;
      total.textContent = total.dataset.template.replace("{count}", String(waiting.length)).replace("{size}", bytes(size));
    }
    list.innerHTML = "";
    document.getElementById("outbox-empty").hidden = waiting.length > 0;
    waiting.forEach(function (entry) {
      var item = document.createElement("li");
      item.className = "list__item outbox-entry outbox-entry--" + entry.state;
      var title = document.createElement("span");
      title.className = "list__title";
      title.textContent = entry.label + (entry.name ? ": " + entry.name : "");
      var meta = document.createElement("span");
      meta.className = "list__meta";
      meta.textContent = "Saved " + new Date(entry.created).toLocaleString() + " · " + bytes(O.sizeOf(entry)) +
        ((entry.files || []).length ? " (" + entry.files.length + (entry.files.length === 1 ? " file)" : " files)") : "") +
        (entry.state === "refused" ? " · Not accepted: " + entry.message : entry.message ? " · " + entry.message : " · waiting to send");
      item.append(title, meta);
      if (entry.state === "refused") {
        var actions = document.createElement("span");
        actions.className = "candidate__actions";
        // A contact whose person is not found is re-aimed on the kept contact form; a confirmation
        // for a referral finished meanwhile has nothing left to fix, only to discard.
        var lost = /\/contacts\/new$/.test(entry.url) && entry.status === 404;
        var finished = /^\/referrals\//.test(entry.url) && /finished/.test(entry.message);
        if (!finished) {
          var fix = document.createElement("a");
          fix.className = "button button--secondary";
          fix.href = lost ? "/forms/contact" : entry.url;
          fix.textContent = lost ? "Choose who it is for" : "Open and fix";
          fix.addEventListener("click", function () { sessionStorage.setItem("waymark-fix", entry.id); });
          actions.append(fix);
        }
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "button button--secondary";
        discard.textContent = "Discard";
        discard.addEventListener("click", function () { discardEntry(entry); });
        actions.append(discard);
        item.append(actions);
      }
      list.append(item);
    });
  }

  /* Discarding what the server would not take: asked first, recorded in the audit trail (its key
     and kind, never what it held), and only then deleted from the phone. */
  function discardEntry(entry) {
    var what = entry.label + (entry.name ? " for " + entry.name : "");
    if (!window.confirm("Discard this " + what + "? What it holds is deleted from this phone for good.")) return;
    fetch("/session", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (session) {
        if (!session.ok) throw new Error("session");
        return session.json();
      })
      .then(function (info) {
        var body = new URLSearchParams({ key: entry.id, csrf_token: info.csrf_token });
        return fetch("/outbox/discarded", { method: "POST", body: body, credentials: "same-origin", cache: "no-store",
                                            headers: { "X-CSRFToken": info.csrf_token, Accept: "application/json" } });
      })
      .then(function (response) {
        if (!response.ok) throw new Error("refused");
        return O.remove(entry.id).then(refreshBadge).then(function () { say("Discarded: " + what + "."); });
      })
      .catch(function () { say("Discarding needs a connection, so that it is recorded. Try again online.", "warn"); });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-send-now]")) {
      event.preventDefault();
      say("Sending…");
      replay().then(function () {
        return O.all().then(function (entries) {
          var left = mine(entries);
          say(left.length ? left.length + " still waiting." : "Everything is sent.", left.length ? "warn" : null);
        });
      });
    }
  });

  window.addEventListener("online", function () { replay(); });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") replay(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox-changed") refreshBadge();
    });
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});

  prepareForms();
  O.finishSignOut().then(function (finished) {
    // The page was rendered before the session ended (it came from the network, not the worker).
    if (finished && meta("user-id") && !isShell()) window.location.replace("/login");
  }).then(function () { return O.kvGet("user"); })
    .then(function (stored) { keptUser = stored === undefined ? null : stored; })
    .then(keepForOffline).then(refreshBadge).then(function () { if (me() !== null) return replay(); });
})();
