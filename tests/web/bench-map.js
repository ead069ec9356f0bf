// bench-map.mjs URL TOKEN RUNS: the map's time to first full paint (navigation start →
// window.irisopsMapPainted, set two frames after every layer was added), over RUNS fresh
// browser contexts (nothing cached); the page's weight (bytes transferred, gzip, and
// decoded); the API calls the map view makes. One JSON line.
const { chromium } = require('playwright-core');

(async () => {
  const [url, token, runs = '5'] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.IRISOPS_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const paints = [];
  let weight = null;
  let calls = null;
  let routes = null;
  for (let i = 0; i < Number(runs); i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const api = [];
    page.on('pageerror', (e) => console.error('page error:', String(e)));
    page.on('console', (m) => m.type() === 'error' && console.error('console:', m.text()));
    page.on('request', (r) => r.url().includes('/api/') && api.push(new URL(r.url()).pathname));
    await page.goto(`${url}/#token=${token}`);
    await page.waitForFunction(() => window.irisopsMapPainted, null, { timeout: 60000, polling: 50 });
    paints.push(await page.evaluate(() => window.irisopsMapPainted));
    if (i === 0) {
      await page.waitForLoadState('networkidle');
      weight = await page.evaluate(() => {
        const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
        const sum = (f) => all.reduce((s, e) => s + (e[f] || 0), 0);
        const app = all.filter((e) => !e.name.includes('/api/'));
        return {
          requests: all.length,
          transferred_kb: Math.round(sum('transferSize') / 1024),
          decoded_kb: Math.round(sum('decodedBodySize') / 1024),
          app_files_transferred_kb: Math.round(app.reduce((s, e) => s + e.transferSize, 0) / 1024),
          slowest: all
            .filter((e) => e.name.includes('/api/'))
            .sort((a, b) => b.duration - a.duration)
            .slice(0, 5)
            .map((e) => `${new URL(e.name).pathname} ${Math.round(e.startTime)}+${Math.round(e.duration)} ms`),
        };
      });
      calls = api;
      routes = await page.evaluate(() => document.querySelector('#map-counts')?.innerText);
    }
    await context.close();
  }
  // The API calls of each view the admin is offered, opened on its own (the shell's
  // /api/v1/me aside), and their bytes on the wire.
  const perView = {};
  {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${url}/#token=${token}`);
    await page.waitForSelector('#nav a');
    const views = await page.locator('#nav a').evaluateAll((as) => as.map((a) => a.dataset.view));
    await context.close();
    for (const v of views) {
      // The token set first, then the view's URL loaded: only this view's calls are counted.
      const c = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const p = await c.newPage();
      await p.goto(`${url}/web/app.css`);
      await p.evaluate((t) => sessionStorage.setItem('irisops.token', t), token);
      const seen = [];
      p.on('request', (r) => r.url().includes('/api/') && !r.url().includes('/api/v1/me') && seen.push(r.url()));
      await p.goto(`${url}/#/${v}`);
      await p.waitForSelector(`#view-${v}`);
      await p.waitForLoadState('networkidle');
      await p.waitForTimeout(1000);
      perView[v] = seen.length;
      await c.close();
    }
  }
  await browser.close();
  paints.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'web-map',
      map: routes,
      runs: paints.length,
      first_full_paint_ms: paints.map(Math.round),
      median_ms: Math.round(paints[Math.floor(paints.length / 2)]),
      weight,
      map_view_api_calls: calls.length,
      distinct_api_routes_per_view: perView,
      calls,
    }),
  );
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
