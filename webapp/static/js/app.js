/* Waymark's page script: small, no framework, no inline code (the CSP forbids it). */
"use strict";

(function () {
  // Every htmx request carries the CSRF token in a header, read fresh from the page.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && event.detail.verb !== "get") {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  // A refused look-up (429) still replaces its fragment, so the page says why nothing came.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A fieldset marked data-for-status (the appointment of a referral step) shows only while its
  // form's "status" says so. Without script it is always there, and the server ignores it then.
  function showForStatus() {
    document.querySelectorAll("fieldset[data-for-status]").forEach(function (fieldset) {
      var status = fieldset.form && fieldset.form.elements.namedItem("status");
      if (status) fieldset.hidden = status.value !== fieldset.dataset.forStatus;
    });
  }
  // The intake's questions (fieldsets marked data-program-questions): the page holds every
  // program's, so the cached form asks the chosen program's offline; only that one is shown.
  function showProgramQuestions() {
    document.querySelectorAll("fieldset[data-program-questions]").forEach(function (fieldset) {
      var program = fieldset.form && fieldset.form.elements.namedItem("program");
      if (program) fieldset.hidden = program.value !== fieldset.dataset.programQuestions;
    });
    // HUD's data elements (data-programs: the programs that ask them), shown for those only.
    document.querySelectorAll("fieldset[data-programs]").forEach(function (fieldset) {
      var program = fieldset.form && fieldset.form.elements.namedItem("program");
      if (program) fieldset.hidden = fieldset.dataset.programs.split(" ").indexOf(program.value) === -1;
    });
  }
  document.addEventListener("change", function () { setTimeout(showProgramQuestions, 0); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showProgramQuestions);
  else showProgramQuestions();
  // After the other listeners: the offline form rebuilds its statuses when a referral is picked.
  document.addEventListener("change", function () { setTimeout(showForStatus, 0); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showForStatus);
  else showForStatus();

  // Repeating rows (the intake's "Add someone who lives with them"): a copy of the row's
  // <template>, numbered as the server reads it (members-0-name, members-1-name, …). The outbox
  // keeps every field by name, so queued rows go as typed; WaymarkRows.ensure puts the rows back
  // before a kept entry is filled in again.
  function addRow(container) {
    var template = document.getElementById(container.dataset.rows + "-row");
    var index = container.querySelectorAll("[data-row]").length;
    var html = template.innerHTML.replace(/__index__/g, String(index));
    container.insertAdjacentHTML("beforeend", html);
    return container.lastElementChild;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-add-row]");
    if (!button) return;
    var container = button.form && button.form.querySelector('[data-rows="' + button.dataset.addRow + '"]');
    if (!container) return;
    var row = addRow(container);
    var first = row.querySelector("input, select");
    if (first) first.focus();
  });
  window.WaymarkRows = {
    ensure: function (form, names) {
      form.querySelectorAll("[data-rows]").forEach(function (container) {
        var pattern = new RegExp("^" + container.dataset.rows + "-(\\d+)-");
        var wanted = 0;
        names.forEach(function (name) {
          var match = pattern.exec(name);
          if (match) wanted = Math.max(wanted, Number(match[1]) + 1);
        });
        while (container.querySelectorAll("[data-row]").length < Math.min(wanted, 12)) addRow(container);
      });
    },
    clear: function (form) {
      form.querySelectorAll("[data-rows] [data-row]").forEach(function (row) { row.remove(); });
    },
  };

  // The service worker, and a prompt when a new version of it is waiting. It is registered once
  // the page has loaded: its install then finds every file the page used in the HTTP cache
  // instead of racing the page for them over the network.
  if ("serviceWorker" in navigator) {
    var updating = false;
    if (document.readyState === "complete") register();
    else window.addEventListener("load", register);
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (updating) window.location.reload();
    });
  }

  function register() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (registration) {
      function offer(worker) {
        var banner = document.getElementById("update-banner");
        if (!banner) return;
        banner.hidden = false;
        banner.querySelector("button").addEventListener("click", function () {
          updating = true;
          worker.postMessage({ type: "skip-waiting" });
        });
      }
      if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
      registration.addEventListener("updatefound", function () {
        var worker = registration.installing;
        worker.addEventListener("statechange", function () {
          if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
        });
      });
    }).catch(function () { /* no service worker: the forms still post normally */ });
  }
})();
