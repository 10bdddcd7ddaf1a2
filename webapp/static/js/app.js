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
  // After the other listeners: the offline form rebuilds its statuses when a referral is picked.
  document.addEventListener("change", function () { setTimeout(showForStatus, 0); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showForStatus);
  else showForStatus();

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
