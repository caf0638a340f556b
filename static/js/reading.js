// Catch-up and read state. Stories the reader opened are shown as read (the row's class
// "is-read" dims its headline, and "Read: " goes at the start of the headline link's text for
// screen readers), and a list shown from its top says where it stood at the last visit: a
// separator reading "Since your last visit" at the start of the row that was on top then. The
// last visit is the previous load of that list in this browser (for a signed-in reader, on any of
// their devices).
//
// Anonymous readers: this browser keeps it all, in localStorage (no cookie; the pages are the same
// for everyone): the last READ_KEPT story ids opened, and each list's top story at its last load.
// Signed-in readers: the server keeps it (portal.reading), and the page carries their part of it
// (a read mark in the slot of each row they read, and #reader-reading: who they are, and the
// list's top at their last visit); what this browser adds is kept per reader in localStorage and
// sent with navigator.sendBeacon at most once a minute (then, and when the page is hidden or
// left, if a minute has passed since the last), with the page's CSRF token in the body.
// What was sent stays applied here for a while, in case the next page is asked for before the
// beacon is in. Every page works without this file.
(function () {
  "use strict";

  var STORE = "portal.reading";
  var READ_KEPT = 2000;
  var LISTS_KEPT = 200;
  var FLUSH_MS = 60 * 1000;
  var SENT_KEPT_MS = 10 * 60 * 1000;
  var READS_PER_BEACON = 200; // as portal.reading.views accepts
  var VISITS_PER_BEACON = 50;
  var ROW_PREFIX = "story-";

  var script = document.currentScript;
  var beaconUrl = script && script.getAttribute("data-beacon-url");
  var state = document.getElementById("reader-reading");
  var reader = state && state.getAttribute("data-reader");
  var dividerAbove = null; // the id of the row the divider goes in, until it is found
  var flushTimer = null;

  function load(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key)) || {};
    } catch (e) {
      return {};
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage full or refused: the marks just aren't kept */ }
  }

  function readerKey() {
    return STORE + "." + reader;
  }

  // This browser's part, as {read: [ids], visits: {list: {top, at}}} (signed in: what has not
  // been sent yet, in "unsent", and the batches sent lately, in "sent").
  function anonymous() {
    var kept = load(STORE);
    return { read: kept.read || [], visits: kept.visits || {} };
  }

  function signedIn() {
    var kept = load(readerKey());
    var now = Date.now();
    return {
      unsent: { read: (kept.unsent && kept.unsent.read) || [], visits: (kept.unsent && kept.unsent.visits) || {} },
      sent: (kept.sent || []).filter(function (batch) { return now - batch.at < SENT_KEPT_MS; }),
      flushedAt: kept.flushedAt || 0
    };
  }

  function keepNewest(ids, id, cap) {
    var kept = ids.filter(function (other) { return other !== id; });
    kept.push(id);
    return kept.slice(-cap);
  }

  function keepNewestVisits(visits, cap) {
    var keys = Object.keys(visits).sort(function (a, b) { return visits[b].at - visits[a].at; });
    var kept = {};
    keys.slice(0, cap).forEach(function (key) { kept[key] = visits[key]; });
    return kept;
  }

  function readIds() {
    var ids = new Set();
    if (reader) {
      var mine = signedIn();
      mine.unsent.read.forEach(function (id) { ids.add(id); });
      mine.sent.forEach(function (batch) { batch.read.forEach(function (id) { ids.add(id); }); });
    } else if (!document.body.hasAttribute("hx-headers")) {
      // Signed out (a signed-in page without #reader-reading shows the server's marks alone).
      anonymous().read.forEach(function (id) { ids.add(id); });
    }
    return ids;
  }

  function markRead(id) {
    if (reader) {
      var mine = signedIn();
      mine.unsent.read = keepNewest(mine.unsent.read, id, READS_PER_BEACON);
      save(readerKey(), mine);
      flush();
    } else {
      var kept = anonymous();
      kept.read = keepNewest(kept.read, id, READ_KEPT);
      save(STORE, kept);
    }
  }

  // The list's top at the last visit, {top, at}: a signed-in reader's is the newest of the
  // server's (any device) and this browser's.
  function lastVisit(list) {
    if (!reader) return anonymous().visits[list] || null;
    var found = null;
    function consider(visit) {
      if (visit && (!found || visit.at > found.at)) found = visit;
    }
    if (state.hasAttribute("data-visit-top")) {
      consider({ top: state.getAttribute("data-visit-top"), at: Number(state.getAttribute("data-visit-at")) });
    }
    var mine = signedIn();
    consider(mine.unsent.visits[list]);
    mine.sent.forEach(function (batch) { consider(batch.visits[list]); });
    return found;
  }

  function recordVisit(list, top) {
    var visit = { top: top, at: Date.now() };
    if (reader) {
      var mine = signedIn();
      mine.unsent.visits[list] = visit;
      mine.unsent.visits = keepNewestVisits(mine.unsent.visits, VISITS_PER_BEACON);
      save(readerKey(), mine);
      flush();
    } else if (!document.body.hasAttribute("hx-headers")) {
      var kept = anonymous();
      kept.visits[list] = visit;
      kept.visits = keepNewestVisits(kept.visits, LISTS_KEPT);
      save(STORE, kept);
    }
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || null;
    } catch (e) {
      return null;
    }
  }

  // Send what this browser has not sent yet, if a minute has passed since the last beacon (else
  // once it has, while the page is open).
  function flush() {
    if (!reader || !beaconUrl || !navigator.sendBeacon) return;
    var mine = signedIn();
    var lists = Object.keys(mine.unsent.visits);
    if (!mine.unsent.read.length && !lists.length) return;
    var now = Date.now();
    var wait = mine.flushedAt + FLUSH_MS - now;
    if (wait > 0) {
      if (!flushTimer) flushTimer = setTimeout(function () { flushTimer = null; flush(); }, wait);
      return;
    }
    var token = csrfToken();
    if (!token) return;
    var body = new URLSearchParams();
    body.append("csrf_token", token);
    if (mine.unsent.read.length) body.append("read", mine.unsent.read.join(","));
    lists.forEach(function (list) { body.append("visit", list + " " + mine.unsent.visits[list].top); });
    if (!navigator.sendBeacon(beaconUrl, body)) return; // not queued: try again later
    mine.sent.push({ at: now, read: mine.unsent.read, visits: mine.unsent.visits });
    mine.unsent = { read: [], visits: {} };
    mine.flushedAt = now;
    save(readerKey(), mine);
  }

  function storyId(row) {
    return row.id.indexOf(ROW_PREFIX) === 0 ? row.id.slice(ROW_PREFIX.length) : null;
  }

  function showRead(row) {
    if (row.classList.contains("is-read")) return;
    row.classList.add("is-read");
    var link = row.querySelector(".story-title a");
    if (link && !link.querySelector(".read-label")) {
      var label = document.createElement("span");
      label.className = "visually-hidden read-label";
      label.textContent = "Read: ";
      link.prepend(label);
    }
  }

  function showDivider(row) {
    var divider = document.createElement("div");
    divider.className = "since-divider";
    divider.setAttribute("role", "separator");
    divider.setAttribute("aria-label", "Since your last visit");
    var text = document.createElement("span");
    text.setAttribute("aria-hidden", "true");
    text.textContent = "Since your last visit";
    divider.appendChild(text);
    row.prepend(divider);
    dividerAbove = null;
  }

  // Rows on the page or just added by htmx (the next batch, the new stories on top).
  function applyTo(root) {
    if (!root || !root.querySelectorAll) return;
    var read = readIds();
    // htmx's load event names each element it put in: a row itself, or what holds rows.
    var rows = Array.prototype.slice.call(root.querySelectorAll("li.story[id]"));
    if (root.matches && root.matches("li.story[id]")) rows.unshift(root);
    rows.forEach(function (row) {
      var id = storyId(row);
      if (id === null) return;
      if (read.has(id) || row.querySelector("[data-read]")) showRead(row);
      if (dividerAbove === id) showDivider(row);
    });
    // New stories put on top of the list while it is open: the reader has seen the list so.
    var list = document.querySelector("ol.stories[data-reading-list]");
    var top = list && list.querySelector("li.story[id]");
    if (top && list.getAttribute("data-reading-top") !== storyId(top)) {
      list.setAttribute("data-reading-top", storyId(top));
      recordVisit(list.getAttribute("data-reading-list"), storyId(top));
    }
  }

  // This page's visit: an article is a story opened; a list from its top is a visit to it,
  // marked against the last one before it is recorded.
  function visit() {
    var article = document.querySelector("[data-reading-story]");
    if (article) markRead(article.getAttribute("data-reading-story"));
    var list = document.querySelector("ol.stories[data-reading-list]");
    var top = list && list.querySelector("li.story[id]");
    if (top) {
      var last = lastVisit(list.getAttribute("data-reading-list"));
      if (last && String(last.top) !== storyId(top)) dividerAbove = String(last.top);
    }
  }

  // Clearing the history on the account page forgets this browser's copy too.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-reading-clear]");
    if (!form) return;
    try {
      window.localStorage.removeItem(STORE + "." + form.getAttribute("data-reader"));
    } catch (e) { /* nothing kept */ }
  });
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  visit();
  applyTo(document.body);
  if (window.htmx && window.htmx.onLoad) {
    window.htmx.onLoad(applyTo);
  } else {
    // htmx arriving later (the CDN loader): its load events bubble to the document.
    document.addEventListener("htmx:load", function (event) { applyTo(event.target); });
  }
  // A page shown again from the back-forward cache: stories opened meanwhile.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) applyTo(document.body);
  });
})();
