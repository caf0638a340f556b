// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Times: the server prints the site's time zone; add the reader's own when it differs.
  function showLocalTimes(root) {
    var siteZone = document.body.getAttribute("data-site-timezone");
    var readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!readerZone || readerZone === siteZone) return;
    root.querySelectorAll("time[data-local-time]:not([data-local-shown])").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      var local = document.createElement("span");
      local.className = "local-time";
      local.textContent = " (" + when.toLocaleString(undefined, {
        day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      }) + " your time)";
      el.after(local);
      el.setAttribute("data-local-shown", "");
    });
  }

  // Times in lists: the server prints "14:05" or "25 Nov", which never go stale; here they read
  // "12 min. ago" instead, in the page's language, kept current by one timer and set again on
  // what htmx adds. Past a day a row shows the date the server put in data-relative (the time of
  // day alone would then name the wrong day). Without Intl.RelativeTimeFormat, the server's text.
  var MINUTE_MS = 60 * 1000;
  var relativeFormat = window.Intl && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, {
      numeric: "auto", style: "short" // "this minute", "12 min. ago", "3 hr. ago"
    })
    : null;

  function relativeText(el, now) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return null;
    // A reader's clock behind the server's reads "this minute", not "in 2 min.".
    var minutes = Math.floor(Math.max(0, now - when) / MINUTE_MS);
    if (minutes < 60) return relativeFormat.format(-minutes, "minute");
    if (minutes < 24 * 60) return relativeFormat.format(-Math.floor(minutes / 60), "hour");
    return el.getAttribute("data-relative") || null;
  }

  function showRelativeTimes(root) {
    if (!relativeFormat || !root.querySelectorAll) return;
    var now = Date.now();
    root.querySelectorAll("time[data-relative]").forEach(function (el) {
      var text = relativeText(el, now);
      if (text && el.textContent !== text) el.textContent = text;
    });
  }

  function refreshRelativeTimes() {
    showRelativeTimes(document);
  }

  // Share block: the buttons exist only here, since they need this file (text browsers would
  // show hidden ones). Copy puts the link or the HTML on the clipboard (Clipboard API, else
  // selects it for the reader); Share… opens the device's share sheet where there is one.
  function button(label, secondary) {
    var el = document.createElement("button");
    el.type = "button";
    el.className = secondary ? "button button-secondary" : "button";
    el.textContent = label;
    return el;
  }

  function select(source) {
    source.focus();
    if (source.select) {
      source.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // Once per element, on the page and on what htmx adds later (the Share quote dialog's link).
  function enableSharing(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("[data-copy-label]:not([data-copy-ready])").forEach(function (source) {
      source.setAttribute("data-copy-ready", "");
      var status = source.closest(".share-link").querySelector(".share-status");
      var copy = button(source.getAttribute("data-copy-label"), source.tagName === "TEXTAREA");
      source.after(copy);
      copy.addEventListener("click", function () {
        var text = source.value !== undefined ? source.value : source.textContent;
        function selected() {
          select(source);
          status.textContent = "Selected: press Ctrl+C or ⌘C to copy.";
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () {
            status.textContent = source.getAttribute("data-copied");
          }, selected);
        } else {
          selected();
        }
      });
    });
    if (!navigator.share) return;
    root.querySelectorAll(".share-row[data-share-url]:not([data-share-ready])").forEach(function (row) {
      row.setAttribute("data-share-ready", "");
      var share = button("Share…", true);
      row.append(share);
      share.addEventListener("click", function () {
        navigator.share({
          title: row.getAttribute("data-share-title"),
          url: row.getAttribute("data-share-url")
        }).catch(function () { /* the reader closed the sheet */ });
      });
    });
  }

  // A modal dialog named by its <h2> `title`, added to the page: the keyboard shortcuts' help
  // (keys.js) and Share quote (quotes.js) are made with it.
  window.portalDialog = function (className, title) {
    var dialog = document.createElement("dialog");
    dialog.className = className;
    dialog.setAttribute("aria-labelledby", className + "-title");
    var heading = document.createElement("h2");
    heading.id = className + "-title";
    heading.textContent = title;
    dialog.append(heading);
    document.body.append(dialog);
    return dialog;
  };

  // Back to the list: remember which story was opened and where it sat on screen; when the
  // list is shown again from this history entry, put that story back in the same place.
  function rememberOpenedStory(event) {
    var link = event.target.closest(".stories .story-title a");
    if (!link) return;
    var row = link.closest(".story");
    var state = Object.assign({}, history.state, {
      openedStory: row.id,
      openedStoryTop: row.getBoundingClientRect().top
    });
    history.replaceState(state, "");
    history.scrollRestoration = "manual";
  }

  function restoreOpenedStory() {
    var state = history.state;
    if (!state || !state.openedStory) return;
    var row = document.getElementById(state.openedStory);
    if (!row) return;
    window.scrollBy(0, row.getBoundingClientRect().top - state.openedStoryTop);
    var link = row.querySelector(".story-title a");
    if (link) link.focus({ preventScroll: true });
  }

  document.addEventListener("click", rememberOpenedStory);
  // Rows htmx swaps in (the next batch, new stories, results) are set before they are painted;
  // htmx:load covers what it adds otherwise. Both bubble to document, however late htmx loads.
  document.addEventListener("htmx:afterSwap", function (event) { showRelativeTimes(event.target); });
  document.addEventListener("htmx:load", function (event) {
    showRelativeTimes(event.target);
    enableSharing(event.target);
  });
  // A page shown again from the back-forward cache has stood still since it was left.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) refreshRelativeTimes();
  });
  document.addEventListener("DOMContentLoaded", function () {
    showLocalTimes(document);
    refreshRelativeTimes();
    setInterval(refreshRelativeTimes, MINUTE_MS);
    enableSharing(document);
    restoreOpenedStory();
  });
})();
