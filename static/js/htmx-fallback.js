// Runs right after the CDN's htmx script tag: when that did not load (offline, blocked, failed
// its integrity check), load the vendored copy of the same version, still parser-blocking so that
// htmx initialises exactly as it would have from the CDN. No inline script, so the CSP stays strict.
(function () {
  if (window.htmx) return;
  var src = document.currentScript && document.currentScript.getAttribute("data-fallback-src");
  if (src) document.write('<script src="' + src.replace(/"/g, "") + '"><\/script>');
})();
