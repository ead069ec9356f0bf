// The wifi view: the verdicts counted and filtered, a hotspot's reason and daily use, the
// relocation plan with its totals, downloads and map link, each compared with the API's answer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, TOKENS, api, open, check, close, shot, numbers } from './lib.mjs';

after(close);

const VERDICTS = ['ok', 'underused', 'faulty', 'insufficient_data'];

test('the counts per verdict, the filter and a hotspot’s reason are the API’s', async () => {
  const verdicts = await api('viewer', '/api/v1/wifi/verdicts');
  const page = await open('viewer', '#/wifi');
  await page.waitForSelector('#wifi-table tbody tr');
  const count = async (k) => numbers(await page.locator(`#wifi-counts [data-verdict=${k}] b`).innerText())[0];
  assert.equal(await count('all'), verdicts.hotspots.length);
  for (const k of VERDICTS)
    assert.equal(await count(k), verdicts.hotspots.filter((v) => v.verdict === k).length, `${k} count`);
  assert.equal(await page.locator('#wifi-table tbody tr').count(), verdicts.hotspots.length);
  // Filtering by a verdict: its hotspots only, and the URL says so.
  await page.click('#wifi-counts [data-verdict=underused]');
  const underused = verdicts.hotspots.filter((v) => v.verdict === 'underused');
  assert.deepEqual(
    await page.locator('#wifi-table tbody tr').evaluateAll((t) => t.map((x) => x.dataset.id)),
    underused.map((v) => v.id),
  );
  assert.match(page.url(), /verdict=underused/);
  // Every row's reason is the API's sentence (English is the server's own words).
  const reasons = await page.locator('#wifi-table tbody tr .reason').allInnerTexts();
  assert.deepEqual(
    reasons,
    underused.map((v) => v.reason),
  );
  // A faulty hotspot, selected by a link: its reason and verdict in the details.
  const faulty = verdicts.hotspots.find((v) => v.verdict === 'faulty');
  await page.evaluate((id) => (location.hash = `#/wifi?verdict=faulty&hotspot=${id}`), faulty.id);
  await page.waitForSelector(`#wifi-reason[data-verdict=faulty]`);
  assert.equal(await page.locator('#wifi-reason').innerText(), faulty.reason);
  assert.equal(
    await page.locator('#wifi-table tbody tr.sel').getAttribute('data-id'),
    faulty.id,
    'the selected row is marked',
  );
  assert.equal(
    await page.locator('#wifi-table tbody tr').count(),
    verdicts.hotspots.filter((v) => v.verdict === 'faulty').length,
  );
  check(page);
  await page.context().close();
});

test('a hotspot’s daily use: the chart draws the API’s days', async () => {
  const verdicts = await api('engineer', '/api/v1/wifi/verdicts');
  const hs = verdicts.hotspots.find((v) => v.verdict === 'underused');
  const page = await open('engineer', '#/wifi');
  await page.waitForSelector('#wifi-table tbody tr');
  const [r] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/wifi/usage'),
    page.click(`#wifi-table tbody tr[data-id="${hs.id}"]`),
  ]);
  const url = new URL(r.url());
  assert.equal(url.searchParams.get('hotspot'), hs.id);
  const usage = await api('engineer', `/api/v1/wifi/usage${url.search}`);
  assert.ok(usage.days.length >= verdicts.window_days, `${usage.days.length} days`);
  await page.waitForFunction(() => window.irisopsUsageChart);
  const data = await page.evaluate(() => window.irisopsUsageChart.data);
  const days = [...usage.days].sort((a, b) => a.date.localeCompare(b.date));
  assert.equal(data[0].length, days.length, 'one point per day');
  assert.deepEqual(
    data[1],
    days.map((d) => d.peak_clients),
  );
  assert.deepEqual(
    data[2],
    days.map((d) => d.client_hours),
  );
  // The thresholds drawn are the criteria for its access points.
  assert.equal(data[3][0], verdicts.criteria.peak_per_ap_min * hs.n_aps);
  assert.equal(data[4][0], verdicts.criteria.client_hours_per_ap_min * hs.n_aps);
  assert.equal(await page.locator('#wifi-reason').innerText(), hs.reason);
  assert.match(page.url(), new RegExp(`hotspot=${hs.id}`));
  await page.waitForTimeout(200);
  await shot(page, 'wifi');
  check(page);
  await page.context().close();
});

test('the relocation plan: its moves, total fibre, downloads and the map link are the API’s', async () => {
  const plan = await api('planner', '/api/v1/wifi/plan');
  assert.ok(plan.moves.length > 0, 'the demo plans moves');
  const page = await open('planner', '#/wifi');
  await page.waitForSelector('#wifi-plan-table tbody tr');
  assert.deepEqual(
    await page.locator('#wifi-plan-table tbody tr').evaluateAll((t) => t.map((x) => x.dataset.id)),
    plan.moves.map((m) => m.hotspot),
  );
  assert.equal(
    numbers(await page.locator('#wifi-plan-fibre').innerText())[0],
    Math.round(plan.fibre_m_total * 10) / 10,
  );
  assert.equal(numbers(await page.locator('#wifi-plan-weight').innerText())[0], plan.covered_weight);
  assert.deepEqual(numbers(await page.locator('#wifi-plan-summary').innerText()).slice(0, 3), [
    plan.movable,
    plan.candidates,
    plan.moves.length,
  ]);
  const crit = await page.locator('#wifi-plan-criteria [data-key=radius_m] b').innerText();
  assert.equal(numbers(crit)[0], plan.criteria.radius_m);
  // A move's row: its fibre, its target.
  const m = plan.moves[0];
  const first = page.locator('#wifi-plan-table tbody tr').first();
  assert.match(
    await first.innerText(),
    new RegExp(
      `${m.to_target}[\\s\\S]*${m.fibre_m.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} m`,
    ),
  );
  // The downloads are the API's CSV and GeoJSON.
  for (const [label, format] of [
    ['CSV', 'csv'],
    ['GeoJSON', 'geojson'],
  ]) {
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#wifi-plan .card-head button', { hasText: label }).click(),
    ]);
    const got = readFileSync(await dl.path(), 'utf8');
    const r = await fetch(`${BASE}/api/v1/wifi/plan?format=${format}`, {
      headers: { Authorization: `Bearer ${TOKENS.planner}` },
    });
    assert.equal(got, await r.text(), `the ${format} download`);
  }
  // A move selects its hotspot; the map link shows the plan with it selected.
  await first.click();
  await page.waitForSelector(`#wifi-detail #wifi-move.move`);
  assert.match(await page.locator('#wifi-move').innerText(), new RegExp(m.to_target));
  const href = await page.locator('#wifi-plan-map').getAttribute('href');
  assert.equal(href, `#/map?layers=routes,hotspots,targets,plan&sel=hotspots:${m.hotspot}`);
  await page.locator('#wifi-plan').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(200);
  await shot(page, 'wifi-plan');
  await page.click('#wifi-plan-map');
  await page.waitForSelector('#map-legend .item');
  await page.waitForFunction((id) => document.querySelector('#feature')?.dataset.id === id, m.hotspot);
  for (const layer of ['routes', 'hotspots', 'targets', 'plan'])
    assert.ok(await page.locator(`#map-controls input[data-layer=${layer}]`).isChecked(), `${layer} on`);
  check(page);
  await page.context().close();
});

test('in French and Dutch the reasons are said from the API’s figures', async () => {
  const verdicts = await api('engineer', '/api/v1/wifi/verdicts');
  const c = verdicts.criteria;
  const page = await open('engineer', '#/wifi');
  await page.waitForSelector('#wifi-table tbody tr');
  await page.getByText('FR', { exact: true }).click();
  await page.waitForSelector('#wifi-table tbody tr');
  const fr = (x, d) => x.toLocaleString('fr-BE', { minimumFractionDigits: d, maximumFractionDigits: d });
  const reasonOf = (id) => page.locator(`#wifi-table tbody tr[data-id="${id}"] .reason`).innerText();
  const faulty = verdicts.hotspots.find((v) => v.verdict === 'faulty');
  assert.equal(
    await reasonOf(faulty.id),
    `disponibilité médiane ${fr(faulty.median_availability, 2)} < ${fr(c.min_availability, 2)} : à réparer avant de juger son usage`,
  );
  const under = verdicts.hotspots.find((v) => v.verdict === 'underused');
  assert.equal(
    await reasonOf(under.id),
    `pic quotidien p90 de ${fr(under.p90_peak_per_ap, 1)} par PA < ${fr(c.peak_per_ap_min, 0)} ; ` +
      `heures-clients médianes de ${fr(under.median_client_hours_per_ap, 1)} par PA < ${fr(c.client_hours_per_ap_min, 0)} ; ` +
      `disponibilité médiane ${fr(under.median_availability, 2)} ≥ ${fr(c.min_availability, 2)}`,
  );
  // Every verdict's sentence agrees with the verdict: the faulty ones speak of repair, the
  // underused ones of two "<", the ok ones of at least one "≥" on use.
  const rows = await page
    .locator('#wifi-table tbody tr')
    .evaluateAll((t) => t.map((x) => [x.dataset.id, x.querySelector('.reason').innerText]));
  const verdictOf = new Map(verdicts.hotspots.map((v) => [v.id, v.verdict]));
  for (const [id, text] of rows) {
    const v = verdictOf.get(id);
    const use = text.split(' ; ').slice(0, 2);
    if (v === 'faulty') assert.match(text, /à réparer/, id);
    if (v === 'underused')
      assert.ok(
        use.every((s) => s.includes(' < ')),
        `${id}: ${text}`,
      );
    if (v === 'ok')
      assert.ok(
        use.some((s) => s.includes(' ≥ ')),
        `${id}: ${text}`,
      );
  }
  await page.getByText('NL', { exact: true }).click();
  await page.waitForSelector('#wifi-table tbody tr');
  assert.match(await reasonOf(faulty.id), /^mediaan beschikbaarheid \d,\d\d < 0,90: eerst herstellen/);
  assert.equal(
    await page.locator('#wifi-counts [data-verdict=underused]').innerText(),
    `onderbenut ${verdicts.hotspots.filter((v) => v.verdict === 'underused').length}`,
  );
  const missing = await page.evaluate(async () => (await import('/web/i18n.js')).missing());
  assert.deepEqual(missing, []);
  await page.getByText('EN', { exact: true }).click();
  check(page);
  await page.context().close();
});
