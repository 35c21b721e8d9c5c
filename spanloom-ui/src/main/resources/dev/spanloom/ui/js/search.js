// Search: TraceQL or a form, results as a sortable table and a scatter plot. All state is in the
// URL (/search?q=…&range=1h&limit=20&sort=-duration), so a search is a link.
import { h, getJson, fmtDur, fmtTime, fmtNum, empty, serviceColour } from './util.js';
import { traceQlEditor } from './editor.js';

const RANGES = [['15m', 15 * 60], ['1h', 3600], ['6h', 6 * 3600], ['24h', 86400], ['2d', 2 * 86400], ['7d', 7 * 86400]];
const COLUMNS = [
  ['start', 'Start', (t) => t.start],
  ['duration', 'Duration', (t) => t.durationMs],
  ['spans', 'Spans', (t) => t.spans],
  ['root', 'Root service / name', (t) => `${t.rootServiceName} ${t.rootTraceName}`],
  ['errors', 'Errors', (t) => t.errors],
];

export function searchPage(ctx) {
  const { main } = ctx;
  let params = ctx.params;
  let traces = [];
  const selected = new Set();
  let seq = 0;

  const windowParams = () => {
    const [start, end] = window_(params);
    return `start=${start}&end=${end}`;
  };
  const editor = traceQlEditor({ value: params.get('q') || '', onRun: () => run(), windowParams });

  // Form mode fields.
  const service = h('select', { id: 'f-service', 'aria-label': 'Service' }, h('option', { value: '' }, 'any service'));
  const operation = h('select', { id: 'f-operation', 'aria-label': 'Operation' }, h('option', { value: '' }, 'any operation'));
  const tags = h('input', { id: 'f-tags', placeholder: 'http.response.status_code=500 error=true', spellcheck: 'false' });
  const minD = h('input', { id: 'f-min', placeholder: 'e.g. 100ms', size: 8 });
  const maxD = h('input', { id: 'f-max', placeholder: 'e.g. 2s', size: 8 });
  const range = h('select', { id: 'f-range', 'aria-label': 'Time range' }, RANGES.map(([v]) => h('option', { value: v }, 'last ' + v)));
  const limit = h('input', { id: 'f-limit', type: 'number', min: 1, max: 1000, size: 5 });
  const form = h('form', { class: 'form-grid', id: 'search-form', onsubmit: (e) => { e.preventDefault(); run(); } },
    h('label', null, 'Service', service),
    h('label', null, 'Operation', operation),
    h('label', { style: { gridColumn: 'span 2' } }, 'Tags (key=value, space-separated)', tags),
    h('label', null, 'Min duration', minD),
    h('label', null, 'Max duration', maxD),
    h('button', { type: 'submit', hidden: true }, 'Run'));
  for (const el of [tags, minD, maxD]) el.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); run(); } });

  const modeQl = h('button', { type: 'button', role: 'tab', id: 'mode-traceql', onclick: () => setMode('traceql') }, 'TraceQL');
  const modeForm = h('button', { type: 'button', role: 'tab', id: 'mode-form', onclick: () => setMode('form') }, 'Form');
  const runBtn = h('button', { type: 'button', class: 'primary', id: 'run', onclick: () => run() }, 'Run query');
  const compareBtn = h('button', { type: 'button', id: 'compare', disabled: true, onclick: () => compare() }, 'Compare selected');
  const qlPane = h('div', { role: 'tabpanel', 'aria-labelledby': 'mode-traceql' }, editor.el);
  const formPane = h('div', { role: 'tabpanel', 'aria-labelledby': 'mode-form' }, form);
  const info = h('span', { class: 'muted', id: 'result-info', 'aria-live': 'polite' });
  const results = h('div', { id: 'results' });

  main.append(h('h1', null, 'Search traces'),
    h('div', { class: 'card' },
      h('div', { class: 'row', style: { marginBottom: '8px' } },
        h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Query mode' }, modeQl, modeForm),
        h('span', { class: 'grow' }),
        h('label', null, 'Range ', range), h('label', null, 'Limit ', limit), runBtn),
      qlPane, formPane),
    h('div', { class: 'row', style: { margin: '4px 0 8px' } }, info, h('span', { class: 'grow' }), compareBtn),
    results);

  loadServices();
  service.addEventListener('change', () => loadOperations(service.value));

  function setMode(mode) {
    const ql = mode !== 'form';
    modeQl.setAttribute('aria-selected', String(ql));
    modeForm.setAttribute('aria-selected', String(!ql));
    qlPane.hidden = !ql;
    formPane.hidden = ql;
    if (ql) editor.textarea.removeAttribute('tabindex'); else editor.textarea.setAttribute('tabindex', '-1');
    if (ql) editor.textarea.setAttribute('data-search-focus', ''); else editor.textarea.removeAttribute('data-search-focus');
    if (ql) service.removeAttribute('data-search-focus'); else service.setAttribute('data-search-focus', '');
  }

  async function loadServices() {
    const r = await getJson('/api/services');
    const names = ((r.body && r.body.data) || []).slice().sort();
    const want = params.get('service') || '';
    service.replaceChildren(h('option', { value: '' }, 'any service'), ...names.map((n) => h('option', { value: n }, n)));
    if (want && !names.includes(want)) service.append(h('option', { value: want }, want));
    service.value = want;
    if (want) loadOperations(want);
  }

  async function loadOperations(svc) {
    const want = params.get('operation') || '';
    const r = svc ? await getJson(`/api/services/${encodeURIComponent(svc)}/operations`) : { body: { data: [] } };
    const ops = ((r.body && r.body.data) || []).slice().sort();
    operation.replaceChildren(h('option', { value: '' }, 'any operation'), ...ops.map((n) => h('option', { value: n }, n)));
    if (want && !ops.includes(want)) operation.append(h('option', { value: want }, want));
    operation.value = ops.includes(want) || want ? want : '';
  }

  /** Fills the fields from the URL and searches. */
  function load(p) {
    params = p;
    setMode(p.get('mode') || 'traceql');
    if (editor.value() !== (p.get('q') || '')) editor.setValue(p.get('q') || '');
    tags.value = p.get('tags') || '';
    minD.value = p.get('minDuration') || '';
    maxD.value = p.get('maxDuration') || '';
    range.value = p.get('range') || '1h';
    limit.value = p.get('limit') || '20';
    // The lists may still be loading: a value from the URL gets its option now.
    choose(service, p.get('service') || '');
    choose(operation, p.get('operation') || '');
    if (service.options.length > 1 && service.value) loadOperations(service.value);
    fetchResults();
  }

  function stateFromFields() {
    const p = new URLSearchParams();
    const mode = formPane.hidden ? 'traceql' : 'form';
    if (mode === 'form') {
      p.set('mode', 'form');
      if (service.value) p.set('service', service.value);
      if (operation.value) p.set('operation', operation.value);
      if (tags.value.trim()) p.set('tags', tags.value.trim());
      if (minD.value.trim()) p.set('minDuration', minD.value.trim());
      if (maxD.value.trim()) p.set('maxDuration', maxD.value.trim());
    } else if (editor.value().trim()) {
      p.set('q', editor.value().trim());
    }
    p.set('range', range.value);
    p.set('limit', limit.value || '20');
    if (params.get('sort')) p.set('sort', params.get('sort'));
    return p;
  }

  function run() {
    const p = stateFromFields();
    history.pushState(null, '', '/search?' + p);
    params = p;
    fetchResults();
  }

  async function fetchResults() {
    const my = ++seq;
    const [start, end] = window_(params);
    const api = new URLSearchParams({ start, end, limit: params.get('limit') || '20' });
    if (params.get('mode') === 'form') {
      const t = [];
      if (params.get('service')) t.push(logfmt('service.name', params.get('service')));
      if (params.get('operation')) t.push(logfmt('name', params.get('operation')));
      if (params.get('tags')) t.push(params.get('tags'));
      if (t.length) api.set('tags', t.join(' '));
      if (params.get('minDuration')) api.set('minDuration', params.get('minDuration'));
      if (params.get('maxDuration')) api.set('maxDuration', params.get('maxDuration'));
    } else if (params.get('q')) {
      api.set('q', params.get('q'));
    }
    info.textContent = 'Searching…';
    const r = await getJson('/api/search?' + api);
    if (my !== seq) return;
    if (r.status !== 200 || !r.body) {
      info.textContent = '';
      results.replaceChildren(h('div', { class: 'error-box', role: 'alert', id: 'search-error' }, r.text || 'search failed (HTTP ' + r.status + ')'));
      return;
    }
    traces = (r.body.traces || []).map((t) => {
      const stats = Object.values(t.serviceStats || {});
      return {
        ...t,
        start: Number(BigInt(t.startTimeUnixNano || 0) / 1000000n),
        durationMs: t.durationMs || 0,
        spans: stats.reduce((n, s) => n + (s.spanCount || 0), 0),
        errors: stats.reduce((n, s) => n + (s.errorCount || 0), 0),
      };
    });
    const inspected = r.body.metrics ? r.body.metrics.inspectedTraces : null;
    info.textContent = `${traces.length} trace${traces.length === 1 ? '' : 's'}` + (inspected != null ? ` (${fmtNum(inspected)} inspected)` : '');
    for (const id of [...selected]) if (!traces.some((t) => t.traceID === id)) selected.delete(id);
    renderResults();
  }

  function renderResults() {
    if (traces.length === 0) {
      results.replaceChildren(empty('No traces found', 'Widen the time range or loosen the query.'));
      return;
    }
    const sort = params.get('sort') || '-start';
    const desc = sort.startsWith('-');
    const key = sort.replace(/^-/, '');
    const col = COLUMNS.find(([k]) => k === key) || COLUMNS[0];
    const sorted = traces.slice().sort((a, b) => {
      const x = col[2](a);
      const y = col[2](b);
      const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
      return desc ? -c : c;
    });
    const head = h('tr', null, h('th', null, h('span', { class: 'sr' }, 'Select')),
      COLUMNS.map(([k, label]) => h('th', {
        class: k === 'root' ? '' : 'num', 'aria-sort': k === key ? (desc ? 'descending' : 'ascending') : 'none',
      }, h('button', { type: 'button', 'data-sort': k, onclick: () => sortBy(k, k === key ? !desc : k !== 'root') }, label))));
    const rows = sorted.map((t) => h('tr', { 'data-trace': t.traceID, 'data-duration-ms': t.durationMs, 'data-errors': t.errors },
      h('td', null, h('input', {
        type: 'checkbox', 'aria-label': 'Select trace ' + t.traceID, checked: selected.has(t.traceID),
        onchange: (e) => { if (e.target.checked) selected.add(t.traceID); else selected.delete(t.traceID); updateCompare(); },
      })),
      h('td', { class: 'num' }, fmtTime(t.start)),
      h('td', { class: 'num' }, fmtDur(t.durationMs * 1e6)),
      h('td', { class: 'num' }, t.spans),
      h('td', null, h('span', { class: 'dot', style: { background: serviceColour(t.rootServiceName) } }),
        h('a', { href: '/trace/' + t.traceID, 'data-link': '', class: 'trace-link' }, h('b', null, t.rootServiceName), ' ', t.rootTraceName),
        ' ', h('span', { class: 'muted mono' }, t.traceID.slice(0, 8))),
      h('td', { class: 'num' }, t.errors ? h('span', { class: 'badge error' }, t.errors) : '0')));
    results.replaceChildren(scatter(traces, (id) => ctx.navigate('/trace/' + id)),
      h('table', { class: 'data', id: 'results-table' }, h('thead', null, head), h('tbody', null, rows)));
    updateCompare();
  }

  function sortBy(k, desc) {
    params.set('sort', (desc ? '-' : '') + k);
    history.replaceState(null, '', '/search?' + params);
    renderResults();
    const b = results.querySelector(`[data-sort="${k}"]`);
    if (b) b.focus();
  }

  function updateCompare() {
    compareBtn.disabled = selected.size !== 2;
    compareBtn.textContent = selected.size === 2 ? 'Compare selected (2)' : `Compare selected (${selected.size}/2)`;
  }

  function compare() {
    const [a, b] = [...selected];
    ctx.navigate(`/compare/${a}/${b}`);
  }

  load(params);
  return { onQueryChange: load };
}

function choose(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) select.append(h('option', { value }, value));
  select.value = value;
}

function logfmt(key, value) {
  return /[\s"=]/.test(value) ? `${key}=${JSON.stringify(value)}` : `${key}=${value}`;
}

/** The search window in unix seconds: start/end from the URL, else the range before now. */
function window_(params) {
  if (params.get('start') && params.get('end')) return [params.get('start'), params.get('end')];
  const seconds = (RANGES.find(([r]) => r === (params.get('range') || '1h')) || RANGES[1])[1];
  const end = Math.ceil(Date.now() / 1000);
  return [end - seconds, end];
}

/** Start time × duration, errors in red; a point is a link to its trace. */
function scatter(traces, open) {
  const W = 1000;
  const H = 200;
  const pad = { l: 56, r: 12, t: 10, b: 24 };
  const t0 = Math.min(...traces.map((t) => t.start));
  const t1 = Math.max(...traces.map((t) => t.start));
  const dMax = Math.max(1, ...traces.map((t) => t.durationMs));
  const x = (t) => pad.l + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (W - pad.l - pad.r);
  const y = (d) => H - pad.b - (d / dMax) * (H - pad.t - pad.b);
  const svg = h('svg', { class: 'scatter', id: 'scatter', viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': 'Traces by start time and duration' });
  const axis = h('g', { class: 'axis' });
  for (let i = 0; i <= 4; i++) {
    const d = (dMax * i) / 4;
    axis.append(h('line', { x1: pad.l, x2: W - pad.r, y1: y(d), y2: y(d) }), h('text', { x: pad.l - 6, y: y(d) + 4, 'text-anchor': 'end' }, fmtDur(d * 1e6)));
  }
  axis.append(h('text', { x: pad.l, y: H - 6 }, fmtTime(t0, false)), h('text', { x: W - pad.r, y: H - 6, 'text-anchor': 'end' }, fmtTime(t1, false)));
  svg.append(axis);
  for (const t of traces) {
    const c = h('circle', {
      cx: x(t.start), cy: y(t.durationMs), r: 5, class: t.errors ? 'error' : '', tabindex: 0, role: 'link',
      'data-trace': t.traceID, 'aria-label': `${t.rootServiceName} ${t.rootTraceName}, ${fmtDur(t.durationMs * 1e6)}${t.errors ? ', errors' : ''}`,
      onclick: () => open(t.traceID), onkeydown: (e) => { if (e.key === 'Enter') open(t.traceID); },
    }, h('title', null, `${t.rootServiceName}: ${t.rootTraceName}\n${fmtDur(t.durationMs * 1e6)} · ${t.spans} spans${t.errors ? ` · ${t.errors} errors` : ''}`));
    svg.append(c);
  }
  return h('div', { class: 'card', style: { padding: '4px' } }, svg);
}
