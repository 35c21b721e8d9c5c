// Small DOM and formatting helpers shared by the pages.

/** Creates an element: h('a', {href: '/x', class: 'y', onclick: f}, 'text', child…). */
export function h(tag, attrs, ...children) {
  const el = tag.includes(':') || tag === 'svg' || SVG_TAGS.has(tag)
    ? document.createElementNS('http://www.w3.org/2000/svg', tag)
    : document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.setAttribute('class', v);
      else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : v);
    }
  }
  append(el, children);
  return el;
}
const SVG_TAGS = new Set(['g', 'path', 'circle', 'rect', 'line', 'polyline', 'text', 'title', 'defs', 'marker', 'tspan']);

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** A duration in nanoseconds, in the unit that reads best. */
export function fmtDur(ns) {
  if (ns == null || Number.isNaN(ns)) return '–';
  const a = Math.abs(ns);
  if (a >= 60e9) return (ns / 60e9).toFixed(a >= 600e9 ? 0 : 1) + ' min';
  if (a >= 1e9) return trim(ns / 1e9) + ' s';
  if (a >= 1e6) return trim(ns / 1e6) + ' ms';
  if (a >= 1e3) return trim(ns / 1e3) + ' µs';
  return Math.round(ns) + ' ns';
}
function trim(x) { return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2); }

export const fmtMs = (ms) => (ms == null ? '–' : fmtDur(ms * 1e6));

/** Wall-clock time of epoch milliseconds, local, with milliseconds. */
export function fmtTime(ms, withDate = true) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  return withDate ? `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${time}` : time;
}

export const fmtPct = (x, digits = 2) => (x == null ? '–' : (x * 100).toFixed(digits) + '%');
export const fmtRate = (x) => (x == null ? '–' : (x >= 10 ? x.toFixed(0) : x.toFixed(2)) + '/s');
export const fmtNum = (x) => (x == null ? '–' : Number(x).toLocaleString('en-US'));

/**
 * A colour per service: a palette slot chosen by a hash of the name, the next free slot when
 * another service of this session holds it (so that up to 12 services never share a colour).
 */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#e15759', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#86bcb6', '#a0cbe8', '#d4a6c8'];
const colours = new Map();
const taken = new Set();
export function serviceColour(name) {
  let c = colours.get(name);
  if (!c) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    let slot = (hash >>> 0) % PALETTE.length;
    for (let i = 0; i < PALETTE.length && taken.has(slot); i++) slot = (slot + 1) % PALETTE.length;
    taken.add(slot);
    c = PALETTE[slot];
    colours.set(name, c);
  }
  return c;
}

/** A base64 protobuf ID as lower-case hex. */
export function b64ToHex(b64) {
  if (!b64) return '';
  if (/^[0-9a-f]+$/i.test(b64) && (b64.length === 16 || b64.length === 32)) return b64.toLowerCase();
  const bin = atob(b64);
  let hex = '';
  for (let i = 0; i < bin.length; i++) hex += bin.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}

/** Parses a duration the way TraceQL and Tempo write it: 150ms, 1.5s, 2m, 300us. Returns ns or null. */
export function parseDur(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)\s*$/.exec(text || '');
  if (!m) return null;
  const unit = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[m[2]];
  return Number(m[1]) * unit;
}

/** Fetches JSON. Resolves to {status, body, text}; body is null when the answer is not JSON. */
export async function getJson(url) {
  let res;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (e) {
    return { status: 0, body: null, text: String(e) };
  }
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch (e) { /* not JSON */ }
  return { status: res.status, body, text };
}

/** An empty-state box. */
export function empty(title, ...lines) {
  return h('div', { class: 'empty', role: 'status' }, h('strong', null, title), ...lines.map((l) => h('div', null, l)));
}

export function debounce(fn, ms) {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
