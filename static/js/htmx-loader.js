// With PORTAL_HTMX_CDN=1: htmx from the pinned CDN file if it arrives within a moment, else the
// vendored copy; exactly one of them runs, and neither holds the page up.
//
// The CDN file is fetched first, with its integrity hash and a deadline. Only when it has arrived
// whole (it is then in the HTTP cache) does a <script> for it go in; otherwise the vendored copy's.
// A script tag put in straight away could not be taken back: if the CDN answered after the vendored
// copy had run, both would run.
//
// htmx 2 sets itself up on DOMContentLoaded, or at once if the document is already "complete" when
// it runs; a copy that runs in between never processes the page. So the chosen script goes in once
// the page has loaded. Scripts that use htmx wait for its htmx:load event on the body.
(function () {
  "use strict";

  var CDN_DEADLINE_MS = 500; // jsDelivr answers well within this; htmx then runs within a second
  var loader = document.currentScript;
  var cdnSrc = loader.getAttribute("data-cdn-src");
  var integrity = loader.getAttribute("data-integrity");
  var vendoredSrc = loader.getAttribute("data-vendored-src");

  // Resolves true when the CDN file arrived whole and matched its hash, false otherwise.
  function fetchFromCdn() {
    if (!window.fetch || !window.AbortController) return Promise.resolve(false);
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, CDN_DEADLINE_MS);
    // The same request mode and credentials as <script crossorigin="anonymous">, so the script
    // finds this response in the HTTP cache.
    var request = { integrity: integrity, mode: "cors", credentials: "same-origin", signal: controller.signal };
    return fetch(cdnSrc, request)
      .then(function (response) {
        return response.ok && response.arrayBuffer().then(function () { return true; });
      })
      .catch(function () { return false; }) // offline, blocked, too slow or not the pinned bytes
      .finally(function () { clearTimeout(timer); });
  }

  function pageLoaded() {
    return new Promise(function (resolve) {
      if (document.readyState === "complete") resolve();
      else window.addEventListener("load", resolve, { once: true });
    });
  }

  function insertScript(src, fromCdn) {
    var script = document.createElement("script");
    script.src = src;
    if (fromCdn) {
      script.integrity = integrity;
      script.crossOrigin = "anonymous";
      // It did not run, so the vendored copy may.
      script.onerror = function () { insertScript(vendoredSrc, false); };
    }
    document.head.appendChild(script);
  }

  Promise.all([fetchFromCdn(), pageLoaded()]).then(function (results) {
    if (results[0]) insertScript(cdnSrc, true);
    else insertScript(vendoredSrc, false);
  });
})();
