// The trace model the pages work on, built from Tempo's v2 trace JSON (OTLP's JSON mapping with
// base64 IDs and enum names), and what is computed from it: the tree, the critical path, self
// times and the comparison of two traces. Pure functions, no DOM.
import { b64ToHex } from './util.js';

/** An OTLP AnyValue as display text. */
export function anyValue(v) {
  if (v == null) return '';
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return String(v.intValue);
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('boolValue' in v) return String(v.boolValue);
  if ('bytesValue' in v) return b64ToHex(v.bytesValue);
  if ('arrayValue' in v) return '[' + (v.arrayValue.values || []).map(anyValue).join(', ') + ']';
  if ('kvlistValue' in v) return '{' + (v.kvlistValue.values || []).map((kv) => `${kv.key}: ${anyValue(kv.value)}`).join(', ') + '}';
  return '';
}

const attrs = (list) => (list || []).map((kv) => [kv.key, anyValue(kv.value)]);
const KINDS = { SPAN_KIND_INTERNAL: 'internal', SPAN_KIND_SERVER: 'server', SPAN_KIND_CLIENT: 'client', SPAN_KIND_PRODUCER: 'producer', SPAN_KIND_CONSUMER: 'consumer' };
const STATUS = { STATUS_CODE_OK: 'ok', STATUS_CODE_ERROR: 'error', 1: 'ok', 2: 'error' };

/**
 * Builds the trace: spans with times relative to the trace start (ns, as Numbers: epoch
 * nanoseconds exceed a double's precision, differences within a trace do not), parent/children,
 * depth, and the roots (spans whose parent is absent).
 */
export function parseTrace(json) {
  const rs = (json.trace || json).resourceSpans || json.batches || [];
  const raw = [];
  let startBig = null;
  let endBig = null;
  for (const r of rs) {
    const resource = attrs(r.resource && r.resource.attributes);
    const service = (resource.find(([k]) => k === 'service.name') || [, 'unknown'])[1];
    for (const ss of r.scopeSpans || r.instrumentationLibrarySpans || []) {
      const sc = ss.scope || ss.instrumentationLibrary || {};
      const scope = { name: sc.name || '', version: sc.version || '', attributes: attrs(sc.attributes) };
      for (const s of ss.spans || []) {
        const st = BigInt(s.startTimeUnixNano || 0);
        const en = BigInt(s.endTimeUnixNano || s.startTimeUnixNano || 0);
        if (startBig === null || st < startBig) startBig = st;
        if (endBig === null || en > endBig) endBig = en;
        raw.push({ s, st, en, service, resource, scope });
      }
    }
  }
  if (raw.length === 0) return null;
  const spans = raw.map(({ s, st, en, service, resource, scope }, index) => ({
    index,
    id: b64ToHex(s.spanId),
    parentId: s.parentSpanId ? b64ToHex(s.parentSpanId) : '',
    traceId: b64ToHex(s.traceId),
    name: s.name || '',
    service,
    kind: KINDS[s.kind] || 'unspecified',
    start: Number(st - startBig),
    end: Number(en - startBig),
    duration: Number(en - st),
    startEpochMs: Number(st / 1000000n),
    status: { code: STATUS[s.status && s.status.code] || 'unset', message: (s.status && s.status.message) || '' },
    attributes: attrs(s.attributes),
    resource,
    scope,
    events: (s.events || []).map((e) => ({ name: e.name, at: Number(BigInt(e.timeUnixNano || 0) - startBig), attributes: attrs(e.attributes) })),
    links: (s.links || []).map((l) => ({ traceId: b64ToHex(l.traceId), spanId: b64ToHex(l.spanId), attributes: attrs(l.attributes) })),
    traceState: s.traceState || '',
    parent: null,
    children: [],
    depth: 0,
  }));
  const byId = new Map(spans.map((s) => [s.id, s]));
  const roots = [];
  for (const s of spans) {
    const p = s.parentId && byId.get(s.parentId);
    if (p && p !== s) { s.parent = p; p.children.push(s); } else roots.push(s);
  }
  const byStart = (a, b) => a.start - b.start || a.end - b.end;
  roots.sort(byStart);
  // Depth-first order without recursion: a trace may be a chain thousands of spans deep.
  const order = [];
  const stack = roots.slice().reverse();
  while (stack.length) {
    const s = stack.pop();
    s.depth = s.parent ? s.parent.depth + 1 : 0;
    order.push(s);
    s.children.sort(byStart);
    for (let i = s.children.length - 1; i >= 0; i--) stack.push(s.children[i]);
  }
  const root = roots.find((r) => !r.parentId) || roots[0];
  return {
    traceId: spans[0].traceId,
    spans: order,
    byId,
    roots,
    root,
    duration: Number(endBig - startBig),
    startEpochMs: Number(startBig / 1000000n),
    services: [...new Set(order.map((s) => s.service))],
    errors: order.filter((s) => s.status.code === 'error').length,
    maxDepth: order.reduce((m, s) => Math.max(m, s.depth), 0),
  };
}

/**
 * The critical path, the work the root waited for: from the end of the root backwards, the child
 * that finished last before the cursor is on the path (recursively) and the cursor moves to its
 * start; children running alongside it do not block and are passed over; time no child covers is
 * the parent's own. A child is clipped to its parent. Returns the segments in time order
 * ({span, start, end}) and the set of spans on the path.
 */
export function criticalPath(trace) {
  const segments = [];
  // An explicit stack of [span, until]: a trace may be thousands of spans deep.
  const work = trace.root ? [[trace.root, trace.root.end]] : [];
  while (work.length) {
    const [s, limit] = work.pop();
    let cursor = Math.min(s.end, limit);
    const kids = s.children
      .map((c) => ({ c, end: Math.min(c.end, s.end), start: Math.max(c.start, s.start) }))
      .filter((k) => k.end > k.start || k.c.duration === 0)
      .sort((a, b) => b.end - a.end);
    for (const k of kids) {
      if (k.end > cursor) continue; // overlaps the child already on the path
      if (k.end < cursor) segments.push({ span: s, start: k.end, end: cursor });
      work.push([k.c, k.end]);
      cursor = k.start;
      if (cursor <= s.start) break;
    }
    if (cursor > s.start) segments.push({ span: s, start: s.start, end: cursor });
  }
  segments.sort((a, b) => a.start - b.start || a.span.depth - b.span.depth);
  const spans = new Set(segments.map((g) => g.span));
  return { segments, spans };
}

/** Self time of a span: its duration minus the union of its children's, clipped to it. */
export function selfTime(span) {
  if (span.children.length === 0) return span.duration;
  let covered = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const c of span.children) { // sorted by start
    const a = Math.max(c.start, span.start);
    const b = Math.min(c.end, span.end);
    if (b <= a) continue;
    if (a > to) { if (to > from) covered += to - from; from = a; to = b; } else if (b > to) to = b;
  }
  if (to > from) covered += to - from;
  return Math.max(0, span.duration - covered);
}

/** Count, total and self time per service and per service+operation, largest self time first. */
export function statistics(trace) {
  const byService = new Map();
  const byOperation = new Map();
  const add = (map, key, extra, s, self) => {
    let r = map.get(key);
    if (!r) { r = { ...extra, count: 0, total: 0, self: 0, errors: 0 }; map.set(key, r); }
    r.count++; r.total += s.duration; r.self += self;
    if (s.status.code === 'error') r.errors++;
  };
  for (const s of trace.spans) {
    const self = selfTime(s);
    add(byService, s.service, { service: s.service }, s, self);
    add(byOperation, s.service + '\u0000' + s.name, { service: s.service, name: s.name }, s, self);
  }
  const sort = (m) => [...m.values()].sort((a, b) => b.self - a.self);
  return { services: sort(byService), operations: sort(byOperation) };
}

/** A span's place in its trace by names: service and name of each ancestor and itself. */
export function spanPath(span) {
  const parts = [];
  for (let s = span; s; s = s.parent) parts.push(`${s.service}: ${s.name}`);
  return parts.reverse().join(' › ');
}

/**
 * Compares two traces by span path (service and name from the root): per path, the count and
 * mean duration in each; rows present in one trace only are marked.
 */
export function compareTraces(a, b) {
  const rows = new Map();
  const collect = (trace, side) => {
    for (const s of trace.spans) {
      const key = spanPath(s);
      let r = rows.get(key);
      if (!r) {
        r = { key, service: s.service, name: s.name, depth: s.depth, a: { count: 0, total: 0 }, b: { count: 0, total: 0 }, order: rows.size };
        rows.set(key, r);
      }
      r[side].count++;
      r[side].total += s.duration;
    }
  };
  collect(a, 'a');
  collect(b, 'b');
  const list = [...rows.values()].sort((x, y) => x.order - y.order);
  for (const r of list) {
    r.a.mean = r.a.count ? r.a.total / r.a.count : null;
    r.b.mean = r.b.count ? r.b.total / r.b.count : null;
    r.state = r.a.count === 0 ? 'only-b' : r.b.count === 0 ? 'only-a' : r.a.count !== r.b.count ? 'count' : 'both';
    r.delta = r.a.mean != null && r.b.mean != null ? r.b.mean - r.a.mean : null;
  }
  return {
    rows: list,
    onlyA: list.filter((r) => r.state === 'only-a').length,
    onlyB: list.filter((r) => r.state === 'only-b').length,
    countDiffs: list.filter((r) => r.state === 'count').length,
  };
}
