/* The client's self-intake form: one step at a time, answers kept on the phone (localStorage,
   keyed by the invitation) until they are sent, a review before sending. Without this script
   the whole form is one page and still works. */
"use strict";

(function () {
  var form = document.getElementById("self-intake");
  if (form) formPage(form);
  var sent = document.querySelector("[data-self-intake-sent]");
  if (sent) {
    try {
      var key = sessionStorage.getItem("waymark-self-intake-sending");
      if (key) { localStorage.removeItem(key); sessionStorage.removeItem("waymark-self-intake-sending"); }
    } catch (e) { /* storage may be off */ }
  }

  function formPage(form) {
    var key = form.dataset.storageKey;
    var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
    var markers = Array.prototype.slice.call(document.querySelectorAll("#steps li"));
    var count = document.getElementById("step-count");
    var send = document.getElementById("send");
    var offline = document.getElementById("offline-note");
    var current = 0;
    var started = false;

    function fields() {
      return Array.prototype.slice.call(form.elements).filter(function (el) {
        return el.name && el.name !== "csrf_token" && el.name !== "lang" && el.type !== "submit" && el.type !== "button";
      });
    }

    function read() {
      var values = {};
      fields().forEach(function (el) {
        if (el.type === "checkbox" && el.name === "needs") {
          values.needs = values.needs || [];
          if (el.checked) values.needs.push(el.value);
        } else if (el.type === "checkbox") {
          values[el.name] = el.checked;
        } else if (el.type === "radio") {
          if (el.checked) values[el.name] = el.value;
        } else {
          values[el.name] = el.value;
        }
      });
      return values;
    }

    function save() {
      try { localStorage.setItem(key, JSON.stringify({ values: read(), step: current })); } catch (e) { /* full or off */ }
    }

    function restore() {
      var stored;
      try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
      if (!stored) return 0;
      var values = stored.values || {};
      fields().forEach(function (el) {
        if (!(el.name in values)) return;
        var value = values[el.name];
        if (el.type === "checkbox" && el.name === "needs") el.checked = value.indexOf(el.value) !== -1;
        else if (el.type === "checkbox") el.checked = !!value;
        else if (el.type === "radio") el.checked = el.value === value;
        else el.value = value;
      });
      return Math.min(stored.step || 0, steps.length - 1);
    }

    function show(index) {
      current = index;
      steps.forEach(function (step, i) { step.hidden = i !== index; });
      markers.forEach(function (marker, i) {
        marker.hidden = false;
        marker.classList.toggle("steps--current", i === index);
        marker.classList.toggle("steps--done", i < index);
        if (i === index) marker.setAttribute("aria-current", "step"); else marker.removeAttribute("aria-current");
      });
      count.hidden = false;
      count.textContent = form.dataset.stepText.replace("{number}", index + 1).replace("{total}", steps.length);
      send.hidden = index !== steps.length - 1;
      if (steps[index].id === "step-review") review();
      save();
    }

    function review() {
      var list = document.getElementById("review");
      list.textContent = "";
      steps.slice(0, -1).forEach(function (step) {
        step.querySelectorAll(".field").forEach(function (field) {
          var label = field.querySelector(".field__label, label");
          var answer = [];
          field.querySelectorAll("input, textarea, select").forEach(function (el) {
            if ((el.type === "checkbox" || el.type === "radio") && el.checked) {
              var text = form.querySelector('label[for="' + el.id + '"]');
              answer.push(text ? text.textContent.trim() : el.value);
            } else if (el.type !== "checkbox" && el.type !== "radio" && el.value.trim()) {
              answer.push(el.value.trim());
            }
          });
          var row = document.createElement("div");
          var term = document.createElement("dt");
          var detail = document.createElement("dd");
          term.textContent = label ? label.textContent.trim() : "";
          detail.textContent = answer.length ? answer.join(", ") : form.dataset.emptyText;
          row.appendChild(term);
          row.appendChild(detail);
          list.appendChild(row);
        });
      });
    }

    var hadErrors = form.querySelector(".field--error") !== null;
    var start = hadErrors ? 0 : restore();
    if (hadErrors) {
      // The server's page holds what was sent; start where the first problem is.
      steps.some(function (step, i) { if (step.querySelector(".field--error")) { start = i; return true; } return false; });
      save();
    }
    form.querySelectorAll(".step-nav").forEach(function (nav) { nav.hidden = false; });
    show(start);

    form.addEventListener("click", function (event) {
      if (event.target.closest("[data-next]")) { show(Math.min(current + 1, steps.length - 1)); window.scrollTo(0, 0); }
      if (event.target.closest("[data-back]")) { show(Math.max(current - 1, 0)); window.scrollTo(0, 0); }
    });
    form.addEventListener("input", function () {
      save();
      if (!started) {
        started = true;
        var csrf = document.querySelector('meta[name="csrf-token"]');
        fetch(form.dataset.startedUrl, { method: "POST", credentials: "same-origin", keepalive: true,
          headers: { "X-CSRFToken": csrf ? csrf.content : "" } }).catch(function () { /* it only marks the link opened */ });
      }
    });
    form.addEventListener("change", save);
    form.addEventListener("submit", function (event) {
      save();
      if (!navigator.onLine) {
        event.preventDefault();
        offline.hidden = false;
        return;
      }
      try { sessionStorage.setItem("waymark-self-intake-sending", key); } catch (e) { /* storage may be off */ }
    });
    window.addEventListener("online", function () { offline.hidden = true; });
  }
})();
