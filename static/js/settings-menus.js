// The Theme and Density menus in the footer. They are made here, not in the page, because they
// work only with this file (text browsers show every control a page carries). The choice is kept
// by settings.js, which also applies it before the next page's first paint.
(function () {
  "use strict";

  var MENUS = [
    { key: "portal.theme", name: "theme", label: "Theme",
      options: [["", "System"], ["light", "Light"], ["dark", "Dark"]] },
    { key: "portal.density", name: "density", label: "Density",
      options: [["", "Comfortable"], ["compact", "Compact"]] }
  ];

  function menu(spec) {
    var settings = window.portalSettings;
    var wrapper = document.createElement("span");
    wrapper.className = "reader-setting";
    var label = document.createElement("label");
    label.htmlFor = "setting-" + spec.name;
    label.textContent = spec.label;
    var select = document.createElement("select");
    select.id = "setting-" + spec.name;
    spec.options.forEach(function (option) {
      select.add(new Option(option[1], option[0]));
    });
    select.value = settings.read(spec.key);
    if (select.selectedIndex < 0) select.value = ""; // a value this version doesn't know
    select.addEventListener("change", function () {
      settings.write(spec.key, select.value);
    });
    // Changed in another tab.
    window.addEventListener("storage", function (event) {
      if (event.key === spec.key || event.key === null) select.value = settings.read(spec.key);
    });
    wrapper.append(label, select);
    return wrapper;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var place = document.querySelector("[data-reader-settings]");
    if (!place || !window.portalSettings) return;
    MENUS.forEach(function (spec) {
      place.append(menu(spec));
    });
  });
})();
