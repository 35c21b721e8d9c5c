// SLOs from GET /api/slo: objective, SLI value, error budget left, burn rates per window and the
// burn-rate alerts with their state.
import { h, getJson, fmtPct, fmtMs, fmtTime, empty } from './util.js';

export function sloPage(ctx) {
  const { main } = ctx;
  const box = h('div', { id: 'slos' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('h1', null, 'Service level objectives'), box);
  (async () => {
    const r = await getJson('/api/slo');
    const slos = (r.status === 200 && r.body && r.body.slos) || [];
    if (slos.length === 0) {
      box.replaceChildren(empty('No SLOs defined', r.status === 404
        ? 'This Spanloom does not serve SLOs (GET /api/slo answered 404).'
        : 'Define SLOs in the configuration to see their error budgets here.'));
      return;
    }
    const firing = slos.flatMap((s) => (s.alerts || []).filter((a) => a.state === 'firing'));
    box.replaceChildren(
      h('p', { id: 'slo-summary', class: firing.length ? 'alert-firing' : 'muted' }, firing.length ? `${firing.length} alert${firing.length > 1 ? 's' : ''} firing` : 'No alerts firing'),
      h('div', { class: 'slo-grid' }, slos.map(card)));
  })();
}

function card(s) {
  const budget = s.error_budget_remaining;
  const met = s.sli_value != null && s.sli_value >= s.objective;
  return h('section', { class: 'card slo', 'data-slo': s.name, 'aria-label': s.name },
    h('h2', null, s.name),
    h('div', { class: 'muted' }, h('a', { href: '/service/' + encodeURIComponent(s.service), 'data-link': '' }, s.service), s.operation ? ` · ${s.operation}` : '',
      ` · ${s.sli}${s.sli === 'latency' && s.threshold_ms != null ? ` ≤ ${fmtMs(s.threshold_ms)}` : ''} · objective ${fmtPct(s.objective, 2)} over ${s.window}`),
    h('p', null, 'SLI ', h('b', { class: met ? '' : 'err' }, fmtPct(s.sli_value, 3)), met ? ' (met)' : ' (not met)'),
    h('div', null, `Error budget left: ${budget == null ? '–' : fmtPct(budget, 1)}`),
    h('div', { class: 'budget' + (budget != null && budget < 0.25 ? ' low' : ''), role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': budget == null ? 0 : Math.round(Math.max(0, budget) * 100), 'aria-label': 'Error budget left' },
      h('div', { style: { width: Math.max(0, Math.min(1, budget || 0)) * 100 + '%' } })),
    h('h3', null, 'Burn rates'),
    h('table', { class: 'data' }, h('thead', null, h('tr', null, Object.keys(s.burn_rates || {}).map((w) => h('th', { class: 'num' }, w)))),
      h('tbody', null, h('tr', null, Object.values(s.burn_rates || {}).map((v) => h('td', { class: 'num' + (v != null && v > 1 ? ' err' : '') }, v == null ? '–' : v.toFixed(2)))))),
    (s.alerts || []).length ? h('div', null, h('h3', null, 'Alerts'), h('ul', null, s.alerts.map((a) => h('li', { class: a.state === 'firing' ? 'alert-firing' : '' },
      `${a.alertname} (${a.severity}): ${a.state}`, h('span', { class: 'muted' }, ` · burn > ${a.burn_rate_threshold} over ${a.long_window}/${a.short_window}${a.active_at ? ' since ' + fmtTime(Date.parse(a.active_at)) : ''}`))))) : null);
}
