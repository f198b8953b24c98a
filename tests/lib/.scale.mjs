import { launchBrowser, loginForm, closeBrowser } from './browser.mjs';
const url = process.argv[2], user = process.argv[3], pw = process.argv[4];
const routes = process.argv.slice(5);
const b = await launchBrowser();
const page = b.context.pages()[0] || (await b.context.newPage());
page.setDefaultTimeout(60000);
const t0 = new Map();
const reqs = [];
let inflight = 0;
page.on('request', (r) => { if (r.url().includes('/api/')) { t0.set(r, Date.now()); inflight++; } });
page.on('requestfailed', (r) => { if (t0.has(r)) inflight--; });
page.on('requestfinished', async (r) => {
  if (!t0.has(r)) return;
  inflight--;
  const ms = Date.now() - t0.get(r);
  let size = 0;
  try { size = (await (await r.response()).body()).length; } catch {}
  reqs.push({ url: r.url().replace(url, ''), ms, size });
});
page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
await loginForm(page, url, user, pw);
for (const r of routes) {
  reqs.length = 0;
  const s = Date.now();
  await page.goto(url + '/#' + r);
  await page.waitForTimeout(500);
  for (let quiet = 0; quiet < 5; ) { await page.waitForTimeout(100); quiet = inflight ? 0 : quiet + 1; }
  console.log(`== ${r} ${Date.now() - s} ms`);
  for (const q of reqs) if (q.ms > 100 || q.size > 100000) console.log(`  SLOW/BIG ${q.ms} ms ${q.size} B ${q.url.slice(0, 150)}`);
  console.log(`  ${reqs.length} requests, max ${Math.max(0, ...reqs.map((q) => q.ms))} ms, ${reqs.reduce((a, q) => a + q.size, 0)} B`);
  await page.screenshot({ path: `/tmp/scale-${r.replace(/[^a-z0-9]/gi, '_')}.png` });
}
await closeBrowser(b);
