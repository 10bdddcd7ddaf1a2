/* A signature pad: a finger, pen or mouse draws in an SVG box (pointer events). What is sent is
   the strokes as numbers, points on a 600 × 200 grid, in the hidden field the pad names; the
   server checks them and draws them again itself. No markup leaves the phone. */
"use strict";

(function () {
  var NS = "http://www.w3.org/2000/svg";
  var WIDTH = 600;
  var HEIGHT = 200;
  var MAX_POINTS = 3000; // the server's limit
  var MAX_STROKES = 60;

  function pathData(stroke) {
    var d = "M" + stroke[0][0] + " " + stroke[0][1];
    if (stroke.length === 1) return d + " l0 0";
    for (var i = 1; i < stroke.length; i++) d += " L" + stroke[i][0] + " " + stroke[i][1];
    return d;
  }

  function clamp(value, max) { return Math.max(0, Math.min(max, Math.round(value))); }

  document.querySelectorAll("[data-signature-pad]").forEach(function (pad) {
    var svg = pad.querySelector("svg");
    var input = document.getElementById(pad.dataset.signaturePad);
    var strokes = [];
    var current = null;
    var path = null;
    var points = 0;
    if (!svg || !input) return;
    pad.hidden = false;
    input.value = "";

    function at(event) {
      var box = svg.getBoundingClientRect();
      return [
        clamp((event.clientX - box.left) * WIDTH / box.width, WIDTH),
        clamp((event.clientY - box.top) * HEIGHT / box.height, HEIGHT),
      ];
    }
    function save() { input.value = strokes.length ? JSON.stringify(strokes) : ""; }

    svg.addEventListener("pointerdown", function (event) {
      if (strokes.length >= MAX_STROKES || points >= MAX_POINTS) return;
      event.preventDefault();
      if (svg.setPointerCapture) svg.setPointerCapture(event.pointerId);
      current = [at(event)];
      points += 1;
      strokes.push(current);
      path = document.createElementNS(NS, "path");
      path.setAttribute("class", "signature-pad__stroke");
      svg.appendChild(path);
      path.setAttribute("d", pathData(current));
    });
    svg.addEventListener("pointermove", function (event) {
      if (!current || points >= MAX_POINTS) return;
      event.preventDefault();
      var point = at(event);
      var last = current[current.length - 1];
      if (Math.abs(point[0] - last[0]) + Math.abs(point[1] - last[1]) < 2) return;
      current.push(point);
      points += 1;
      path.setAttribute("d", pathData(current));
    });
    function end() {
      if (!current) return;
      current = null;
      save();
    }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("lostpointercapture", end);

    var clear = pad.querySelector("[data-signature-clear]");
    if (clear) clear.addEventListener("click", function () {
      strokes = [];
      points = 0;
      current = null;
      svg.querySelectorAll(".signature-pad__stroke").forEach(function (stroke) { stroke.remove(); });
      save();
    });
  });
})();
