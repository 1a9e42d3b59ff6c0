// The running total of a score sheet, updated as points are typed. The page
// shows the server's total without this script; only valid points count
// (0..maximum, at most one decimal; full-width digits as the server reads them).
(function () {
  "use strict";
  var form = document.getElementById("sheet-form");
  var output = document.getElementById("sheet-total");
  if (!form || !output) {
    return;
  }

  function halfWidth(text) {
    return text.replace(/[\uFF10-\uFF19\uFF0E]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).trim();
  }

  function update() {
    var tenths = 0;
    form.querySelectorAll("input.sheet-points").forEach(function (input) {
      var text = halfWidth(input.value);
      if (!/^\d+(\.\d+)?$/.test(text)) {
        return;
      }
      var scaled = parseFloat(text) * 10;
      var whole = Math.round(scaled);
      if (Math.abs(scaled - whole) < 1e-6 && whole <= Math.round(parseFloat(input.dataset.max) * 10)) {
        tenths += whole;
      }
    });
    output.textContent = (tenths / 10).toFixed(1);
  }

  form.addEventListener("input", update);
  update();
})();
