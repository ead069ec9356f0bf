// What every browser test shares: the demo's address and tokens (from tests/web.rs), a
// Chromium page logged in as a role, the API as that role (to compare the page with), console
// errors collected (a test fails on any), screenshots.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

export const BASE = process.env.IRISOPS_WEB_URL;
const SHOTS = process.env.IRISOPS_WEB_SHOTS || '/tmp';
if (!BASE) throw new Error('IRISOPS_WEB_URL is not set: run through `cargo test` (tests/web.rs)');

export const TOKENS = Object.fromEntries(
  readFileSync(process.env.IRISOPS_WEB_TOKENS, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ')),
);

/// The API's answer to `path` as `role` (JSON).
export async function api(role, path, opts = {}) {
  const r = await fetch(BASE + path, {
    ...opts,
    headers: { Authorization: `Bearer ${TOKENS[role]}`, ...(opts.headers || {}) },
  });
  assert.ok(r.ok, `${path} as ${role}: ${r.status} ${await r.clone().text()}`);
  return (r.headers.get('content-type') || '').includes('json') ? r.json() : r.text();
}

/// Polls `f` until it returns a truthy value (the demo fills its store as it runs).
export async function until(f, what, timeoutMs = 420000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

let browser;
export async function launch() {
  browser ??= await chromium.launch({
    executablePath: process.env.IRISOPS_CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  return browser;
}

export async function close() {
  await browser?.close();
  browser = undefined;
}

/// A new page logged in as `role` by the URL's fragment, on `hash` (`#/map?...`). Console
/// errors, page errors, failed requests and requests leaving 127.0.0.1 are collected in
/// `page.problems`; `check(page)` asserts there are none.
export async function open(role, hash = '#/', viewport = { width: 1440, height: 900 }) {
  const b = await launch();
  const context = await b.newContext({ viewport, locale: 'en-GB' });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => m.type() === 'error' && page.problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => page.problems.push(`page error: ${e}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && !['127.0.0.1', 'localhost'].includes(u.hostname))
      page.problems.push(`external request: ${r.url()}`);
  });
  await page.goto(`${BASE}/#token=${TOKENS[role]}`);
  await page.waitForSelector('#nav a, .login');
  if (hash !== '#/') {
    await page.evaluate((h) => (location.hash = h), hash);
  }
  await page.waitForLoadState('networkidle');
  return page;
}

export function check(page) {
  assert.deepEqual(page.problems, [], 'no console error, page error or external request');
}

export async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

/// The numbers in a text, as the page's locale wrote them (en-GB: 1,234.5).
export function numbers(text) {
  return [...text.matchAll(/-?\d[\d,]*(?:\.\d+)?/g)].map((m) => Number(m[0].replaceAll(',', '')));
}
