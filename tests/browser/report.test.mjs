// Browser test of the work report: a leader opens 工作报告 from the menu, makes the report of
// a county for a period, reads the narrative and the figures in the house style (what
// stands and what was done), switches the app to 繁體 and gets the report in it, downloads
// the workbook, and opens the printable A4 page with the event photo chosen for it. Then
// the liaison map: the county's countries, and a bar that opens the people behind it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');
const { PASSWORD } = await import('../lib/server.mjs');
const { openApp } = await import('../lib/browser.mjs');

let app, server, page, pageErrors, county;

before(async () => {
  app = await openApp({ server: { users: { admin: { role: 'admin' }, lead: { role: 'leader' } } } });
  ({ server, page, pageErrors } = app);
  const admin = await server.login('admin');
  county = (await admin.post('/api/v1/org', { name: '甲县侨联', kind: 'federation', level: 'county', parent_id: 1 })).json;
  for (let i = 0; i < 12; i++)
    await admin.post('/api/v1/person', { org_id: county.id, name: `陈甲${'一二三四五六七八九十'[i % 10]}${i}`, categories: ['overseas_chinese'], residence_country: i % 2 ? 'SG' : 'MY' });
  const pr = await admin.post('/api/v1/programme', { org_id: county.id, name: '侨爱心工程', kind: 'love' });
  assert.equal(pr.status, 201, pr.text);
  for (const [day, fen] of [['2025-03-01', 41200000], ['2025-04-01', 100]]) {
    const r = await admin.post('/api/v1/donation', { org_id: county.id, programme_id: pr.json.id, received_on: day, donor_type: 'name', donor_name: '陈氏宗亲会', amount: fen });
    assert.equal(r.status, 201, r.text);
  }
  const ev = await admin.post('/api/v1/event', { org_id: county.id, name: '侨界迎新春联谊会', kind: 'gathering', starts_on: '2025-01-20' });
  assert.equal(ev.status, 201, ev.text);
  const jpeg = readFileSync(join(root, 'tests/fuzz/corpus/fuzz_photo/jpeg-64x48.jpg')).toString('base64'); // a 64×48 JPEG
  const up = await admin.post(`/api/v1/event/${ev.json.id}/photos`, { photos: [{ name: 'a.jpg', data: jpeg, caption: '联谊会现场' }] });
  assert.equal(up.status, 201, up.text);
});

after(() => app?.stop());

test('the work report of a county: narrative, figures, languages, workbook, print', async () => {
  try {
    await page.goto(server.url + '/#/login');
    await page.locator('input[name=username]').fill('lead');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('.login-submit').click();
    await page.locator('.layout .header').waitFor();
    await page.locator('.side-menu [data-page=work-report]').click();
    await page.locator('[data-test=work-report]').waitFor();
    // 2025 (a link with the period), then the county from the picker
    await page.goto(server.url + '/#/report/work?from=2025-01-01&to=2025-12-31');
    await page.locator('[data-test=report-narrative]').filter({ hasText: '2025年1月1日至2025年12月31日' }).waitFor();
    await page.locator('[data-test=report-org] input').fill('甲县');
    await page.locator('.el-select-dropdown__item').filter({ hasText: '甲县侨联' }).first().click();
    await page.locator('[data-test=report-run]').click();
    await page.locator('[data-test=report-title]').filter({ hasText: '甲县侨联工作报告' }).waitFor();
    const text = await page.locator('[data-test=report-narrative]').innerText();
    assert.match(text, /^2025年1月1日至2025年12月31日，甲县侨联及所属组织：现有各级侨联组织1个/);
    assert.match(text, /登记侨界人士12名，侨界人士分布的国家和地区2个/);
    assert.match(text, /期间，接受捐赠2笔，捐赠资金40余万元/);
    assert.equal(await page.locator('[data-key="donations.amount"] .words').innerText(), '40余万元');
    assert.equal(await page.locator('[data-key="donations.amount"] .exact').innerText(), '¥412,001.00');
    // the event's photo, chosen for the print to begin with
    const photo = page.locator('[data-test=report-photos] .photo');
    assert.equal(await photo.count(), 1);
    assert.match(await photo.getAttribute('class'), /\bon\b/);
    await page.screenshot({ path: join(shots, 'work-report.png'), fullPage: true });

    // 繁體: the report follows the app's language
    await page.getByText('繁', { exact: true }).click();
    await page.locator('[data-test=report-narrative]').filter({ hasText: '登記僑界人士12名' }).waitFor();
    assert.match(await page.locator('[data-test=report-narrative]').innerText(), /捐贈資金40餘萬元/);
    await page.getByText('简', { exact: true }).click();
    await page.locator('[data-test=report-narrative]').filter({ hasText: '登记侨界人士12名' }).waitFor();

    // the workbook
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=report-xlsx]').click()]);
    assert.match(dl.suggestedFilename(), /^work-report-2025-01-01-2025-12-31\.xlsx$/);

    // the printable page: the same report on an A4 sheet, no menu
    const [sheet] = await Promise.all([page.context().waitForEvent('page'), page.locator('[data-test=report-print]').click()]);
    await sheet.locator('.sheet [data-test=report-narrative]').waitFor();
    assert.equal(await sheet.locator('.side-menu').count(), 0);
    assert.match(await sheet.locator('[data-test=report-narrative]').innerText(), /甲县侨联及所属组织/);
    assert.equal(await sheet.locator('[data-test=printed-photos] figcaption').innerText(), '图片 2025年侨界迎新春联谊会 联谊会现场');
    await sheet.locator('[data-test=printed-photos] img').evaluate((img) => img.decode());
    const width = await sheet.locator('.sheet').evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(Math.abs(width - 794) < 4, `A4 is 210 mm (794 px): ${width}`);
    await sheet.screenshot({ path: join(shots, 'work-report-print.png'), fullPage: true });
    await sheet.close();
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'work-report-failed.png'), fullPage: true });
    console.log('page errors:', pageErrors); // what the page threw, beside the screenshot
    throw e;
  }
});

test('the liaison map: countries and ancestral places, each bar opening its list', async () => {
  try {
    await page.locator('.side-menu [data-page=liaison-map]').click();
    await page.locator('[data-test=liaison-map] [data-country=SG]').waitFor();
    assert.equal(await page.locator('[data-country=SG] .n').innerText(), '6');
    assert.equal(await page.locator('[data-country=MY] .n').innerText(), '6');
    await page.screenshot({ path: join(shots, 'liaison-map.png'), fullPage: true });
    await page.locator('[data-country=SG] .bar a').first().click();
    await page.waitForURL(/#\/person\?residence_country=SG/);
    await page.locator('.el-table__row').first().waitFor();
    assert.equal(await page.locator('.el-table__row').count(), 6);
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'liaison-map-failed.png'), fullPage: true });
    throw e;
  }
});
