// Drives Spanloom's web UI in real Chromium (Debian's /usr/bin/chromium through playwright-core)
// against a running Spanloom, asserting what each page shows and saving a screenshot per step.
//
//   node ui.mjs --base http://127.0.0.1:16686 --out DIR --a TRACE_ID --b TRACE_ID --big TRACE_ID [--metrics required]
//
// --a and --b are two similar traces of the shop (root api-gateway "POST /orders"; b has spans
// a lacks), --big a trace of 10,000 spans. Exit code 0 when every step passed.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
for (const k of ['base', 'out', 'a', 'b', 'big']) if (!args[k]) { console.error(`missing --${k}`); process.exit(2); }
const base = args.base.replace(/\/$/, '');
mkdirSync(args.out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
const page = await context.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
page.on('console', (m) => {
  // A metric API that is not there answers 404; the page shows an empty state for it.
  if (m.type() === 'error' && !/Failed to load resource.*404/.test(m.text())) problems.push('console error: ' + m.text());
});

let stepNo = 0;
async function step(name, fn) {
  stepNo++;
  const label = String(stepNo).padStart(2, '0') + '-' + name;
  process.stdout.write(`step ${label} … `);
  try {
    await fn();
  } catch (e) {
    await page.screenshot({ path: join(args.out, label + '-FAILED.png') }).catch(() => {});
    console.log('FAILED');
    throw e;
  }
  await page.screenshot({ path: join(args.out, label + '.png') });
  console.log('ok');
}
const texts = (sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));
const count = (sel) => page.locator(sel).count();

try {
  await step('search-traceql-autocomplete', async () => {
    await page.goto(base + '/search');
    await page.locator('#results-table').waitFor(); // the empty query lists recent traces
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'traceql', '"/" focuses the TraceQL editor');
    await page.keyboard.type('{ resource.service.na');
    await page.locator('#traceql-suggest li', { hasText: 'resource.service.name' }).first().waitFor();
    await page.keyboard.press('Enter'); // accepts the suggestion
    await page.keyboard.type('= ');
    await page.locator('#traceql-suggest li', { hasText: '"api-gateway"' }).first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    const options = await texts('#traceql-suggest li');
    assert.ok(options.some((o) => o.startsWith('"order-service"')), 'values of resource.service.name offered: ' + options);
    // Accept "api-gateway" wherever the list put it.
    await page.locator('#traceql-suggest li', { hasText: '"api-gateway"' }).first().dispatchEvent('mousedown');
    await page.keyboard.type('}');
    assert.equal(await page.inputValue('#traceql'), '{ resource.service.name = "api-gateway" }');
  });

  await step('search-traceql-results', async () => {
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    await page.locator('#result-info', { hasText: /^\d+ trace/ }).waitFor();
    const rows = await page.$$eval('#results-table tbody tr', (trs) => trs.map((tr) => tr.dataset.trace));
    assert.ok(rows.includes(args.a) && rows.includes(args.b), `both shop traces found: ${rows}`);
    const roots = await texts('#results-table tbody .trace-link b');
    assert.ok(roots.every((r) => r === 'api-gateway'), 'every result has the api-gateway root: ' + roots);
    assert.equal(await count('#scatter circle'), rows.length, 'one point per trace in the scatter plot');
    assert.ok(await count('#scatter circle.error') >= 1, 'the failed trace is marked as error in the scatter plot');
  });

  await step('search-sort-by-duration', async () => {
    await page.click('th button[data-sort="duration"]');
    await page.locator('th[aria-sort="descending"] button[data-sort="duration"]').waitFor();
    const d = await page.$$eval('#results-table tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.durationMs)));
    assert.deepEqual(d, [...d].sort((x, y) => y - x), 'sorted by duration, longest first');
    assert.match(page.url(), /sort=-duration/, 'the sort is in the URL');
  });

  await step('search-traceql-error-marker', async () => {
    await page.fill('#traceql', '{ span.http.response.status_code >= }');
    await page.locator('#traceql-status', { hasText: /line 1, column \d+/ }).waitFor();
    assert.equal(await page.getAttribute('#traceql', 'aria-invalid'), 'true');
    assert.equal(await count('.editor .mirror mark'), 1, 'the mistake is underlined');
    await page.keyboard.press('Escape');
  });

  await step('search-form', async () => {
    await page.click('#mode-form');
    await page.locator('#f-service option[value="order-service"]').waitFor({ state: 'attached' });
    await page.selectOption('#f-service', 'order-service');
    await page.locator('#f-operation option[value="INSERT orders"]').waitFor({ state: 'attached' });
    await page.selectOption('#f-operation', 'INSERT orders');
    await page.fill('#f-tags', 'db.system=postgresql');
    await page.fill('#f-min', '1ms');
    await page.click('#run');
    await page.waitForURL(/mode=form/);
    await page.locator('#result-info', { hasText: /^\d+ trace/ }).waitFor();
    const rows = await page.$$eval('#results-table tbody tr', (trs) => trs.map((tr) => tr.dataset.trace));
    assert.ok(rows.includes(args.a) && rows.includes(args.b), 'form search finds the shop traces: ' + rows);
    assert.ok(!rows.includes(args.big), 'and not the batch trace');
  });

  await step('search-deep-link', async () => {
    await page.goto(base + '/search?mode=form&service=payment-service&range=1h&limit=20');
    await page.locator('#result-info', { hasText: /^\d+ trace/ }).waitFor();
    assert.equal(await page.inputValue('#f-service'), 'payment-service', 'the form is filled from the URL');
    assert.ok(await count('#results-table tbody tr') >= 2);
  });

  await step('trace-open', async () => {
    await page.goto(base + '/search?q=' + encodeURIComponent('{ resource.service.name = "api-gateway" }'));
    await page.locator(`#results-table tr[data-trace="${args.b}"] a.trace-link`).click();
    await page.waitForURL(new RegExp('/trace/' + args.b));
    await page.locator('#span-rows .span-row').first().waitFor();
    assert.match(await page.textContent('#trace-title'), /api-gateway: POST \/orders/);
    const spans = Number((await page.textContent('#trace-spans')).replace(/,/g, ''));
    assert.equal(await count('#span-rows .span-row'), spans, 'a small trace shows every span');
  });

  await step('trace-collapse-expand', async () => {
    const all = await count('#span-rows .span-row');
    await page.click('#span-rows .span-row[data-depth="0"] .toggle');
    assert.equal(await count('#span-rows .span-row'), 1, 'collapsing the root leaves one row');
    assert.equal(await page.getAttribute('#span-rows .span-row[data-depth="0"]', 'aria-expanded'), 'false');
    await page.click('#span-rows .span-row[data-depth="0"] .toggle');
    assert.equal(await count('#span-rows .span-row'), all, 'expanding shows them again');
    // Keyboard: select the root, collapse with ←, expand with →, go down with ↓.
    await page.click('#span-rows .span-row[data-depth="0"] .span-name');
    await page.focus('#span-rows');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await count('#span-rows .span-row'), 1, '← collapses');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getAttribute('#span-rows .span-row.selected', 'data-depth'), '1', '↓ selects the first child');
    await page.click('#collapse-all');
    assert.equal(await count('#span-rows .span-row'), 1 + await page.$$eval('#span-rows .span-row[data-depth="1"]', (r) => r.length), 'collapse all leaves the root and its children');
    await page.click('#expand-all');
    assert.equal(await count('#span-rows .span-row'), all);
  });

  await step('trace-span-details', async () => {
    await page.click('#span-rows .span-row:has(.span-name:text-is("charge card")) .span-name');
    await page.locator('#span-details').waitFor();
    assert.equal(await page.textContent('#details-title'), 'charge card');
    const details = await page.textContent('#span-details');
    for (const want of ['payment-service', 'client', 'payment.amount', 'Resource: payment-service', 'Scope: ']) {
      assert.ok(details.includes(want), `details show ${want}`);
    }
  });

  await step('trace-critical-path', async () => {
    await page.keyboard.press('Escape');
    assert.ok(await page.locator('#span-details').isHidden(), 'Esc closes the details');
    const onPath = await count('#span-rows .span-row.on-path');
    assert.ok(onPath >= 2, 'the critical path is highlighted');
    const total = Number((await page.textContent('#path-info')).match(/\d+/)[0]);
    // From the root, step along the path to its last span.
    await page.click('#span-rows .span-row[data-depth="0"] .span-name');
    assert.match(await page.getAttribute('#span-rows .span-row.selected', 'class'), /on-path/, 'the root is on the path');
    const visited = [await page.textContent('#details-title')];
    for (let i = 1; i < total; i++) {
      await page.click('#path-next');
      const row = page.locator('#span-rows .span-row.selected');
      assert.match(await row.getAttribute('class'), /on-path/, 'each step selects a span on the path');
      visited.push(await page.textContent('#details-title'));
    }
    assert.equal(visited[0], 'POST /orders', 'the path starts at the root');
    assert.match(await page.textContent('#path-info'), new RegExp(`span ${total} of ${total}`));
    // The slowest chain of the shop trace goes through the order service.
    assert.ok(visited.includes('POST /orders') && visited.length === total);
    await page.click('#toggle-path');
    assert.equal(await count('#span-rows .span-row.on-path'), 0, 'the highlight can be switched off');
    await page.click('#toggle-path');
    assert.ok(await page.locator('#span-details').isVisible(), 'following the path shows each span\'s details');
  });

  await step('trace-flame-graph', async () => {
    await page.click('#tab-flame');
    assert.ok(await page.locator('#panel-timeline').isHidden(), 'the flame graph replaces the timeline');
    const box = await page.locator('#flame-canvas').boundingBox();
    assert.ok(box.width > 200 && box.height >= 18 * 3, 'the flame graph has a row per depth: ' + JSON.stringify(box));
    await page.mouse.move(box.x + 5, box.y + 9);
    await page.locator('.flame-tip', { hasText: 'api-gateway: POST /orders' }).waitFor();
  });

  await step('trace-statistics', async () => {
    await page.click('#tab-stats');
    const services = await texts('#stats-services tbody td:first-child');
    for (const s of ['api-gateway', 'auth-service', 'order-service', 'payment-service', 'notification-service']) assert.ok(services.includes(s), 'statistics list ' + s);
    const pct = await texts('#stats-services tbody td:last-child');
    const sum = pct.reduce((n, p) => n + parseFloat(p), 0);
    assert.ok(Math.abs(sum - 100) < 1, 'self times add up to the whole: ' + sum);
    await page.click('#tab-timeline');
  });

  await step('compare-from-search', async () => {
    await page.goto(base + '/search?q=' + encodeURIComponent('{ resource.service.name = "api-gateway" }'));
    await page.locator(`#results-table tr[data-trace="${args.a}"] input`).check();
    await page.locator(`#results-table tr[data-trace="${args.b}"] input`).check();
    await page.click('#compare');
    await page.waitForURL(/\/compare\//);
    await page.locator('#compare-table tbody tr').first().waitFor();
    const summary = await page.textContent('#compare-summary');
    assert.match(summary, /\d+ only in A/);
    const states = await page.$$eval('#compare-table tbody tr', (trs) => trs.map((t) => t.dataset.state));
    assert.ok(states.includes('both'), 'shared span paths are listed');
    assert.ok(states.some((s) => s === 'only-a' || s === 'only-b'), 'spans in one trace only are marked');
  });

  await step('compare-only-differences', async () => {
    await page.goto(`${base}/compare/${args.a}/${args.b}`);
    await page.locator('#compare-table tbody tr').first().waitFor();
    const onlyB = await page.$$eval('#compare-table tbody tr.only-b td:first-child', (tds) => tds.map((t) => t.textContent));
    assert.ok(onlyB.some((t) => t.includes('retry')), 'the retry span of B is only in B: ' + onlyB);
    await page.check('#only-diff');
    const states = await page.$$eval('#compare-table tbody tr', (trs) => trs.map((t) => t.dataset.state));
    assert.ok(states.length > 0 && !states.includes('both'), 'only differences are left');
  });

  await step('big-trace-opens', async () => {
    await page.goto(base + '/trace/' + args.big);
    await page.locator('#span-rows .span-row').first().waitFor({ timeout: 60000 });
    assert.equal(await page.textContent('#trace-spans'), '10,000');
    const rows = await count('#span-rows .span-row');
    assert.ok(rows > 10 && rows < 150, `only the rows in view are in the DOM (${rows})`);
  });

  await step('big-trace-scrolls', async () => {
    const rowsEl = page.locator('#span-rows');
    const seen = new Set();
    for (let i = 1; i <= 10; i++) {
      await rowsEl.evaluate((el, f) => { el.scrollTop = el.scrollHeight * f; }, i / 10);
      await page.waitForFunction(() => {
        const el = document.getElementById('span-rows');
        const first = el.querySelector('.span-row');
        return first && parseFloat(first.style.top) <= el.scrollTop && parseFloat(first.style.top) + 400 >= el.scrollTop;
      });
      const first = await page.getAttribute('#span-rows .span-row:nth-child(10)', 'data-span');
      seen.add(first);
      assert.ok(await count('#span-rows .span-row') < 150, 'still virtualized after scrolling');
    }
    assert.ok(seen.size >= 9, 'scrolling shows other spans');
    await page.focus('#span-rows');
    await page.keyboard.press('End');
    const top = await page.$eval('#span-rows .span-row.selected', (r) => parseFloat(r.style.top));
    assert.equal(top, 9999 * 24, 'End selects the last of 10,000 rows');
    const box = await page.locator('#minimap').boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => {
      const el = document.getElementById('span-rows');
      const middle = (el.scrollTop + el.clientHeight / 2) / el.scrollHeight;
      return Math.abs(middle - 0.5) < 0.02;
    });
    assert.ok(await count('#span-rows .span-row') > 10, 'a click on the middle of the minimap shows the middle of the trace');
  });

  await step('big-trace-follow-path', async () => {
    await page.focus('#span-rows');
    await page.keyboard.press('Home');
    await page.click('#path-next');
    await page.click('#path-next');
    assert.match(await page.textContent('#path-info'), /span 3 of \d+/);
    assert.match(await page.getAttribute('#span-rows .span-row.selected', 'class'), /on-path/);
  });

  await step('big-trace-find', async () => {
    const name = await page.textContent('#span-rows .span-row[data-depth="2"] .span-name');
    await page.fill('#span-find', name);
    const matches = Number((await page.textContent('#find-info')).replace(/,/g, '').match(/^\d+/)[0]);
    assert.ok(matches > 1, `spans named "${name}" are found: ${matches}`);
    assert.ok(await count('#span-rows .span-row.match') > 0, 'matches are marked');
    await page.press('#span-find', 'Enter');
    const first = Number((await page.textContent('#find-info')).replace(/,/g, '').match(/^(\d+) of/)[1]);
    await page.press('#span-find', 'Enter');
    assert.equal(await page.textContent('#find-info'), `${(first % matches) + 1} of ${matches.toLocaleString('en-US')}`.replace(/^(\d+)/, (n) => Number(n).toLocaleString('en-US')));
    assert.ok((await page.textContent('#span-rows .span-row.selected .span-name')).includes(name), 'Enter selects the next match');
    await page.press('#span-find', 'Escape');
    assert.equal(await count('#span-rows .span-row.match'), 0, 'Esc clears the search');
  });

  await step('deep-link-span', async () => {
    await page.goto(base + '/trace/' + args.b);
    const id = await page.getAttribute('#span-rows .span-row:has(.span-name:text-is("send email"))', 'data-span');
    await page.goto(`${base}/trace/${args.b}?span=${id}`);
    await page.locator('#details-title', { hasText: 'send email' }).waitFor();
    assert.match(await page.getAttribute('#span-rows .span-row.selected', 'data-span'), new RegExp(id));
  });

  const status = async (path) => page.evaluate(async (p) => (await fetch(p)).status, path);
  // With --metrics required the Spanloom under test runs spanmetrics and SLOs: the metric pages
  // must show data, and an empty state is a failure rather than an accepted answer.
  const metricsRequired = args.metrics === 'required';

  await step('service-map', async () => {
    await page.goto(base + '/map');
    await page.locator('#service-map svg, #service-map .empty').first().waitFor();
    const end = Math.ceil(Date.now() / 1000);
    if (metricsRequired || await status(`/api/servicegraph?start=${end - 3600}&end=${end}`) === 200) {
      const nodes = await page.$$eval('#service-map .node', (n) => n.map((x) => x.dataset.node));
      for (const s of ['api-gateway', 'order-service']) assert.ok(nodes.includes(s), 'the map shows ' + s);
      assert.ok(await count('#service-map .edge') >= 2, 'calls are edges');
      await page.click('#service-map .node[data-node="order-service"]');
      await page.waitForURL(/\/service\/order-service/);
    } else {
      assert.match(await page.textContent('#service-map .empty'), /No service graph yet/);
    }
  });

  await step('service-page', async () => {
    await page.goto(base + '/service/order-service');
    await page.locator('#service-red .operation, #service-red .empty').first().waitFor();
    if (metricsRequired || (await status('/api/red?service=order-service&since=1h') === 200 && await count('#service-red .operation') > 0)) {
      assert.ok(await count('#service-red .operation') > 0, 'the operations of order-service are listed');
      assert.ok(await count('#service-red .operation svg.chart') >= 3, 'rate, errors and duration charts');
      const ex = page.locator('#service-red .exemplars a').first();
      if (metricsRequired) assert.ok(await ex.count() > 0, 'exemplar traces are linked');
      if (await ex.count()) { await ex.click(); await page.waitForURL(/\/trace\//); await page.locator('#span-rows .span-row').first().waitFor(); }
    } else {
      assert.match(await page.textContent('#service-red .empty'), /No RED metrics/);
    }
  });

  await step('services-list', async () => {
    await page.goto(base + '/services');
    await page.locator('#services table, #services .empty, #services ul').first().waitFor();
    const text = await page.textContent('#services');
    assert.ok(text.includes('order-service'), 'services are listed');
  });

  await step('slo-page', async () => {
    await page.goto(base + '/slo');
    await page.locator('#slos .slo, #slos .empty').first().waitFor();
    if (metricsRequired || (await status('/api/slo') === 200 && await count('#slos .slo') > 0)) {
      assert.ok(await count('#slos .slo') >= 2, 'each objective is shown');
      assert.ok(await count('#slos .budget') >= 1, 'error budgets are shown');
      assert.ok((await page.textContent('#slo-summary')).length > 0);
    } else {
      assert.match(await page.textContent('#slos .empty'), /No SLOs/);
    }
  });

  await step('dark-theme', async () => {
    await page.goto(base + '/trace/' + args.b);
    await page.locator('#span-rows .span-row').first().waitFor();
    await page.click('#theme');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(18, 21, 27)', 'dark background');
    await page.click('#span-rows .span-row:has(.span-name:text-is("INSERT orders")) .span-name');
    await page.reload();
    await page.locator('#span-rows .span-row').first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'the choice survives a reload');
  });

  await step('light-theme-again', async () => {
    await page.click('#theme');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(247, 248, 250)');
  });

  await step('not-found', async () => {
    await page.goto(base + '/trace/00000000000000000000000000abcdef');
    await page.locator('.empty', { hasText: 'Trace not found' }).waitFor();
  });

  assert.deepEqual(problems, [], 'no script errors in the page');
  console.log(`all ${stepNo} steps passed; screenshots in ${args.out}`);
} catch (e) {
  console.log(e.stack || String(e));
  if (problems.length) console.log('page problems:\n' + problems.join('\n'));
  process.exitCode = 1;
} finally {
  await browser.close();
}
