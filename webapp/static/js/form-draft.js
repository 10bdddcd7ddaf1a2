/* A form's unsent answers, kept in this tab while the worker steps away to record what the form
 * needs (the closure form sends them to record the closure assessment) and put back when they
 * return. Kept in sessionStorage: it never leaves the phone (a draft in a URL would reach the
 * server's and proxies' logs; one in the session cookie would travel with every request), it goes
 * with the tab, and outbox.js clears it at sign-out and when another worker signs in.
 *
 * <form data-draft="name" [data-draft-restore]>: saved on every change under the worker's id
 * and the name; put back only when the page is the form as the server first shows it
 * (data-draft-restore), never over answers the server sent back with its reasons. Sending the
 * form drops the draft (a refused form comes back with every answer, and is kept again from
 * there). [data-draft-discard] starts again; [data-draft-note] is shown only where this runs. */
"use strict";

(function () {
  var PREFIX = "waymark-draft:";
  var MAX_AGE_MS = 12 * 60 * 60 * 1000;  // a draft from yesterday's shift is not what was meant
  var form = document.querySelector("form[data-draft]");
  var user = document.querySelector('meta[name="user-id"]');
  if (!form || !user || !user.content) return;
  var key = PREFIX + user.content + ":" + form.dataset.draft;

  function kept(element) {
    var type = element.type;
    return element.name && element.name !== "csrf_token" && type !== "hidden" &&
      type !== "password" && type !== "file" && type !== "submit" && type !== "button";
  }

  function values() {
    var answers = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) return;
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.checked) answers[element.name] = element.value;
      } else {
        answers[element.name] = element.value;
      }
    });
    return answers;
  }

  function save() {
    try {
      sessionStorage.setItem(key, JSON.stringify({ saved: Date.now(), values: values() }));
    } catch (e) { /* storage full or off: the form still works, only the detour forgets */ }
  }

  function drop() {
    try { sessionStorage.removeItem(key); } catch (e) { /* storage may be off */ }
  }

  function load() {
    try {
      var draft = JSON.parse(sessionStorage.getItem(key) || "null");
      if (draft && draft.values && Date.now() - draft.saved < MAX_AGE_MS) return draft.values;
    } catch (e) { /* unreadable: as if there were none */ }
    drop();
    return null;
  }

  /* Put each kept answer back where the form still has its field (a goal may have ended since,
     a choice may be gone); the form's own values stay as the defaults "Start again" returns to. */
  function restore(answers) {
    var changed = false;
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element) || !Object.prototype.hasOwnProperty.call(answers, element.name)) return;
      var value = answers[element.name];
      if (element.type === "checkbox" || element.type === "radio") {
        var checked = element.value === value;
        if (element.checked !== checked) { element.checked = checked; changed = true; }
      } else if (element.tagName === "SELECT") {
        var offered = Array.prototype.some.call(element.options, function (o) { return o.value === value; });
        if (offered && element.value !== value) { element.value = value; changed = true; }
      } else if (element.value !== value) {
        element.value = value;
        changed = true;
      }
    });
    return changed;
  }

  var notice = document.getElementById("draft-restored");
  if (form.hasAttribute("data-draft-restore")) {
    var answers = load();
    if (answers && restore(answers) && notice) notice.hidden = false;
  } else {
    save();  // the server sent the answers back with its reasons: they are the draft now
  }

  document.querySelectorAll("[data-draft-note]").forEach(function (note) { note.hidden = false; });
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", drop);
  document.querySelectorAll("[data-draft-keep]").forEach(function (link) {
    link.addEventListener("click", save);
  });
  if (notice) {
    var discard = notice.querySelector("[data-draft-discard]");
    if (discard) discard.addEventListener("click", function () {
      drop();
      form.reset();
      notice.hidden = true;
    });
  }
})();
