// stayopen's checkout helper, served as /__stayopen/client.js on the pages named in CLIENT_SCRIPT_PATHS.
// A shop's own checkout places its order with fetch or XMLHttpRequest; while the shop system is down
// stayopen holds the order at the edge and answers with `X-Stayopen-Source: queued`, which the shop's
// code does not know. This script sees that answer (the shop's code still gets it, untouched) and
// tells the shopper at once that the order is safe, with its reference and a link to its status page.
// No dependencies, no external assets. Styles are set through the CSSOM (element.style), which a
// Content-Security-Policy without 'unsafe-inline' still allows.
(function () {
  "use strict";
  var MARK = "__stayopenClient";
  if (window[MARK]) return;
  window[MARK] = true;

  var STORAGE_KEY = "stayopen:queued-order";
  // A confirmation the shopper has not closed is shown again on the next page (the shop's code may
  // navigate on to its own success page), but not forever.
  var REMEMBER_MS = 10 * 60 * 1000;
  var STATUS_PATH = /^\/__stayopen\/orders\/([A-Za-z0-9_-]{8,128})$/;
  var open = null;

  /** The order named by a queued answer's Location header, on this shop's own host only. */
  function orderAt(location) {
    if (!location) return null;
    var url;
    try {
      url = new URL(location, window.location.href);
    } catch (error) {
      return null;
    }
    var match = url.origin === window.location.origin && STATUS_PATH.exec(url.pathname);
    return match ? { reference: match[1], statusUrl: url.pathname } : null;
  }

  function answered(source, location) {
    if (source !== "queued") return;
    var order = orderAt(location);
    if (!order) return;
    remember(order);
    show(order);
  }

  function remember(order) {
    try {
      var saved = { reference: order.reference, statusUrl: order.statusUrl, at: Date.now() };
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
    } catch (error) {
      // Storage may be off (private mode, blocked cookies): the confirmation still shows on this page.
    }
  }

  function forget() {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (error) {
      // See remember().
    }
  }

  function remembered() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null");
      if (!saved || typeof saved.at !== "number" || Date.now() - saved.at > REMEMBER_MS) return null;
      var order = orderAt(saved.statusUrl);
      return order && order.reference === saved.reference ? order : null;
    } catch (error) {
      return null;
    }
  }

  // Not !important: inside the shadow root the shop's rules cannot reach, and a reader's own text-spacing
  // settings (WCAG 1.4.12) must still apply. Only the host in the shop's page is set with !important.
  function css(element, styles, priority) {
    for (var name in styles) element.style.setProperty(name, styles[name], priority || "");
    return element;
  }

  function make(tag, text, styles) {
    var element = document.createElement(tag);
    if (text) element.textContent = text;
    return css(element, styles || {});
  }

  /** 34 hex digits are hard to read out on the phone: groups of four, the gaps only visual (copying gives the reference). */
  function groupedReference(reference) {
    var code = make("strong", "", {
      "font-family": "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      "font-size": "1.125rem",
      "font-weight": "700",
      "overflow-wrap": "anywhere",
    });
    var groups = reference.match(/.{1,4}/g) || [reference];
    for (var i = 0; i < groups.length; i++) {
      var group = make("span", groups[i], {
        "margin-right": i < groups.length - 1 ? "0.4em" : "0",
        display: "inline-block",
      });
      group.setAttribute("data-stayopen-group", "");
      code.appendChild(group);
    }
    return code;
  }

  function show(order) {
    if (open) {
      if (open.reference === order.reference) return;
      open.close();
    }
    var body = document.body || document.documentElement;
    var previousFocus = document.activeElement;
    var host = css(document.createElement("div"), { all: "initial", display: "block" }, "important");
    host.setAttribute("data-stayopen-confirmation", "");
    // A shadow root keeps the shop's stylesheet out of the confirmation (and the confirmation out of the shop).
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var modal = typeof HTMLDialogElement === "function" && "showModal" in HTMLDialogElement.prototype;
    var dialog = make(modal ? "dialog" : "div", "", {
      position: "fixed",
      inset: "0",
      margin: "auto",
      "box-sizing": "border-box",
      width: "min(32rem, calc(100vw - 2rem))",
      height: "fit-content",
      "max-height": "calc(100vh - 2rem)",
      overflow: "auto",
      padding: "1.5rem",
      border: "3px solid #146c2e",
      "border-radius": "12px",
      background: "#ffffff",
      color: "#1a1a1a",
      font: "16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
      "text-align": "left",
      "box-shadow": "0 0 0 100vmax rgba(0, 0, 0, 0.55)",
      "z-index": "2147483647",
    });
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "stayopen-confirmation-title");
    dialog.setAttribute("aria-describedby", "stayopen-confirmation-text");

    var title = make("h2", "Thank you, we have your order", {
      margin: "0 0 0.75rem",
      "font-size": "1.375rem",
      "line-height": "1.3",
      "font-weight": "700",
      color: "#1a1a1a",
    });
    title.id = "stayopen-confirmation-title";
    var text = make(
      "p",
      "Our shop system can't be reached right now, so we're keeping your order safe and will pass it on as soon as it is back. You don't need to do anything, and please don't order again.",
      { margin: "0 0 1rem" },
    );
    text.id = "stayopen-confirmation-text";
    var referenceLine = make("p", "Your order reference: ", { margin: "0 0 1rem" });
    referenceLine.appendChild(groupedReference(order.reference));
    var status = make("a", "See your order's status", {
      color: "#0b57d0",
      "text-decoration": "underline",
      "font-weight": "600",
      display: "inline-block",
      padding: "0.5rem 0",
    });
    status.href = order.statusUrl;
    var close = make("button", "Close", {
      display: "block",
      "margin-top": "1rem",
      "min-height": "44px",
      padding: "0.6rem 1.4rem",
      font: "600 16px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
      color: "#ffffff",
      background: "#1a1a1a",
      border: "0",
      "border-radius": "8px",
      cursor: "pointer",
    });
    close.type = "button";

    dialog.appendChild(title);
    dialog.appendChild(text);
    dialog.appendChild(referenceLine);
    dialog.appendChild(status);
    dialog.appendChild(close);
    root.appendChild(dialog);
    body.appendChild(host);

    var closed = false;
    function finish() {
      if (closed) return;
      closed = true;
      forget();
      open = null;
      if (host.parentNode) host.parentNode.removeChild(host);
      if (previousFocus && typeof previousFocus.focus === "function" && document.contains(previousFocus))
        previousFocus.focus();
    }
    open = {
      reference: order.reference,
      close: function () {
        if (modal && dialog.open) dialog.close();
        finish();
      },
    };
    close.addEventListener("click", open.close);
    // A native modal dialog closes on Escape by itself (its "close" event); the fallback listens for the key.
    dialog.addEventListener("close", finish);
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !modal) open && open.close();
    });
    if (modal) dialog.showModal();
    else dialog.setAttribute("tabindex", "-1");
    status.focus();

    try {
      window.dispatchEvent(
        new CustomEvent("stayopen:queued", { detail: { reference: order.reference, statusUrl: order.statusUrl } }),
      );
    } catch (error) {
      // An old browser without CustomEvent: the confirmation is shown all the same.
    }
  }

  // fetch: the shop's code gets the very response (and promise) the browser gave; this only looks at its headers.
  var originalFetch = window.fetch;
  if (typeof originalFetch === "function") {
    window.fetch = function fetch() {
      var result = originalFetch.apply(window, arguments);
      result.then(
        function (response) {
          try {
            answered(response.headers.get("x-stayopen-source"), response.headers.get("location"));
          } catch (error) {
            // Never let the confirmation break the shop's own code.
          }
        },
        function () {},
      );
      return result;
    };
  }

  // XMLHttpRequest (jQuery, axios): a listener on each request, added before the shop's own ones run.
  var xhr = window.XMLHttpRequest && window.XMLHttpRequest.prototype;
  if (xhr && typeof xhr.send === "function") {
    var originalSend = xhr.send;
    xhr.send = function send() {
      var request = this;
      try {
        request.addEventListener("load", function () {
          try {
            answered(request.getResponseHeader("x-stayopen-source"), request.getResponseHeader("location"));
          } catch (error) {
            // See fetch above.
          }
        });
      } catch (error) {
        // See fetch above.
      }
      return originalSend.apply(this, arguments);
    };
  }

  // The shop's code may have moved on to another page before the shopper read the confirmation.
  function showRemembered() {
    var order = remembered();
    if (order) show(order);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showRemembered);
  else showRemembered();
})();
