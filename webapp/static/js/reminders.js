/* Settings: turning push reminders on and off for this device. Permission is asked only when
   the person taps "Turn on reminders" (browsers, and people, refuse prompts out of nowhere). */
"use strict";

(function () {
  var panel = document.getElementById("push");
  if (!panel) return;
  var status = document.getElementById("push-status");
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");

  function show(text, subscribed) {
    status.textContent = text;
    on.hidden = subscribed;
    off.hidden = !subscribed;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    status.hidden = true;
    document.getElementById("push-unsupported").hidden = false;
    return;
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function deviceLabel() {
    var ua = navigator.userAgent;
    var device = /iPhone|iPad/.test(ua) ? "iPhone or iPad" : /Android/.test(ua) ? "Android phone"
      : /Mac/.test(ua) ? "Mac" : /Windows/.test(ua) ? "Windows computer" : /Linux/.test(ua) ? "Linux computer" : "Device";
    var browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome"
      : /Safari\//.test(ua) ? "Safari" : "browser";
    return device + ", " + browser;
  }

  function save(subscription) {
    var json = subscription.toJSON();
    var csrf = document.querySelector('meta[name="csrf-token"]');
    return fetch(panel.dataset.subscribeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.content : "" },
      body: JSON.stringify({ endpoint: json.endpoint, keys: json.keys, label: deviceLabel() })
    }).then(function (response) {
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          throw new Error(body.error || "The server did not accept this device.");
        });
      }
    });
  }

  // The device list carries each endpoint's SHA-256 (data-device), never the endpoint itself.
  function listed(subscription) {
    if (!subscription || !window.crypto || !crypto.subtle) return Promise.resolve(null);
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(subscription.endpoint)).then(function (digest) {
      var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
      return document.querySelector('.devices li[data-device="' + hex + '"]');
    });
  }

  navigator.serviceWorker.ready.then(function (registration) {
    return registration.pushManager.getSubscription().then(function (subscription) {
      listed(subscription).then(function (item) { if (item) item.querySelector("[data-this-device]").hidden = false; });
      if (subscription) show("Reminders are on for this device.", true);
      else if (Notification.permission === "denied") show("Notifications are blocked for Waymark in this browser's settings.", false);
      else show("Reminders are off on this device.", false);

      on.addEventListener("click", function () {
        on.disabled = true;
        Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") throw new Error("Notifications were not allowed.");
          return registration.pushManager.subscribe({
            userVisibleOnly: true, applicationServerKey: keyBytes(panel.dataset.serverKey)
          });
        }).then(save).then(function () {
          window.location.reload();
        }).catch(function (error) {
          show(error.message || "Reminders could not be turned on.", false);
        }).then(function () { on.disabled = false; });
      });

      off.addEventListener("click", function () {
        registration.pushManager.getSubscription().then(function (current) {
          if (!current) return;
          return listed(current).then(function (item) {
            return current.unsubscribe().then(function () {
              if (item) item.querySelector("form").submit(); else window.location.reload();
            });
          });
        });
      });
    });
  });
})();
