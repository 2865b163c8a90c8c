"""The board's page: one HTML document with its CSS and JavaScript inline (no CDN, no build).

The script takes a token from `#token=...` (then drops the fragment) or a login form, keeps it in
sessionStorage, checks it with `GET /board/data` (Authorization header), then follows
`/board/events` (EventSource; token as query parameter, see `gate.py`). Countdowns run from the
server's `now` sent with each update, plus the browser time elapsed since, and only when the
server says time flows (a simulated clock stands still between moves). Levels: amber at 75 %,
red-orange at 90 %, red and the word "breached" once breached; never color alone. Wide screens
get a table-like list, phones (< 600 px) one card per ticket. Data goes into the page as text
only (`textContent`), never as HTML.
"""

from __future__ import annotations

STYLE = """
:root { --ok: #2e7d32; --w75: #f5b301; --w90: #f0642a; --breached: #c62828; --fg: #1c1c1c;
        --muted: #5f6368; --line: #dadce0; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: .5rem 1rem;
         align-items: center; padding: .6rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.15rem; margin: 0; }
#status { font-size: .85rem; color: var(--muted); }
#status.live::before { content: "\\25CF "; color: var(--ok); }
#status.offline::before { content: "\\25CF "; color: var(--breached); }
#asof { font-size: .85rem; color: var(--muted); margin-left: auto; }
button { font: inherit; padding: .35rem .8rem; border: 1px solid var(--line); border-radius: 6px;
         background: #fff; cursor: pointer; }
main { padding: .75rem 1rem 2rem; max-width: 1100px; margin: 0 auto; }
#login { max-width: 420px; margin: 2rem auto; background: #fff; padding: 1rem;
         border: 1px solid var(--line); border-radius: 8px; }
#login label { display: block; margin-bottom: .4rem; }
#login input { width: 100%; font: inherit; padding: .5rem; margin-bottom: .6rem;
               border: 1px solid var(--line); border-radius: 6px; }
#login-error { color: var(--breached); min-height: 1.2em; }
#empty { color: var(--muted); }
ol#rows { list-style: none; margin: 0; padding: 0; }
li.row { display: grid; grid-template-columns: 7.5rem 3rem minmax(8rem, 1fr) 2.2fr; gap: .75rem;
         align-items: center; background: #fff; border: 1px solid var(--line);
         border-left: 6px solid var(--ok); border-radius: 6px; padding: .55rem .75rem; margin-bottom: .4rem; }
li.row.lvl-warning-75 { border-left-color: var(--w75); }
li.row.lvl-warning-90 { border-left-color: var(--w90); }
li.row.lvl-breached { border-left-color: var(--breached); background: #fdecea; }
.ticket { font-weight: 600; font-variant-numeric: tabular-nums; }
.prio { font-weight: 600; }
.customer { overflow-wrap: anywhere; }
.clocks { display: flex; flex-wrap: wrap; gap: .35rem; }
.clock { display: inline-flex; gap: .4rem; align-items: baseline; padding: .2rem .5rem;
         border-radius: 999px; border: 1px solid var(--line); font-variant-numeric: tabular-nums;
         white-space: nowrap; }
.clock .name { color: var(--muted); font-size: .85rem; }
.clock .mark { font-size: .8rem; font-weight: 700; }
.clock.lvl-warning-75 { background: var(--w75); border-color: var(--w75); color: #1c1c1c; }
.clock.lvl-warning-90 { background: var(--w90); border-color: var(--w90); color: #fff; }
.clock.lvl-breached { background: var(--breached); border-color: var(--breached); color: #fff; }
.clock.lvl-warning-90 .name, .clock.lvl-breached .name { color: #fff; }
.clock.lvl-warning-75 .name { color: #1c1c1c; }
.clock.paused { border-style: dashed; }
@media (max-width: 600px) {
  header { padding: .5rem .75rem; }
  #asof { margin-left: 0; width: 100%; }
  main { padding: .5rem .5rem 2rem; }
  li.row { grid-template-columns: 1fr auto; gap: .3rem .5rem; padding: .6rem; }
  li.row .customer { grid-column: 1 / -1; }
  li.row .clocks { grid-column: 1 / -1; }
  .clock { font-size: 1rem; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  var KEY = "hotline.board.token";
  var base = location.pathname.replace(/\\/+$/, "");
  var state = { data: null, receivedAt: 0, source: null, retry: null };
  var $ = function (id) { return document.getElementById(id); };

  function takeTokenFromHash() {
    var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
  }
  function setStatus(text, cls) { var s = $("status"); s.textContent = text; s.className = cls || ""; }
  function showLogin(message) {
    stop();
    $("login").hidden = false; $("board").hidden = true; $("logout").hidden = true;
    $("login-error").textContent = message || "";
    setStatus("signed out", "offline");
  }
  function stop() {
    if (state.source) { state.source.close(); state.source = null; }
    if (state.retry) { clearTimeout(state.retry); state.retry = null; }
  }
  function later() { stop(); setStatus("offline, retrying", "offline"); state.retry = setTimeout(start, 3000); }

  function start() {
    var token = sessionStorage.getItem(KEY);
    if (!token) { showLogin(); return; }
    $("login").hidden = true; $("board").hidden = false; $("logout").hidden = false;
    setStatus("connecting");
    fetch(base + "/data", { headers: { Authorization: "Bearer " + token }, cache: "no-store" })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) {
          sessionStorage.removeItem(KEY); showLogin("That token is not accepted here."); return null;
        }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (data) { if (data) { apply(data); follow(token); } })
      .catch(later);
  }
  function follow(token) {
    stop();
    var source = new EventSource(base + "/events?token=" + encodeURIComponent(token));
    state.source = source;
    source.addEventListener("board", function (e) { apply(JSON.parse(e.data)); setStatus("live", "live"); });
    source.onopen = function () { setStatus("live", "live"); };
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) { later(); } else { setStatus("reconnecting"); }
    };
  }

  function apply(data) { state.data = data; state.receivedAt = performance.now(); render(); }
  function now() {
    var d = state.data;
    return Date.parse(d.now) + (d.flowing ? performance.now() - state.receivedAt : 0);
  }
  function level(clock, at) {
    if (clock.breached_at || (clock.due_at && at >= Date.parse(clock.due_at))) { return "breached"; }
    var reached = 0;
    clock.marks.forEach(function (m) { if (Date.parse(m.at) <= at && m.threshold > reached) { reached = m.threshold; } });
    return reached >= 90 ? "warning-90" : reached >= 75 ? "warning-75" : "ok";
  }
  var ORDER = ["ok", "warning-75", "warning-90", "breached"];
  var MARK = { "ok": "", "warning-75": "75%", "warning-90": "90%", "breached": "breached" };
  function span(text, cls) { var s = document.createElement("span"); s.className = cls; s.textContent = text; return s; }
  function duration(ms) {
    var s = Math.floor(Math.abs(ms) / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
        m = Math.floor(s % 3600 / 60), sec = s % 60, pad = function (n) { return String(n).padStart(2, "0"); };
    return (d ? d + "d " : "") + h + "h " + pad(m) + "m " + pad(sec) + "s";
  }
  function clockItem(clock, at) {
    var lvl = level(clock, at), li = document.createElement("span");
    li.className = "clock lvl-" + lvl + (clock.paused ? " paused" : "");
    li.dataset.clock = clock.clock;
    li.appendChild(span(clock.clock, "name"));
    var target = clock.breached_at || clock.due_at, text;
    if (!target) { text = "paused"; }
    else {
      var left = Date.parse(target) - at;
      text = lvl === "breached" ? duration(left) + " over" : duration(left);
    }
    li.appendChild(span(text, "left"));
    if (MARK[lvl]) { li.appendChild(span(MARK[lvl], "mark")); }
    li.title = clock.clock + (clock.due_at ? " due " + new Date(clock.due_at).toLocaleString() : " paused");
    return { el: li, level: lvl };
  }
  function render() {
    var d = state.data; if (!d) { return; }
    var at = now(), list = $("rows"), fragment = document.createDocumentFragment();
    d.rows.forEach(function (row) {
      var li = document.createElement("li"), worst = "ok", clocks = span("", "clocks");
      row.clocks.forEach(function (c) {
        var item = clockItem(c, at); clocks.appendChild(item.el);
        if (ORDER.indexOf(item.level) > ORDER.indexOf(worst)) { worst = item.level; }
      });
      li.id = "row-" + row.ticket; li.dataset.ticket = row.ticket; li.dataset.level = worst;
      li.className = "row lvl-" + worst;
      li.appendChild(span(row.ticket, "ticket"));
      li.appendChild(span("P" + row.priority, "prio"));
      li.appendChild(span(row.customer || "", "customer"));
      li.appendChild(clocks);
      fragment.appendChild(li);
    });
    list.replaceChildren(fragment);
    $("empty").hidden = d.rows.length > 0;
    $("asof").textContent = "as of " + new Date(at).toLocaleString(undefined, { timeZoneName: "short" }) +
      (d.flowing ? "" : " (simulated clock)");
  }

  $("login").addEventListener("submit", function (e) {
    e.preventDefault();
    var token = $("token").value.trim();
    if (token) { sessionStorage.setItem(KEY, token); $("token").value = ""; start(); }
  });
  $("logout").addEventListener("click", function () { sessionStorage.removeItem(KEY); showLogin(); });
  window.addEventListener("hashchange", function () { takeTokenFromHash(); start(); });
  setInterval(render, 1000);
  takeTokenFromHash();
  start();
})();
"""

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Hotline SLA board</title>
<style>{STYLE}</style>
</head>
<body>
<header>
  <h1>SLA board</h1>
  <span id="status" role="status" aria-live="polite">starting</span>
  <span id="asof"></span>
  <button id="logout" type="button" hidden>Sign out</button>
</header>
<main>
  <form id="login" hidden>
    <label for="token">Token (agent or above)</label>
    <input id="token" name="token" type="password" autocomplete="off" required>
    <button type="submit">Show the board</button>
    <p id="login-error" role="alert"></p>
  </form>
  <section id="board" hidden aria-label="Open tickets by time to breach">
    <p id="empty" hidden>No open ticket has a running clock.</p>
    <ol id="rows"></ol>
  </section>
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""
