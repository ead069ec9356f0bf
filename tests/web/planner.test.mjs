// The planner view: the layers' tables against the API's layers, an edit saved as the next
// version, an invalid value refused at its field, a stale edit shown as a conflict, the history's
// diff and undo, an import's problems, and the read-only view of the roles that may not write.
// Every edit is made on the last routes' `name` (a property the demo leaves empty and no other
// view reads) and undone before the test ends: the cadastre is left as the demo made it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TOKENS, api, open, check, close, shot } from './lib.mjs';

after(close);

/// The cadastre's current version.
const version = async () => (await api('planner', '/api/v1/cadastre/history?limit=1')).changes[0].version;

/// A route as the API has it now.
const route = async (id) => (await api('planner', '/api/v1/cadastre/layers/routes')).features.find((f) => f.id === id);

/// Writes a change set through the API (as the planner), based on the current version.
async function write(changes, reason) {
  const r = await fetch(`${BASE}/api/v1/cadastre/changes`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${TOKENS.planner}`,
      'Content-Type': 'application/json',
      'If-Match': `"${await version()}"`,
    },
    body: JSON.stringify({ reason, changes }),
  });
  assert.equal(r.status, 201, await r.clone().text());
  return (await r.json()).version;
}

/// Undoes change `v` through the API.
async function undo(v) {
  const r = await fetch(`${BASE}/api/v1/cadastre/undo/${v}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${TOKENS.planner}`,
      'Content-Type': 'application/json',
      'If-Match': `"${await version()}"`,
    },
    body: JSON.stringify({ reason: 'web test: restore' }),
  });
  assert.equal(r.status, 201, await r.clone().text());
}

/// A route with a new name (the rest as it is).
const renamed = (f, name) => ({ ...f, properties: { ...f.properties, name } });

/// The refusals a test provokes on purpose (the browser logs every 4xx answer to the console).
const expected = (page, ...statuses) => {
  const re = new RegExp(`status of (${statuses.join('|')})`);
  page.problems = page.problems.filter((p) => !re.test(p));
};

test('the tables list every feature of a layer, filtered as the API filters', async () => {
  const routes = (await api('viewer', '/api/v1/cadastre/layers/routes')).features;
  const page = await open('planner', '#/planner');
  await page.waitForSelector('#planner-count[data-total]');
  const count = async () => page.locator('#planner-count').evaluate((e) => [+e.dataset.shown, +e.dataset.total]);
  assert.deepEqual(await count(), [routes.length, routes.length]);
  assert.equal(await page.locator('#planner-count').innerText(), `${routes.length} features`);
  // Virtualised: a few dozen rows in the page, whatever the layer's size.
  const inDom = await page.locator('#planner-table tbody tr[data-id]').count();
  assert.ok(inDom > 10 && inDom < 120, `${inDom} rows drawn`);

  // An owner: the count the API's own filter gives.
  const owners = [...new Set(routes.map((f) => f.properties.owner))];
  const owner = owners.sort(
    (a, b) =>
      routes.filter((f) => f.properties.owner === b).length - routes.filter((f) => f.properties.owner === a).length,
  )[0];
  const filtered = (await api('viewer', `/api/v1/cadastre/layers/routes?owner=${owner}`)).features;
  await page.selectOption('#planner-owner', owner);
  await page.waitForFunction((n) => +document.querySelector('#planner-count').dataset.shown === n, filtered.length);
  assert.deepEqual(await count(), [filtered.length, routes.length]);
  assert.match(page.url(), new RegExp(`owner=${owner}`));
  const owned = await page.evaluate(() => {
    const col = [...document.querySelectorAll('#planner-table th')].findIndex((th) => th.dataset.key === 'owner');
    const rows = document.querySelectorAll('#planner-table tbody tr[data-id]');
    return [...new Set([...rows].map((tr) => tr.children[col].textContent))];
  });
  assert.deepEqual(owned, [owner]);

  // Sorted by free ducts, most first: the first row is the API's route with the most.
  await page.click('#planner-table th[data-key="ducts_free"]');
  await page.click('#planner-table th[data-key="ducts_free"]');
  const most = Math.max(...filtered.map((f) => f.properties.ducts_free));
  const first = filtered
    .filter((f) => f.properties.ducts_free === most)
    .map((f) => f.id)
    .sort()[0];
  assert.equal(await page.locator('#planner-table tbody tr[data-id]').first().getAttribute('data-id'), first);
  assert.match(page.url(), /sort=-ducts_free/);

  // Free text: the routes from or to one site (as the API's layer says), whatever the owner.
  const site = routes[0].properties.from_site;
  const withSite = routes.filter((f) =>
    [f.id, ...Object.values(f.properties)].some((v) => String(v).toLowerCase().includes(site)),
  );
  await page.selectOption('#planner-owner', '');
  await page.fill('#planner-q', site);
  await page.waitForFunction((n) => +document.querySelector('#planner-count').dataset.shown === n, withSite.length);
  // The link restores the same table.
  await page.reload();
  await page.waitForSelector('#planner-count[data-total]');
  assert.deepEqual(await count(), [withSite.length, routes.length]);
  assert.equal(await page.inputValue('#planner-q'), site);

  // Another layer: the allocations, every one, the last reachable by scrolling.
  await page.fill('#planner-q', '');
  await page.click('#planner-layers button[data-layer="allocations"]');
  const allocations = (await api('viewer', '/api/v1/cadastre/layers/allocations')).features;
  await page.waitForFunction(
    (n) => ['shown', 'total'].every((k) => +document.querySelector('#planner-count').dataset[k] === n),
    allocations.length,
  );
  assert.deepEqual(await count(), [allocations.length, allocations.length]);
  await page.locator('#planner-table').evaluate((e) => (e.scrollTop = e.scrollHeight));
  await page.waitForFunction(
    (id) => document.querySelector(`#planner-table tr[data-id="${id}"]`),
    allocations.at(-1).id,
  );
  assert.ok((await page.locator('#planner-table tbody tr[data-id]').count()) < 120);

  // A feature's panel: its properties as the API has them.
  const r = routes[2];
  await page.evaluate((id) => (location.hash = `#/planner?layer=routes&sel=${id}`), r.id);
  await page.waitForSelector(`#planner-form[data-id="${r.id}"]`);
  assert.equal(await page.inputValue('#pf-from_site'), r.properties.from_site);
  assert.equal(await page.inputValue('#pf-ducts_total'), String(r.properties.ducts_total));
  assert.equal(await page.inputValue('#pf-status'), r.properties.status);
  await page.waitForSelector('#planner-minimap canvas');
  await shot(page, 'planner');
  check(page);
  await page.context().close();
});

test('a planner’s edit is saved as the next version; invalid values are refused at their field', async () => {
  const id = (await api('planner', '/api/v1/cadastre/layers/routes')).features.at(-1).id;
  const before = await route(id);
  const v0 = await version();
  const page = await open('planner', `#/planner?layer=routes&sel=${id}`);
  await page.waitForSelector(`#planner-form[data-version="${v0}"]`);
  assert.equal(await page.isDisabled('#planner-save'), true, 'nothing to save yet');

  // More free ducts than ducts: the API's problem, at its field; nothing written.
  await page.fill('#pf-ducts_free', String(before.properties.ducts_total + 1));
  await page.fill('#planner-reason', 'web test: too many free ducts');
  await page.click('#planner-save');
  await page.waitForSelector('[data-field="ducts_free"] .field-error:not([hidden])');
  assert.match(
    await page.locator('[data-field="ducts_free"] .field-error').innerText(),
    new RegExp(`${before.properties.ducts_total + 1} free ducts of ${before.properties.ducts_total}`),
  );
  assert.equal(await page.getAttribute('#pf-ducts_free', 'aria-invalid'), 'true');
  assert.equal(await page.locator('#planner-refused').getAttribute('data-problems'), '1');
  await shot(page, 'planner-edit');
  // A negative number of ducts: refused at ducts_total.
  await page.fill('#pf-ducts_free', String(before.properties.ducts_free));
  await page.fill('#pf-ducts_total', '-3');
  await page.click('#planner-save');
  await page.waitForSelector('[data-field="ducts_total"] .field-error:not([hidden])');
  assert.match(await page.locator('[data-field="ducts_total"] .field-error').innerText(), /-3/);
  assert.equal(await page.locator('[data-field="ducts_free"] .field-error').isHidden(), true);
  assert.equal(await version(), v0, 'nothing written');
  assert.deepEqual(await route(id), before);
  expected(page, 422);

  // A valid edit: the next version, the API's layer has the new value.
  await page.click('#planner-reset');
  const name = `Tracé d’essai ${Date.now()}`;
  await page.fill('#pf-name', name);
  await page.fill('#planner-reason', 'web test: a name');
  await page.click('#planner-save');
  await page.waitForSelector('#planner-saved');
  const v1 = Number(await page.locator('#planner-saved').getAttribute('data-version'));
  assert.equal(v1, v0 + 1);
  assert.equal(await version(), v0 + 1);
  assert.equal((await route(id)).properties.name, name);
  assert.equal(await page.locator('#planner-version').getAttribute('data-version'), String(v1));
  await page.waitForSelector(`#planner-form[data-version="${v1}"]`);
  assert.equal(await page.inputValue('#pf-name'), name);
  const last = (await api('planner', '/api/v1/cadastre/history?limit=1')).changes[0];
  assert.equal(last.reason, 'web test: a name');
  assert.equal(last.author, (await api('planner', '/api/v1/me')).name);
  check(page);
  await page.context().close();
  await undo(v1);
  assert.deepEqual(await route(id), before, 'restored');
});

test('a stale edit shows the conflict and writes nothing; reloading shows the current data', async () => {
  const id = (await api('planner', '/api/v1/cadastre/layers/routes')).features.at(-1).id;
  const before = await route(id);
  const page = await open('planner', `#/planner?layer=routes&sel=${id}`);
  await page.waitForSelector('#planner-form[data-version]');
  const base = Number(await page.locator('#planner-form').getAttribute('data-version'));
  // Someone else renames the route behind the page's back.
  const theirs = await write(
    [{ op: 'change', layer: 'routes', feature: renamed(before, 'Renamed elsewhere') }],
    'web test: elsewhere',
  );
  assert.equal(theirs, base + 1);
  await page.fill('#pf-name', 'Mine');
  await page.fill('#planner-reason', 'web test: stale');
  await page.click('#planner-save');
  await page.waitForSelector('#planner-conflict');
  assert.match(await page.locator('#planner-conflict').innerText(), new RegExp(`version ${base}`));
  assert.match(await page.locator('#planner-conflict').innerText(), /Mine/);
  assert.equal(await version(), theirs, 'nothing written');
  assert.equal((await route(id)).properties.name, 'Renamed elsewhere');
  expected(page, 412);
  // Reload: the form shows the current data, the user's value offered back.
  await page.click('#planner-reload');
  await page.waitForSelector(`#planner-form[data-version="${theirs}"]`);
  assert.equal(await page.inputValue('#pf-name'), 'Renamed elsewhere');
  await page.click('#planner-reapply');
  assert.equal(await page.inputValue('#pf-name'), 'Mine');
  check(page);
  await page.context().close();
  await undo(theirs);
  assert.deepEqual(await route(id), before, 'restored');
});

test('the history lists the newest change first with its diff; undo restores the old value', async () => {
  const id = (await api('planner', '/api/v1/cadastre/layers/routes')).features.at(-1).id;
  const before = await route(id);
  const a = await write([{ op: 'change', layer: 'routes', feature: renamed(before, 'First name') }], 'web test: a');
  const b = await write([{ op: 'change', layer: 'routes', feature: renamed(before, 'Second name') }], 'web test: b');
  const page = await open('planner', '#/planner?tab=history');
  await page.waitForSelector('#planner-history-table tbody tr');
  const history = (await api('planner', '/api/v1/cadastre/history?limit=100')).changes;
  const rows = await page
    .locator('#planner-history-table tbody tr')
    .evaluateAll((trs) => trs.map((t) => +t.dataset.id));
  assert.deepEqual(
    rows,
    history.map((c) => c.version),
  );
  assert.equal(rows[0], b);
  assert.match(await page.locator('#planner-history-table tbody tr').first().innerText(), /web test: b/);
  // The diff of b: the name, before and after, side by side.
  await page.locator('#planner-history-table tbody tr').first().click();
  await page.waitForSelector(`.change[data-version="${b}"] .diff[data-id="${id}"]`);
  assert.match(page.url(), new RegExp(`v=${b}`));
  const cells = await page
    .locator(`.diff[data-id="${id}"] tr.changed`)
    .evaluateAll((trs) => trs.map((tr) => [tr.dataset.key, tr.children[1].innerText, tr.children[2].innerText]));
  assert.deepEqual(cells, [['name', 'First name', 'Second name']]);
  // Undoing a is refused while b, later, touched the same route: b is named.
  await page.goto(`${BASE}/#/planner?tab=history&v=${a}`);
  await page.waitForSelector(`.change[data-version="${a}"]`);
  await page.click('#planner-undo');
  await page.waitForSelector('#planner-undo-refused');
  assert.equal(await page.locator('#planner-undo-refused').getAttribute('data-status'), '409');
  assert.equal(await page.locator('#planner-undo-refused').getAttribute('data-blocker'), String(b));
  assert.equal(await version(), b, 'nothing written');
  expected(page, 409);
  // Undo b, then a: the route as it was.
  await page.click('#planner-undo-blocker');
  await page.waitForSelector(`.change[data-version="${b}"]`);
  await page.click('#planner-undo');
  await page.waitForSelector('#planner-undone');
  const ub = Number(await page.locator('#planner-undone').getAttribute('data-version'));
  assert.equal(ub, b + 1);
  assert.equal((await route(id)).properties.name, 'First name');
  await page.waitForSelector(`.change[data-version="${ub}"] .diff[data-id="${id}"] tr.changed`);
  await shot(page, 'planner-history');
  await page.goto(`${BASE}/#/planner?tab=history&v=${a}`);
  await page.waitForSelector(`.change[data-version="${a}"]`);
  await page.click('#planner-undo');
  await page.waitForSelector('#planner-undone');
  assert.deepEqual(await route(id), before, 'the old value back');
  assert.equal(
    Number(await page.locator('#planner-history-table tbody tr').first().getAttribute('data-id')),
    await version(),
  );
  check(page);
  await page.context().close();
});

test('an import’s problems are listed with their feature and field, and nothing is written', async () => {
  // An OFDS package with a span to an unknown node and a node of an unknown organisation.
  const pkg = {
    networks: [
      {
        id: 'n1',
        name: 'test',
        organisations: [{ id: 'cirb', name: 'CIRB', roles: ['physicalInfrastructureProvider'] }],
        nodes: [
          {
            id: 'a',
            name: 'A',
            location: { type: 'Point', coordinates: [4.35, 50.85] },
            status: 'operational',
            type: ['pop'],
            physicalInfrastructureProvider: { id: 'cirb' },
          },
          {
            id: 'b',
            name: 'B',
            location: { type: 'Point', coordinates: [4.36, 50.85] },
            status: 'operational',
            type: ['pop'],
            physicalInfrastructureProvider: { id: 'acme' },
          },
        ],
        spans: [
          {
            id: 's1',
            start: 'a',
            end: 'zz',
            route: {
              type: 'LineString',
              coordinates: [
                [4.35, 50.85],
                [4.36, 50.85],
              ],
            },
            physicalInfrastructureProvider: { id: 'cirb' },
            fibreCount: 12,
          },
        ],
      },
    ],
  };
  const v0 = await version();
  const answer = await fetch(`${BASE}/api/v1/cadastre/import?from=ofds&reason=web%20test`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKENS.planner}`, 'Content-Type': 'application/json', 'If-Match': `"${v0}"` },
    body: JSON.stringify(pkg),
  });
  assert.equal(answer.status, 422);
  const { problems } = await answer.json();
  const page = await open('planner', '#/planner?tab=import');
  await page.waitForSelector('#planner-import-file');
  await page.setInputFiles('#planner-import-file', {
    name: 'network-package.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(pkg)),
  });
  assert.equal(await page.inputValue('#planner-import-from'), 'ofds');
  await page.fill('#planner-import-reason', 'web test: import');
  await page.click('#planner-import-run');
  await page.waitForSelector('#planner-import-refused');
  assert.equal(await page.locator('#planner-import-refused').getAttribute('data-problems'), String(problems.length));
  const shown = await page
    .locator('#planner-import-problems tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(2, 6).map((td) => td.innerText)));
  assert.deepEqual(
    shown,
    problems.map((p) => [String(p.index ?? '–'), p.id ?? '–', p.field ?? '–', p.message]),
  );
  assert.equal(await version(), v0, 'nothing written');
  expected(page, 422);
  check(page);
  await page.context().close();
});

test('roles without cadastre:write see the tables and history read-only', async () => {
  const id = (await api('viewer', '/api/v1/cadastre/layers/routes')).features[1].id;
  for (const role of ['viewer', 'engineer', 'commercial']) {
    const me = await api(role, '/api/v1/me');
    assert.equal(me.permissions['cadastre:write'], undefined);
    const page = await open(role, `#/planner?layer=routes&sel=${id}`);
    await page.waitForSelector(`#planner-form[data-id="${id}"]`);
    assert.equal(await page.locator('#planner-readonly').count(), 1);
    assert.equal(await page.locator('#planner-save, #planner-delete, #planner-reason').count(), 0);
    assert.equal(await page.getAttribute('#pf-ducts_free', 'readonly'), '');
    await page.click('.tabs button[data-tab="history"]');
    await page.waitForSelector('#planner-history-table tbody tr');
    await page.locator('#planner-history-table tbody tr').first().click();
    await page.waitForSelector('.change[data-version]');
    assert.equal(await page.locator('#planner-undo').count(), 0);
    await page.click('.tabs button[data-tab="import"]');
    await page.waitForSelector('#planner-export button');
    assert.equal(await page.locator('#planner-import-file, #planner-import-run').count(), 0);
    check(page);
    await page.context().close();
  }
});
