/**
 * The web console: one self-contained page (no build step, no CDN, nothing fetched from outside the
 * node) served at the AdminServer's root. It reads the JSON endpoints under /api/ and the live event
 * stream /api/events (Server-Sent Events). Kept as a TypeScript string so the prebuilt JavaScript of
 * the node carries it. Every value from the server is inserted as text, never as HTML.
 */
export const consolePage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Coordinode console</title>
<style>
  :root { --bg:#f6f7f9; --panel:#fff; --ink:#1d2330; --muted:#667085; --line:#e3e6ea; --accent:#2f6fde; --ok:#1a7f37; --bad:#c62828; --warn:#b26a00; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--ink); }
  header { display:flex; align-items:center; gap:18px; padding:10px 20px; background:#1d2330; color:#fff; }
  header h1 { font-size:16px; margin:0; font-weight:600; }
  header .who { color:#aab4c8; font-size:13px; }
  nav { display:flex; gap:4px; padding:0 20px; background:#263042; }
  nav button { background:none; border:0; color:#c9d2e3; padding:9px 14px; cursor:pointer; font-size:14px; border-bottom:3px solid transparent; }
  nav button.active { color:#fff; border-bottom-color:var(--accent); }
  main { padding:18px 20px; }
  section { display:none; } section.active { display:block; }
  .panel { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin-bottom:14px; }
  .panel h2 { font-size:15px; margin:0 0 10px; }
  table { border-collapse:collapse; width:100%; }
  th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
  code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size:13px; }
  .badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; background:#eef1f5; }
  .badge.leader { background:#dbe8ff; color:#1747a6; } .badge.follower { background:#e4f5e9; color:#1a7f37; }
  .badge.standalone { background:#efe7ff; color:#5b2fb3; } .badge.bad { background:#fde8e8; color:var(--bad); }
  .badge.holder { background:#e4f5e9; color:#1a7f37; } .badge.waiting { background:#fff4e0; color:var(--warn); }
  .health.ok { color:var(--ok); font-weight:600; } .health.bad { color:var(--bad); font-weight:600; }
  .tree { display:grid; grid-template-columns: 320px 1fr; gap:14px; }
  .children a { display:block; padding:3px 6px; border-radius:4px; color:var(--accent); text-decoration:none; cursor:pointer; font-family:ui-monospace,monospace; font-size:13px; }
  .children a:hover { background:#eef3ff; }
  .crumbs a { color:var(--accent); cursor:pointer; text-decoration:none; font-family:ui-monospace,monospace; }
  pre { background:#f3f5f8; border:1px solid var(--line); border-radius:6px; padding:10px; overflow:auto; max-height:320px; margin:6px 0 0; white-space:pre-wrap; word-break:break-all; }
  .seg button { border:1px solid var(--line); background:#fff; padding:3px 10px; cursor:pointer; }
  .seg button.active { background:var(--accent); color:#fff; border-color:var(--accent); }
  .kv { display:grid; grid-template-columns: 140px 1fr; gap:2px 10px; font-size:13px; }
  .kv div:nth-child(odd) { color:var(--muted); }
  .events { max-height:560px; overflow:auto; }
  .muted { color:var(--muted); } .err { color:var(--bad); }
  .cards { display:flex; gap:12px; flex-wrap:wrap; margin-bottom:14px; }
  .card { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:10px 14px; min-width:150px; }
  .card .v { font-size:22px; font-weight:600; } .card .k { color:var(--muted); font-size:12px; }
  input[type=text] { padding:4px 8px; border:1px solid var(--line); border-radius:4px; font-family:ui-monospace,monospace; }
</style>
</head>
<body>
<header><h1>Coordinode console</h1><span class="who" id="who">connecting…</span><span class="who" id="live" data-testid="live">○ events paused</span></header>
<nav id="tabs">
  <button data-tab="overview" class="active">Cluster</button>
  <button data-tab="tree">Tree</button>
  <button data-tab="events">Events</button>
  <button data-tab="sessions">Sessions</button>
  <button data-tab="locks">Locks &amp; elections</button>
  <button data-tab="registry">Services</button>
</nav>
<main>
<section id="overview" class="active">
  <div class="cards" id="cards"></div>
  <div class="panel"><h2>Members</h2>
    <table data-testid="members"><thead><tr><th>id</th><th>role</th><th>client address</th><th>zxid</th><th>connections</th><th>latency min/avg/max (ms)</th><th>outstanding</th><th>znodes</th></tr></thead><tbody id="members"></tbody></table>
  </div>
</section>
<section id="tree">
  <div class="panel"><span class="crumbs" id="crumbs" data-testid="crumbs"></span></div>
  <div class="tree">
    <div class="panel"><h2>Children <span class="muted" id="childcount"></span></h2><div class="children" id="children" data-testid="children"></div></div>
    <div>
      <div class="panel"><h2>Data <span class="seg" id="fmt"><button data-fmt="text" class="active">text</button><button data-fmt="json">JSON</button><button data-fmt="hex">hex</button></span></h2><pre id="data" data-testid="data"></pre></div>
      <div class="panel"><h2>Stat</h2><div class="kv" id="stat" data-testid="stat"></div></div>
      <div class="panel"><h2>ACL</h2><table><tbody id="acl"></tbody></table></div>
      <div class="panel" id="writepanel" hidden><h2>Change <span class="muted">(admin.consoleWriteEnabled; digest super user)</span></h2>
        <div class="kv"><div>credentials</div><div><input type="password" id="wcred" placeholder="user:password" size="24"></div>
        <div>child name</div><div><input type="text" id="wname" size="24"></div>
        <div>data</div><div><input type="text" id="wdata" size="40"></div></div>
        <p><button id="wcreate">create child</button> <button id="wset">set data here</button> <button id="wdelete">delete this znode</button> <span id="wresult" data-testid="wresult"></span></p>
      </div>
    </div>
  </div>
</section>
<section id="events">
  <div class="panel"><h2>Live changes <span class="muted">(newest first, committed txns as this member applied them)</span></h2>
    <div class="events"><table><thead><tr><th>zxid</th><th>time</th><th>change</th><th>path</th><th>session</th></tr></thead><tbody id="eventrows" data-testid="events"></tbody></table></div>
  </div>
</section>
<section id="sessions">
  <div class="panel"><h2>Sessions</h2>
    <table><thead><tr><th>session</th><th>timeout</th><th>connection</th><th>ephemerals</th><th>watches</th><th></th></tr></thead><tbody id="sessionrows" data-testid="sessions"></tbody></table>
  </div>
</section>
<section id="locks">
  <div id="queues" data-testid="queues"><div class="panel muted">No lock queues or elections (recipes' layout: &lt;dir&gt;/_c_&lt;uuid&gt;-lock-&lt;seq&gt;).</div></div>
</section>
<section id="registry">
  <div class="panel"><h2>Service registry <input type="text" id="regpath" value="/servers" size="24"> <span class="muted" id="regcount"></span></h2>
    <table><thead><tr><th>node</th><th>data</th><th>owner session</th><th>registered</th></tr></thead><tbody id="regrows" data-testid="registry"></tbody></table>
  </div>
</section>
</main>
<script>
(function () {
  'use strict';
  var state = { tab: 'overview', path: '/', fmt: 'text', node: null, events: [], writeEnabled: false };
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; }
  function row(cells) { var tr = el('tr'); cells.forEach(function (c) { var td = el('td'); if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? '—' : String(c); tr.appendChild(td); }); return tr; }
  function badge(text, cls) { return el('span', text, 'badge ' + (cls || text)); }
  function fill(tbody, rows, empty, cols) { tbody.replaceChildren(); if (!rows.length) { var tr = el('tr'); var td = el('td', empty, 'muted'); td.colSpan = cols; tr.appendChild(td); tbody.appendChild(tr); return; } rows.forEach(function (r) { tbody.appendChild(r); }); }
  function api(path) { return fetch('/api/' + path, { cache: 'no-store' }).then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.statusText); return j; }); }); }
  function time(ms) { return ms ? new Date(ms).toLocaleTimeString() : '—'; }

  document.querySelectorAll('#tabs button').forEach(function (b) { b.onclick = function () { show(b.dataset.tab); }; });
  function show(tab) {
    state.tab = tab;
    if (location.hash !== '#' + tab) history.replaceState(null, '', '#' + tab);
    document.querySelectorAll('#tabs button').forEach(function (b) { b.classList.toggle('active', b.dataset.tab === tab); });
    document.querySelectorAll('main section').forEach(function (s) { s.classList.toggle('active', s.id === tab); });
    streamFor(tab);
    refresh();
  }

  function overview() {
    return api('overview').then(function (o) {
      var c = o.cluster, self = c.members.filter(function (m) { return m.self; })[0] || {};
      state.writeEnabled = o.writeEnabled; $('writepanel').hidden = !o.writeEnabled;
      $('who').textContent = (c.members.length > 1 ? 'member ' + o.serverId + ' · ' : '') + (self.mode || '?') + (o.writeEnabled ? ' · writes enabled' : ' · read-only');
      var cards = [['role', self.mode], ['leader', c.leaderId === null ? '—' : 'member ' + c.leaderId], ['quorum', c.serving + ' of ' + c.members.length + ' serving (need ' + c.quorumSize + ')'], ['zxid', self.zxid], ['znodes', self.nodeCount], ['connections', self.connections]];
      $('cards').replaceChildren.apply($('cards'), cards.map(function (kv) { var d = el('div', null, 'card'); d.appendChild(el('div', kv[1], 'v')); d.appendChild(el('div', kv[0], 'k')); return d; }));
      var h = el('div', c.healthy ? 'quorum healthy' : 'quorum NOT healthy', 'card health ' + (c.healthy ? 'ok' : 'bad')); h.dataset.testid = 'health'; $('cards').appendChild(h);
      fill($('members'), c.members.map(function (m) {
        var cls = m.mode === 'leader' || m.mode === 'follower' || m.mode === 'standalone' ? m.mode : 'bad';
        var tr = row([String(m.id) + (m.self ? ' (this)' : ''), badge(m.mode, cls), m.clientAddress, m.zxid, m.connections, m.latency ? m.latency.min + ' / ' + m.latency.avg + ' / ' + m.latency.max : null, m.outstanding, m.nodeCount]);
        tr.dataset.member = m.id; tr.dataset.mode = m.mode; return tr;
      }), 'no members', 8);
    });
  }

  function openPath(path) { state.path = path; return tree(); }
  function tree() {
    return api('node?path=' + encodeURIComponent(state.path)).then(function (n) {
      state.node = n;
      var crumbs = $('crumbs'); crumbs.replaceChildren();
      var parts = n.path === '/' ? [] : n.path.split('/').slice(1), acc = '';
      var root = el('a', '/'); root.onclick = function () { openPath('/'); }; crumbs.appendChild(root);
      parts.forEach(function (p, i) { acc += '/' + p; var target = acc; if (i > 0) crumbs.appendChild(document.createTextNode(' / ')); var a = el('a', p); a.onclick = function () { openPath(target); }; crumbs.appendChild(a); });
      $('childcount').textContent = '(' + n.childrenTotal + ')';
      var list = $('children'); list.replaceChildren();
      if (n.path !== '/') { var up = el('a', '..'); up.onclick = function () { openPath(n.path.slice(0, n.path.lastIndexOf('/')) || '/'); }; list.appendChild(up); }
      n.children.forEach(function (c) { var a = el('a', c); a.dataset.child = c; a.onclick = function () { openPath((n.path === '/' ? '' : n.path) + '/' + c); }; list.appendChild(a); });
      if (n.childrenTotal > n.children.length) list.appendChild(el('div', '… ' + (n.childrenTotal - n.children.length) + ' more', 'muted'));
      renderData();
      var s = n.stat, kv = $('stat'); kv.replaceChildren();
      Object.keys(s).forEach(function (k) { kv.appendChild(el('div', k)); var v = (k === 'ctime' || k === 'mtime') ? s[k] + ' (' + new Date(s[k]).toISOString() + ')' : s[k]; kv.appendChild(el('div', v, 'mono')); });
      kv.appendChild(el('div', 'ephemeral owner')); kv.appendChild(el('div', s.ephemeralOwner === '0x0' ? 'none (persistent)' : 'session ' + s.ephemeralOwner, 'mono'));
      fill($('acl'), n.acl.map(function (a) { return row([a.scheme + ':' + a.id, a.perms]); }), 'no ACL', 2);
    }).catch(function (e) { $('data').textContent = e.message; });
  }
  function renderData() {
    var n = state.node, pre = $('data');
    document.querySelectorAll('#fmt button').forEach(function (b) { b.classList.toggle('active', b.dataset.fmt === state.fmt); });
    if (!n) return;
    if (!n.readable) { pre.textContent = '(data withheld: world:anyone may not READ this znode)'; return; }
    if (n.data === null) { pre.textContent = '(null)'; return; }
    var bin = atob(n.data), bytes = new Uint8Array(bin.length); for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var text = new TextDecoder().decode(bytes);
    if (state.fmt === 'hex') { var out = []; for (var j = 0; j < bytes.length; j += 16) { var line = Array.prototype.slice.call(bytes, j, j + 16).map(function (b) { return ('0' + b.toString(16)).slice(-2); }).join(' '); out.push(('0000' + j.toString(16)).slice(-5) + '  ' + line); } pre.textContent = out.join('\\n') || '(empty)'; }
    else if (state.fmt === 'json') { try { pre.textContent = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { pre.textContent = '(not JSON) ' + text; } }
    else pre.textContent = text === '' ? '(empty)' : text;
    if (n.dataTruncated) pre.textContent += '\\n… (truncated)';
  }
  document.querySelectorAll('#fmt button').forEach(function (b) { b.onclick = function () { state.fmt = b.dataset.fmt; renderData(); }; });

  // Writes (only when the node allows them): HTTP Basic with the digest super user's user:password.
  function write(action, body) {
    var cred = $('wcred').value || window.prompt('digest super user (user:password)') || '';
    if ($('wcred').value === '' && cred) $('wcred').value = cred;
    return fetch('/api/' + action, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Basic ' + btoa(unescape(encodeURIComponent(cred))) }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { var msg = !r.ok ? (j.error || r.statusText) : j.error ? j.error + ': ' + j.message : JSON.stringify(j); $('wresult').textContent = msg; $('wresult').className = (!r.ok || j.error) ? 'err' : 'muted'; return j; }); });
  }
  function here(name) { return (state.path === '/' ? '' : state.path) + '/' + name; }
  $('wcreate').onclick = function () { write('write', { op: 'create', path: here($('wname').value), data: $('wdata').value }).then(tree); };
  $('wset').onclick = function () { write('write', { op: 'set', path: state.path, data: $('wdata').value }).then(tree); };
  $('wdelete').onclick = function () { var parent = state.path.slice(0, state.path.lastIndexOf('/')) || '/'; write('write', { op: 'delete', path: state.path }).then(function (j) { if (!j.error) openPath(parent); }); };

  // Events are added to the table as they come (newest on top, at most eventRowsMax rows): a busy
  // node costs the browser a few new rows per batch, never a redrawn table.
  var eventRowsMax = 200, seen = new Set(), pendingRows = [];
  function eventRow(e) { var tr = row([e.zxid, time(e.time), e.type + (e.ephemeral ? ' (ephemeral)' : ''), e.path || '', e.sessionId]); tr.dataset.type = e.type; tr.dataset.path = e.path || ''; return tr; }
  function renderEvents() {
    var body = $('eventrows');
    if (!state.events.length) { fill(body, [], 'waiting for changes…', 5); return; }
    if (body.dataset.filled !== '1') { body.replaceChildren(); body.dataset.filled = '1'; pendingRows = state.events.slice(0, eventRowsMax).reverse(); }
    var frag = document.createDocumentFragment();
    pendingRows.slice(-eventRowsMax).reverse().forEach(function (e) { frag.appendChild(eventRow(e)); });
    pendingRows = [];
    body.insertBefore(frag, body.firstChild);
    while (body.childNodes.length > eventRowsMax) body.removeChild(body.lastChild);
  }
  // The stream is open only while a view that shows changes (Events, Tree) is on screen: a console left
  // on another tab costs the node nothing per write.
  var source = null;
  function streamFor(tab) {
    var wanted = (tab === 'events' || tab === 'tree') && !document.hidden;
    if (wanted && !source) connectEvents();
    if (!wanted && source) { source.close(); source = null; $('live').textContent = '○ events paused'; }
  }
  document.addEventListener('visibilitychange', function () { streamFor(state.tab); });
  function connectEvents() {
    source = new EventSource('/api/events');
    source.onopen = function () { $('live').textContent = '● live events'; };
    source.onerror = function () { $('live').textContent = '○ events reconnecting'; };
    source.onmessage = function (m) {
      var batch = JSON.parse(m.data);
      var fresh = batch.events.filter(function (e) { var k = e.zxid + e.type + (e.path || ''); if (seen.has(k)) return false; seen.add(k); return true; });
      if (batch.dropped) fresh.push({ zxid: '…', time: Date.now(), type: batch.dropped + ' more changes not shown', sessionId: '' });
      if (seen.size > 5000) seen = new Set();
      state.events = fresh.slice().reverse().concat(state.events).slice(0, eventRowsMax);
      pendingRows = pendingRows.concat(fresh).slice(-eventRowsMax);
      if (state.tab === 'events') renderEvents();
      if (state.tab === 'tree' && fresh.some(function (e) { return e.path && (e.path === state.path || e.path.slice(0, e.path.lastIndexOf('/')) === (state.path === '/' ? '' : state.path)); })) tree();
    };
  }

  function sessions() {
    return api('sessions').then(function (r) {
      fill($('sessionrows'), r.sessions.map(function (s) {
        var action = '';
        if (state.writeEnabled) { action = el('button', 'expire'); action.dataset.expire = s.sessionId; action.onclick = function () { write('expire', { sessionId: s.sessionId }).then(sessions); }; }
        var tr = row([s.sessionId, s.timeoutMs === null ? null : s.timeoutMs + ' ms', s.connection || 'disconnected', s.ephemerals.join('\\n') || '—', s.watches.join('\\n') || '—', action]); tr.dataset.session = s.sessionId; return tr;
      }), 'no sessions', 6);
    });
  }

  function locks() {
    return api('locks').then(function (r) {
      var box = $('queues'); box.replaceChildren();
      if (!r.queues.length) { box.appendChild(el('div', 'No lock queues or elections right now.', 'panel muted')); return; }
      r.queues.forEach(function (q) {
        var p = el('div', null, 'panel'); p.dataset.queue = q.path; p.dataset.total = q.total;
        p.appendChild(el('h2', (q.kind === 'election' ? 'Election ' : 'Lock ') + q.path + ' — ' + q.total + (q.kind === 'election' ? ' participants' : ' contenders')));
        var t = el('table'); var head = el('tr'); ['#', 'state', 'node', 'session', q.kind === 'election' ? 'sequence' : 'fencing token', 'waiting'].forEach(function (h) { head.appendChild(el('th', h)); }); t.appendChild(head);
        q.contenders.forEach(function (c) { var tr = row([c.position, badge(c.state, c.state === 'waiting' ? 'waiting' : 'holder'), c.name, c.sessionId, c.fencingToken, (c.waitingMs / 1000).toFixed(1) + ' s']); tr.dataset.state = c.state; t.appendChild(tr); });
        p.appendChild(t); box.appendChild(p);
      });
    });
  }

  function registry() {
    var path = $('regpath').value || '/servers';
    return api('registry?path=' + encodeURIComponent(path)).then(function (r) {
      $('regcount').textContent = r.exists ? r.instances.length + ' registered' : '(no such znode)';
      fill($('regrows'), r.instances.map(function (i) { var shown = i.json ? JSON.stringify(i.json) : i.text; return row([i.name, shown === null ? '(withheld)' : shown, i.ephemeralOwner, time(i.ctime)]); }), 'nothing registered under ' + path, 4);
    }).catch(function (e) { $('regcount').textContent = e.message; });
  }
  $('regpath').onchange = function () { registry(); };

  var views = { overview: overview, tree: tree, events: function () { $('eventrows').dataset.filled = '0'; renderEvents(); return Promise.resolve(); }, sessions: sessions, locks: locks, registry: registry };
  var busy = false;
  function refresh() { if (busy) return; busy = true; (views[state.tab] || overview)().catch(function (e) { $('who').textContent = e.message; }).then(function () { busy = false; }); }
  var every = { overview: 2000, sessions: 2000, locks: 1000, registry: 2000 };
  function loop() { if (every[state.tab] && !document.hidden) refresh(); setTimeout(loop, every[state.tab] || 2000); }
  var fromHash = location.hash.replace('#', ''); if (views[fromHash]) state.tab = fromHash;
  window.addEventListener('hashchange', function () { var t = location.hash.replace('#', ''); if (views[t] && t !== state.tab) show(t); });
  show(state.tab); setTimeout(loop, 1000);
  if (state.tab !== 'overview') overview().catch(function () {});
})();
</script>
</body>
</html>
`;
