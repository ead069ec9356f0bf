// The engineer view: the busiest circuits, the devices' health, a device's ports and a port's
// chart, the cabling drift and the optical levels, each compared with the API's answer (the
// one the page received, when the figure moves with every poll).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, open, check, close, shot, until, numbers } from './lib.mjs';

after(close);

const fmt1 = (x) => x.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/// The page's next answer from a path `want` accepts (a string: that prefix) while `action` runs.
async function answer(page, want, action) {
  const ok = typeof want === 'string' ? (p) => p.startsWith(want) : want;
  const [r] = await Promise.all([page.waitForResponse((r) => ok(new URL(r.url()).pathname)), action()]);
  return { url: new URL(r.url()), body: await r.json() };
}

const isSeries = (p) => p.endsWith('/series');

const measured = () =>
  until(async () => {
    const l = await api('engineer', '/api/v1/links?sort=p95&top=10');
    return l.links.length >= 3 && l.links[0].utilisation_now != null && l;
  }, 'measured circuits (the 5-minute rollups)');

test('the busiest circuits and the devices’ health are the API’s', async () => {
  await measured();
  const page = await open('engineer', '#/engineer?sort=p95&top=10');
  const { body: links } = await answer(page, '/api/v1/links', () => page.reload());
  await page.waitForSelector('#eng-links-table tbody tr');
  const ids = await page.locator('#eng-links-table tbody tr').evaluateAll((trs) => trs.map((t) => t.dataset.id));
  assert.deepEqual(
    ids,
    links.links.map((l) => l.allocation),
    'the rows are the API’s circuits, in its order',
  );
  assert.equal(ids.length, Math.min(10, links.n_measured));
  // The top circuit's utilisation shown (figure and bar) is the API's.
  const top = links.links[0];
  const cells = page.locator('#eng-links-table tbody tr').first().locator('.ubar');
  assert.equal(await cells.nth(1).locator('.ubar-val').innerText(), `${fmt1(top.utilisation_p95)} %`);
  assert.equal(await cells.nth(0).locator('.ubar-val').innerText(), `${fmt1(top.utilisation_now)} %`);
  const width = await cells
    .nth(1)
    .locator('i')
    .evaluate((i) => parseFloat(i.style.width));
  assert.ok(Math.abs(width - Math.min(100, top.utilisation_p95)) < 0.01, `bar ${width}% for ${top.utilisation_p95}`);
  assert.match(await page.locator('#kpi-busiest b').innerText(), new RegExp(`^${fmt1(top.utilisation_p95)} %$`));
  // Sorting by now: the URL says so, the rows follow the new answer.
  const { url, body: now } = await answer(page, '/api/v1/links', () => page.click('#eng-links-sort [data-sort=now]'));
  assert.equal(url.searchParams.get('sort'), 'now');
  assert.equal(url.searchParams.get('top'), '10');
  assert.match(page.url(), /sort=now/);
  assert.match(page.url(), /top=10/);
  await page.waitForFunction(
    (id) => document.querySelector('#eng-links-table tbody tr')?.dataset.id === id,
    now.links[0].allocation,
  );
  const first = page.locator('#eng-links-table tbody tr').first().locator('.ubar-val').first();
  assert.equal(await first.innerText(), `${fmt1(now.links[0].utilisation_now)} %`);

  // Devices: one row per device the API lists, failures first, the wifi
  // controller with its access points and clients rather than "0 ports".
  const devices = (await api('engineer', '/api/v1/devices')).devices;
  const rows = await page.locator('#eng-devices-table tbody tr').evaluateAll((trs) => trs.map((t) => t.dataset.id));
  assert.deepEqual([...rows].sort(), devices.map((d) => d.name).sort());
  assert.equal(numbers(await page.locator('#kpi-devices b').innerText())[0], devices.length);
  const failing = devices.filter((d) => d.status !== 'ok').map((d) => d.name);
  assert.deepEqual(
    await page.locator('#eng-devices-table tbody tr.bad').evaluateAll((t) => t.map((x) => x.dataset.id)),
    failing,
  );
  await shot(page, 'engineer');
  const wifi = await api('engineer', '/api/v1/wifi');
  const ctrl = wifi.controllers[0];
  const ctrlRow = page.locator(`#eng-devices-table tbody tr[data-id="${ctrl.device}"]`);
  assert.match(await ctrlRow.innerText(), new RegExp(`${ctrl.aps_total} APs \\(\\d+ up\\) · [\\d,]+ clients`));
  await ctrlRow.click();
  await page.waitForSelector('#eng-aps-table tbody tr');
  assert.equal(await page.locator('#eng-aps-table tbody tr').count(), ctrl.aps.length);
  assert.equal(
    await page.locator('#eng-aps-table tbody tr.bad').count(),
    ctrl.aps.filter((a) => a.status !== 'up').length,
    'the access points down are highlighted',
  );
  check(page);
  await page.context().close();
});

test('a failed device is shown first, in red, with the API’s status and error', async () => {
  // The demo's last generated device never answers (a simulated `dead` fault).
  const failedNow = async () =>
    (await api('engineer', '/api/v1/devices')).devices.filter((d) => d.status !== 'ok' && d.status);
  const failed = await until(async () => {
    const f = await failedNow();
    return f.length ? f : null;
  }, 'the demo’s dead device to be reported');
  const page = await open('engineer', '#/engineer');
  await page.waitForSelector('#eng-devices-table tbody tr.bad');
  const bad = await page.locator('#eng-devices-table tbody tr.bad').evaluateAll((t) => t.map((x) => x.dataset.id));
  assert.deepEqual(bad.sort(), failed.map((d) => d.name).sort());
  const first = page.locator('#eng-devices-table tbody tr').first();
  const firstId = await first.getAttribute('data-id');
  const victim = failed.find((d) => d.name === firstId);
  assert.ok(victim, 'a failed device comes first');
  assert.equal(await first.locator('.badge').innerText(), victim.status);
  if (victim.error) assert.ok((await first.innerText()).includes(victim.error), victim.error);
  assert.match(await page.locator('#kpi-devices').innerText(), new RegExp(`${failed.length} failing`));
  check(page);
  await page.context().close();
});

test('a device’s ports, then a port’s chart: the series’ points, the ranges and a zoom', async () => {
  const links = await measured();
  const { device, port } = links.links[0];
  const page = await open('engineer', '#/engineer');
  await page.waitForSelector('#eng-devices-table tbody tr');
  await page.click(`#eng-devices-table tbody tr[data-id="${device}"]`);
  await page.waitForSelector('#eng-ports-table tbody tr');
  const ports = (await api('engineer', `/api/v1/devices/${encodeURIComponent(device)}/ports`)).ports;
  assert.deepEqual(
    (await page.locator('#eng-ports-table tbody tr').evaluateAll((t) => t.map((x) => x.dataset.id))).sort(),
    ports.map((p) => p.key).sort(),
  );
  assert.match(page.url(), new RegExp(`dev=${device}`));
  // A port: its chart draws one point per point of the series the page received.
  const drawn = () => page.evaluate(() => window.irisopsPortChart.data[0].length - window.irisopsPortChart.irisopsGaps);
  const { url, body: series } = await answer(page, isSeries, () =>
    page.click(`#eng-ports-table tbody tr[data-id="${port}"]`),
  );
  assert.equal(url.pathname, `/api/v1/ports/${encodeURIComponent(device)}/${encodeURIComponent(port)}/series`);
  await page.waitForFunction(() => window.irisopsPortChart);
  assert.ok(series.points.length > 0, 'the port is measured');
  assert.equal(await drawn(), series.points.length);
  const inAvg = await page.evaluate(() => window.irisopsPortChart.data[1].filter((v) => v != null));
  assert.deepEqual(
    inAvg,
    series.points.map((p) => p.in_bps_avg).filter((v) => v != null),
  );
  assert.equal(+series.to - +series.from, 24 * 3600e3, 'the default range is 24 h');
  assert.match(decodeURIComponent(page.url()), new RegExp(`port=${port}`));
  // 6 hours.
  const six = await answer(page, isSeries, () => page.click('#eng-ranges [data-range="6h"]'));
  assert.equal(+six.body.to - +six.body.from, 6 * 3600e3);
  await page.waitForFunction((n) => window.irisopsPortChart?.data[0].length >= n, six.body.points.length);
  assert.equal(await drawn(), six.body.points.length);
  assert.match(page.url(), /range=6h/);
  // Drag across the right fifth of the plot: the range becomes those times, fetched again.
  const over = await page.locator('#eng-chart-plot .u-over').boundingBox();
  const y = over.y + over.height / 2;
  const zoomed = await answer(page, isSeries, async () => {
    await page.mouse.move(over.x + over.width * 0.8, y);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.9, y, { steps: 4 });
    await page.mouse.move(over.x + over.width * 0.995, y, { steps: 4 });
    await page.mouse.up();
  });
  const span = +zoomed.body.to - +zoomed.body.from;
  assert.ok(span > 0.15 * 6 * 3600e3 && span < 0.25 * 6 * 3600e3, `zoomed to ${span} ms`);
  await page.waitForSelector('#eng-zoom-reset');
  const range = new URLSearchParams(page.url().split('?')[1]).get('range');
  assert.equal(range, `${zoomed.body.from}-${zoomed.body.to}`);
  await page.waitForFunction(
    (n) => window.irisopsPortChart?.data[0].length - window.irisopsPortChart.irisopsGaps === n,
    zoomed.body.points.length,
  );
  // The URL shows the same chart again.
  const again = await answer(page, isSeries, () => page.reload());
  assert.equal(again.url.searchParams.get('from'), String(zoomed.body.from));
  await page.waitForFunction(() => window.irisopsPortChart);
  await page.click('#eng-ranges [data-range="6h"]');
  await page.waitForFunction(() => !document.querySelector('#eng-zoom-reset'));
  // The screenshot: the stretch the demo has measured, as a link to it would show it.
  const start = six.body.points[0].time_ms - 60e3;
  await page.evaluate(
    (r) => (location.hash = location.hash.replace(/range=[^&]*/, `range=${r}`)),
    `${start}-${Date.now()}`,
  );
  await page.waitForSelector('#eng-zoom-reset');
  await page.waitForFunction(() => window.irisopsPortChart);
  await page.locator('#eng-chart').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(200);
  await shot(page, 'engineer-port');
  check(page);
  await page.context().close();
});

test('the cabling drift and the optical levels are the API’s', async () => {
  await until(async () => {
    const d = await api('engineer', '/api/v1/topology/drift');
    return d.n_lldp_devices > 0 && d.wrong_port.length > 0;
  }, 'the LLDP tables (polled every 30 s)');
  const page = await open('engineer', '#/engineer');
  const [drift, optics] = await Promise.all([
    answer(page, '/api/v1/topology/drift', () => page.reload()).then((a) => a.body),
    page.waitForResponse((r) => r.url().includes('/api/v1/optics')).then((r) => r.json()),
  ]);
  await page.waitForSelector('#eng-drift-summary');
  const summary = numbers(await page.locator('#eng-drift-summary').innerText());
  assert.deepEqual(summary.slice(0, 2), [drift.confirmed.length, drift.n_circuits]);
  const heading = async (id) => numbers(await page.locator(`#${id} h3`).innerText()).at(-1);
  assert.equal(await heading('eng-drift-wrong'), drift.wrong_port.length);
  assert.equal(await heading('eng-drift-missing'), drift.no_live_neighbour.length);
  assert.equal(await heading('eng-drift-loss'), drift.loss_excess.length);
  assert.equal(await heading('eng-drift-unknown'), drift.unknown_neighbours.length);
  assert.equal(await heading('eng-drift-unobserved'), drift.not_observed.length);
  const ids = (sel) => page.locator(`${sel} tbody tr`).evaluateAll((t) => t.map((x) => x.dataset.id));
  assert.deepEqual(
    await ids('#eng-drift-wrong'),
    drift.wrong_port.map((w) => w.circuit),
  );
  assert.deepEqual((await ids('#eng-drift-missing')).sort(), drift.no_live_neighbour.map((w) => w.circuit).sort());
  assert.deepEqual(
    await ids('#eng-drift-loss'),
    [...drift.loss_excess].sort((a, b) => b.excess_db - a.excess_db).map((x) => x.circuit),
    'the worst excess loss first',
  );
  // Optics: one row per port and lane; the ends of an excess loss in red.
  const keys = new Set(optics.optics.map((o) => `${o.device} ${o.port}${o.lane != null ? ` ${o.lane}` : ''}`));
  assert.equal(await page.locator('#eng-optics-table tbody tr').count(), keys.size);
  const lossy = new Set(
    drift.loss_excess.flatMap((x) => [`${x.from.device} ${x.from.port}`, `${x.to.device} ${x.to.port}`]),
  );
  const red = await page.locator('#eng-optics-table tbody tr.bad').evaluateAll((t) => t.map((x) => x.dataset.id));
  assert.deepEqual(red.sort(), [...keys].filter((k) => lossy.has(k)).sort());
  // The weakest received level first.
  const rx = optics.optics.filter((o) => o.direction === 'rx').map((o) => o.dbm);
  const firstRx = numbers(await page.locator('#eng-optics-table tbody tr').first().locator('td').nth(4).innerText())[0];
  assert.equal(firstRx, Math.min(...rx));
  // A drift end opens that port's chart; a documented port the device does not report says so
  // (and asks the API nothing more).
  const w = drift.wrong_port[0];
  const row = page.locator('#eng-drift-wrong tbody tr').first();
  await row.locator('a.port-link').nth(1).click();
  await page.waitForSelector(`#eng-chart[data-port="${w.live.port}"] canvas`);
  assert.match(decodeURIComponent(page.url()), new RegExp(`dev=${w.live.device}&port=${w.live.port}`));
  const ports = (await api('engineer', `/api/v1/devices/${w.documented.device}/ports`)).ports.map((p) => p.key);
  if (!ports.includes(w.documented.port)) {
    await row.locator('a.port-link').first().click();
    await page.waitForSelector(`#eng-chart[data-port="${w.documented.port}"][data-missing]`);
    assert.match(await page.locator('#eng-chart').innerText(), new RegExp(`reports no port ${w.documented.port}`));
  }
  check(page);
  await page.context().close();
});
