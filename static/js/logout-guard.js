// Logging out with attendance marks still waiting on this phone (the offline sheet's queue in
// IndexedDB) asks first; the marks are never cleared, they wait for the next login.
(function () {
  "use strict";
  var form = document.querySelector("form[data-logout-warning]");
  if (!form || !window.indexedDB) return;
  var confirmed = false;

  function waiting() {
    var known = indexedDB.databases ? indexedDB.databases() : Promise.resolve([{name: "portal-sheet"}]);
    return known.then(function (databases) {
      if (!databases.some(function (db) { return db.name === "portal-sheet"; })) return 0;
      return new Promise(function (resolve) {
        var request = indexedDB.open("portal-sheet", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("queue", {keyPath: "key"});
          request.result.createObjectStore("meta", {keyPath: "name"});
        };
        request.onerror = function () { resolve(0); };
        request.onsuccess = function () {
          var db = request.result, all = db.transaction("queue").objectStore("queue").getAll();
          all.onsuccess = function () {
            db.close();
            resolve(all.result.filter(function (item) { return item.status === "pending"; }).length);
          };
          all.onerror = function () { db.close(); resolve(0); };
        };
      });
    });
  }

  form.addEventListener("submit", function (event) {
    if (confirmed) return;
    event.preventDefault();
    waiting().then(function (count) {
      if (count === 0 || window.confirm(form.dataset.logoutWarning.replace("{count}", count))) {
        confirmed = true;
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    }, function () { confirmed = true; form.submit(); });
  });
})();
