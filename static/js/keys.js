// Keyboard shortcuts. On lists, j and k move the focus from headline to headline (loading more at
// the end), o or Enter opens the story, s saves it; everywhere, / searches, g then h goes home and
// ? opens the help, which lists the keys and turns them off (WCAG 2.1.4: single-character keys
// need an off switch; off, every key is the browser's). Nothing is bound to rows, so rows added
// by scrolling or by the live notice are covered; htmx.onLoad tells when more rows have come.
// The help and its footer button are made here: without this file there are no shortcuts.
(function () {
  "use strict";

  var SETTING = "portal.keys"; // "off", or on (no entry)
  var KEYS = [
    ["j", "Next story"],
    ["k", "Previous story"],
    ["o or Enter", "Open the story"],
    ["s", "Save or unsave the story"],
    ["/", "Search"],
    ["g then h", "Home page"],
    ["?", "Show these shortcuts"],
    ["Esc", "Close this window"]
  ];
  var SECOND_KEY_MS = 1500; // for "g then h"
  var dialog = null;
  var pendingG = null;
  var focusAfterLoad = null; // the headline j was pressed on while more rows were loading

  function enabled() {
    return !window.portalSettings || window.portalSettings.read(SETTING) !== "off";
  }

  // The headlines j and k move through: the lists of stories (with the front page's top story),
  // not an article page's "More from".
  function headlines() {
    return Array.prototype.slice.call(document.querySelectorAll(
      ".top-story-title a, ol.stories:not(.stories-compact) .story-title a"));
  }

  function focusHeadline(link) {
    link.focus({ preventScroll: true });
    (link.closest("li.story, .top-story") || link).scrollIntoView({ block: "nearest" });
  }

  // The first headline on screen, for a j or k pressed before any headline has the focus.
  function firstOnScreen(links) {
    for (var i = 0; i < links.length; i++) {
      if (links[i].getBoundingClientRect().bottom > 0) return links[i];
    }
    return links[0];
  }

  function move(step) {
    focusAfterLoad = null;
    var links = headlines();
    if (!links.length) return false;
    var at = links.indexOf(document.activeElement);
    if (at < 0) {
      focusHeadline(firstOnScreen(links));
      return true;
    }
    var next = links[at + step];
    if (next) {
      focusHeadline(next);
    } else if (step > 0) {
      loadMore(links[at]);
    }
    return true;
  }

  // At the last headline: the list's sentinel loads the next batch when it is in view.
  function loadMore(from) {
    var sentinel = document.querySelector(".feed-more");
    if (!sentinel) return;
    focusAfterLoad = from;
    sentinel.scrollIntoView({ block: "end" });
  }

  // Only while the reader is still on that headline (not if they moved on, or clicked away).
  function loaded() {
    if (!focusAfterLoad || document.activeElement !== focusAfterLoad) return;
    var links = headlines();
    var next = links[links.indexOf(focusAfterLoad) + 1];
    if (next) {
      focusAfterLoad = null;
      focusHeadline(next);
    }
  }

  // The story the keys act on: the focused one in a list, else the article shown.
  function currentStory() {
    var active = document.activeElement;
    var row = active && active.closest ? active.closest("li.story, .top-story") : null;
    return row || document.querySelector(".article-header");
  }

  function open() {
    var story = currentStory();
    var link = story && story.querySelector(".story-title a, .top-story-title a");
    if (!link) return false;
    link.click();
    return true;
  }

  // The Save button of the story: signed in, it saves in place; signed out, it is the link to
  // sign in that carries the save.
  function save() {
    var story = currentStory();
    var button = story && story.querySelector(".bookmark-button");
    if (!button) return false;
    button.click();
    return true;
  }

  function search() {
    var field = document.querySelector("input[type=search]");
    if (!field) return false;
    field.focus();
    field.select();
    return true;
  }

  function goHome() {
    var home = document.querySelector(".brand");
    if (home) window.location.assign(home.href);
  }

  function makeHelp() {
    dialog = window.portalDialog("keys-help", "Keyboard shortcuts");
    var list = document.createElement("dl");
    list.className = "keys-list";
    KEYS.forEach(function (entry) {
      var item = document.createElement("div");
      var keys = document.createElement("dt");
      entry[0].split(" ").forEach(function (word) {
        if (word === "or" || word === "then") {
          keys.append(" " + word + " ");
        } else {
          var key = document.createElement("kbd");
          key.textContent = word;
          keys.append(key);
        }
      });
      var what = document.createElement("dd");
      what.textContent = entry[1];
      item.append(keys, what);
      list.append(item);
    });
    var note = document.createElement("p");
    note.className = "keys-note";
    note.textContent = "j, k, o and Enter work on lists of stories; the others on every page.";
    var toggle = document.createElement("label");
    toggle.className = "checkbox";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.id = "keys-on";
    box.addEventListener("change", function () {
      window.portalSettings.write(SETTING, box.checked ? "" : "off");
    });
    toggle.append(box, " Keyboard shortcuts on");
    var form = document.createElement("form");
    form.method = "dialog";
    var close = document.createElement("button");
    close.className = "button";
    close.textContent = "Close";
    form.append(close);
    dialog.append(list, note, toggle, form);
  }

  function showHelp() {
    if (!dialog) makeHelp();
    dialog.querySelector("#keys-on").checked = enabled();
    dialog.showModal();
  }

  // In a field that takes text, keys are the reader's words (a checkbox or a button takes none).
  var NOT_TYPED = ["checkbox", "radio", "button", "submit", "reset", "image", "range", "color", "file"];

  function typing(target) {
    if (!target.closest) return false;
    if (target.closest("textarea, select, [contenteditable]:not([contenteditable=false])")) return true;
    return target.tagName === "INPUT" && NOT_TYPED.indexOf(target.type) < 0;
  }

  function pressed(event) {
    if (!enabled() || event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
    // In an open dialog (this help, Share quote) keys belong to it: nothing behind it is touched.
    if (event.isComposing || typing(event.target) || document.querySelector("dialog[open]")) return;
    var key = event.key;
    if (pendingG) {
      clearTimeout(pendingG);
      pendingG = null;
      if (key === "h") {
        event.preventDefault();
        goHome();
        return;
      }
    }
    var done = false;
    if (key === "j") done = move(1);
    else if (key === "k") done = move(-1);
    else if (key === "o") done = open();
    else if (key === "s") done = save();
    else if (key === "/") done = search();
    else if (key === "?") {
      showHelp();
      done = true;
    } else if (key === "g") {
      pendingG = setTimeout(function () { pendingG = null; }, SECOND_KEY_MS);
      done = true;
    }
    if (done) event.preventDefault();
  }

  // The footer's way to the help, for a reader who turned the keys off.
  function addHelpButton() {
    var place = document.querySelector("[data-reader-settings]");
    if (!place) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = "Keyboard shortcuts";
    button.addEventListener("click", showHelp);
    place.append(button);
  }

  document.addEventListener("keydown", pressed);
  document.addEventListener("DOMContentLoaded", addHelpButton);
  // htmx calls this for each piece of content it adds (a batch of rows, new stories), however
  // late htmx itself loads.
  document.addEventListener("htmx:load", loaded);
})();
