// The TraceQL editor: a textarea with a mirror behind it that underlines the parser's mistake,
// autocomplete of attribute names and values from the tag APIs, Enter to run.
import { h, getJson, debounce } from './util.js';

const OPERATORS = /(=~|!~|!=|>=|<=|=|>|<)\s*$/;

/**
 * Creates the editor. onRun(query) is called on Enter (Shift+Enter adds a line). Returns
 * {el, textarea, value(), setValue(v)}.
 */
export function traceQlEditor({ value = '', onRun, windowParams = () => '' }) {
  const textarea = h('textarea', {
    id: 'traceql', rows: 2, spellcheck: 'false', autocomplete: 'off', 'aria-label': 'TraceQL query',
    'aria-autocomplete': 'list', 'aria-controls': 'traceql-suggest', 'aria-describedby': 'traceql-status', 'data-search-focus': '',
    placeholder: '{ resource.service.name = "api-gateway" && span.http.response.status_code >= 500 }',
  });
  textarea.value = value;
  const mirror = h('div', { class: 'mirror', 'aria-hidden': 'true' });
  const list = h('ul', { class: 'suggest', id: 'traceql-suggest', role: 'listbox', hidden: true });
  const status = h('div', { id: 'traceql-status', class: 'err', 'aria-live': 'polite' });
  const wrap = h('div', { class: 'editor' }, h('div', { class: 'editor-wrap' }, mirror, textarea), list, status);

  let names = null; // [{label, insert, detail}]
  const valuesCache = new Map();
  let items = [];
  let active = -1;
  let replaceFrom = 0;
  let errorOffset = -1;

  async function tagNames() {
    if (names) return names;
    const r = await getJson('/api/v2/search/tags?' + windowParams());
    names = [];
    for (const scope of (r.body && r.body.scopes) || []) {
      for (const t of scope.tags || []) {
        names.push(scope.name === 'intrinsic' ? { label: t, detail: 'intrinsic' } : { label: `${scope.name}.${t}`, detail: scope.name });
      }
    }
    return names;
  }

  async function tagValues(tag) {
    if (valuesCache.has(tag)) return valuesCache.get(tag);
    const r = await getJson(`/api/v2/search/tag/${encodeURIComponent(tag)}/values?` + windowParams());
    const vals = ((r.body && r.body.tagValues) || []).map((v) => ({
      label: v.type === 'string' ? JSON.stringify(v.value) : String(v.value), detail: v.type,
    }));
    valuesCache.set(tag, vals);
    return vals;
  }

  function renderMirror() {
    const text = textarea.value;
    if (errorOffset < 0) { mirror.textContent = text + '\n'; return; }
    const at = Math.min(errorOffset, text.length);
    const bad = text.slice(at, at + 1) || ' ';
    mirror.replaceChildren(text.slice(0, at), h('mark', null, bad === '\n' ? ' \n' : bad), text.slice(at + 1), '\n');
  }

  const check = debounce(async () => {
    const q = textarea.value;
    const r = await getJson('/api/traceql/check?q=' + encodeURIComponent(q));
    if (q !== textarea.value) return;
    if (r.body && r.body.error) {
      errorOffset = r.body.offset;
      status.textContent = `line ${r.body.line}, column ${r.body.column}: ${r.body.error}`;
      textarea.setAttribute('aria-invalid', 'true');
    } else {
      errorOffset = -1;
      status.textContent = '';
      textarea.removeAttribute('aria-invalid');
    }
    renderMirror();
  }, 200);

  async function suggest() {
    const before = textarea.value.slice(0, textarea.selectionStart);
    let candidates;
    let partial;
    const valueCtx = /([A-Za-z_][\w.:-]*)\s*(?:=~|!~|!=|>=|<=|=|>|<)\s*("?[^"\s&|}]*)$/.exec(before);
    if (valueCtx) {
      partial = valueCtx[2];
      candidates = await tagValues(valueCtx[1]);
    } else {
      const nameCtx = /(?:^|[{\s(&|!])([A-Za-z_.][\w.:-]*)$/.exec(before);
      if (!nameCtx || OPERATORS.test(before)) return close();
      partial = nameCtx[1];
      candidates = await tagNames();
    }
    const p = partial.replace(/^"/, '').toLowerCase();
    items = candidates.filter((c) => c.label.replace(/^"/, '').toLowerCase().includes(p))
      .sort((a, b) => Number(!a.label.replace(/^"/, '').toLowerCase().startsWith(p)) - Number(!b.label.replace(/^"/, '').toLowerCase().startsWith(p)))
      .slice(0, 50);
    if (items.length === 0 || (items.length === 1 && items[0].label === partial)) return close();
    replaceFrom = before.length - partial.length;
    active = 0;
    list.replaceChildren(...items.map((it, i) => h('li', {
      id: 'traceql-opt-' + i, role: 'option', 'aria-selected': String(i === active),
      onmousedown: (e) => { e.preventDefault(); accept(i); },
    }, it.label, h('small', null, it.detail))));
    list.style.top = textarea.offsetHeight + 2 + 'px';
    list.hidden = false;
    textarea.setAttribute('aria-expanded', 'true');
    textarea.setAttribute('aria-activedescendant', 'traceql-opt-0');
  }

  function close() {
    list.hidden = true;
    items = [];
    active = -1;
    textarea.setAttribute('aria-expanded', 'false');
    textarea.removeAttribute('aria-activedescendant');
  }

  function move(delta) {
    if (!items.length) return;
    active = (active + delta + items.length) % items.length;
    [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    list.children[active].scrollIntoView({ block: 'nearest' });
    textarea.setAttribute('aria-activedescendant', 'traceql-opt-' + active);
  }

  function accept(i) {
    const it = items[i];
    const pos = textarea.selectionStart;
    const text = textarea.value;
    const insert = it.label + (it.detail === 'string' || /^\d/.test(it.label) ? ' ' : ' ');
    textarea.value = text.slice(0, replaceFrom) + insert + text.slice(pos);
    const caret = replaceFrom + insert.length;
    textarea.setSelectionRange(caret, caret);
    close();
    check();
    textarea.focus();
  }

  const suggestSoon = debounce(suggest, 120);
  textarea.addEventListener('input', () => { errorOffset = -1; renderMirror(); check(); suggestSoon(); });
  textarea.addEventListener('blur', () => setTimeout(close, 150));
  textarea.addEventListener('scroll', () => { mirror.scrollTop = textarea.scrollTop; });
  textarea.addEventListener('keydown', (e) => {
    const open = !list.hidden && items.length > 0;
    if (open && e.key === 'ArrowDown') { e.preventDefault(); move(1); } else if (open && e.key === 'ArrowUp') { e.preventDefault(); move(-1); } else if (open && (e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) { e.preventDefault(); accept(active); } else if (open && e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(); } else if (e.key === ' ' && e.ctrlKey) { e.preventDefault(); suggest(); } else if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); close(); onRun(textarea.value); }
  });
  renderMirror();
  if (value) check();
  return {
    el: wrap,
    textarea,
    value: () => textarea.value,
    setValue: (v) => { textarea.value = v; errorOffset = -1; renderMirror(); check(); },
  };
}
