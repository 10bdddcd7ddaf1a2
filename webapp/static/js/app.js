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

})();
