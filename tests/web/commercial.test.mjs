// The commercial view (spare capacity by owner and route, downloads, quotes by name and by
// clicks on the map) and the operators' capacity offer (the published offer only: nothing
// internal shown, no route but the offer's called).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, TOKENS, api, open, check, close, shot } from './lib.mjs';

after(close);

const fmt = (x, digits = 0) =>
  x.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const money = (x, currency, locale = 'en-GB') =>
  new Intl.NumberFormat(locale, { style: 'currency', currency }).format(x);

/// The answer of a quote as `role` (null on a 404: no path).
async function quote(role, q) {
  const r = await fetch(`${BASE}/api/v1/quote?${new URLSearchParams(q)}`, {
    headers: { Authorization: `Bearer ${TOKENS[role]}` },
  });
  if (r.status === 404) return null;
  assert.ok(r.ok, `quote ${JSON.stringify(q)}: ${r.status}`);
  return r.json();
}

/// Sites whose name no other site has (a quote by name needs one).
async function uniquelyNamed(role) {
  const sites = (await api(role, '/api/v1/cadastre/layers/sites')).features.map((f) => f.properties);
  const count = new Map();
  for (const s of sites) count.set(s.name, (count.get(s.name) || 0) + 1);
  return sites.filter((s) => s.name && count.get(s.name) === 1);
}

/// The page point of a site, the map centred on it at zoom 17.
async function sitePoint(page, [lon, lat]) {
  await page.waitForFunction(() => window.irisopsSpareMap);
  const pt = await page.evaluate(
    ([lon, lat]) => {
      const map = window.irisopsSpareMap;
      map.setView([lat, lon], 17, { animate: false });
      const p = map.latLngToContainerPoint([lat, lon]);
      const r = map.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    [lon, lat],
  );
  await page.waitForTimeout(300);
  return pt;
}

test('commercial: the spare tables’ totals and rows are the API’s, and the downloads its files', async () => {
  const page = await open('commercial', '#/commercial');
  await page.waitForSelector('#spare-total');
  const spare = await api('commercial', '/api/v1/spare?by=owner');
  const cell = (key) => page.locator(`#spare-total [data-key="${key}"]`).innerText();
  const total = spare.total;
  assert.equal(await cell('routes'), fmt(total.routes));
  assert.equal(await cell('km'), fmt(total.km, 1));
  assert.equal(await cell('fibre_count'), fmt(total.fibre_count));
  assert.equal(await cell('allocated_strands'), fmt(total.allocated_strands));
  assert.equal(await cell('dark_strands'), fmt(total.dark_strands));
  assert.equal(await cell('dark_strand_km'), fmt(total.dark_strand_km));
  assert.equal(await cell('free_ducts'), fmt(total.free_ducts));
  assert.equal(await cell('free_duct_km'), fmt(total.free_duct_km, 1));
  assert.equal(await page.locator('#spare-kpis [data-key="dark_strands"] b').innerText(), fmt(total.dark_strands));
  // One row per owner, each with its dark strands.
  const rows = await page
    .locator('#spare-owners tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [tr.dataset.id, tr.children[5].innerText]));
  assert.deepEqual(
    rows.sort(),
    Object.entries(spare.by_owner)
      .map(([o, v]) => [o, fmt(v.dark_strands)])
      .sort(),
  );
  await shot(page, 'commercial');

  // The downloads are the API's files (fetched with the token).
  const fetched = async (id) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
  };
  const csv = await fetched('#spare-csv');
  assert.equal(csv.name, 'spare-by-owner.csv');
  const apiCsv = await api('commercial', '/api/v1/spare?by=owner&format=csv');
  const lines = (s) => s.trim().split('\n');
  assert.equal(lines(csv.bytes.toString())[0], lines(apiCsv)[0]);
  assert.deepEqual(
    lines(csv.bytes.toString()).map((l) => l.split(',')[0]),
    lines(apiCsv).map((l) => l.split(',')[0]),
  );
  const xlsx = await fetched('#spare-xlsx');
  assert.equal(xlsx.name, 'spare-by-owner.xlsx');
  assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK', 'a zip (xlsx) file');
  const geojson = await fetched('#spare-geojson');
  const routesGeo = await api('commercial', '/api/v1/spare?by=route&format=geojson');
  assert.equal(JSON.parse(geojson.bytes.toString()).features.length, routesGeo.features.length);

  // By route: every route, filterable; a row click shows the route's figures under the map.
  await page.click('#spare-by-route');
  assert.match(page.url(), /by=route/);
  assert.equal(await page.locator('#spare-routes tbody tr').count(), routesGeo.features.length);
  const owner = routesGeo.features[0].properties.owner;
  await page.fill('#spare-filter', owner);
  const ofOwner = routesGeo.features.filter((f) => f.properties.owner.includes(owner)).length;
  assert.equal(await page.locator('#spare-routes tbody tr').count(), ofOwner);
  const r = routesGeo.features[0].properties;
  await page.click(`#spare-routes tr[data-id="${r.id}"]`);
  assert.equal(await page.locator('#spare-route').getAttribute('data-id'), r.id);
  assert.match(await page.locator('#spare-route').innerText(), new RegExp(`${fmt(r.dark_strands)} dark strands`));
  check(page);
  await page.context().close();
});

test('commercial: a quote between two sites named = the API’s prices, paths and split; a link reproduces it', async () => {
  const named = await uniquelyNamed('commercial');
  const from = named.find((s) => s.kind === 'pop');
  let to, answer;
  for (const s of named.filter((x) => x.kind === 'hospital')) {
    answer = await quote('commercial', { from: from.id, to: s.id, pairs: 2, k: 2 });
    if (answer?.paths.length === 2) {
      to = s;
      break;
    }
  }
  assert.ok(to, 'a hospital with two diverse paths from a PoP');
  const page = await open('commercial', '#/commercial');
  await page.waitForSelector('#quote-from');
  await page.fill('#quote-from', from.name);
  await page.fill('#quote-to', to.name);
  await page.fill('#quote-pairs', '2');
  await page.click('#quote-run');
  await page.waitForSelector('#quote-monthly');
  assert.equal(await page.locator('#quote-monthly').innerText(), money(answer.monthly, answer.currency));
  assert.equal(await page.locator('#quote-annual').innerText(), money(answer.annual, answer.currency));
  const km = await page
    .locator('#quote-paths tbody tr')
    .evaluateAll((trs) => trs.map((tr) => tr.children[1].innerText));
  assert.deepEqual(
    km,
    answer.paths.map((p) => `${fmt(p.length_km, 2)} km`),
  );
  // Km per owner, and the owners' split with the network operator's share.
  for (const [o, k] of Object.entries(answer.paths[0].owners))
    assert.equal(await page.locator(`#quote-owners tr[data-id="${o}"] td:nth-child(2)`).innerText(), `${fmt(k, 2)} km`);
  const kept = answer.quotes.reduce((s, q) => s + q.operator_kept, 0);
  assert.equal(
    await page.locator('#quote-split tr[data-id="operator"] td:nth-child(2)').innerText(),
    money(kept, answer.currency),
  );
  const owners = new Set(answer.quotes.flatMap((q) => Object.keys(q.owners)));
  assert.equal(await page.locator('#quote-split tbody tr').count(), owners.size + 1);
  const url = new URL(page.url());
  const q = new URLSearchParams(url.hash.split('?')[1]);
  assert.deepEqual([q.get('from'), q.get('to'), q.get('pairs')], [from.id, to.id, '2']);
  await shot(page, 'commercial-quote');

  // The link, opened afresh, gives the same quote; in French, the price in the Belgian format.
  const again = await open('commercial', url.hash);
  await again.waitForSelector('#quote-monthly');
  assert.equal(await again.locator('#quote-monthly').innerText(), money(answer.monthly, answer.currency));
  await again.getByText('FR', { exact: true }).click();
  await again.waitForSelector('#quote-monthly');
  assert.equal(
    (await again.locator('#quote-monthly').innerText()).replace(/\s/g, ' '),
    money(answer.monthly, answer.currency, 'fr-BE').replace(/\s/g, ' '),
  );
  check(again);
  await again.context().close();

  // No path with that many pairs: the API's 404 message is shown.
  await page.fill('#quote-pairs', '5000');
  await page.click('#quote-run');
  await page.waitForSelector('#quote-error:not([hidden])');
  const r = await fetch(`${BASE}/api/v1/quote?from=${from.id}&to=${to.id}&pairs=5000&k=2`, {
    headers: { Authorization: `Bearer ${TOKENS.commercial}` },
  });
  assert.equal(r.status, 404);
  assert.equal(await page.locator('#quote-error').innerText(), (await r.json()).error);
  assert.equal(await page.locator('#quote-monthly').count(), 0);
  // The browser logs the 404 it was answered; nothing else.
  page.problems = page.problems.filter((p) => !/status of 404/.test(p));
  check(page);
  await page.context().close();
});

test('commercial: a quote by clicking two sites on the map', async () => {
  const sites = (await api('commercial', '/api/v1/cadastre/layers/sites')).features;
  // Two PoPs with no other site within 40 m (a click at zoom 17 finds them alone).
  const far = (a) =>
    sites.every((b) => {
      if (b === a) return true;
      const [x1, y1] = a.geometry.coordinates,
        [x2, y2] = b.geometry.coordinates;
      return Math.hypot((x1 - x2) * 70000, (y1 - y2) * 111000) > 40;
    });
  const pops = sites.filter((f) => f.properties.kind === 'pop' && far(f));
  assert.ok(pops.length >= 2, 'two lone PoPs');
  const [a, b] = [pops[0], pops[pops.length - 1]];
  const answer = await quote('commercial', { from: a.id, to: b.id, pairs: 1, k: 2 });
  assert.ok(answer, `a path ${a.id} → ${b.id}`);
  const page = await open('commercial', '#/commercial');
  await page.waitForSelector('#spare-map');
  assert.match(await page.locator('#quote-next').innerText(), /From/);
  let pt = await sitePoint(page, a.geometry.coordinates);
  await page.mouse.click(pt.x, pt.y);
  await page.waitForFunction((id) => document.querySelector('#quote-from').value.endsWith(`(${id})`), a.id);
  assert.match(await page.locator('#quote-next').innerText(), /To/);
  pt = await sitePoint(page, b.geometry.coordinates);
  await page.mouse.click(pt.x, pt.y);
  await page.waitForFunction((id) => document.querySelector('#quote-result').dataset.to === id, b.id);
  assert.equal(await page.locator('#quote-result').getAttribute('data-from'), a.id);
  assert.equal(await page.locator('#quote-monthly').innerText(), money(answer.monthly, answer.currency));
  assert.equal(await page.locator('#quote-paths tbody tr').count(), answer.paths.length);
  check(page);
  await page.context().close();
});

test('operator: the offer is the API’s operator answer, shows nothing internal and calls nothing else', async () => {
  const page = await open('operator', '#/offer');
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.waitForSelector('#spare-routes tbody tr');
  const spare = await api('operator', '/api/v1/spare?by=owner');
  const geo = await api('operator', '/api/v1/spare?by=route&format=geojson');
  assert.equal(await page.locator('#spare-kpis [data-key="routes"] b').innerText(), fmt(spare.total.routes));
  assert.equal(
    await page.locator('#spare-kpis [data-key="dark_strands"] b').innerText(),
    fmt(spare.total.dark_strands),
  );
  assert.equal(await page.locator('#spare-routes tbody tr').count(), geo.features.length);
  assert.equal(geo.features.length, spare.total.routes);
  assert.equal(
    await page.locator('#spare-routes-total [data-key="dark_strands"]').innerText(),
    fmt(spare.total.dark_strands),
  );
  // No internal column: strands, allocated, lit headroom.
  const heads = await page.locator('#spare-routes thead th').allInnerTexts();
  assert.deepEqual(heads, ['Route', 'Owner', 'Length', 'Dark strands', 'Free ducts']);

  // The offer's sites (every route's ends) are on the map and in the quote's list from the start.
  const ends = new Set(geo.features.flatMap((f) => [f.properties.from_site, f.properties.to_site]));
  assert.ok(ends.size > 2 && !ends.has(undefined), 'the operator’s routes name their ends');
  const onMap = await page.evaluate(() => {
    const ids = new Set();
    window.irisopsSpareMap.eachLayer((l) => l.siteId && ids.add(l.siteId));
    return [...ids].sort();
  });
  assert.deepEqual(onMap, [...ends].sort());
  assert.equal(await page.locator('#quote-sites option').count(), ends.size);

  // A quote, as the operator: the same prices, no owners' split, no operator share.
  const [from, to] = ['pop-01', 'pop-09'];
  const answer = await quote('operator', { from, to, pairs: 1, k: 2 });
  assert.ok(answer && !('operator_kept' in answer.quotes[0]), 'the operator form of the answer');
  await page.fill('#quote-from', from);
  await page.fill('#quote-to', to);
  await page.click('#quote-run');
  await page.waitForSelector('#quote-monthly');
  assert.equal(await page.locator('#quote-monthly').innerText(), money(answer.monthly, answer.currency));
  assert.deepEqual(
    await page.locator('#quote-paths tbody tr').evaluateAll((trs) => trs.map((tr) => tr.children[1].innerText)),
    answer.paths.map((p) => `${fmt(p.length_km, 2)} km`),
  );
  assert.equal(await page.locator('#quote-split, #quote-split-box').count(), 0);
  // A site of the map (one the quote passed through) picks a quote's end when clicked.
  await page.click('#quote-clear');
  const site = answer.paths[0].sites[1];
  const pt = await page.evaluate((id) => {
    const map = window.irisopsSpareMap;
    let ll;
    map.eachLayer((l) => {
      if (l.siteId === id) ll = l.getLatLng();
    });
    map.setView(ll, 17, { animate: false });
    const p = map.latLngToContainerPoint(ll);
    const r = map.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, site);
  await page.waitForTimeout(300);
  await page.mouse.click(pt.x, pt.y);
  assert.equal(await page.inputValue('#quote-from'), site);
  const fromSite = await quote('operator', { from: site, to, pairs: 1, k: 2 });
  await page.fill('#quote-to', to);
  await page.click('#quote-run');
  await page.waitForSelector('#quote-monthly');
  assert.equal(await page.locator('#quote-monthly').innerText(), money(fromSite.monthly, fromSite.currency));
  await shot(page, 'offer');

  // Nothing internal in the page: no party, allocation, device, port or address of the
  // admin's answers. (The backbone routers are named after their PoPs, whose site ids a quote
  // names: those are the offer's own words.)
  const allocations = (await api('admin', '/api/v1/cadastre/layers/allocations')).features.map((f) => f.properties);
  const sites = (await api('admin', '/api/v1/cadastre/layers/sites')).features.map((f) => f.properties);
  const siteIds = new Set(sites.map((s) => s.id));
  const devices = (await api('admin', '/api/v1/devices')).devices.map((d) => d.name);
  const secret = new Set([
    ...allocations.map((a) => a.party),
    ...allocations.map((a) => a.id),
    ...allocations.flatMap((a) => [a.a_end?.port, a.b_end?.port]),
    ...devices.filter((d) => !siteIds.has(d)),
    ...sites.map((s) => s.address),
  ]);
  secret.delete(undefined);
  secret.delete(null);
  const text = await page.evaluate(() => document.body.innerText);
  const html = await page.content();
  for (const s of secret) {
    assert.ok(!text.includes(s), `the page shows "${s}"`);
    assert.ok(!html.includes(s), `the page's HTML holds "${s}"`);
  }
  assert.ok(!/revenue|network operator/i.test(text), 'no revenue split');

  // Only the offer's routes were called (the page's resources since it loaded, then the
  // requests seen after).
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  const allowed = /^\/(?:web\/|api\/v1\/(?:me|web\/[^/]+|spare|quote)(?:\?|$))/;
  for (const u of [...loaded, ...requests]) {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'blob:') continue;
    assert.ok(allowed.test(url.pathname + url.search), `the offer requested ${url.pathname}`);
  }
  assert.ok(loaded.some((u) => u.includes('/api/v1/spare')) && requests.some((u) => u.includes('/api/v1/quote')));
  check(page);
  await page.context().close();
});
