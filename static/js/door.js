// The self check-in door page: its QR code changes every minute, so the page fetches itself
// again every 30 seconds and swaps in the new code (and the list waiting for confirmation).
(function () {
  "use strict";
  var code = document.querySelector("[data-refresh]");
  if (!code || !window.fetch) return;
  setInterval(function () {
    fetch(location.href, {credentials: "same-origin"}).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (!html) return;
      var fresh = new DOMParser().parseFromString(html, "text/html");
      ["[data-refresh]", "[data-testid=self-waiting]"].forEach(function (selector) {
        var now = document.querySelector(selector), next = fresh.querySelector(selector);
        if (now && next) now.replaceWith(document.importNode(next, true));
      });
    }).catch(function () { /* the next round tries again */ });
  }, parseInt(code.dataset.refresh, 10) * 1000);
})();
