// "N new stories" on a list that is open. While the tab is visible the list's stream
// (/live/stream, server-sent events through htmx's sse extension) swaps each new notice into the
// region as it changes; when the stream can't be used (refused three times, or not heard from 20 s
// after connecting, as behind a buffering proxy) this file asks the server every
// data-live-interval seconds instead (htmx trigger filters would need eval, which is off). When
// the reader asks for the new stories, their rows go on top without moving what they were
// looking at, and the stream is opened again from the new top.
//
// The #new-stories region (templates/news/list.html) has hx-get="/live/new?newest=<id>" and
// hx-trigger="live-poll"; its wrapper, never swapped, names the vendored extension. The notice
// (templates/news/_new_stories.html) is a link whose hx-get inserts the new rows at the top of the
// list (data-live-insert). Without this file, or without JavaScript, there is no notice.
(function () {
  "use strict";

  var REGION_ID = "new-stories";
  var HEARD_WITHIN_MS = 20000;
  var FAILED_CONNECTS = 3;
  var timer = null;
  var streaming = false; // the stream is open (or opening): no polling meanwhile
  var streamGivenUp = !window.EventSource; // polling from now on
  var failures = 0;
  var heardTimer = null;
  var opened = 0; // streams opened by this page
  var lastPoll = Date.now(); // the page itself is fresh
  var shownEtag = null; // the ETag of the notice on screen, sent back as If-None-Match
  var pendingInsert = null; // what beforeSwap learnt about the rows being inserted

  function region() {
    return document.getElementById(REGION_ID);
  }

  function intervalMs(el) {
    var seconds = parseFloat(el.getAttribute("data-live-interval"));
    return Math.max(1, seconds || 30) * 1000;
  }

  function visible() {
    return document.visibilityState === "visible";
  }

  function connector() {
    var el = region();
    return el ? el.closest(".live-stream") : null;
  }

  // The stream of the list the region polls, from the same newest story.
  function streamUrl(el) {
    return el.getAttribute("hx-get").replace("/live/new", "/live/stream");
  }

  function openStream() {
    var el = region();
    var wrapper = connector();
    if (!el || !wrapper || streamGivenUp || !visible() || !window.htmx.createEventSource) return false;
    // Changed nodes, which htmx sets up again: the extension opens the stream on the wrapper and
    // listens to it on the region (htmx leaves a node whose attributes are as before alone).
    opened += 1;
    wrapper.setAttribute("data-sse-connect", streamUrl(el));
    wrapper.setAttribute("data-stream-opened", String(opened));
    el.setAttribute("data-sse-swap", "notice");
    el.setAttribute("data-stream-opened", String(opened));
    streaming = true;
    clearTimeout(heardTimer);
    heardTimer = setTimeout(function () {
      giveUpStream(); // not a word since connecting: something in between holds it
    }, HEARD_WITHIN_MS);
    window.htmx.process(wrapper);
    return true;
  }

  function closeStream() {
    var wrapper = connector();
    clearTimeout(heardTimer);
    streaming = false;
    if (!wrapper || !wrapper.hasAttribute("data-sse-connect")) return;
    // The extension closes a wrapper's EventSource when htmx cleans the element up.
    window.htmx.trigger(wrapper, "htmx:beforeCleanupElement");
    wrapper.removeAttribute("data-sse-connect");
  }

  function giveUpStream() {
    closeStream();
    streamGivenUp = true;
    schedule();
  }

  function streamOpened(event) {
    if (event.target !== connector()) return;
    event.detail.source.addEventListener("ready", function () {
      clearTimeout(heardTimer);
      failures = 0;
    });
  }

  function streamFailed(event) {
    if (event.target !== connector()) return;
    var source = event.detail.source;
    // Lost while open: the browser reconnects by itself (after the server's retry, with jitter).
    if (source && source.readyState === window.EventSource.CONNECTING) return;
    failures += 1;
    if (failures >= FAILED_CONNECTS) giveUpStream();
  }

  // Hidden, a tab holds no stream (browsers allow six connections to a site); shown again, it
  // reopens it and hears the count at once.
  function visibilityChanged() {
    if (!visible()) {
      closeStream();
      schedule();
    } else if (!openStream()) {
      schedule();
    }
  }

  function poll() {
    var el = region();
    if (!el || !visible() || streaming) return;
    lastPoll = Date.now();
    window.htmx.trigger(el, "live-poll");
  }

  // One timer at a time, and none while the tab is hidden; back in view, a check that is
  // overdue happens at once.
  function schedule() {
    clearTimeout(timer);
    timer = null;
    var el = region();
    if (!el || !visible() || streaming) return;
    var wait = Math.max(0, lastPoll + intervalMs(el) - Date.now());
    timer = setTimeout(function () {
      poll();
      schedule();
    }, wait);
  }

  // htmx names the element an event fires on in detail.elt; the one that made the request is here.
  function requester(detail) {
    return detail.requestConfig ? detail.requestConfig.elt : null;
  }

  function sendEtag(event) {
    if (event.detail.elt === region() && shownEtag) {
      event.detail.headers["If-None-Match"] = shownEtag;
    }
  }

  // The row the reader is looking at (the first one on screen) and where it is, once they have
  // scrolled down; at the very top of the page, new rows simply appear there.
  function readingPosition(list) {
    if (window.scrollY <= 0) return null;
    var rows = list.children;
    for (var i = 0; i < rows.length; i++) {
      var top = rows[i].getBoundingClientRect();
      if (top.bottom > 0) return { row: rows[i], top: top.top };
    }
    return null;
  }

  function beforeSwap(event) {
    var detail = event.detail;
    var el = region();
    var from = requester(detail);
    if (!from || !el) return;
    if (from === el) {
      // A check for new stories. 304: the notice shown is still right. A reply to a request
      // made before the rows were inserted (older cursor) is out of date.
      if (detail.requestConfig.path !== el.getAttribute("hx-get") || detail.xhr.status === 304) {
        detail.shouldSwap = false;
      } else if (detail.xhr.status === 200) {
        shownEtag = detail.xhr.getResponseHeader("ETag");
      }
      return;
    }
    if (!from.hasAttribute || !from.hasAttribute("data-live-insert")) return;
    if (detail.xhr.status !== 200 || !el.contains(from)) {
      detail.shouldSwap = false;
      return;
    }
    // The new rows: never one that is on the page already.
    var parsed = document.createElement("template");
    parsed.innerHTML = detail.serverResponse;
    var rows = parsed.content.querySelectorAll("li.story[id]");
    var newest = rows.length ? rows[0].id.replace("story-", "") : null;
    var inserted = [];
    rows.forEach(function (row) {
      if (document.getElementById(row.id)) {
        row.remove();
      } else {
        inserted.push(row.id);
      }
    });
    detail.serverResponse = parsed.innerHTML;
    pendingInsert = {
      link: from,
      newest: newest,
      inserted: inserted,
      reading: readingPosition(detail.target)
    };
  }

  function afterSwap(event) {
    var insert = pendingInsert;
    if (!insert || requester(event.detail) !== insert.link) return;
    pendingInsert = null;
    if (insert.reading) {
      // Browsers that anchor scrolling have kept the row in place already (then this is 0).
      var moved = insert.reading.row.getBoundingClientRect().top - insert.reading.top;
      if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
    }
    var el = region();
    if (el) {
      // The notice has been answered: clear it, and count from the newest story now shown.
      el.replaceChildren();
      shownEtag = null;
      if (insert.newest) {
        var url = new URL(el.getAttribute("hx-get"), window.location.href);
        url.searchParams.set("newest", insert.newest);
        var reopen = streaming;
        closeStream();
        el.setAttribute("hx-get", url.pathname + url.search);
        window.htmx.process(el);
        if (reopen) openStream();
      }
      lastPoll = Date.now();
      schedule();
    }
    // Keyboard and screen reader users continue from the first new story, the page unmoved.
    var first = insert.inserted.length && document.getElementById(insert.inserted[0]);
    var link = first && first.querySelector(".story-title a");
    if (link) link.focus({ preventScroll: true });
  }

  // The extension is loaded once htmx is there (with the CDN loader, htmx comes late), with its
  // pinned hash.
  function loadExtension(then) {
    var wrapper = connector();
    if (!wrapper || streamGivenUp) return then();
    var script = document.createElement("script");
    script.src = wrapper.getAttribute("data-sse-src");
    script.integrity = wrapper.getAttribute("data-sse-integrity");
    script.onload = then;
    script.onerror = function () {
      streamGivenUp = true;
      then();
    };
    document.head.appendChild(script);
  }

  function start() {
    if (!region()) return;
    document.addEventListener("htmx:configRequest", sendEtag);
    document.addEventListener("htmx:beforeSwap", beforeSwap);
    document.addEventListener("htmx:afterSwap", afterSwap);
    document.addEventListener("htmx:sseOpen", streamOpened);
    document.addEventListener("htmx:sseError", streamFailed);
    document.addEventListener("visibilitychange", visibilityChanged);
    loadExtension(function () {
      if (!openStream()) schedule();
    });
  }

  // htmx announces that it has set up the page with htmx:load on the body: just after
  // DOMContentLoaded with the vendored copy, once the page has loaded with the CDN loader
  // (static/js/htmx-loader.js). Without htmx there is no notice.
  document.addEventListener("htmx:load", start, { once: true });
})();
