/* tutela cookie banner: no dependencies. GDPR.md CK-1, CK-2, CO-1, CO-3, GPC-1.
 * <script src="https://tutela.host/banner.js" data-tutela="https://tutela.host" defer></script>
 * Scripts declared <script type="text/plain" data-category="statistics" src="..."> (or
 * inline) run only once their category is consented. Elements with
 * data-tutela-preferences reopen the dialog. See docs/banner.md. */
(function () {
  "use strict";
  var me = document.currentScript;
  var base = ((me && me.getAttribute("data-tutela")) || (me && me.src ? new URL(me.src).origin : ""))
    .replace(/\/+$/, "");
  var asked = (me && me.getAttribute("data-lang")) || document.documentElement.lang || navigator.language || "";
  var gpc = navigator.globalPrivacyControl === true;
  var config = null, stored = null, box = null, back = null, reopen = null, opener = null;
  var ran = {};

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs) if (attrs[key] !== null && attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    if (text) node.textContent = text;
    return node;
  }

  function blocked(category) {
    var list = (config && config.gpc_blocked) || ["marketing"];
    return gpc && list.indexOf(category) >= 0;
  }

  function read(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var at = parts[i].indexOf("=");
      if (parts[i].slice(0, at) !== name) continue;
      try {
        var q = new URLSearchParams(decodeURIComponent(parts[i].slice(at + 1)));
        var v = q.get("v") || "";
        if (!/^[A-Za-z0-9_-]{16,64}$/.test(v)) return null;
        return { v: v, g: (q.get("g") || "").split(",").filter(Boolean), n: q.get("n") || "", s: q.get("s") || "" };
      } catch (e) {
        return null;
      }
    }
    return null;
  }

  function write(choice) {
    var q = new URLSearchParams({ v: choice.v, g: choice.g.join(","), n: choice.n, s: choice.s || "" });
    var days = (config && config.cookie_days) || 365;
    document.cookie = config.cookie + "=" + encodeURIComponent(q.toString()) + "; Max-Age=" +
      days * 86400 + "; Path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }

  function visitorId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    var text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /* Replace each blocked script of a granted category by a real one, once. */
  function run(granted) {
    var list = document.querySelectorAll('script[type="text/plain"][data-category]');
    for (var i = 0; i < list.length; i++) {
      var old = list[i], category = old.getAttribute("data-category");
      if (category !== "necessary" && (granted.indexOf(category) < 0 || blocked(category))) continue;
      var fresh = document.createElement("script");
      for (var j = 0; j < old.attributes.length; j++) {
        var a = old.attributes[j];
        if (a.name !== "type") fresh.setAttribute(a.name, a.value);
      }
      if (!old.getAttribute("src")) fresh.text = old.text;
      fresh.async = false;
      ran[category] = true;
      old.parentNode.replaceChild(fresh, old);
    }
  }

  /* Remove the first-party cookies of the categories no longer granted. */
  function forget(granted) {
    (config.categories || []).forEach(function (c) {
      if (c.required || granted.indexOf(c.key) >= 0) return;
      (c.cookies || []).forEach(function (k) {
        if (!k.third_party) document.cookie = k.name + "=; Max-Age=0; Path=/";
      });
    });
  }

  function send(granted, denied) {
    var body = { visitor: stored.v, granted: granted, denied: denied, gpc: gpc, language: config.language };
    return fetch(base + "/api/v1/consent/banner", {
      method: "POST", mode: "cors", keepalive: true,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).catch(function () { return null; });
  }

  function choose(granted) {
    var offered = config.categories.filter(function (c) { return !c.required; });
    granted = granted.filter(function (k) { return !blocked(k); });
    var denied = offered.map(function (c) { return c.key; })
      .filter(function (k) { return granted.indexOf(k) < 0; });
    stored = { v: (stored && stored.v) || visitorId(), g: granted, n: String(config.notice_version || ""),
      s: gpc ? "1" : (stored && stored.s) || "" };
    write(stored);
    forget(granted);
    run(granted);
    close();
    return send(granted, denied);
  }

  function focusables() {
    return Array.prototype.filter.call(
      box.querySelectorAll("button, input, a[href], summary"),
      function (n) { return !n.disabled && n.offsetParent !== null; });
  }

  function trap(event) {
    if (event.key === "Escape" && stored && stored.n === String(config.notice_version || "")) {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "Tab") return;
    var items = focusables(), first = items[0], last = items[items.length - 1];
    var active = document.activeElement;
    if (event.shiftKey && (active === first || active === box || !box.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !box.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  function noticeLine(notice, texts) {
    var line = el("p", { "class": "tutela-notice" });
    var when = String(notice.effective_at || "").slice(0, 10);
    var summary = [].concat(notice.summary || []).join(" ");
    line.appendChild(el("strong", {}, texts.notice + " "));
    line.appendChild(document.createTextNode(
      (notice.version ? notice.version + (when ? " (" + when + ")" : "") + ": " : "") + summary + " "));
    if (notice.url) line.appendChild(el("a", { href: notice.url }, texts.statement));
    return line;
  }

  function category(c, granted) {
    var id = "tutela-c-" + c.key;
    var row = el("div", { "class": "tutela-category" });
    var off = blocked(c.key);
    var input = el("input", { type: "checkbox", id: id, name: c.key });
    input.checked = c.required || (!off && granted.indexOf(c.key) >= 0);
    input.disabled = c.required || off;
    var label = el("label", { "for": id }, c.label);
    if (c.required) label.appendChild(el("span", { "class": "tutela-always" }, " — " + config.texts.always_on));
    row.appendChild(input);
    row.appendChild(label);
    var about = (c.purposes || []).map(function (p) { return p.notice || p.name; }).join(" ");
    row.appendChild(el("p", { "class": "tutela-about" }, (c.description + " " + about).trim()));
    if (c.cookies && c.cookies.length) {
      var more = el("details"), list = el("ul");
      more.appendChild(el("summary", {}, c.cookies.length + " cookie" + (c.cookies.length > 1 ? "s" : "")));
      c.cookies.forEach(function (k) {
        list.appendChild(el("li", {}, k.name + " (" + k.provider + ", " + k.duration + ")" +
          (k.description ? ": " + k.description : "")));
      });
      more.appendChild(list);
      row.appendChild(more);
    }
    return row;
  }

  function checked() {
    var found = [];
    config.categories.forEach(function (c) {
      var input = document.getElementById("tutela-c-" + c.key);
      if (!c.required && input && input.checked) found.push(c.key);
    });
    return found;
  }

  function open() {
    if (!config || back) return;
    var texts = config.texts;
    opener = document.activeElement;
    back = el("div", { "class": "tutela-backdrop" });
    box = el("div", { "class": "tutela-dialog", role: "dialog", "aria-modal": "true",
      "aria-labelledby": "tutela-title", "aria-describedby": "tutela-intro", tabindex: "-1",
      lang: config.language });
    box.appendChild(el("h2", { id: "tutela-title" }, texts.title));
    var intro = el("p", { id: "tutela-intro" }, texts.intro + " ");
    if (config.statement_url) intro.appendChild(el("a", { href: config.statement_url }, texts.statement));
    box.appendChild(intro);
    if (config.notice) box.appendChild(noticeLine(config.notice, texts));
    if (gpc) box.appendChild(el("p", { "class": "tutela-gpc", role: "note" }, texts.gpc));
    var granted = stored ? stored.g : [];
    config.categories.forEach(function (c) { box.appendChild(category(c, granted)); });
    var actions = el("div", { "class": "tutela-actions" });
    var all = config.categories.map(function (c) { return c.key; });
    [["reject", texts.reject_all, function () { return []; }],
      ["accept", texts.accept_all, function () { return all; }],
      ["save", texts.save, checked]].forEach(function (b) {
      var button = el("button", { type: "button", "class": "tutela-button", "data-action": b[0] }, b[1]);
      button.addEventListener("click", function () { choose(b[2]()); });
      actions.appendChild(button);
    });
    box.appendChild(actions);
    box.addEventListener("keydown", trap);
    back.appendChild(box);
    document.body.appendChild(back);
    if (reopen) reopen.hidden = true;
    box.focus();
  }

  function close() {
    if (!back) return;
    back.parentNode.removeChild(back);
    back = box = null;
    persistent();
    if (opener && opener.focus && document.contains(opener)) opener.focus();
  }

  /* A way back to the choice: the site's [data-tutela-preferences], else a floating button. */
  function persistent() {
    if (document.querySelector("[data-tutela-preferences]:not(.tutela-reopen)")) return;
    if (!reopen) {
      reopen = el("button", { type: "button", "class": "tutela-reopen", "data-tutela-preferences": "" },
        config.texts.reopen);
      document.body.appendChild(reopen);
    }
    reopen.hidden = false;
  }

  function style() {
    if (document.querySelector('link[href$="/banner.css"]')) return;
    document.head.appendChild(el("link", { rel: "stylesheet", href: base + "/banner.css" }));
  }

  function start() {
    stored = read("cookie_consent");
    document.addEventListener("click", function (event) {
      var target = event.target && event.target.closest && event.target.closest("[data-tutela-preferences]");
      if (target) {
        event.preventDefault();
        open();
      }
    });
    style();
    var url = base + "/api/v1/consent/banner" + (asked ? "?lang=" + encodeURIComponent(asked.split("-")[0].toLowerCase()) : "");
    fetch(url, { mode: "cors" }).then(function (r) {
      if (!r.ok) throw new Error("banner " + r.status);
      return r.json();
    }).then(function (found) {
      config = found;
      stored = read(config.cookie) || stored;
      var current = stored && stored.n === String(config.notice_version || "");
      if (current) {
        run(stored.g);
        persistent();
      } else {
        open();
      }
      if (gpc && !(stored && stored.s)) {  /* GPC-1: the opt-out is sent once, before any choice */
        stored = stored || { v: visitorId(), g: [], n: "" };
        stored.s = "1";
        write(stored);
        send([], []);
      }
    }).catch(function () {
      if (stored) run(stored.g);  /* tutela unreachable: the choice already made holds */
    });
  }

  window.tutelaBanner = { open: function () { open(); }, ran: ran };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
