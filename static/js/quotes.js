// Share quote, on article pages. Selecting a passage of the story offers a "Share quote" button,
// which opens a dialog with the passage's link and its QR code, both made by the server for an
// exact passage (/articles/<id>/quote). The link is the short link with a text fragment
// (#:~:text=...): browsers open the story scrolled to the passage and highlight it. Browsers
// without text fragments (no document.fragmentDirective) get the same from this file: the
// passage selected and scrolled into view.
(function () {
  "use strict";

  var article = null;
  var button = null;
  var dialog = null;
  var offered = ""; // the passage the button would share

  function selectedPassage() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    if (!article.contains(range.commonAncestorContainer)) return null;
    var text = selection.toString().replace(/\s+/g, " ").trim();
    return text ? { text: text, box: range.getBoundingClientRect() } : null;
  }

  function makeButton() {
    button = document.createElement("button");
    button.type = "button";
    button.className = "button quote-button";
    button.textContent = "Share quote";
    button.hidden = true;
    // Pressing it must not clear the selection it shares (with a mouse, a pen or a finger).
    button.addEventListener("pointerdown", function (event) { event.preventDefault(); });
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () { share(offered); });
    document.body.append(button);
  }

  // Below the selection (a phone's own selection menu sits above it).
  function offer() {
    var passage = selectedPassage();
    if (!passage) {
      button.hidden = true;
      return;
    }
    offered = passage.text;
    button.hidden = false;
    var left = Math.min(passage.box.left, document.documentElement.clientWidth - button.offsetWidth - 8);
    button.style.left = Math.max(8, left + window.scrollX) + "px";
    button.style.top = (passage.box.bottom + window.scrollY + 8) + "px";
  }

  function makeDialog() {
    dialog = window.portalDialog("quote-dialog", "Share quote");
    var body = document.createElement("div");
    body.className = "quote-dialog-body";
    var form = document.createElement("form");
    form.method = "dialog";
    form.className = "quote-actions";
    var close = document.createElement("button");
    close.className = "button button-secondary";
    close.textContent = "Close";
    form.append(close);
    dialog.append(body, form);
  }

  function share(text) {
    if (!dialog) makeDialog();
    // A long selection is cut to just over the longest passage, which the server then refuses
    // with its reason, instead of a request line too long for a proxy.
    var longest = parseInt(article.getAttribute("data-quote-max"), 10);
    var url = article.getAttribute("data-quote-url") + "?text=" + encodeURIComponent(text.slice(0, longest + 1));
    var body = dialog.querySelector(".quote-dialog-body");
    body.textContent = "Loading…";
    dialog.showModal();
    function failed() {
      body.textContent = "The quote could not be prepared: try again in a moment.";
    }
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "omit" }).then(function (response) {
      // Our own fragment (templates/news/_quote_share.html): the passage, its link and QR code
      // (200), or why there are none (400, 404); anything else is some other server's page.
      if ([200, 400, 404].indexOf(response.status) < 0) return failed();
      return response.text().then(function (html) {
        // htmx puts it in, so site.js gives the link its Copy button.
        window.htmx.swap(body, html, { swapStyle: "innerHTML" });
      });
    }).catch(failed);
  }

  // The page's text from `root` as one string with single spaces, and where each character is.
  function textMap(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var text = "";
    var places = [];
    var node;
    while ((node = walker.nextNode())) {
      for (var i = 0; i < node.data.length; i++) {
        var space = /\s/.test(node.data[i]);
        if (space && (text === "" || text[text.length - 1] === " ")) continue;
        text += space ? " " : node.data[i];
        places.push([node, i]);
      }
    }
    return { text: text, places: places };
  }

  function findRange(start, end) {
    var map = textMap(article);
    var from = map.text.indexOf(start);
    if (from < 0) return null;
    var to = from + start.length;
    if (end) {
      var last = map.text.indexOf(end, to);
      if (last < 0) return null;
      to = last + end.length;
    }
    var range = document.createRange();
    range.setStart(map.places[from][0], map.places[from][1]);
    range.setEnd(map.places[to - 1][0], map.places[to - 1][1] + 1);
    return range;
  }

  // The text directive of the address this page was opened at: ours are text=passage or
  // text=start,end.
  function askedPassage() {
    var entry = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")[0] : null;
    var address = location.hash.indexOf(":~:") >= 0 || !entry ? location.href : entry.name;
    var at = address.indexOf(":~:text=");
    if (at < 0) return null;
    try {
      return address.slice(at + 8).split("&")[0].split(",").map(function (part) {
        return decodeURIComponent(part).replace(/\s+/g, " ").trim();
      });
    } catch (error) {
      return null; // a mangled address: nothing to show
    }
  }

  function showAskedPassage() {
    if ("fragmentDirective" in document) return; // the browser does it
    var asked = askedPassage();
    var range = asked && asked[0] ? findRange(asked[0], asked[1]) : null;
    if (!range) return;
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    range.startContainer.parentElement.scrollIntoView({ block: "center" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    article = document.querySelector("[data-quote-url]");
    if (!article) return;
    makeButton();
    document.addEventListener("selectionchange", offer);
    window.addEventListener("resize", offer);
    showAskedPassage();
  });
})();
