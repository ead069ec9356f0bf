// The shell: logging in (the demo's URL fragment, a pasted token, a refused one), the views a
// role is offered, the language switch.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TOKENS, api, open, check, close, launch, shot } from './lib.mjs';

after(close);

test('the fragment logs in, is kept for the tab and leaves the address bar', async () => {
  const page = await open('admin');
  assert.ok(!page.url().includes('token='), page.url());
  assert.equal(await page.evaluate(() => sessionStorage.getItem('irisops.token')), TOKENS.admin);
  const me = await api('admin', '/api/v1/me');
  assert.match(await page.locator('#who').innerText(), new RegExp(me.name));
  const nav = await page.locator('#nav a').allInnerTexts();
  assert.deepEqual(nav, ['Map', 'Network', 'Cadastre & history', 'Capacity & quotes', 'Wifi']);
  check(page);
  await page.context().close();
});

test('a pasted token logs in; a wrong one is refused and shows no data', async () => {
  const b = await launch();
  const page = await (await b.newContext()).newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(`${BASE}/`);
  await page.waitForSelector('#token-input');
  await page.fill('#token-input', 'irisops_not_a_token');
  await page.click('#login');
  await page.waitForSelector('.login .error');
  assert.equal(await page.locator('#nav a').count(), 0);
  assert.equal(await page.locator('#map').count(), 0);
  await page.fill('#token-input', TOKENS.planner);
  await page.click('#login');
  await page.waitForSelector('#nav a');
  assert.deepEqual(await page.locator('#nav a').allInnerTexts(), [
    'Map',
    'Network',
    'Cadastre & history',
    'Capacity & quotes',
    'Wifi',
  ]);
  await shot(page, 'login-planner');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('an operator is offered the capacity offer only', async () => {
  const page = await open('operator');
  assert.deepEqual(await page.locator('#nav a').allInnerTexts(), ['Capacity offer']);
  // A link to an internal view falls back to the offer.
  await page.evaluate(() => (location.hash = '#/engineer'));
  await page.waitForLoadState('networkidle');
  assert.equal(await page.locator('#view-engineer').count(), 0);
  assert.equal(await page.locator('#view-offer').count(), 1);
  check(page);
  await page.context().close();
});

test('the language switch changes every string, and every language has every string', async () => {
  const page = await open('admin', '#/map');
  await page.waitForSelector('#map-legend .item');
  const missing = await page.evaluate(async () => (await import('/web/i18n.js')).missing());
  assert.deepEqual(missing, [], 'every key in fr and nl');
  const texts = async () =>
    page.evaluate(() =>
      [
        ...document.querySelectorAll(
          '#nav a, #logout, #map-controls legend, #map-controls label, #whatif h3, #whatif button',
        ),
      ].map((e) => e.innerText.trim()),
    );
  const en = await texts();
  await page.getByText('FR', { exact: true }).click();
  await page.waitForSelector('#map-legend .item');
  const fr = await texts();
  await shot(page, 'map-fr');
  await page.getByText('NL', { exact: true }).click();
  await page.waitForSelector('#map-legend .item');
  const nl = await texts();
  assert.equal(en.length, fr.length);
  for (let i = 0; i < en.length; i++) {
    // Every string changes, but for words the languages share (Wifi, Sites, …).
    if (['Wifi', 'Sites'].includes(en[i])) continue;
    assert.notEqual(fr[i], en[i], `"${en[i]}" translated to French`);
    assert.notEqual(nl[i], en[i], `"${en[i]}" translated to Dutch`);
  }
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
  // Numbers in the chosen locale: 393,8 km in nl-BE.
  assert.match(await page.locator('#map-counts').innerText(), /\d+,\d km/);
  check(page);
  await page.context().close();
});

test('no view shows "null", "undefined" or "NaN"', async () => {
  const page = await open('admin', '#/map');
  const views = await page.locator('#nav a').evaluateAll((as) => as.map((a) => a.dataset.view));
  for (const v of views) {
    await page.evaluate((view) => (location.hash = `#/${view}`), v);
    await page.waitForSelector(`#view-${v}`);
    await page.waitForLoadState('networkidle');
    const text = await page.locator('main').innerText();
    const bad = text.match(/[^]{0,60}\b(null|undefined|NaN)\b[^]{0,60}/);
    assert.equal(bad, null, `${v}: ${bad?.[0]}`);
  }
  check(page);
  await page.context().close();
});
