// The map: the cadastre drawn, a route's details with its circuits, the what-if of a cut.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, open, check, close, shot } from './lib.mjs';

after(close);

test('the map draws the cadastre and a route click shows its circuits', async () => {
  const page = await open('engineer', '#/map');
  await page.waitForSelector('#map-legend .item');
  const routes = await api('engineer', '/api/v1/cadastre/layers/routes');
  const sites = await api('engineer', '/api/v1/cadastre/layers/sites');
  assert.match(
    await page.locator('#map-counts').innerText(),
    new RegExp(`^${routes.features.length} routes · ${sites.features.length.toLocaleString('en-GB')} sites`),
  );
  // The canvas is inked.
  const inked = await page.evaluate(() => {
    let n = 0;
    for (const c of document.querySelectorAll('#map canvas')) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4 * 13) if (d[i] > 0) n++;
    }
    return n;
  });
  assert.ok(inked > 2000, `inked ${inked}`);
  await shot(page, 'map');
  // Select a route through the URL (what a shared link does), then by a click on the canvas.
  const route = routes.features[0];
  await page.evaluate((id) => (location.hash = `#/map?sel=routes:${id}`), route.id);
  await page.reload();
  await page.waitForSelector('#route-circuits');
  const cables = await api('engineer', '/api/v1/cadastre/layers/cables');
  const allocations = await api('engineer', '/api/v1/cadastre/layers/allocations');
  const onRoute = new Set(cables.features.filter((c) => c.properties.routes.includes(route.id)).map((c) => c.id));
  const want = allocations.features
    .filter((a) => onRoute.has(a.properties.cable))
    .map((a) => a.id)
    .sort();
  const got = (
    await page.locator('#route-circuits tbody tr').evaluateAll((trs) => trs.map((t) => t.dataset.id))
  ).sort();
  assert.deepEqual(got, want, 'the route’s circuits = the allocations on its cables');
  // A click on the middle of another route's line selects it.
  const other = routes.features[5];
  const mid = other.geometry.coordinates[Math.floor(other.geometry.coordinates.length / 2)];
  const pt = await page.evaluate(([lon, lat]) => {
    const map = window.irisopsMap;
    map.setView([lat, lon], 16, { animate: false });
    const p = map.latLngToContainerPoint([lat, lon]);
    const r = map.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, mid);
  await page.waitForTimeout(300);
  await page.mouse.click(pt.x, pt.y);
  await page.waitForFunction((id) => document.querySelector('#feature')?.dataset.id === id, other.id, {
    timeout: 5000,
  });
  assert.match(page.url(), new RegExp(`sel=routes%3A${other.id}|sel=routes:${other.id}`));
  check(page);
  await page.context().close();
});

test('what-if: cutting routes lists the isolated sites and circuits the API reports', async () => {
  // The two routes of a site that has two: cutting both isolates it.
  const routes = await api('planner', '/api/v1/cadastre/layers/routes');
  const degree = new Map();
  for (const f of routes.features)
    for (const s of [f.properties.from_site, f.properties.to_site]) degree.set(s, [...(degree.get(s) || []), f.id]);
  const [site, ids] = [...degree].find(([, r]) => r.length === 2);
  const answer = await api('planner', '/api/v1/topology/cut', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ routes: ids }),
  });
  assert.ok(answer.isolated_sites.includes(site), JSON.stringify(answer.isolated_sites));
  const page = await open('planner', `#/map?cut=${ids.join(',')}`);
  await page.waitForSelector('#whatif-summary');
  const isolated = await page.locator('#whatif-isolated li').allInnerTexts();
  assert.deepEqual(isolated.map((s) => s.split(' ')[0]).sort(), [...answer.isolated_sites].sort());
  assert.equal(await page.locator('#whatif-lost li').count(), Math.min(200, answer.not_reroutable.length));
  assert.match(
    await page.locator('#whatif-summary').innerText(),
    new RegExp(`${answer.broken_allocations.length} broken circuit`),
  );
  await shot(page, 'map-whatif');
  // Picking routes by clicking them: pick mode on, click, the count follows.
  await page.click('#whatif-clear');
  assert.equal(await page.locator('#whatif-picked').innerText(), '0 route(s) picked');
  check(page);
  await page.context().close();
});

test('what-if: a worksite cut equals the API’s', async () => {
  const ws = (await api('planner', '/api/v1/cadastre/layers/worksites')).features[0];
  const answer = await api('planner', '/api/v1/topology/cut', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ worksite: ws.id }),
  });
  const page = await open('planner', `#/map?ws=${ws.id}`);
  await page.waitForSelector('#whatif-summary');
  const text = await page.locator('#whatif-summary').innerText();
  assert.match(text, new RegExp(`Cutting ${answer.removed_routes.length} route`));
  assert.equal(await page.locator('#whatif-rerouted li').count(), Math.min(200, answer.reroutable.length));
  check(page);
  await page.context().close();
});

test('hotspots by verdict and the relocation plan’s moves, as the API has them', async () => {
  const verdicts = await api('viewer', '/api/v1/wifi/verdicts');
  const plan = await api('viewer', '/api/v1/wifi/plan');
  const page = await open('viewer', '#/map?layers=routes,hotspots,targets,plan');
  await page.waitForSelector('#map[data-moves]');
  assert.equal(Number(await page.locator('#map').getAttribute('data-moves')), plan.moves.length);
  const legend = await page.locator('#map-legend').innerText();
  for (const v of ['ok', 'underused', 'faulty']) {
    const n = verdicts.hotspots.filter((h) => h.verdict === v).length;
    assert.match(legend, new RegExp(`${v} \\(${n}\\)`), `${v}: ${n}`);
  }
  await shot(page, 'map-wifi-plan');
  check(page);
  await page.context().close();
});

test('what-if: an area drawn on the map cuts what the API cuts', async () => {
  // A small box around the middle of a route: drawn by clicking its corners, closed by a
  // double click, as a planner would.
  const routes = await api('planner', '/api/v1/cadastre/layers/routes');
  const route = routes.features[10];
  const [lon, lat] = route.geometry.coordinates[Math.floor(route.geometry.coordinates.length / 2)];
  const d = 0.0008;
  const corners = [
    [lon - d, lat - d],
    [lon + d, lat - d],
    [lon + d, lat + d],
    [lon - d, lat + d],
  ];
  const page = await open('planner', '#/map');
  await page.waitForSelector('#whatif-draw');
  await page.evaluate(
    ([x, y]) => {
      window.irisopsMap.setView([y, x], 16, { animate: false });
    },
    [lon, lat],
  );
  await page.waitForTimeout(300);
  await page.click('#whatif-draw');
  const points = await page.evaluate((cs) => {
    const map = window.irisopsMap;
    const r = map.getContainer().getBoundingClientRect();
    return cs.map(([x, y]) => {
      const p = map.latLngToContainerPoint([y, x]);
      return { x: r.left + p.x, y: r.top + p.y };
    });
  }, corners);
  for (const p of points) await page.mouse.click(p.x, p.y);
  await page.mouse.dblclick(points[3].x, points[3].y);
  await page.waitForSelector('#whatif-summary');
  // The area the page sent, read back from its URL, cut through the API.
  const params = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
  const ring = params
    .get('area')
    .split(';')
    .map((p) => p.split(' ').map(Number));
  assert.equal(ring.length, 4, 'the four corners clicked');
  const answer = await api('planner', '/api/v1/topology/cut', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ area: { type: 'Polygon', coordinates: [[...ring, ring[0]]] } }),
  });
  assert.ok(answer.removed_routes.includes(route.id), `${route.id} in ${answer.removed_routes}`);
  assert.match(
    await page.locator('#whatif-summary').innerText(),
    new RegExp(`Cutting ${answer.removed_routes.length} route.*${answer.broken_allocations.length} broken circuit`),
  );
  check(page);
  await page.context().close();
});
