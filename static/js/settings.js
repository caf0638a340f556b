// Blocking, in <head>: the reader's display settings are applied before the first paint, so a
// chosen theme never flashes the other one. They are kept in this browser's localStorage (no
// cookie: cached pages stay the same for every reader). settings-menus.js and keys.js change and
// read them through window.portalSettings.
(function () {
  "use strict";

  var root = document.documentElement;
  // Settings shown as an attribute of <html>, which the stylesheet reads.
  var ATTRIBUTES = { "portal.theme": "data-theme", "portal.density": "data-density" };

  function read(key) {
    try {
      return window.localStorage.getItem(key) || "";
    } catch (error) {
      return ""; // storage blocked: the defaults
    }
  }

  function show(key, value) {
    var attribute = ATTRIBUTES[key];
    if (!attribute) return;
    if (value) {
      root.setAttribute(attribute, value);
    } else {
      root.removeAttribute(attribute);
    }
  }

  function apply(key) {
    show(key, read(key));
  }

  // An empty value is the default, kept as no entry at all.
  function write(key, value) {
    try {
      if (value) {
        window.localStorage.setItem(key, value);
      } else {
        window.localStorage.removeItem(key);
      }
    } catch (error) { /* not remembered: this page shows it all the same */ }
    show(key, value);
  }

  Object.keys(ATTRIBUTES).forEach(apply);
  // Changed in another tab: this one follows.
  window.addEventListener("storage", function (event) {
    if (event.key === null) Object.keys(ATTRIBUTES).forEach(apply);
    else apply(event.key);
  });
  window.portalSettings = { read: read, write: write };
})();
