/* recassist chat widget: <script src="https://HOST/widget.js" data-key="pk_..." async></script>
 * A floating button opens a compact chat panel, drawn in a shadow DOM so that the page's CSS and the
 * widget's cannot touch each other. Answers stream from POST /api/v1/chat (server-sent events read with
 * fetch); thumbs up / down / not interested go to POST /api/v1/feedback. Plain JS, no outside request.
 * data-: key, user-token, title, greeting, position (bottom-right | bottom-left), theme (auto | light | dark), open.
 * window.recassist: open(), close(), toggle(), send(text), setUserToken(token), on(event, fn), off(event, fn);
 * events (also window CustomEvents "recassist:<event>"): open, close, answer, select, feedback, error.
 * A message sent while an answer streams is never lost: it shows at once as sent ("queued") and is
 * answered next, in the order sent (the Gradio page does the same). */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="/widget.js"]');
  if (!script || (window.recassist && window.recassist.version)) return;
  var data = script.dataset, base = script.src.replace(/\/widget\.js([?#].*)?$/, "");
  var cfg = {
    key: data.key || "", token: data.userToken || "", title: data.title || "Recommendations",
    greeting: data.greeting || "Hi! Tell me what you like and I will suggest something.",
    position: data.position === "bottom-left" ? "bottom-left" : "bottom-right", theme: data.theme || "auto"
  };
  var listeners = {}, sessionId = null, busy = false, seq = 0, waiting = [];
  var THUMB = '<svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true"><path fill="currentColor" d="M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z"/></svg>';

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text != null) node.textContent = text;
    return node;
  }
  function emit(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) { fn(detail); });
    window.dispatchEvent(new CustomEvent("recassist:" + name, { detail: detail }));
  }
  function headers() {
    var h = { "Content-Type": "application/json" };
    if (cfg.key) h["X-API-Key"] = cfg.key;
    if (cfg.token) h["X-User-Token"] = cfg.token;
    return h;
  }
  function post(path, body) {
    return fetch(base + path, { method: "POST", headers: headers(), body: JSON.stringify(body) }).then(function (res) {
      if (res.ok) return res;
      return res.json().catch(function () { return {}; }).then(function (j) {
        throw new Error(res.status + (j.detail ? ": " + j.detail : ""));
      });
    });
  }

  var host = el("div", { "data-recassist": "" });
  var root = host.attachShadow({ mode: "open" });
  var frame = el("div", { "class": "rc rc-" + cfg.position });
  var launcher = el("button", { "class": "rc-launcher", type: "button", "aria-haspopup": "dialog",
    "aria-expanded": "false", "aria-controls": "rc-panel", "aria-label": "Open " + cfg.title });
  launcher.innerHTML = '<svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  var panel = el("section", { "class": "rc-panel", id: "rc-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "rc-title", hidden: "" });
  var head = el("header", { "class": "rc-head" });
  var closer = el("button", { "class": "rc-close", type: "button", "aria-label": "Close " + cfg.title }, "\u00d7");
  head.append(el("h2", { id: "rc-title" }, cfg.title), closer);
  var log = el("div", { "class": "rc-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  var form = el("form", { "class": "rc-form" });
  var input = el("input", { id: "rc-input", type: "text", autocomplete: "off", maxlength: "2000", placeholder: "Ask for a recommendation" });
  form.append(el("label", { "class": "rc-sr", "for": "rc-input" }, "Message"), input, el("button", { "class": "rc-send", type: "submit" }, "Send"));
  panel.append(head, log, form);
  frame.append(panel, launcher);
  root.append(el("link", { rel: "stylesheet", href: base + "/widget.css" }), frame);

  function say(who, text) {
    var bubble = el("div", { "class": "rc-msg rc-" + who });
    bubble.append(el("p", { "class": "rc-text" }, text));
    log.append(bubble);
    log.scrollTop = log.scrollHeight;
    return bubble;
  }

  function card(item, index) {
    var id = "rc-why-" + (++seq);
    var li = el("li", { "class": "rc-card", "data-item-id": item.item_id });
    var name = item.display_title || item.title;  /* as people say it: "The Saint (1997)" */
    var title = el("button", { "class": "rc-card-title", type: "button" }, (index + 1) + ". " + name);
    var meta = [item.tags.join(", "), item.year || "", item.minutes ? item.minutes + " min" : ""].filter(Boolean).join(" \u00b7 ");
    var expl = el("p", { "class": "rc-expl" }, item.explanation || "\u2026");
    var why = el("ul", { "class": "rc-why", id: id, hidden: "" });
    (item.evidence.length ? item.evidence : [{ kind: "history", label: "your history as a whole" }]).forEach(function (e) {
      why.append(el("li", null, e.kind.replace(/_/g, " ") + ": " + e.label));
    });
    var actions = el("div", { "class": "rc-actions", role: "group", "aria-label": "Feedback on " + name });
    var whyButton = el("button", { type: "button", "class": "rc-why-toggle", "aria-expanded": "false", "aria-controls": id }, "Why?");
    whyButton.onclick = function () {
      var open = why.hidden;
      why.hidden = !open;
      whyButton.setAttribute("aria-expanded", String(open));
    };
    [["like", "Like"], ["dislike", "Dislike"], ["not_interested", "Not interested in"]].forEach(function (f) {
      var b = el("button", { type: "button", "class": "rc-fb rc-" + f[0], "aria-pressed": "false", "aria-label": f[1] + " " + name },
        f[0] === "not_interested" ? "Not interested" : null);
      if (f[0] !== "not_interested") b.innerHTML = f[0] === "like" ? THUMB : THUMB.replace("<path", '<path transform="rotate(180 12 12)"');
      b.onclick = function () { feedback(li, item, f[0], b); };
      actions.append(b);
    });
    actions.append(whyButton);
    title.onclick = function () { emit("select", { itemId: item.item_id, title: name }); };
    li.append(title, el("div", { "class": "rc-meta" }, meta), expl, actions, why);
    return li;
  }

  function sponsoredCard(ad) {
    var id = "rc-why-" + (++seq);
    var li = el("li", { "class": "rc-card rc-sponsored", "data-ad-id": ad.ad_id });
    var label = el("span", { "class": "rc-label" }, ad.label + (ad.synthetic ? " \u00b7 synthetic demo ad" : ""));
    var why = el("p", { "class": "rc-why", id: id, hidden: "" }, ad.why);
    var whyButton = el("button", { type: "button", "class": "rc-why-toggle", "aria-expanded": "false", "aria-controls": id }, "Why this ad?");
    whyButton.onclick = function () {
      var open = why.hidden;
      why.hidden = !open;
      whyButton.setAttribute("aria-expanded", String(open));
    };
    var actions = el("div", { "class": "rc-actions" });
    actions.append(whyButton);
    li.append(label, el("div", { "class": "rc-card-title" }, ad.title), el("div", { "class": "rc-meta" }, ad.advertiser),
      el("p", { "class": "rc-expl" }, ad.text), actions, why);
    return li;
  }

  function feedback(li, item, kind, button) {
    if (!sessionId) return;
    // one key per click: a retried request with it is recorded once (the API's event_id)
    var eventId = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : "e" + Date.now().toString(36) + Math.random().toString(36).slice(2);
    post("/api/v1/feedback", { session_id: sessionId, item_id: item.item_id, feedback: kind, event_id: eventId }).then(function (res) {
      return res.json();
    }).then(function (answer) {
      if (answer.session_id) sessionId = answer.session_id;  /* a new one when the old session expired */
      if (answer.note) say("bot", answer.note).classList.add("rc-note");
      button.setAttribute("aria-pressed", "true");
      if (kind !== "like") {
        li.classList.add("rc-removed");
        li.querySelector(".rc-expl").textContent = "Noted: it will not be suggested again.";
      }
      emit("feedback", { itemId: item.item_id, title: item.display_title || item.title, feedback: kind });
    }, function (err) { fail(err); });
  }

  function fail(err) {
    say("error", "Sorry, the assistant is unavailable (" + (err.message || "network") + ").");
    emit("error", { message: err.message || String(err) });
  }

  function send(text) {
    text = (text || "").trim();
    if (!text) return;
    var asked = say("user", text);
    if (busy) {  /* an answer is streaming: this one is shown as sent and answered next */
      asked.classList.add("rc-queued");
      asked.append(el("span", { "class": "rc-queued-label" }, "queued"));
      waiting.push({ text: text, asked: asked });
      return;
    }
    ask(text, asked);
  }

  function next() {
    busy = false;
    log.removeAttribute("aria-busy");
    var queued = waiting.shift();
    if (!queued) return;
    queued.asked.classList.remove("rc-queued");
    var label = queued.asked.querySelector(".rc-queued-label");
    if (label) label.remove();
    ask(queued.text, queued.asked);
  }

  function ask(text, asked) {
    busy = true;
    log.setAttribute("aria-busy", "true");
    var bubble = say("bot", "\u2026"), list = el("ul", { "class": "rc-cards", role: "list" }), cards = [], texts = [];
    asked.after(bubble);  /* a queued question's answer goes under it, above later questions */
    bubble.append(list);
    function expl(i, text) {
      texts[i] = text;
      if (cards[i]) cards[i].querySelector(".rc-expl").textContent = text || "\u2026";
    }
    function show(items) {
      list.textContent = "";
      texts = [];  /* the turn's cards replace the preview's, and their explanations follow */
      cards = items.map(function (item, i) { var c = card(item, i); list.append(c); return c; });
      log.scrollTop = Math.max(0, asked.offsetTop - 8);  /* the question and the top of its answer */
    }
    var handlers = {
      session: function (d) { sessionId = d.session_id; },
      message: function (d) { bubble.firstChild.textContent = d.text; },
      picks: function (d) { show(d.items); },
      token: function (d) { expl(d.index, (texts[d.index] || "") + d.text); },
      reset: function (d) { expl(d.index, ""); },
      explanation: function (d) { expl(d.index, d.text); },
      note: function (d) { bubble.insertBefore(el("p", { "class": "rc-note" }, d.text), list); },
      sponsored: function (d) { list.append(sponsoredCard(d.card)); },
      done: function (d) {
        if (d.message) bubble.firstChild.textContent = d.message;
        if (!cards.length && d.items.length) show(d.items);
        d.items.forEach(function (item, i) { if (item.explanation) expl(i, item.explanation); });
        list.classList.add("rc-done");
        emit("answer", { message: d.message, items: d.items });
      },
      error: function (d) { bubble.firstChild.textContent = "Sorry: " + d.message; emit("error", d); }
    };
    function handle(block) {
      var name = "message", payload = "";
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) payload += line.slice(5).trim();
      });
      if (handlers[name] && payload) handlers[name](JSON.parse(payload));
    }
    post("/api/v1/chat", { session_id: sessionId, message: text }).then(function (res) {
      var reader = res.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) return;
          buffer += decoder.decode(r.value, { stream: true });
          for (var at = buffer.indexOf("\n\n"); at >= 0; at = buffer.indexOf("\n\n")) {
            handle(buffer.slice(0, at));
            buffer = buffer.slice(at + 2);
          }
          return pump();
        });
      }
      return pump();
    }).catch(function (err) { bubble.remove(); fail(err); }).then(next);
  }

  function open() {
    if (!panel.hidden) return;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    if (!log.childNodes.length) say("bot", cfg.greeting);
    input.focus();
    emit("open", {});
  }
  function close() {
    if (panel.hidden) return;
    var inside = root.activeElement !== null;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    if (inside) launcher.focus();
    emit("close", {});
  }
  launcher.onclick = function () { panel.hidden ? open() : close(); };
  closer.onclick = close;
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.stopPropagation(); close(); } });
  form.onsubmit = function (e) { e.preventDefault(); send(input.value); input.value = ""; };

  /* Light or dark as the host page is: its background if it paints one, else its declared color-scheme. */
  var media = window.matchMedia("(prefers-color-scheme: dark)");
  function dark() {
    if (cfg.theme === "dark" || cfg.theme === "light") return cfg.theme === "dark";
    var nodes = [document.body, document.documentElement];
    for (var i = 0; i < nodes.length; i++) {
      var m = nodes[i] && getComputedStyle(nodes[i]).backgroundColor.match(/[\d.]+/g);
      if (m && (m.length < 4 || +m[3] > 0)) return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2] < 128;
    }
    return /dark/.test(getComputedStyle(document.documentElement).colorScheme || "") && media.matches;
  }
  function theme() { frame.classList.toggle("rc-dark", dark()); }
  media.addEventListener("change", theme);
  new MutationObserver(theme).observe(document.documentElement, { attributes: true, subtree: false });

  function mount() {
    document.body.append(host);
    theme();
    if (document.body) new MutationObserver(theme).observe(document.body, { attributes: true });
    if (data.open === "true") open();
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  window.recassist = {
    version: "1", open: open, close: close, send: send,
    toggle: function () { panel.hidden ? open() : close(); },
    setUserToken: function (token) { cfg.token = token || ""; sessionId = null; },
    on: function (name, fn) { (listeners[name] = listeners[name] || []).push(fn); },
    off: function (name, fn) { listeners[name] = (listeners[name] || []).filter(function (f) { return f !== fn; }); }
  };
})();
