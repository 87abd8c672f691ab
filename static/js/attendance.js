// The attendance sheet: one tap marks a person without reloading the page, the counts on top
// follow, and the search filters the list as one types. Without script the forms still work.
//
// Offline: where the page was given a token (#offline-queue[data-api-token]) and the browser has
// IndexedDB, every tap, typed ticket code and quick walk-in is first put in a queue on the phone
// (IndexedDB "portal-sheet"), each with an idempotency key made at that moment, and the page
// sends the queue through the API whenever it is online: a mark sent twice is answered from the
// server's stored answer and counted once. The service worker (/attendance-sw.js) keeps the
// sheet and its files so that it opens again without signal.
(function () {
  "use strict";
  var sheet = document.getElementById("marks");
  var search = document.getElementById("sheet-search");
  var box = document.getElementById("offline-queue");
  var script = document.getElementById("attendance-script");

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

  function setCount(key, value) {
    document.querySelectorAll('[data-count="' + key + '"]').forEach(function (element) {
      element.textContent = value;
    });
  }

  function pressMark(row, mark) {
    row.dataset.mark = mark;
    row.querySelectorAll("button[name=set]").forEach(function (button) {
      if (button.value.endsWith(":" + mark)) button.setAttribute("aria-pressed", "true");
      else button.removeAttribute("aria-pressed");
    });
  }

  function show(row, data) {
    pressMark(row, data.mark);
    var arrived = row.querySelector("[data-arrived]");
    if (arrived) arrived.textContent = data.arrived || "";
    Object.keys(data.counts).forEach(function (key) { setCount(key, data.counts[key]); });
  }

  // A mark shown before the server has it: the counts move by hand.
  function showLocally(row, mark) {
    var before = row.dataset.mark || "unmarked";
    if (before === mark) return;
    [[before, -1], [mark, 1]].forEach(function (change) {
      var element = document.querySelector('[data-count="' + change[0] + '"]');
      if (element) setCount(change[0], Math.max(0, parseInt(element.textContent, 10) + change[1]));
    });
    pressMark(row, mark);
  }

  var token = box && box.dataset.apiToken;
  var offline = token && window.indexedDB && window.fetch && window.crypto && crypto.randomUUID;

  if (!offline) {
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
    return;
  }

  // -- the queue in IndexedDB --------------------------------------------------------------------
  var eventId = box.dataset.event, sessionId = box.dataset.session, apiBase = box.dataset.apiBase;
  box.hidden = false;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("portal-sheet", 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("queue", {keyPath: "key"});
        db.createObjectStore("meta", {keyPath: "name"});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(name, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name, mode), result;
        var store = transaction.objectStore(name);
        var request = work(store);
        if (request) request.onsuccess = function () { result = request.result; };
        transaction.oncomplete = function () { db.close(); resolve(result); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function allQueued() {
    return withStore("queue", "readonly", function (store) { return store.getAll(); }).then(function (items) {
      return items.filter(function (item) { return item.event === eventId; })
        .sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  function put(item) { return withStore("queue", "readwrite", function (store) { return store.put(item); }); }
  function drop(key) { return withStore("queue", "readwrite", function (store) { return store.delete(key); }); }

  // The token of the event's latest opened sheet, kept with the queue: a page opened from the copy
  // without signal carries the one it was copied with.
  function saveToken() {
    return withStore("meta", "readwrite", function (store) {
      return store.put({name: "token:" + eventId, value: token});
    });
  }
  function currentToken() {
    return withStore("meta", "readonly", function (store) { return store.get("token:" + eventId); })
      .then(function (found) { return found ? found.value : token; });
  }

  var seq = Date.now() * 1000;
  function enqueue(kind, path, body, label, registrationId) {
    var item = {key: crypto.randomUUID(), event: eventId, session: sessionId, kind: kind, url: apiBase + path,
                body: body, label: label, registration: registrationId || null, status: "pending", seq: seq++};
    return put(item).then(render).then(flush);
  }

  function rowLabel(row) { return row.querySelector("b").firstChild.textContent.trim(); }

  function render() {
    return allQueued().then(function (items) {
      var pending = items.filter(function (item) { return item.status === "pending"; });
      var refused = items.filter(function (item) { return item.status === "refused"; });
      box.querySelector("[data-pending]").textContent = pending.length;
      var list = box.querySelector("[data-pending-list]"), refusedList = box.querySelector("[data-refused-list]");
      list.replaceChildren();
      refusedList.replaceChildren();
      sheet.querySelectorAll(".sheet-row.pending").forEach(function (row) { row.classList.remove("pending"); });
      pending.forEach(function (item) {
        var entry = document.createElement("li");
        entry.dataset.kind = item.kind;
        entry.textContent = "• " + item.label;
        list.appendChild(entry);
        var row = item.registration && document.getElementById("r" + item.registration);
        if (row && item.session === sessionId) {
          row.classList.add("pending");
          if (item.body.mark) showLocally(row, item.body.mark);
          else showLocally(row, "present");
        }
      });
      refused.forEach(function (item) {
        var entry = document.createElement("li");
        entry.textContent = item.label + ": " + item.detail;
        refusedList.appendChild(entry);
      });
      box.querySelector("[data-refused-box]").hidden = refused.length === 0;
      box.querySelector("[data-offline-note]").hidden = navigator.onLine;
    });
  }

  var flushing = null;  // the pass under way: a second caller waits for it instead of starting another
  function flush() {
    if (!navigator.onLine) return Promise.resolve();
    if (flushing) return flushing;
    flushing = Promise.all([allQueued(), currentToken()]).then(function (found) {
      var items = found[0].filter(function (item) { return item.status === "pending"; }), bearer = found[1];
      // One after another, in the order they were made: the last tap on a person wins.
      return items.reduce(function (chain, item) {
        return chain.then(function (go) { return go === false ? false : send(item, bearer); });
      }, Promise.resolve(true));
    }).catch(function () { return false; }).then(function () { flushing = null; return render(); });
    return flushing;
  }

  // Sends what waits, again while new taps arrive meanwhile (a few passes at most); says how many are left.
  function drain(passes) {
    return flush().then(allQueued).then(function (items) {
      var left = items.filter(function (item) { return item.status === "pending"; }).length;
      return left && passes > 1 && navigator.onLine ? drain(passes - 1) : left;
    });
  }

  // A form the server answers from the marks it holds ("mark all remaining absent") goes only once the
  // marks tapped on this phone have arrived: else a tap still waiting would be overwritten by it.
  document.querySelectorAll("form[data-after-queue]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;  // not confirmed
      event.preventDefault();
      drain(3).then(function (left) {
        if (left) { window.alert(form.dataset.afterQueue); return; }
        form.submit();
      });
    });
  });

  function send(item, bearer) {
    return fetch(item.url, {method: "POST", credentials: "omit", body: JSON.stringify(item.body),
                            headers: {"Content-Type": "application/json", "Authorization": "Bearer " + bearer,
                                      "Idempotency-Key": item.key, "Accept-Language": document.documentElement.lang}})
      .then(function (response) {
        if (response.ok) {
          box.querySelector("[data-expired]").hidden = true;
          return response.json().then(function (data) {
            var row = document.getElementById("r" + (data.registration_id || item.registration));
            if (row && item.session === sessionId && data.mark) pressMark(row, data.mark);
            return drop(item.key);
          });
        }
        if (response.status === 401 || response.status === 429 || response.status >= 500) {
          if (response.status === 401) {
            var expired = box.querySelector("[data-expired]");
            expired.textContent = box.dataset.msgExpired;
            expired.hidden = false;
          }
          return false;  // kept; tried again later
        }
        return response.json().catch(function () { return {}; }).then(function (problem) {
          item.status = "refused";
          item.detail = problem.detail || response.statusText;
          return put(item);
        });
      }, function () { return false; });  // no connection after all: kept
  }

  sheet.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.name !== "set") return;
    event.preventDefault();
    var parts = button.value.split(":"), row = button.closest(".sheet-row");
    enqueue("mark", "/marks", {registration_id: parseInt(parts[0], 10), mark: parts[1]},
            rowLabel(row) + " · " + button.textContent.trim(), parseInt(parts[0], 10));
  });

  var codeForm = document.getElementById("code-form");
  if (codeForm) codeForm.addEventListener("submit", function (event) {
    var input = codeForm.querySelector("input[name=code]");
    var code = input.value.trim().toUpperCase();
    if (!code) return;
    event.preventDefault();
    var row = sheet.querySelector('.sheet-row[data-code="' + CSS.escape(code) + '"]');
    var id = row ? parseInt(row.id.slice(1), 10) : null;
    enqueue("check-in", "/check-ins", {code: code},
            (row ? rowLabel(row) + " · " : "") + box.dataset.msgCode + " " + code, id);
    input.value = "";
  });

  var walkIn = document.getElementById("quick-walk-in");
  if (walkIn) walkIn.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = walkIn.elements.full_name.value.trim(), affiliation = walkIn.elements.affiliation.value.trim();
    if (!name || !affiliation) return;
    enqueue("walk-in", "/walk-ins", {full_name: name, affiliation: affiliation},
            box.dataset.msgWalkIn + ": " + name + " (" + affiliation + ")");
    walkIn.reset();
  });

  // -- scanning a ticket's QR code with the camera: BarcodeDetector where the browser has it (Android
  // Chrome), else jsQR (static/js/vendor, loaded on demand) on the video's frames. The ticket's QR
  // holds its check-in link, whose signed token starts with the registration and event ids.
  var scanner = document.getElementById("scanner");
  var decoderUrl = scanner && scanner.dataset.decoder;
  function ticketOf(text) {
    var match = /\/check-in\/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/.exec(text || "");
    if (!match) return null;
    try {
      var ids = JSON.parse(atob(match[1].replace(/-/g, "+").replace(/_/g, "/")));
      return {registration: ids[0], event: ids[1]};
    } catch (error) { return null; }
  }
  function scanned(text) {
    var result = scanner.querySelector("[data-scan-result]"), ticket = ticketOf(text);
    if (ticket && String(ticket.event) !== eventId) { result.textContent = scanner.dataset.msgOtherEvent; return; }
    var row = ticket && document.getElementById("r" + ticket.registration);
    if (!row) { result.textContent = scanner.dataset.msgNotFound; return; }
    result.textContent = rowLabel(row);
    enqueue("check-in", "/check-ins", {registration_id: ticket.registration}, rowLabel(row) + " · QR",
            ticket.registration);
  }
  function loadDecoder() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = decoderUrl;
      tag.onload = function () { resolve(window.jsQR); };
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }
  if (scanner && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    scanner.hidden = false;
    var video = scanner.querySelector("[data-scan-video]"), stream = null, last = "", canvas = null;
    var stop = function () {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.hidden = true;
    };
    scanner.querySelector("[data-scan-toggle]").addEventListener("click", function () {
      if (stream) return stop();
      var detector = "BarcodeDetector" in window ? new window.BarcodeDetector({formats: ["qr_code"]}) : null;
      Promise.all([navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}),
                   detector ? null : loadDecoder()])
        .then(function (found) {
          stream = found[0];
          video.srcObject = stream;
          video.hidden = false;
          return video.play();
        })
        .then(function tick() {
          if (!stream) return;
          var read = detector
            ? detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; })
            : Promise.resolve().then(function () {
              if (!video.videoWidth) return null;
              canvas = canvas || document.createElement("canvas");
              canvas.width = video.videoWidth;
              canvas.height = video.videoHeight;
              var context = canvas.getContext("2d", {willReadFrequently: true});
              context.drawImage(video, 0, 0);
              var image = context.getImageData(0, 0, canvas.width, canvas.height);
              var code = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
              return code ? code.data : null;
            });
          read.then(function (text) {
            if (text && text !== last) { last = text; scanned(text); }
            setTimeout(tick, 250);
          });
        })
        .catch(function () {
          stop();
          scanner.querySelector("[data-scan-result]").textContent = scanner.dataset.msgNoCamera;
        });
    });
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", render);
  setInterval(flush, 20000);
  saveToken().then(render).then(flush);

  // -- the service worker: the sheet and its files kept for the next opening without signal ---------
  if ("serviceWorker" in navigator && script) {
    var first = !navigator.serviceWorker.controller;
    navigator.serviceWorker.register(script.dataset.serviceWorker, {scope: script.dataset.scope})
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () {
        if (!first) return;  // a controlled page came through the worker, which kept it
        var files = Array.prototype.map.call(document.querySelectorAll("link[rel=stylesheet], script[src], link[rel=icon]"),
                                             function (element) { return element.href || element.src; });
        if (decoderUrl) files.push(new URL(decoderUrl, location.href).href);
        return caches.open("portal-sheet-v1").then(function (cache) {
          return Promise.all([cache.addAll(files), fetch(location.href, {credentials: "same-origin"})
            .then(function (response) { if (response.ok && !response.redirected) return cache.put(location.href, response); })]);
        });
      })
      .catch(function () { /* the sheet still works online */ });
  }
})();
