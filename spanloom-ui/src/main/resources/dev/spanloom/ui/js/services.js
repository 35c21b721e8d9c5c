// Services: the RED summary of every service (GET /api/red) and a page per service with rate,
// errors and latency quantiles per operation over time and links to exemplar traces
// (GET /api/red?service=S&since=1h). Without span metrics, an empty state says so.
import { h, getJson, fmtMs, fmtPct, fmtRate, fmtNum, fmtTime, empty, serviceColour } from './util.js';
import { lineChart } from './charts.js';

const SINCE = ['15m', '1h', '6h', '24h'];

export function servicesPage(ctx) {
  const { main } = ctx;
  main.append(h('h1', null, 'Services'));
  const box = h('div', { id: 'services' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(box);
  (async () => {
    const [red, jaeger] = await Promise.all([getJson('/api/red'), getJson('/api/services')]);
    const services = (red.status === 200 && red.body && red.body.services) || [];
    const names = ((jaeger.body && jaeger.body.data) || []).slice().sort();
    box.replaceChildren();
    if (services.length === 0) {
      box.append(empty('No RED metrics yet', red.status === 404
        ? 'This Spanloom does not serve span metrics (GET /api/red answered 404).'
        : 'No requests were measured in the window.', 'Traces can still be searched by service below.'));
    } else {
      box.append(h('table', { class: 'data', id: 'red-table' },
        h('thead', null, h('tr', null, ['Service', 'Requests', 'Errors', 'Rate', 'Error rate', 'p99'].map((c, i) => h('th', { class: i ? 'num' : '' }, c)))),
        h('tbody', null, services.slice().sort((a, b) => a.service.localeCompare(b.service)).map((s) => h('tr', null,
          h('td', null, h('span', { class: 'dot', style: { background: serviceColour(s.service) } }), h('a', { href: '/service/' + encodeURIComponent(s.service), 'data-link': '' }, s.service)),
          h('td', { class: 'num' }, fmtNum(s.requests)), h('td', { class: 'num' }, fmtNum(s.errors)), h('td', { class: 'num' }, fmtRate(s.rate)),
          h('td', { class: 'num' + (s.error_rate > 0.01 ? ' err' : '') }, fmtPct(s.error_rate)), h('td', { class: 'num' }, fmtMs(s.p99_ms)))))));
    }
    const listed = new Set(services.map((s) => s.service));
    const others = names.filter((n) => !listed.has(n));
    if (others.length) {
      box.append(h('h2', null, services.length ? 'Other services with traces' : 'Services with traces'),
        h('ul', { id: 'trace-services' }, others.map((n) => h('li', null, h('span', { class: 'dot', style: { background: serviceColour(n) } }),
          h('a', { href: '/service/' + encodeURIComponent(n), 'data-link': '' }, n), ' · ',
          h('a', { href: '/search?mode=form&service=' + encodeURIComponent(n), 'data-link': '' }, 'traces')))));
    }
  })();
}

export function servicePage(ctx, name) {
  const { main } = ctx;
  let params = ctx.params;
  const since = h('select', { id: 'since', 'aria-label': 'Window' }, SINCE.map((s) => h('option', { value: s }, 'last ' + s)));
  since.value = params.get('since') || '1h';
  since.addEventListener('change', () => { history.replaceState(null, '', `${location.pathname}?since=${since.value}`); load(); });
  const box = h('div', { id: 'service-red' });
  main.append(h('div', { class: 'row' }, h('h1', { class: 'grow' }, h('span', { class: 'dot', style: { background: serviceColour(name) } }), name),
    h('a', { href: '/search?mode=form&service=' + encodeURIComponent(name), 'data-link': '' }, 'Search its traces'), since), box);

  async function load() {
    box.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    const r = await getJson(`/api/red?service=${encodeURIComponent(name)}&since=${since.value}`);
    const ops = (r.status === 200 && r.body && r.body.operations) || [];
    box.replaceChildren();
    if (ops.length === 0) {
      box.append(empty('No RED metrics for this service', r.status === 404
        ? 'This Spanloom does not serve span metrics (GET /api/red answered 404).'
        : 'No requests were measured in the window.'));
      return;
    }
    for (const op of ops) {
      const pts = (key) => (op.series || []).map((p) => [p.t, p[key]]);
      const tot = op.totals || {};
      box.append(h('section', { class: 'card operation', 'aria-label': op.operation },
        h('h2', null, op.operation, ' ', h('span', { class: 'badge' }, (op.span_kind || '').replace('SPAN_KIND_', '').toLowerCase())),
        h('div', { class: 'muted' }, `${fmtNum(tot.requests)} requests · ${fmtNum(tot.errors)} errors · p50 ${fmtMs(tot.p50_ms)} · p95 ${fmtMs(tot.p95_ms)} · p99 ${fmtMs(tot.p99_ms)}`),
        h('div', { class: 'charts' },
          lineChart({ title: 'Rate', series: [{ label: 'req/s', colour: 'var(--accent)', points: pts('rate') }], format: (v) => v.toFixed(v >= 10 ? 0 : 2) }),
          lineChart({ title: 'Errors', series: [{ label: 'error rate', colour: 'var(--error)', points: pts('error_rate') }], format: (v) => (v * 100).toFixed(1) + '%' }),
          lineChart({ title: 'Duration', format: (v) => fmtMs(v), series: [
            { label: 'p50', colour: 'var(--ok)', points: pts('p50_ms') },
            { label: 'p95', colour: 'var(--warn)', points: pts('p95_ms') },
            { label: 'p99', colour: 'var(--error)', points: pts('p99_ms') }] })),
        (op.exemplars || []).length ? h('details', { open: true }, h('summary', null, `Exemplar traces (${op.exemplars.length})`),
          h('ul', { class: 'exemplars' }, op.exemplars.map((e) => h('li', null,
            h('a', { href: `/trace/${e.trace_id}?span=${e.span_id}`, 'data-link': '', class: 'mono' }, e.trace_id),
            ` ${fmtMs(e.duration_ms)} at ${fmtTime(e.t * 1000)}`, e.error ? h('span', { class: 'badge error' }, 'error') : null)))) : null));
    }
  }
  load();
  return { onQueryChange: (p) => { params = p; since.value = params.get('since') || '1h'; load(); } };
}
