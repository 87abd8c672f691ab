// The attendance sheet: one tap marks a person without reloading the page, the counts on top
// follow, and the search filters the list as one types. Without script the forms still work.
(function () {
  "use strict";
  var sheet = document.getElementById("marks");
  var search = document.getElementById("sheet-search");

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  if (!sheet) return;

  if (search) {
    // Each row's name and cooperative, read from its text once: the rows carry no copy of it.
    var rows = Array.prototype.map.call(sheet.querySelectorAll(".sheet-row"), function (row) {
      var name = row.querySelector("b"), affiliation = row.querySelector("small:not([data-arrived]):not(.badge)");
      return {row: row, text: (name.textContent + " " + (affiliation ? affiliation.textContent : "")).toLowerCase()};
    });
    search.addEventListener("input", function () {
      var text = search.value.trim().toLowerCase();
      rows.forEach(function (item) { item.row.hidden = text !== "" && item.text.indexOf(text) === -1; });
    });
  }

  function show(row, data) {
    row.dataset.mark = data.mark;
    row.querySelectorAll("button[name=set]").forEach(function (button) {
      var on = button.value.endsWith(":" + data.mark);
      if (on) button.setAttribute("aria-pressed", "true");
      else button.removeAttribute("aria-pressed");
    });
    var arrived = row.querySelector("[data-arrived]");
    if (arrived) arrived.textContent = data.arrived || "";
    Object.keys(data.counts).forEach(function (key) {
      document.querySelectorAll('[data-count="' + key + '"]').forEach(function (element) {
        element.textContent = data.counts[key];
      });
    });
  }

  sheet.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.name !== "set" || !window.fetch) return;
    event.preventDefault();
    var row = button.closest(".sheet-row");
    var body = new FormData(sheet);
    body.set("set", button.value);
    row.classList.add("saving");
    fetch(sheet.action, {method: "POST", body: body, credentials: "same-origin",
                         headers: {"Accept": "application/json"}})
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.error || response.statusText);
          show(row, data);
        });
      })
      .catch(function (error) { window.alert(error.message); })
      .finally(function () { row.classList.remove("saving"); });
  });
})();
