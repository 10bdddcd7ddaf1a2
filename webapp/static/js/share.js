/* Sharing a link (self-intake, a provider's referral): copy it, hand it to the phone's share sheet
   where there is one, or print the page it is on. */
"use strict";

(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.dataset.copy);
      var done = function () { button.textContent = button.dataset.copied; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
      } else {
        field.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
      }
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-share]").forEach(function (button) {
    if (!navigator.share) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.querySelector(button.dataset.share);
      navigator.share({ title: button.dataset.shareTitle, url: field.value }).catch(function () { /* cancelled */ });
    });
  });
})();
