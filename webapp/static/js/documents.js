/* Adding a document: a photo is made smaller on the phone before it is sent or kept in the
 * outbox (at most 1600 px a side, JPEG), so a photo taken offline costs the phone and the
 * connection a few hundred KB, not several MB. A PDF goes as it is. The server checks everything
 * again by content; this only saves bytes and says early when a file is too large.
 * Listeners are on the document: the outbox may replace the page with the server's answer (a
 * refusal, errors beside the fields) and announces it with "waymark:page". */
"use strict";

(function () {
  var MAX_SIDE = 1600;
  var QUALITY = 0.85;

  function theForm() { return document.querySelector("form[data-document-form]"); }

  // The camera button works only with this script (its input has no name): show it.
  function prepare() {
    var camera = document.getElementById("camera-field");
    if (camera && theForm()) camera.hidden = false;
  }

  function say(text) {
    var status = document.getElementById("file-status");
    if (!status) return;
    status.textContent = text;
    status.hidden = !text;
  }

  function kilobytes(size) {
    return size >= 1024 * 1024 ? (size / 1024 / 1024).toFixed(1) + " MB" : Math.ceil(size / 1024) + " KB";
  }

  function fieldError(form, text) {
    var field = form.querySelector('input[type="file"][name="file"]');
    var wrapper = document.getElementById("file-field");
    var error = document.getElementById("file-client-error");
    if (!text) { if (error) error.remove(); if (wrapper) wrapper.classList.remove("field--error"); return; }
    if (!error) {
      error = document.createElement("p");
      error.className = "field__error";
      error.id = "file-client-error";
      field.before(error);
    }
    error.textContent = text;
    wrapper.classList.add("field--error");
  }

  /* A JPEG of at most MAX_SIDE a side, upright; what cannot be decoded here goes as it is and the
     server decides. */
  function smaller(file) {
    if (!/^image\//.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG becomes white, not black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) return resolve(file);
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          var result = new File([blob], name, { type: "image/jpeg", lastModified: Date.now() });
          result.pixels = canvas.width + " × " + canvas.height;
          resolve(result);
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  function take(form, file) {
    var field = form.querySelector('input[type="file"][name="file"]');
    var button = form.querySelector('[type="submit"]');
    fieldError(form, "");
    if (!file) { say(""); return; }
    button.disabled = true;
    say(form.dataset.preparing);
    smaller(file).then(function (ready) {
      var kept = new DataTransfer();
      kept.items.add(ready);
      field.files = kept.files;
      button.disabled = false;
      if (ready.size > Number(form.dataset.maxBytes)) {
        say("");
        fieldError(form, form.dataset.tooLarge);
        return;
      }
      var what = (ready.pixels ? ready.pixels + ", " : "") + kilobytes(ready.size);
      say(form.dataset.ready.replace("{what}", what));
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    var form = input.closest && input.closest("form[data-document-form]");
    if (!form || input.type !== "file") return;
    if (input.name === "file") take(form, input.files[0]);
    else if (input.hasAttribute("data-camera")) { take(form, input.files[0]); input.value = ""; }
  });
  document.addEventListener("reset", function (event) {
    if (event.target.matches("form[data-document-form]")) { say(""); fieldError(event.target, ""); }
  });
  document.addEventListener("waymark:page", prepare);
  prepare();
})();
