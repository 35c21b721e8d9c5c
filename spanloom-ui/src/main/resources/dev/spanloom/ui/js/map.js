// The service map from GET /api/servicegraph: services, databases, messaging systems and peers
// laid out left to right by call depth; edges carry request rate, error rate and p95.
import { h, getJson, fmtMs, fmtPct, fmtRate, empty } from './util.js';

const WINDOWS = [['15m', 900], ['1h', 3600], ['6h', 21600], ['24h', 86400]];

export function mapPage(ctx) {
  const { main } = ctx;
  const win = h('select', { id: 'map-window', 'aria-label': 'Window' }, WINDOWS.map(([k]) => h('option', { value: k }, 'last ' + k)));
  win.value = ctx.params.get('window') || '1h';
  win.addEventListener('change', () => { history.replaceState(null, '', '/map?window=' + win.value); load(); });
  const box = h('div', { id: 'service-map' });
  main.append(h('div', { class: 'row' }, h('h1', { class: 'grow' }, 'Service map'), win), box);

  async function load() {
    const seconds = (WINDOWS.find(([k]) => k === win.value) || WINDOWS[1])[1];
    const end = Math.ceil(Date.now() / 1000);
    box.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    const r = await getJson(`/api/servicegraph?start=${end - seconds}&end=${end}`);
    const graph = r.status === 200 && r.body ? r.body : { nodes: [], edges: [] };
    if ((graph.edges || []).length === 0 && (graph.nodes || []).length === 0) {
      box.replaceChildren(empty('No service graph yet', r.status === 404
        ? 'This Spanloom does not serve a service graph (GET /api/servicegraph answered 404).'
        : 'No calls between services were seen in the window.'));
      return;
    }
    box.replaceChildren(draw(graph, (id) => ctx.navigate('/service/' + encodeURIComponent(id))));
  }
  load();
}

function draw(graph, open) {
  const kinds = new Map((graph.nodes || []).map((n) => [n.id, n.kind || 'service']));
  const edges = graph.edges || [];
  for (const e of edges) {
    if (!kinds.has(e.client)) kinds.set(e.client, 'service');
    if (!kinds.has(e.server)) kinds.set(e.server, e.connection_type === 'database' ? 'database' : e.connection_type === 'messaging_system' ? 'messaging' : e.connection_type === 'virtual_node' ? 'peer' : 'service');
  }
  // Layer = longest call chain from a node nobody calls; the pass count bounds cycles.
  const layer = new Map([...kinds.keys()].map((k) => [k, 0]));
  for (let pass = 0; pass < kinds.size; pass++) {
    let changed = false;
    for (const e of edges) {
      if (e.client === e.server) continue;
      if (layer.get(e.server) < layer.get(e.client) + 1 && layer.get(e.client) + 1 < kinds.size) { layer.set(e.server, layer.get(e.client) + 1); changed = true; }
    }
    if (!changed) break;
  }
  const columns = [];
  for (const [id, l] of layer) (columns[l] = columns[l] || []).push(id);
  const NW = 170;
  const NH = 38;
  const GX = 230;
  const GY = 46;
  const pos = new Map();
  const tallest = Math.max(...columns.map((c) => (c ? c.length : 0)));
  columns.forEach((col, i) => (col || []).sort().forEach((id, j) => {
    const offset = ((tallest - col.length) * (NH + GY)) / 2;
    pos.set(id, { x: 20 + i * (NW + GX), y: 20 + offset + j * (NH + GY) });
  }));
  const W = 40 + columns.length * (NW + GX) - GX;
  const H = 40 + tallest * (NH + GY) - GY;
  const svg = h('svg', { class: 'map-svg', viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': 'Service map', style: { height: Math.max(480, H) + 'px' } });
  svg.append(h('defs', null, h('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, h('path', { d: 'M0,0L10,5L0,10z', fill: 'var(--muted)' }))));
  for (const e of edges) {
    const a = pos.get(e.client);
    const b = pos.get(e.server);
    const x1 = a.x + NW;
    const y1 = a.y + NH / 2;
    const x2 = b.x;
    const y2 = b.y + NH / 2;
    const back = x2 <= x1;
    const d = back
      ? `M${a.x + NW / 2},${a.y + NH} C${a.x + NW / 2},${a.y + NH + 60} ${b.x + NW / 2},${b.y + NH + 60} ${b.x + NW / 2},${b.y + NH}`
      : `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`;
    const label = `${fmtRate(e.request_rate)} · ${fmtPct(e.error_rate, 1)} · p95 ${fmtMs(e.p95_ms)}`;
    const mx = back ? (a.x + b.x) / 2 + NW / 2 : (x1 + x2) / 2;
    const my = back ? Math.max(a.y, b.y) + NH + 50 : (y1 + y2) / 2 - 6;
    svg.append(h('g', { class: 'edge' + (e.error_rate > 0.05 ? ' failing' : ''), 'data-client': e.client, 'data-server': e.server },
      h('path', { d, 'marker-end': 'url(#arrow)' }), h('text', { x: mx, y: my, 'text-anchor': 'middle' }, label),
      h('title', null, `${e.client} → ${e.server}\n${e.requests} requests, ${e.failed} failed\np50 ${fmtMs(e.p50_ms)} · p95 ${fmtMs(e.p95_ms)} · p99 ${fmtMs(e.p99_ms)}`)));
  }
  for (const [id, kind] of kinds) {
    const p = pos.get(id);
    const isService = kind === 'service';
    const g = h('g', { class: 'node ' + kind, transform: `translate(${p.x},${p.y})`, tabindex: isService ? 0 : null, role: isService ? 'link' : null, 'data-node': id, 'aria-label': `${id} (${kind})` },
      h('rect', { width: NW, height: NH, rx: kind === 'database' ? 14 : 6 }),
      h('text', { x: NW / 2, y: NH / 2 + 4, 'text-anchor': 'middle' }, (kind === 'service' ? '' : kindIcon(kind) + ' ') + (id.length > 22 ? id.slice(0, 21) + '…' : id)),
      h('title', null, `${id} (${kind})`));
    if (isService) {
      g.addEventListener('click', () => open(id));
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(id); });
    }
    svg.append(g);
  }
  return svg;
}

function kindIcon(kind) {
  return kind === 'database' ? '⛁' : kind === 'messaging' ? '✉' : '↗';
}
