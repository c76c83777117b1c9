// The token inspector: decodes the pasted token with the WebAssembly package (loaded by
// videosdk-token.js, module included, so the page works from file:// too), checks it with
// the secret when one is given, and says what the token may do. Nothing leaves the page.
'use strict';

(function () {
  const api = window.videosdkToken.load();
  const $ = (id) => document.getElementById(id);
  const PERMISSIONS = ['allow_join', 'ask_join', 'allow_mod'];
  const ROLES = ['crawler', 'rtc'];

  // `#token=…&now=…`: the fragment never reaches a server. `now` (unix seconds) fixes the
  // clock, for reproducible screenshots and tests.
  const params = new URLSearchParams(location.hash.slice(1));
  const fixedNow = params.has('now') ? Number(params.get('now')) : undefined;
  const now = () => (fixedNow !== undefined ? fixedNow : Math.floor(Date.now() / 1000));

  // The command line's formats (host/src/clock.rs).
  function utc(unix) {
    const d = new Date(unix * 1000);
    const p = (n) => String(n).padStart(2, '0');
    return `${String(d.getUTCFullYear()).padStart(4, '0')}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
  }
  function span(seconds) {
    const d = Math.floor(seconds / 86400);
    const h = Math.floor((seconds % 86400) / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    if (d === 0 && h === 0 && m === 0) return `${s}s`;
    if (d === 0 && h === 0) return `${m}m ${s}s`;
    if (d === 0) return `${h}h ${m}m`;
    if (d === 1) return `1 day ${h}h`;
    return `${d} days`;
  }
  function relative(at, from) {
    if (at === from) return 'now';
    return at > from ? `in ${span(at - from)}` : `${span(from - at)} ago`;
  }
  const whole = (v) => Number.isSafeInteger(v) && v >= 0;
  const list = (v) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : []);

  /** What the token's roles and permissions allow, by the core's rules (unknown names grant nothing). */
  function access(payload) {
    const permissions = list(payload.permissions);
    const roles = list(payload.roles);
    const noRoles = roles.length === 0;
    const meetings = noRoles || roles.includes('rtc');
    const serverApi = noRoles || roles.includes('crawler');
    let join = 'no';
    if (meetings && permissions.includes('allow_join')) join = 'directly';
    else if (meetings && permissions.includes('ask_join')) join = 'after asking';
    return {
      join,
      moderate: meetings && permissions.includes('allow_mod'),
      meetings,
      serverApi,
      roomId: typeof payload.roomId === 'string' ? payload.roomId : null,
      participantId: typeof payload.participantId === 'string' ? payload.participantId : null,
    };
  }

  /** The warnings `videosdk-token decode` gives (host/src/decode.rs), in its order and words. */
  function warnings(header, payload, at) {
    const out = [];
    if (typeof header.alg !== 'string') out.push('the header has no alg');
    else if (header.alg !== 'HS256') out.push(`alg is ${header.alg}, not HS256: VideoSDK tokens are HS256 and this one would be refused`);
    for (const key of ['apikey', 'permissions']) if (!(key in payload)) out.push(`no ${key}: VideoSDK requires it`);
    for (const p of list(payload.permissions)) {
      if (!PERMISSIONS.includes(p)) out.push(`unknown permission ${JSON.stringify(p)}: grants nothing (known: ${PERMISSIONS.join(', ')})`);
    }
    const roles = list(payload.roles);
    for (const r of roles) {
      if (!ROLES.includes(r)) out.push(`unknown role ${JSON.stringify(r)}: grants nothing (known: ${ROLES.join(', ')})`);
    }
    const v2 = ['roomId', 'participantId', 'roles'].filter((k) => k in payload);
    if (v2.length && payload.version !== 2) out.push(`${v2.join(', ')} need version 2, which is missing: the token would be refused`);
    const a = access(payload);
    if (a.meetings && !a.serverApi) out.push('role rtc only: this token can join meetings but cannot call the server API');
    if (!a.meetings && a.serverApi) out.push('role crawler only: this token can call the server API but cannot join a meeting');
    if (!a.meetings && !a.serverApi) out.push('its roles are unknown: this token can neither join a meeting nor call the server API');
    const iat = whole(payload.iat) ? payload.iat : undefined;
    const exp = whole(payload.exp) ? payload.exp : undefined;
    if (exp === undefined && 'exp' in payload) out.push('exp is not a whole number of seconds');
    else if (exp === undefined) out.push('no exp: the token never expires and would be refused');
    else if (iat !== undefined && exp - iat > 86400) out.push(`lifetime of ${span(exp - iat)} is longer than a day`);
    if (exp !== undefined && at >= exp) out.push(`expired ${relative(exp, at)}`);
    if (whole(payload.nbf) && at < payload.nbf) out.push(`not valid until ${utc(payload.nbf)} (${relative(payload.nbf, at)})`);
    return out;
  }

  function show(id, text, className) {
    const el = $(id);
    el.textContent = text;
    el.className = className || '';
  }

  function fill(list, items) {
    list.replaceChildren(...items);
  }

  function row(cells, header) {
    const tr = document.createElement('tr');
    cells.forEach((text, i) => {
      const cell = document.createElement(i === 0 && header ? 'th' : 'td');
      if (i === 0 && header) cell.scope = 'row';
      cell.textContent = text;
      tr.append(cell);
    });
    return tr;
  }

  let current;

  function render() {
    const token = $('token').value.trim();
    const details = $('details');
    current = undefined;
    if (!token) {
      details.hidden = true;
      show('status', 'Paste a token, or open this page with #token=….', 'status');
      return;
    }
    let decoded;
    try {
      decoded = api.decode(token, { complete: true });
    } catch (e) {
      decoded = null;
    }
    if (!decoded || typeof decoded.payload !== 'object' || decoded.payload === null) {
      details.hidden = true;
      show('status', 'This is not a token: expected three dot-separated base64url segments holding JSON.', 'status bad');
      return;
    }
    current = decoded;
    details.hidden = false;
    const [h, p, s] = token.split('.');
    $('seg-header').textContent = h;
    $('seg-payload').textContent = p;
    $('seg-signature').textContent = s || '';
    $('header').textContent = JSON.stringify(decoded.header, null, 2);
    $('payload').textContent = JSON.stringify(decoded.payload, null, 2);
    show('status', 'Decoded. The signature is checked only with the secret.', 'status');
    check(token);
    const a = access(decoded.payload);
    const dl = $('access');
    const entries = [
      ['join', a.join === 'no' ? 'no' : `yes, ${a.join}`],
      ['moderate', a.moderate ? 'yes' : 'no'],
      ['use', a.meetings && a.serverApi ? 'meetings and the server API' : a.meetings ? 'meetings only (role rtc)' : a.serverApi ? 'the server API only (role crawler)' : 'nothing (unknown roles)'],
      ['room', a.roomId === null ? 'any' : a.roomId],
      ['participant', a.participantId === null ? 'any' : a.participantId],
    ];
    fill(dl, entries.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      dd.dataset.key = k;
      return [dt, dd];
    }));
    dl.dataset.access = JSON.stringify(a);
    tick();
  }

  /** The times and warnings, which change as the clock runs. */
  function tick() {
    if (!current) return;
    const at = now();
    const payload = current.payload;
    const labels = [['iat', 'issued'], ['nbf', 'not before'], ['exp', 'expires']];
    const rows = labels.filter(([k]) => whole(payload[k])).map(([k, label]) => {
      const tr = row([label, new Date(payload[k] * 1000).toLocaleString(), utc(payload[k]), relative(payload[k], at)], true);
      tr.dataset.claim = k;
      tr.dataset.unix = String(payload[k]);
      return tr;
    });
    fill($('times').tBodies[0], rows);
    // "expires in 1h 59m" or "expired 3 days ago", as the clock runs.
    const lifetime = $('lifetime');
    if (!whole(payload.exp)) show('lifetime', 'It never expires (no exp).', 'bad');
    else if (at < payload.exp) show('lifetime', `expires ${relative(payload.exp, at)}`, 'ok');
    else show('lifetime', `expired ${relative(payload.exp, at)}`, 'bad');
    lifetime.dataset.exp = String(payload.exp);
    const w = warnings(current.header, payload, at);
    fill($('warnings'), w.length ? w.map((text) => {
      const li = document.createElement('li');
      li.className = 'warn';
      li.textContent = text;
      return li;
    }) : [Object.assign(document.createElement('li'), { textContent: 'none' })]);
    $('warnings').dataset.warnings = JSON.stringify(w);
  }

  function check(token) {
    const secret = $('secret').value;
    if (!secret) {
      show('signature', 'Not checked: enter the secret to check it here.', '');
      return;
    }
    try {
      api.verify(token, secret, { clockTimestamp: now() });
      show('signature', 'Signature matches, and the token is valid now.', 'ok');
    } catch (e) {
      // The core's words for what is wrong ("signature does not match", "token has expired"…).
      show('signature', `Refused: ${e.reason || e.message}`, 'bad');
    }
  }

  $('token').addEventListener('input', render);
  $('secret').addEventListener('input', () => current && check($('token').value.trim()));
  window.addEventListener('hashchange', () => {
    const t = new URLSearchParams(location.hash.slice(1)).get('token');
    if (t) {
      $('token').value = t;
      render();
    }
  });
  if (params.get('token')) $('token').value = params.get('token');
  render();
  if (fixedNow === undefined) setInterval(tick, 1000);
  document.documentElement.dataset.ready = 'true';
})();
