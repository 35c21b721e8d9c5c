// The trace view: a collapsible span tree beside a timeline waterfall, a minimap, span details,
// the critical path, a flame graph and statistics. Rows are virtualized: only the rows in view
// (plus a few) exist in the DOM, so a trace of 10,000 spans opens and scrolls like a small one.
import { h, getJson, fmtDur, fmtTime, empty, serviceColour } from './util.js';
import { parseTrace, criticalPath, statistics, selfTime } from './model.js';

const ROW = 24;
const OVERSCAN = 8;
const FLAME_ROW = 18;

/** Loads the trace (Tempo's v2 JSON); answers null with an empty state when it is not there. */
export async function loadTrace(id) {
  const r = await getJson('/api/v2/traces/' + id);
  if (r.status !== 200 || !r.body) return { error: r.status === 404 ? 'not-found' : (r.text || 'HTTP ' + r.status) };
  const trace = parseTrace(r.body);
  return trace ? { trace } : { error: 'not-found' };
}

export function tracePage(ctx, id) {
  const { main } = ctx;
  main.className = 'fill';
  main.append(h('div', { class: 'trace-head' }, h('p', { class: 'muted', role: 'status' }, 'Loading trace ', h('code', null, id), '…')));
  let view = null;
  let disposed = false;
  loadTrace(id).then(({ trace, error }) => {
    if (disposed) return;
    main.replaceChildren();
    if (error) {
      main.className = '';
      main.append(error === 'not-found'
        ? empty('Trace not found', `No trace with ID ${id} is stored (yet). Spans may take a few seconds to arrive.`)
        : h('div', { class: 'error-box', role: 'alert' }, error));
      return;
    }
    view = new TraceView(ctx, trace);
  });
  return { dispose: () => { disposed = true; if (view) view.dispose(); } };
}

class TraceView {
  constructor(ctx, trace) {
    this.ctx = ctx;
    this.trace = trace;
    this.cp = criticalPath(trace);
    this.cpSpans = [];
    for (const g of this.cp.segments) if (!this.cpSpans.includes(g.span)) this.cpSpans.push(g.span);
    this.cpBySpan = new Map();
    for (const g of this.cp.segments) {
      if (!this.cpBySpan.has(g.span)) this.cpBySpan.set(g.span, []);
      this.cpBySpan.get(g.span).push(g);
    }
    this.cpIndex = -1;
    this.showPath = true;
    this.collapsed = new Set();
    this.selected = null;
    this.visible = trace.spans;
    this.tab = 'timeline';
    this.build();
    this.onKey = (e) => this.globalKey(e);
    document.addEventListener('keydown', this.onKey);
    this.onResize = () => { this.drawMinimap(); this.renderRows(); if (this.tab === 'flame') this.drawFlame(); };
    window.addEventListener('resize', this.onResize);
    this.refreshVisible();
    const want = new URLSearchParams(location.search).get('span');
    const span = want && trace.byId.get(want);
    if (span) this.select(span, { details: true });
    else this.rows.focus({ preventScroll: true });
  }

  dispose() {
    document.removeEventListener('keydown', this.onKey);
    window.removeEventListener('resize', this.onResize);
  }

  build() {
    const t = this.trace;
    const root = t.root;
    const { main } = this.ctx;
    const compareId = h('input', { id: 'compare-with', placeholder: 'other trace ID', size: 34, spellcheck: 'false', 'aria-label': 'Trace ID to compare with', class: 'mono' });
    main.append(h('div', { class: 'trace-head' },
      h('h1', { id: 'trace-title' }, h('span', { class: 'dot', style: { background: serviceColour(root.service) } }), root.service, ': ', root.name),
      h('div', { class: 'facts' },
        h('span', null, 'Trace ', h('b', { class: 'mono', id: 'trace-id' }, t.traceId)),
        h('span', null, 'Start ', h('b', null, fmtTime(t.startEpochMs))),
        h('span', null, 'Duration ', h('b', { id: 'trace-duration' }, fmtDur(t.duration))),
        h('span', null, 'Spans ', h('b', { id: 'trace-spans' }, t.spans.length.toLocaleString('en-US'))),
        h('span', null, 'Services ', h('b', null, t.services.length)),
        h('span', null, 'Depth ', h('b', null, t.maxDepth + 1)),
        h('span', null, 'Errors ', h('b', { class: t.errors ? 'err' : '' }, t.errors)),
        h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); const o = compareId.value.trim().toLowerCase(); if (/^[0-9a-f]{1,32}$/.test(o)) this.ctx.navigate(`/compare/${t.traceId}/${o}`); } },
          compareId, h('button', { type: 'submit' }, 'Compare')))));

    const tabs = [['timeline', 'Timeline'], ['flame', 'Flame graph'], ['stats', 'Statistics']];
    this.tabButtons = tabs.map(([k, label]) => h('button', { type: 'button', role: 'tab', id: 'tab-' + k, 'aria-selected': String(k === 'timeline'), onclick: () => this.setTab(k) }, label));
    this.pathBtn = h('button', { type: 'button', id: 'toggle-path', 'aria-pressed': 'true', onclick: () => this.togglePath() }, 'Critical path');
    main.append(h('div', { class: 'trace-tools' },
      h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Trace views' }, this.tabButtons),
      h('span', { style: { width: '12px' } }),
      h('button', { type: 'button', id: 'expand-all', onclick: () => { this.collapsed.clear(); this.refreshVisible(); } }, 'Expand all'),
      h('button', { type: 'button', id: 'collapse-all', onclick: () => this.collapseAll() }, 'Collapse all'),
      this.pathBtn,
      h('button', { type: 'button', id: 'path-prev', title: 'Previous span on the critical path ([)', onclick: () => this.followPath(-1) }, '‹ Path'),
      h('button', { type: 'button', id: 'path-next', title: 'Next span on the critical path (])', onclick: () => this.followPath(1) }, 'Path ›'),
      h('span', { class: 'muted', id: 'path-info' }, `${this.cpSpans.length} spans on the critical path`),
      this.findInput = h('input', { id: 'span-find', type: 'search', size: 28, placeholder: 'Find spans (name, service, attribute)', 'aria-label': 'Find spans; Enter for the next match', spellcheck: 'false' }),
      this.findInfo = h('span', { class: 'muted', id: 'find-info', 'aria-live': 'polite' }),
      h('span', { class: 'grow' }),
      h('div', { class: 'legend' }, t.services.slice(0, 12).map((s) => h('span', null, h('span', { class: 'dot', style: { background: serviceColour(s) } }), s)))));

    // Timeline
    this.minimapCanvas = h('canvas', { 'aria-hidden': 'true' });
    this.minimapWindow = h('div', { class: 'window' });
    this.minimap = h('div', { class: 'minimap', id: 'minimap', title: 'Minimap: click to jump' }, this.minimapCanvas, this.minimapWindow);
    const ticks = h('div', { class: 'ticks' }, [0, 0.25, 0.5, 0.75, 1].map((f) => h('span', { style: { left: f * 100 + '%', transform: `translateX(${f === 0 ? '4px' : f === 1 ? 'calc(-100% - 4px)' : '-50%'})` } }, fmtDur(t.duration * f))));
    this.spacer = h('div', { class: 'spacer' });
    this.rows = h('div', { class: 'rows', id: 'span-rows', role: 'tree', tabindex: 0, 'aria-label': 'Spans' }, this.spacer);
    this.timeline = h('div', { class: 'trace-main', role: 'tabpanel', id: 'panel-timeline' }, this.minimap, h('div', { class: 'ruler' }, h('div', { class: 'name-col' }, 'Service: span'), ticks), this.rows);
    this.flame = h('div', { class: 'flame', id: 'panel-flame', role: 'tabpanel', hidden: true });
    this.stats = h('div', { class: 'stats', id: 'panel-stats', role: 'tabpanel', hidden: true });
    this.details = h('aside', { class: 'details', id: 'span-details', hidden: true, 'aria-label': 'Span details' });
    main.append(h('div', { class: 'trace-body' }, this.timeline, this.flame, this.stats, this.details));

    let pending = false;
    this.rows.addEventListener('scroll', () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; this.renderRows(); this.placeMinimapWindow(); });
    });
    this.rows.addEventListener('click', (e) => {
      const row = e.target.closest('.span-row');
      if (!row) return;
      const span = this.trace.byId.get(row.dataset.span);
      if (e.target.closest('.toggle') && span.children.length) this.toggle(span);
      else this.select(span, { details: true });
    });
    this.rows.addEventListener('keydown', (e) => this.rowKey(e));
    this.matches = [];
    this.matchSet = new Set();
    this.findInput.addEventListener('input', () => this.find(this.findInput.value));
    this.findInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); this.nextMatch(e.shiftKey ? -1 : 1); } else if (e.key === 'Escape' && this.findInput.value) { e.stopPropagation(); this.findInput.value = ''; this.find(''); }
    });
    const jump = (e) => {
      const r = this.minimap.getBoundingClientRect();
      const f = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
      this.rows.scrollTop = f * this.visible.length * ROW - this.rows.clientHeight / 2;
    };
    this.minimap.addEventListener('mousedown', (e) => {
      jump(e);
      const move = (ev) => jump(ev);
      const up = () => { document.removeEventListener('mousemove', move); document.removeEventListener('mouseup', up); };
      document.addEventListener('mousemove', move);
      document.addEventListener('mouseup', up);
    });
  }

  /** Marks the spans whose service, name, ID or an attribute contains the text. */
  find(text) {
    const q = text.trim().toLowerCase();
    this.matches = !q ? [] : this.trace.spans.filter((s) => s.name.toLowerCase().includes(q) || s.service.toLowerCase().includes(q)
      || s.id === q || s.attributes.some(([k, v]) => k.toLowerCase().includes(q) || v.toLowerCase().includes(q)));
    this.matchSet = new Set(this.matches);
    this.matchIndex = -1;
    this.findInfo.textContent = q ? `${this.matches.length.toLocaleString('en-US')} match${this.matches.length === 1 ? '' : 'es'}` : '';
    this.renderRows();
  }

  nextMatch(delta) {
    if (!this.matches.length) return;
    const at = this.selected ? this.matches.indexOf(this.selected) : -1;
    this.matchIndex = at < 0 ? (delta > 0 ? 0 : this.matches.length - 1) : (at + delta + this.matches.length) % this.matches.length;
    if (this.tab !== 'timeline') this.setTab('timeline');
    this.select(this.matches[this.matchIndex]);
    this.findInfo.textContent = `${(this.matchIndex + 1).toLocaleString('en-US')} of ${this.matches.length.toLocaleString('en-US')}`;
  }

  setTab(k) {
    this.tab = k;
    for (const b of this.tabButtons) b.setAttribute('aria-selected', String(b.id === 'tab-' + k));
    this.timeline.hidden = k !== 'timeline';
    this.flame.hidden = k !== 'flame';
    this.stats.hidden = k !== 'stats';
    if (k === 'flame') this.drawFlame();
    if (k === 'stats') this.renderStats();
    if (k === 'timeline') { this.renderRows(); this.drawMinimap(); }
  }

  // -- Tree ------------------------------------------------------------------------------

  refreshVisible() {
    const out = [];
    let skipDeeperThan = Infinity;
    for (const s of this.trace.spans) {
      if (s.depth > skipDeeperThan) continue;
      skipDeeperThan = this.collapsed.has(s) ? s.depth : Infinity;
      out.push(s);
    }
    this.visible = out;
    this.indexOf = new Map(out.map((s, i) => [s, i]));
    this.spacer.style.height = out.length * ROW + 'px';
    this.renderRows();
    this.drawMinimap();
  }

  toggle(span) {
    if (this.collapsed.has(span)) this.collapsed.delete(span); else this.collapsed.add(span);
    this.refreshVisible();
  }

  collapseAll() {
    for (const s of this.trace.spans) if (s.children.length && s.parent) this.collapsed.add(s);
    this.refreshVisible();
  }

  /** Opens the ancestors of a span so that it has a row. */
  reveal(span) {
    let changed = false;
    for (let p = span.parent; p; p = p.parent) if (this.collapsed.delete(p)) changed = true;
    if (changed) this.refreshVisible();
  }

  renderRows() {
    if (this.tab !== 'timeline') return;
    const total = this.trace.duration || 1;
    const top = this.rows.scrollTop;
    const height = this.rows.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(this.visible.length, Math.ceil((top + height) / ROW) + OVERSCAN);
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const s = this.visible[i];
      const hasKids = s.children.length > 0;
      const open = hasKids && !this.collapsed.has(s);
      const onPath = this.showPath && this.cp.spans.has(s);
      const left = (s.start / total) * 100;
      const width = (s.duration / total) * 100;
      const bar = h('div', { class: 'bar-col' },
        h('div', { class: 'bar' + (s.status.code === 'error' ? ' error' : ''), style: { left: left + '%', width: width + '%', background: serviceColour(s.service) } }),
        onPath ? (this.cpBySpan.get(s) || []).map((g) => h('div', { class: 'crit', style: { left: (g.start / total) * 100 + '%', width: ((g.end - g.start) / total) * 100 + '%' } })) : null,
        h('span', { class: 'dur', style: left + width <= 80 ? { left: `calc(${left + width}% + 4px)` } : left > 15 ? { right: (100 - left) + '%', marginRight: '4px' } : { right: (100 - left - width) + '%', marginRight: '4px', color: '#111' } }, fmtDur(s.duration)));
      const row = h('div', {
        class: 'span-row' + (s === this.selected ? ' selected' : '') + (onPath ? ' on-path' : '') + (this.matchSet.has(s) ? ' match' : ''),
        id: 'row-' + s.id, role: 'treeitem', 'aria-level': s.depth + 1, 'aria-selected': String(s === this.selected),
        'aria-expanded': hasKids ? String(open) : null, 'data-span': s.id, 'data-depth': s.depth,
        style: { top: i * ROW + 'px' },
      },
      h('div', { class: 'name-col', style: { paddingLeft: Math.min(s.depth, 40) * 12 + 'px' }, title: `${s.service}: ${s.name}` },
        h('span', { class: 'toggle' }, hasKids ? (open ? '▾' : '▸') : ''),
        h('span', { class: 'dot', style: { background: serviceColour(s.service) } }),
        h('span', { class: 'svc' }, s.service), h('span', { class: 'span-name' }, s.name),
        hasKids && !open ? h('span', { class: 'muted' }, ` (${countDescendants(s)})`) : null,
        s.status.code === 'error' ? h('span', { class: 'err-icon', title: 'error' }, '!') : null),
      bar);
      frag.append(row);
    }
    this.spacer.replaceChildren(frag);
    if (this.selected && this.indexOf.has(this.selected)) this.rows.setAttribute('aria-activedescendant', 'row-' + this.selected.id);
  }

  select(span, { details = false, scroll = true } = {}) {
    this.reveal(span);
    this.selected = span;
    if (scroll) this.scrollTo(span);
    this.renderRows();
    if (details || !this.details.hidden) this.showDetails(span);
  }

  scrollTo(span) {
    const i = this.indexOf.get(span);
    if (i == null) return;
    const top = i * ROW;
    const rows = this.rows;
    if (top < rows.scrollTop) rows.scrollTop = top;
    else if (top + ROW > rows.scrollTop + rows.clientHeight) rows.scrollTop = top + ROW - rows.clientHeight;
  }

  rowKey(e) {
    const cur = this.selected && this.indexOf.has(this.selected) ? this.indexOf.get(this.selected) : -1;
    const go = (i) => { if (this.visible.length) this.select(this.visible[Math.max(0, Math.min(this.visible.length - 1, i))]); };
    const page = Math.max(1, Math.floor(this.rows.clientHeight / ROW) - 1);
    const s = this.selected;
    switch (e.key) {
      case 'ArrowDown': go(cur + 1); break;
      case 'ArrowUp': go(cur < 0 ? 0 : cur - 1); break;
      case 'PageDown': go(cur + page); break;
      case 'PageUp': go(cur - page); break;
      case 'Home': go(0); break;
      case 'End': go(this.visible.length - 1); break;
      case 'ArrowRight':
        if (!s) go(0);
        else if (s.children.length && this.collapsed.has(s)) this.toggle(s);
        else if (s.children.length) this.select(s.children[0]);
        break;
      case 'ArrowLeft':
        if (s && s.children.length && !this.collapsed.has(s)) this.toggle(s);
        else if (s && s.parent) this.select(s.parent);
        break;
      case ' ': if (s && s.children.length) this.toggle(s); break;
      case 'Enter': if (s) this.showDetails(s); break;
      default: return;
    }
    e.preventDefault();
  }

  globalKey(e) {
    if (e.target.closest && e.target.closest('input, textarea, select')) return;
    if (e.key === 'Escape' && !this.details.hidden) { e.preventDefault(); this.closeDetails(); } else if (e.key === ']') { e.preventDefault(); this.followPath(1); } else if (e.key === '[') { e.preventDefault(); this.followPath(-1); }
  }

  togglePath() {
    this.showPath = !this.showPath;
    this.pathBtn.setAttribute('aria-pressed', String(this.showPath));
    this.renderRows();
    this.drawMinimap();
  }

  /** Steps along the critical path in time order, selecting each span. */
  followPath(delta) {
    if (this.cpSpans.length === 0) return;
    if (this.tab !== 'timeline') this.setTab('timeline');
    if (!this.showPath) this.togglePath();
    const at = this.selected ? this.cpSpans.indexOf(this.selected) : -1;
    this.cpIndex = at >= 0 ? at + delta : delta > 0 ? 0 : this.cpSpans.length - 1;
    this.cpIndex = Math.max(0, Math.min(this.cpSpans.length - 1, this.cpIndex));
    this.select(this.cpSpans[this.cpIndex], { details: true });
    document.getElementById('path-info').textContent = `critical path: span ${this.cpIndex + 1} of ${this.cpSpans.length}`;
    this.rows.focus({ preventScroll: true });
  }

  // -- Minimap ---------------------------------------------------------------------------

  drawMinimap() {
    const c = this.minimapCanvas;
    const w = this.minimap.clientWidth;
    const hgt = this.minimap.clientHeight;
    if (!w || !hgt) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = w * dpr;
    c.height = hgt * dpr;
    const g = c.getContext('2d');
    g.scale(dpr, dpr);
    const n = this.visible.length;
    const total = this.trace.duration || 1;
    const rowH = Math.max(hgt / n, 0.5);
    const critical = getCss('--critical');
    for (let i = 0; i < n; i++) {
      const s = this.visible[i];
      g.fillStyle = this.showPath && this.cp.spans.has(s) ? critical : serviceColour(s.service);
      g.fillRect((s.start / total) * w, (i / n) * hgt, Math.max(1, (s.duration / total) * w), Math.max(rowH, 1));
    }
    this.placeMinimapWindow();
  }

  placeMinimapWindow() {
    const total = this.visible.length * ROW || 1;
    const hgt = this.minimap.clientHeight;
    this.minimapWindow.style.top = (this.rows.scrollTop / total) * hgt + 'px';
    this.minimapWindow.style.height = Math.max(2, Math.min(1, this.rows.clientHeight / total) * hgt) + 'px';
  }

  // -- Details ---------------------------------------------------------------------------

  showDetails(s) {
    const t = this.trace;
    const kv = (rows) => h('table', { class: 'kv' }, h('tbody', null, rows.map(([k, v]) => h('tr', null, h('td', null, k), h('td', null, v)))));
    const group = (title, body, open = true) => h('details', { class: 'group', open }, h('summary', null, title), body);
    const onPath = this.cp.spans.has(s);
    this.details.replaceChildren(
      h('header', null, h('h2', { id: 'details-title' }, s.name), h('button', { type: 'button', id: 'close-details', 'aria-label': 'Close details (Esc)', onclick: () => this.closeDetails() }, '✕')),
      kv([
        ['service', h('a', { href: '/service/' + encodeURIComponent(s.service), 'data-link': '' }, s.service)],
        ['span ID', s.id], ['parent ID', s.parentId || '(root)'], ['kind', s.kind],
        ['status', h('span', { class: s.status.code === 'error' ? 'err' : '' }, s.status.code + (s.status.message ? ': ' + s.status.message : ''))],
        ['start', `+${fmtDur(s.start)} (${fmtTime(t.startEpochMs + s.start / 1e6)})`],
        ['duration', fmtDur(s.duration)], ['self time', fmtDur(selfTime(s))],
        ['critical path', onPath ? 'yes' : 'no'],
        ...(s.traceState ? [['trace state', s.traceState]] : []),
      ]),
      group(`Span attributes (${s.attributes.length})`, kv(s.attributes)),
      group(`Resource: ${s.service} (${s.resource.length})`, kv(s.resource), false),
      group(`Scope: ${s.scope.name || '(unnamed)'}${s.scope.version ? ' ' + s.scope.version : ''} (${s.scope.attributes.length})`, kv([['name', s.scope.name], ['version', s.scope.version], ...s.scope.attributes]), false),
      group(`Events (${s.events.length})`, h('div', null, s.events.map((e) => h('div', { class: 'event' }, h('h3', null, e.name, ' ', h('span', { class: 'muted' }, `+${fmtDur(e.at - s.start)}`)), kv(e.attributes))))),
      group(`Links (${s.links.length})`, h('div', null, s.links.map((l) => h('div', null,
        h('a', { href: `/trace/${l.traceId}?span=${l.spanId}`, 'data-link': '', class: 'mono' }, `${l.traceId} / ${l.spanId}`), kv(l.attributes))))));
    this.details.hidden = false;
    if (this.tab === 'flame') this.drawFlame();
  }

  closeDetails() {
    this.details.hidden = true;
    if (this.tab === 'timeline') this.rows.focus({ preventScroll: true });
    if (this.tab === 'flame') this.drawFlame();
  }

  // -- Flame graph -----------------------------------------------------------------------

  /** Spans by depth on a shared time axis, drawn on a canvas (thousands of spans stay cheap). */
  drawFlame() {
    const t = this.trace;
    const w = Math.max(200, this.flame.clientWidth - 4);
    const rowsN = t.maxDepth + 1;
    const hgt = Math.min(rowsN * FLAME_ROW, 30000);
    const dpr = window.devicePixelRatio || 1;
    let c = this.flame.querySelector('canvas');
    if (!c) {
      c = h('canvas', { id: 'flame-canvas', role: 'img', tabindex: 0, 'aria-label': 'Flame graph: spans by depth over time' });
      this.tip = h('div', { class: 'flame-tip', hidden: true });
      this.flame.append(c, this.tip);
      const hit = (e) => {
        const r = c.getBoundingClientRect();
        const x = e.clientX - r.left;
        const depth = Math.floor((e.clientY - r.top) / FLAME_ROW);
        const at = (x / r.width) * (t.duration || 1);
        const slack = (2 / r.width) * (t.duration || 1);
        return t.spans.find((s) => s.depth === depth && s.start - slack <= at && s.end + slack >= at);
      };
      c.addEventListener('mousemove', (e) => {
        const s = hit(e);
        if (!s) { this.tip.hidden = true; return; }
        this.tip.hidden = false;
        this.tip.textContent = `${s.service}: ${s.name} — ${fmtDur(s.duration)} (self ${fmtDur(selfTime(s))})`;
        this.tip.style.left = e.offsetX + 12 + 'px';
        this.tip.style.top = e.offsetY + 12 + 'px';
      });
      c.addEventListener('mouseleave', () => { this.tip.hidden = true; });
      c.addEventListener('click', (e) => { const s = hit(e); if (s) { this.selected = s; this.showDetails(s); } });
    }
    c.width = w * dpr;
    c.height = hgt * dpr;
    c.style.width = w + 'px';
    c.style.height = hgt + 'px';
    const g = c.getContext('2d');
    g.scale(dpr, dpr);
    g.font = '11px ' + getCss('--sans');
    g.textBaseline = 'middle';
    const total = t.duration || 1;
    const fg = '#111';
    const critical = getCss('--critical');
    const selectedColour = getCss('--fg');
    for (const s of t.spans) {
      const x = (s.start / total) * w;
      const bw = Math.max(1, (s.duration / total) * w);
      const y = s.depth * FLAME_ROW;
      if (y > hgt) continue;
      g.fillStyle = serviceColour(s.service);
      g.fillRect(x, y, bw, FLAME_ROW - 1);
      if (s === this.selected || (this.showPath && this.cp.spans.has(s))) {
        g.strokeStyle = s === this.selected ? selectedColour : critical;
        g.lineWidth = 2;
        g.strokeRect(x + 1, y + 1, bw - 2, FLAME_ROW - 3);
      }
      if (bw > 40) {
        g.save();
        g.beginPath();
        g.rect(x, y, bw - 2, FLAME_ROW);
        g.clip();
        g.fillStyle = fg;
        g.fillText(`${s.service}: ${s.name}`, x + 3, y + FLAME_ROW / 2);
        g.restore();
      }
    }
  }

  // -- Statistics ------------------------------------------------------------------------

  renderStats() {
    const st = statistics(this.trace);
    const sumSelf = st.services.reduce((n, r) => n + r.self, 0) || 1;
    const table = (id, rows, withName) => h('table', { class: 'data', id },
      h('thead', null, h('tr', null, h('th', null, 'Service'), withName ? h('th', null, 'Operation') : null,
        h('th', { class: 'num' }, 'Spans'), h('th', { class: 'num' }, 'Errors'), h('th', { class: 'num' }, 'Total time'),
        h('th', { class: 'num' }, 'Self time'), h('th', { class: 'num' }, 'Self %'))),
      h('tbody', null, rows.map((r) => h('tr', null,
        h('td', null, h('span', { class: 'dot', style: { background: serviceColour(r.service) } }), r.service),
        withName ? h('td', null, r.name) : null,
        h('td', { class: 'num' }, r.count), h('td', { class: 'num' }, r.errors), h('td', { class: 'num' }, fmtDur(r.total)),
        h('td', { class: 'num' }, fmtDur(r.self)), h('td', { class: 'num' }, ((r.self / sumSelf) * 100).toFixed(1) + '%')))));
    this.stats.replaceChildren(
      h('h2', null, 'Self time per service'), table('stats-services', st.services, false),
      h('h2', null, 'Self time per operation'), table('stats-operations', st.operations.slice(0, 500), true));
  }
}

function countDescendants(s) {
  let n = 0;
  const stack = [...s.children];
  while (stack.length) { const c = stack.pop(); n++; for (const k of c.children) stack.push(k); }
  return n;
}

function getCss(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}
