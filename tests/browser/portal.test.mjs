// Browser test of the public portal at /portal/ on a phone's width (390 px), without login:
// the news a staff member published (with its picture), a request for help sent through the
// form in 简 (the form's own checks name the field first), its tracking number and lookup
// code, the status page with them, one click to 繁 (the page, the server's labels and the
// next step change language), and ?lang=zh-Hant and a zh-TW browser reading 繁 at once;
// then, in the staff app, an article written, given a picture and published, and the
// portal's settings page, and the request on the desk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { launchBrowser, closeBrowser, openApp } from '../lib/browser.mjs';
import { PASSWORD } from '../lib/server.mjs';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');

// A 320 × 200 PNG, a red to gold gradient (made here: the test needs no file).
function gradientPng(w = 320, h = 200) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const td = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(td.length + 8);
    out.writeUInt32BE(data.length, 0);
    td.copy(out, 4);
    out.writeUInt32BE(crc(td), td.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) raw.set([192, 57 + Math.round((x / w) * 120), 43 + Math.round((y / h) * 40)], y * (w * 3 + 1) + 1 + x * 3);
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]).toString('base64');
}

let app, server, page, pageErrors, staff, admin;

before(async () => {
  app = await openApp({ viewport: { width: 390, height: 844 }, server: { users: { admin: { role: 'admin' }, staff: { role: 'staff' } } } });
  ({ server, page, pageErrors } = app);
  staff = await server.login('staff');
  const a = await staff.post('/api/v1/article', { title: '市侨联举办2025年新春侨胞联谊会', summary: '百余名海外侨胞和归侨侨眷欢聚一堂', body: '1月20日, 市侨联举办新春联谊会。\n\n侨胞们共叙乡情。' });
  assert.equal(a.status, 201, a.text);
  assert.equal((await staff.post(`/api/v1/article/${a.json.id}/photo`, { name: 'a.png', data: gradientPng() })).status, 200);
  assert.equal((await staff.post(`/api/v1/article/${a.json.id}/transition`, { to: 'published' })).status, 200);
  const draft = await staff.post('/api/v1/article', { title: '尚未发布的稿件', body: '草稿' });
  assert.equal(draft.status, 201);
  admin = await server.login('admin');
  const home = await admin.post('/api/v1/org', { parent_id: 1, kind: 'home', name: '东湖社区侨胞之家', address: '东湖路8号', phone: '+86 731 8888 0000' });
  assert.equal(home.status, 201, home.text);
});

after(async () => {
  await app?.stop();
});

test('news on a phone, in 简 by default', async () => {
  await page.goto(server.url + '/portal/');
  await page.locator('.news h3').getByText('市侨联举办2025年新春侨胞联谊会').waitFor();
  assert.equal(await page.locator('#site-name').innerText(), '测试市归国华侨联合会');
  assert.equal(await page.getByText('尚未发布的稿件').count(), 0, 'a draft is not public');
  assert.equal(await page.locator('button.more').isVisible(), false, 'one page: no "more"');
  await page.waitForFunction(() => [...document.querySelectorAll('.news img')].every((i) => i.complete && i.naturalWidth > 0));
  await page.screenshot({ path: join(shots, 'portal-news-390.png'), fullPage: true });
  await page.locator('.news').first().click();
  await page.locator('.article h2').getByText('新春侨胞联谊会').waitFor();
  await page.locator('.article p').getByText('侨胞们共叙乡情。').waitFor();
  await page.locator('.nav a', { hasText: '侨胞之家' }).click();
  await page.locator('.org h3').getByText('东湖社区侨胞之家').waitFor();
  await page.getByText('东湖路8号').waitFor();
  assert.deepEqual(pageErrors, []);
});

test('a request through the form in 简, then its status, then 繁 in one click', async () => {
  await page.goto(server.url + '/portal/#/request');
  await page.locator('form .cat').first().waitFor();
  // the five categories, from the server, in 简
  assert.deepEqual((await page.locator('form .cat').allInnerTexts()).map((s) => s.trim()), ['政务', '法务', '商务', '事务', '劳务']);
  // nothing filled in: each required field says what is missing, by its name
  await page.locator('button[type=submit]').click();
  assert.equal(await page.locator('#err-category').innerText(), '请选择“求助类别”');
  assert.equal(await page.locator('#err-name').innerText(), '请填写“姓名”');
  assert.equal(await page.locator('#err-country').innerText(), '请选择“所在国家或地区”');
  await page.screenshot({ path: join(shots, 'portal-form-errors-390.png'), fullPage: true });
  await page.locator('form .cat', { hasText: '法务' }).click();
  await page.locator('#f-name').fill('陈美玲');
  await page.locator('#f-contact').fill('+60 12 345 6789');
  await page.locator('#f-country').selectOption('MY');
  await page.locator('#f-summary').fill('祖屋被人占用, 请求协助');
  await page.locator('#f-details').fill('我家在台山的祖屋被亲戚占用多年。');
  assert.equal(await page.locator('.field-error:not(:empty)').count(), 0, 'a field\'s complaint goes once it is changed');
  await page.locator('button[type=submit]').click();
  await page.locator('#tracking-number').waitFor();
  const number = await page.locator('#tracking-number').innerText();
  const code = await page.locator('#lookup-code').innerText();
  assert.match(number, /^\d{12}$/);
  assert.match(code, /^[A-Z2-9]{8}$/);
  await page.screenshot({ path: join(shots, 'portal-done-390.png'), fullPage: true });
  // the case is on the desk
  const desk = await staff.get(`/api/v1/case?q=${number}`);
  assert.equal(desk.json.total, 1);
  assert.equal(desk.json.items[0].applicant_name, '陈美玲');

  // the status page, typed in by hand as someone coming back would
  await page.goto(server.url + '/portal/#/status');
  await page.locator('#s-number').fill(number);
  await page.locator('#s-code').fill(code.toLowerCase());
  await page.locator('form button[type=submit]').click();
  await page.locator('.status-label').waitFor();
  assert.equal(await page.locator('.status-label').innerText(), '受理');
  const text = await page.locator('#status-result').innerText();
  assert.match(text, /已受理, 正在安排承办人/);
  assert.match(text, /法务/);
  assert.match(text, /办理期限/);
  assert.ok(!text.includes('陈美玲') && !text.includes('祖屋'), 'nothing private');
  await page.screenshot({ path: join(shots, 'portal-status-390.png'), fullPage: true });

  // a wrong code: the same answer as a wrong number, in Chinese
  await page.locator('#s-code').fill('AAAAAAAA');
  await page.locator('form button[type=submit]').click();
  await page.locator('#status-result .error').getByText('查询号或查询码不对').waitFor();

  // one click to 繁: the page and what the server writes
  await page.locator('#s-code').fill(code);
  await page.locator('#lang-switch').click();
  await page.locator('.nav a', { hasText: '進度查詢' }).waitFor();
  assert.match(page.url(), /lang=zh-Hant/);
  await page.locator('#s-number').fill(number);
  await page.locator('#s-code').fill(code);
  await page.locator('form button[type=submit]').click();
  await page.locator('#status-result').getByText('已受理, 正在安排承辦人').waitFor();
  assert.match(await page.locator('#status-result').innerText(), /法務/);
  assert.equal(await page.locator('#lang-switch').innerText(), '简体');
  await page.screenshot({ path: join(shots, 'portal-status-hant-390.png'), fullPage: true });
  await page.locator('.nav a', { hasText: '我要求助' }).click();
  assert.deepEqual((await page.locator('form .cat').allInnerTexts()).map((s) => s.trim()), ['政務', '法務', '商務', '事務', '勞務']);
  assert.match(await page.locator('#f-country option[value=MY]').first().innerText(), /馬來西亞/);
  await page.locator('button[type=submit]').click();
  assert.equal(await page.locator('#err-name').innerText(), '請填寫「姓名」');
  assert.deepEqual(pageErrors, []);
});

test('?lang=zh-Hant, and a browser set to zh-TW, read 繁 from the start', async () => {
  await page.goto(server.url + '/portal/?lang=zh-Hant');
  await page.locator('.nav a', { hasText: '新聞動態' }).waitFor();
  const tw = await launchBrowser({ viewport: { width: 390, height: 844 } });
  try {
    const p = tw.context.pages()[0] || (await tw.context.newPage());
    await p.setExtraHTTPHeaders({ 'Accept-Language': 'zh-TW' });
    await p.addInitScript(() => Object.defineProperty(navigator, 'languages', { get: () => ['zh-TW', 'zh'] }));
    await p.goto(server.url + '/portal/#/homes');
    await p.locator('.nav a', { hasText: '僑胞之家' }).waitFor();
    await p.locator('.org h3').getByText('东湖社区侨胞之家').waitFor();
    assert.match(await p.locator('.org').first().innerText(), /電話/);
  } finally {
    await closeBrowser(tw);
  }
});

test('staff write an article in the app, give it a picture, publish it; admins set the portal', async () => {
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(server.url + '/');
  await page.locator('input[type=text]').first().fill('admin');
  await page.locator('input[type=password]').first().fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.hash.includes('login'));
  await page.locator('.side-menu [data-module=article]').click();
  await page.locator('.side-menu [data-entity=article]').click();
  await page.getByText('新增').click();
  await page.locator('.entity-form').waitFor();
  await page.locator('.entity-form [data-field=title] input').fill('侨胞之家开展中秋慰问');
  await page.locator('.entity-form [data-field=summary] input').fill('为老归侨送去月饼和祝福');
  await page.locator('.entity-form [data-field=body] textarea').fill('9月15日, 东湖社区侨胞之家走访慰问老归侨。\n\n大家共度佳节。');
  await page.locator('.entity-form-dialog .el-button--primary').click();
  await page.getByText('已新增').waitFor();
  await page.locator('.el-table').getByText('侨胞之家开展中秋慰问').waitFor();
  const id = (await admin.get('/api/v1/article?q=中秋')).json.items[0].id;
  await page.goto(`${server.url}/#/article/${id}`);
  await page.locator('.article-picture').waitFor();
  await page.locator('.article-picture input[type=file]').setInputFiles({ name: '中秋.png', mimeType: 'image/png', buffer: Buffer.from(gradientPng(), 'base64') });
  await page.locator('.article-picture .pic img').waitFor();
  await page.locator('.btn-move[data-to=published]').click();
  await page.locator('.btn-move-ok').click();
  await page.locator('.article-picture .portal-link').waitFor();
  await page.screenshot({ path: join(shots, 'portal-article-staff.png'), fullPage: true });
  const pub = await server.client().get(`/api/v1/public/article/${id}`);
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.json.photo, true);
  // the portal's settings: the admin's page from the menu
  await page.locator('.side-menu [data-page=portal-settings]').click();
  await page.locator('[data-test=requests_per_address] input').fill('7');
  await page.getByRole('button', { name: '保存' }).click();
  await page.locator('.el-message').getByText('已保存', { exact: true }).waitFor();
  assert.equal((await admin.get('/api/v1/portal/settings')).json.requests_per_address, 7);
  await page.screenshot({ path: join(shots, 'portal-settings.png') });
  // the request sent from the portal is a case on the desk, its first step by the portal
  const online = await admin.get('/api/v1/case?channel=online');
  assert.equal(online.json.total, 1, online.text);
  await page.goto(`${server.url}/#/case/${online.json.items[0].id}`);
  await page.locator('.step-title').getByText('网上求助 (门户网站)').waitFor();
  await page.getByText('祖屋被人占用, 请求协助').first().waitFor();
  assert.equal(await page.locator('[data-test=case-tracking]').innerText(), online.json.items[0].tracking_number);
  await page.getByText('马来西亚').first().waitFor();
  await page.screenshot({ path: join(shots, 'portal-case-on-desk.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
});
