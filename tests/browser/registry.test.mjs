// Browser test of the registry pages (issue 5): a person's page shows their relations
// (family, associations) and contact log; an association's page its leaders and members;
// a contact added from the association's page appears in its log and sets its "last
// contacted" date. Screenshots go to test-output/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { openApp } from '../lib/browser.mjs';
import { PASSWORD } from '../lib/server.mjs';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');

let app, server, admin, page, pageErrors;
let father, son, assoc;

before(async () => {
  app = await openApp({ viewport: { width: 1366, height: 900 } });
  ({ server, page, pageErrors } = app);
  admin = await server.login('admin');
  const mk = async (entity, body) => {
    const r = await admin.post(`/api/v1/${entity}`, body);
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  father = await mk('person', { name: '林文庆', name_alt: ['LIM Boon Keng'], residence_country: 'SG' });
  son = await mk('person', { name: '林可胜', residence_country: 'SG' });
  assoc = await mk('association', { name: '新加坡林氏大宗祠九龙堂', type: 'clan', country: 'SG' });
  await mk('relation', { from_type: 'person', from_id: father.id, kind: 'parent', to_type: 'person', to_id: son.id });
  await mk('relation', { from_type: 'person', from_id: father.id, kind: 'president', to_type: 'association', to_id: assoc.id, title: '第一届' });
  await mk('relation', { from_type: 'person', from_id: son.id, kind: 'member', to_type: 'association', to_id: assoc.id });
  await mk('contact', { date: '2024-05-01', channel: 'visit', parties: [`person:${father.id}`], summary: '登门拜访, 了解近况' });
  await page.goto(server.url + '/');
  await page.locator('input[type=text]').first().fill('admin');
  await page.locator('input[type=password]').first().fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.hash.includes('login'));
  // The app finishes its own navigation after login (session, schema, home) before a test
  // may navigate, or the app's redirect to the home page wins over the test's.
  await page.waitForLoadState('networkidle');
});

after(() => app?.stop());

test("a person's page shows family, associations and the contact log", async () => {
  await page.goto(`${server.url}/#/person/${father.id}`);
  const rel = page.locator('.reg-relations');
  await rel.locator('.reg-row').first().waitFor();
  const family = rel.locator('.reg-group[data-group=family]');
  assert.match(await family.innerText(), /子女[\s\S]*林可胜/);
  const assocs = rel.locator('.reg-group[data-group=association]');
  assert.match(await assocs.innerText(), /会长[\s\S]*新加坡林氏大宗祠九龙堂[\s\S]*第一届/);
  assert.match(await page.locator('.reg-contacts').innerText(), /2024-05-01[\s\S]*登门拜访/);
  await page.screenshot({ path: join(shots, 'registry-person.png'), fullPage: true });
  // The son's page sees the same tie from the other end.
  await page.goto(`${server.url}/#/person/${son.id}`);
  await page.locator('.reg-group[data-group=family]').waitFor();
  assert.match(await page.locator('.reg-group[data-group=family]').innerText(), /父母[\s\S]*林文庆/);
});

test("an association's page shows leaders and members; a contact added there sets last contacted", async () => {
  await page.goto(`${server.url}/#/association/${assoc.id}`);
  await page.locator('.reg-group[data-group=leader]').waitFor();
  assert.match(await page.locator('.reg-group[data-group=leader]').innerText(), /会长[\s\S]*林文庆/);
  assert.match(await page.locator('.reg-group[data-group=member]').innerText(), /会员[\s\S]*林可胜/);
  await page.locator('.btn-add-contact').click();
  const dlg = page.locator('.el-dialog:visible');
  await dlg.locator('textarea').first().fill('视频座谈, 商议恳亲大会');
  await dlg.locator('.el-button--primary').click();
  await page.locator('.reg-contacts .reg-summary', { hasText: '视频座谈' }).waitFor();
  const today = new Date().toISOString().slice(0, 10);
  const r = await admin.get(`/api/v1/association/${assoc.id}`);
  assert.equal(r.json.last_contact_on, today);
  await page.screenshot({ path: join(shots, 'registry-association.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
});

test('the header search: Enter opens every match a page at a time, filtered by country', async () => {
  const mk = async (body) => {
    const r = await admin.post('/api/v1/person', body);
    assert.equal(r.status, 201, r.text);
  };
  await mk({ name: '林美玲', residence_country: 'MY' });
  await mk({ name: '林秀英', residence_country: 'MY' });
  await page.goto(`${server.url}/#/`);
  const box = page.locator('.global-search input');
  await box.fill('lim');
  await page.locator('.global-search-popper .gs-item').first().waitFor();
  // each suggestion says whose and where: namesakes apart
  const sug = page.locator('.global-search-popper .gs-item', { hasText: '林美玲' });
  assert.match(await sug.locator('.gs-where').innerText(), /^测试市归国华侨联合会 · 马来西亚$/);
  await box.press('Enter');
  await page.waitForURL((u) => u.hash.startsWith('#/search'));
  const table = page.locator('[data-test=search-results]');
  await table.locator('.el-table__row').first().waitFor();
  const text = await table.innerText();
  for (const n of ['林文庆', '林可胜', '林美玲', '林秀英']) assert.match(text, new RegExp(n));
  assert.match(text, /闽南话.*姓氏 Lim = 林/);
  const row = table.locator('.el-table__row', { hasText: '林文庆' });
  assert.match(await row.innerText(), /测试市归国华侨联合会\s+新加坡/);
  await page.screenshot({ path: join(shots, 'search-results.png'), fullPage: true });
  // only those living in Malaysia
  await page.goto(`${server.url}/#/search?q=lim&country=MY`);
  await page.waitForFunction(() => document.querySelectorAll('[data-test=search-results] .el-table__row').length === 2);
  const my = await table.innerText();
  assert.match(my, /林美玲/);
  assert.doesNotMatch(my, /林文庆/);
  assert.deepEqual(pageErrors, []);
});

test('Taiwan, Hong Kong and Macao are written as SPEC writes them, in lists, pages and choices', async () => {
  const tw = await admin.post('/api/v1/person', { name: '许文雄', residence_country: 'TW' });
  const hk = await admin.post('/api/v1/association', { name: '香港陈氏宗亲会', type: 'clan', country: 'HK' });
  assert.equal(tw.status, 201, tw.text);
  assert.equal(hk.status, 201, hk.text);
  await page.goto(`${server.url}/#/person?q=${encodeURIComponent('许文雄')}`);
  const row = page.locator('.entity-table .el-table__row', { hasText: '许文雄' });
  await row.waitFor();
  assert.match(await row.innerText(), /中国台湾/);
  await page.goto(`${server.url}/#/association/${hk.json.id}`);
  await page.getByText('中国香港').first().waitFor();
  // the country choice of a form: 中国澳门 among them, no bare 台湾
  await page.goto(`${server.url}/#/person`);
  await page.locator('.btn-create').click();
  const item = page.locator('.entity-form-dialog .el-form-item[data-field="residence_country"]');
  await item.locator('.el-select__wrapper').click();
  await item.locator('input').fill('澳门');
  const opts = await page.locator('.el-select-dropdown__item:visible').allInnerTexts();
  assert.deepEqual(opts.map((o) => o.split('\n')[0]), ['中国澳门']); // the name, then its code
  assert.deepEqual(pageErrors, []);
});
