// Compare two traces by span path (service and name from the root): spans present in one trace
// only, differing counts, and mean durations side by side.
import { h, fmtDur, fmtTime, empty, serviceColour } from './util.js';
import { compareTraces } from './model.js';
import { loadTrace } from './trace.js';

export function comparePage(ctx, idA, idB) {
  const { main } = ctx;
  let disposed = false;
  main.append(h('h1', null, 'Compare traces'), h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  Promise.all([loadTrace(idA), loadTrace(idB)]).then(([a, b]) => {
    if (disposed) return;
    main.replaceChildren(h('h1', null, 'Compare traces'));
    for (const [id, r] of [[idA, a], [idB, b]]) {
      if (r.error) { main.append(empty('Trace not found', `No trace with ID ${id}.`)); return; }
    }
    render(a.trace, b.trace);
  });

  function render(ta, tb) {
    const cmp = compareTraces(ta, tb);
    let onlyDiff = new URLSearchParams(location.search).get('diff') === '1';
    const summary = (label, t, cls) => h('div', { class: 'card grow' },
      h('h2', null, h('span', { class: 'badge ' + cls }, label), ' ', h('a', { href: '/trace/' + t.traceId, 'data-link': '', class: 'mono' }, t.traceId)),
      h('div', null, h('span', { class: 'dot', style: { background: serviceColour(t.root.service) } }), h('b', null, t.root.service), ': ', t.root.name),
      h('div', { class: 'muted' }, `${fmtTime(t.startEpochMs)} · ${fmtDur(t.duration)} · ${t.spans.length} spans · ${t.errors} errors`));
    const filter = h('input', { type: 'checkbox', id: 'only-diff', checked: onlyDiff });
    const tbody = h('tbody');
    const fill = () => {
      const rows = onlyDiff ? cmp.rows.filter((r) => r.state !== 'both') : cmp.rows;
      tbody.replaceChildren(...rows.map((r) => h('tr', { class: r.state === 'only-a' ? 'only-a' : r.state === 'only-b' ? 'only-b' : '', 'data-state': r.state },
        h('td', { style: { paddingLeft: 8 + Math.min(r.depth, 30) * 14 + 'px' } }, h('span', { class: 'dot', style: { background: serviceColour(r.service) } }), h('b', null, r.service), ' ', r.name),
        h('td', null, r.state === 'only-a' ? 'only in A' : r.state === 'only-b' ? 'only in B' : r.state === 'count' ? 'count differs' : ''),
        h('td', { class: 'num' }, r.a.count), h('td', { class: 'num' }, r.b.count),
        h('td', { class: 'num' }, r.a.mean == null ? '–' : fmtDur(r.a.mean)), h('td', { class: 'num' }, r.b.mean == null ? '–' : fmtDur(r.b.mean)),
        h('td', { class: 'num' + (r.delta > 0 ? ' err' : '') }, r.delta == null ? '–' : (r.delta > 0 ? '+' : '') + fmtDur(r.delta)))));
    };
    filter.addEventListener('change', () => {
      onlyDiff = filter.checked;
      history.replaceState(null, '', location.pathname + (onlyDiff ? '?diff=1' : ''));
      fill();
    });
    fill();
    main.append(
      h('div', { class: 'row', style: { alignItems: 'stretch' } }, summary('A', ta, ''), summary('B', tb, '')),
      h('p', { id: 'compare-summary' }, `${cmp.rows.length} span paths: `, h('b', null, `${cmp.onlyA} only in A`), ', ', h('b', null, `${cmp.onlyB} only in B`),
        `, ${cmp.countDiffs} with different counts. Duration ${fmtDur(ta.duration)} → ${fmtDur(tb.duration)} (${tb.duration >= ta.duration ? '+' : ''}${fmtDur(tb.duration - ta.duration)}).`),
      h('label', { class: 'row', style: { marginBottom: '6px' } }, filter, 'Only differences'),
      h('table', { class: 'data', id: 'compare-table' },
        h('thead', null, h('tr', null, h('th', null, 'Span path (service name)'), h('th', null, 'Difference'),
          h('th', { class: 'num' }, 'Count A'), h('th', { class: 'num' }, 'Count B'), h('th', { class: 'num' }, 'Mean A'), h('th', { class: 'num' }, 'Mean B'), h('th', { class: 'num' }, 'B − A'))),
        tbody));
  }
  return { dispose: () => { disposed = true; } };
}
