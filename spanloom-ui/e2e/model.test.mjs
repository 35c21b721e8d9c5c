// Unit tests of the UI's trace model (critical path, self time, comparison), run by
// `node --test` from UiModelTest. Spans are OTLP/JSON as Tempo's v2 trace API answers them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrace, criticalPath, selfTime, statistics, compareTraces } from '../src/main/resources/dev/spanloom/ui/js/model.js';

const T0 = 1_700_000_000_000_000_000n;
const b64 = (hex, len) => Buffer.from(hex.padStart(len, '0'), 'hex').toString('base64');

/** spans: [id, parentId|null, name, startMs, endMs, service?] */
function trace(spans, traceId = '1') {
  const byService = new Map();
  for (const [id, parent, name, start, end, service = 'svc'] of spans) {
    if (!byService.has(service)) byService.set(service, []);
    byService.get(service).push({
      traceId: b64(traceId, 32), spanId: b64(id, 16), parentSpanId: parent ? b64(parent, 16) : undefined, name,
      startTimeUnixNano: String(T0 + BigInt(start) * 1_000_000n), endTimeUnixNano: String(T0 + BigInt(end) * 1_000_000n),
    });
  }
  return parseTrace({ trace: { resourceSpans: [...byService].map(([service, s]) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'test' }, spans: s }],
  })) } });
}
const ms = (ns) => ns / 1e6;
const path = (t) => criticalPath(t).segments.map((g) => `${g.span.name} ${ms(g.start)}-${ms(g.end)}`);

test('the critical path follows the child that ends last and passes over children running alongside it', () => {
  const t = trace([['1', null, 'root', 0, 100], ['2', '1', 'a', 10, 50], ['3', '1', 'b', 40, 90], ['4', '1', 'c', 20, 30]]);
  assert.deepEqual(path(t), ['root 0-20', 'c 20-30', 'root 30-40', 'b 40-90', 'root 90-100']);
});

test('the critical path descends into the children of a span on it', () => {
  const t = trace([['1', null, 'root', 0, 100], ['2', '1', 'b', 40, 90], ['3', '2', 'b1', 45, 60], ['4', '2', 'b2', 55, 85]]);
  assert.deepEqual(path(t), ['root 0-40', 'b 40-55', 'b2 55-85', 'b 85-90', 'root 90-100']);
});

test('the critical path clips a child that outlives its parent', () => {
  const t = trace([['1', null, 'root', 0, 100], ['2', '1', 'late', 80, 130]]);
  assert.deepEqual(path(t), ['root 0-80', 'late 80-100']);
});

test('the critical path of a chain thousands of spans deep is computed without recursion', () => {
  const spans = [['1', null, 's0', 0, 20000]];
  for (let i = 1; i < 5000; i++) spans.push([(i + 1).toString(16), i.toString(16), 's' + i, i, 20000 - i]);
  assert.equal(criticalPath(trace(spans)).spans.size, 5000);
});

test('self time is the duration minus the union of the children', () => {
  const t = trace([['1', null, 'root', 0, 100], ['2', '1', 'a', 10, 50], ['3', '1', 'b', 40, 90]]);
  assert.equal(ms(selfTime(t.root)), 20);
});

test('statistics add self time up per service and operation', () => {
  const t = trace([['1', null, 'GET /', 0, 100, 'gateway'], ['2', '1', 'query', 10, 70, 'db'], ['3', '1', 'query', 75, 95, 'db']]);
  const st = statistics(t);
  assert.deepEqual(st.services.map((s) => [s.service, s.count, ms(s.self)]), [['db', 2, 80], ['gateway', 1, 20]]);
  assert.deepEqual(st.operations.map((o) => [o.service, o.name, o.count]), [['db', 'query', 2], ['gateway', 'GET /', 1]]);
});

test('comparing traces matches spans by their service and name path and marks the ones in one trace only', () => {
  const a = trace([['1', null, 'POST /orders', 0, 100, 'gateway'], ['2', '1', 'charge', 10, 50, 'payment']], 'a');
  const b = trace([['1', null, 'POST /orders', 0, 130, 'gateway'], ['2', '1', 'charge', 10, 40, 'payment'], ['3', '1', 'charge retry', 50, 80, 'payment']], 'b');
  const c = compareTraces(a, b);
  assert.deepEqual(c.rows.map((r) => [r.key, r.state]), [
    ['gateway: POST /orders', 'both'], ['gateway: POST /orders › payment: charge', 'both'], ['gateway: POST /orders › payment: charge retry', 'only-b']]);
  assert.equal(ms(c.rows[1].delta), -10);
  assert.equal(c.onlyB, 1);
  assert.equal(c.onlyA, 0);
});

test('a span whose parent is missing becomes a root of its own', () => {
  const t = trace([['1', null, 'root', 0, 100], ['2', 'ff', 'orphan', 10, 20]]);
  assert.deepEqual(t.roots.map((s) => s.name), ['root', 'orphan']);
  assert.equal(t.root.name, 'root');
});
