// The alerts in the web app: the engineer's card lists the API's open alerts, firing first; an
// engineer acknowledges one with a comment (the API then names who and why); a viewer may not;
// the header's badge counts the firing alerts. The demo's rules: its dead device fires
// `device-down` 30 s after its first failed poll; `optic-loss` (its dirty connectors) and
// `link-busy` may fire before or after it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, open, check, close, shot, until } from './lib.mjs';

after(close);

const firing = async () => {
  const r = await api('engineer', '/api/v1/alerts?state=firing');
  return r.alerts.length ? r.alerts : null;
};

/// The firing alerts once the dead device's `device-down` is among them.
const downFiring = async () => {
  const f = await firing();
  return f?.some((a) => a.rule === 'device-down') ? f : null;
};

test('the engineer’s alerts are the API’s, firing first, and the header counts them', async () => {
  const fired = await until(downFiring, 'the demo’s dead device firing device-down');
  const page = await open('engineer', '#/engineer');
  await page.waitForSelector('#eng-alerts-table tbody tr');
  const open_ = (await api('engineer', '/api/v1/alerts')).alerts;
  const rows = await page.locator('#eng-alerts-table tbody tr').evaluateAll((trs) => trs.map((t) => t.dataset.id));
  assert.deepEqual([...rows].sort(), open_.map((a) => String(a.id)).sort());
  const states = await page
    .locator('#eng-alerts-table tbody tr')
    .evaluateAll((trs) => trs.map((t) => t.classList.contains('bad')));
  const nFiring = open_.filter((a) => a.state === 'firing').length;
  assert.deepEqual(
    states,
    [...Array(nFiring).fill(true), ...Array(open_.length - nFiring).fill(false)],
    'firing first',
  );
  const down = fired.find((a) => a.rule === 'device-down');
  assert.ok(down, 'the dead device fires device-down');
  assert.match(
    await page.locator(`#eng-alerts-table tr[data-id="${down.id}"]`).innerText(),
    new RegExp(down.labels.device),
  );
  // The badge: the firing count (it may have grown since: at least the API's count above).
  const badge = await page.locator('#alert-badge').innerText();
  const n = Number(badge.match(/\d+/)[0]);
  assert.ok(n >= fired.length, `${badge} vs ${fired.length}`);
  await shot(page, 'engineer-alerts');
  check(page);
  await page.context().close();
});

test('an engineer acknowledges an alert with a comment; a viewer cannot', async () => {
  const fired = await until(firing, 'a firing alert');
  const target = fired[0];
  const viewer = await open('viewer', '#/engineer');
  await viewer.waitForSelector('#eng-alerts-table tbody tr');
  assert.equal(await viewer.locator('#eng-alerts form.ack').count(), 0, 'no acknowledge form for a viewer');
  check(viewer);
  await viewer.context().close();
  const page = await open('engineer', '#/engineer');
  const row = page.locator(`#eng-alerts-table tr[data-id="${target.id}"]`);
  await row.waitFor();
  if (!target.acked_by) {
    await row.locator('input.ack-comment').fill('on it: site visit booked');
    await row.locator('form.ack button').click();
    await page.waitForFunction(
      (id) => !document.querySelector(`#eng-alerts-table tr[data-id="${id}"] form.ack`),
      target.id,
    );
  }
  const after_ = await api('engineer', `/api/v1/alerts/${target.id}`);
  assert.equal(after_.acked_by, 'demo-engineer');
  assert.equal(after_.ack_comment, target.ack_comment ?? 'on it: site visit booked');
  assert.match(await page.locator(`#eng-alerts-table tr[data-id="${target.id}"]`).innerText(), /demo-engineer/);
  check(page);
  await page.context().close();
});

test('the badge speaks the chosen language', async () => {
  await until(firing, 'a firing alert');
  const page = await open('engineer', '#/map');
  await page.waitForSelector('#alert-badge');
  await page.getByText('NL', { exact: true }).click();
  await page.waitForFunction(() => /actieve alerts?\b/.test(document.querySelector('#alert-badge')?.innerText || ''));
  await page.getByText('FR', { exact: true }).click();
  await page.waitForFunction(() => /alertes? actives?/.test(document.querySelector('#alert-badge')?.innerText || ''));
  check(page);
  await page.context().close();
});
