// Browser test of a list page's paging (issue 16): the pager's next and previous buttons ask
// for the rows after or before the page shown (after= / before= cursors) while the pager
// still shows the page number and the total; a jump to a page number asks by page=. The
// rows of each page are those the API gives page by page; the audit trail pages the same
// way. Screenshots: test-output/screenshots/paging-person.png, paging-audit.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { openApp } from '../lib/browser.mjs';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');
const PER = 10, N = 47;

let app, server, admin, page, pageErrors;
const asked = []; // the person lists the page asked for, as URLSearchParams

before(async () => {
  app = await openApp({ viewport: { width: 1366, height: 900 } });
  ({ server, page, pageErrors } = app);
  admin = await server.login('admin');
  for (let i = 0; i < N; i++) {
    const r = await admin.post('/api/v1/person', { name: `翻页${String(i + 1).padStart(2, '0')}号`, residence_country: 'SG' });
    assert.equal(r.status, 201, r.text);
  }
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.pathname === '/api/v1/person' || u.pathname === '/api/v1/audit') asked.push(u.searchParams);
  });
  // the browser shares the API client's session (the login form has tests of its own)
  const eq = admin.cookie.indexOf('=');
  await app.browser.context.addCookies([{ name: admin.cookie.slice(0, eq), value: admin.cookie.slice(eq + 1), url: server.url }]);
});

after(() => app?.stop());

/** The names of the rows the table shows, once the page has loaded p. */
async function shown(p) {
  await page.locator(`.el-pager li.is-active:text-is("${p}")`).waitFor();
  await page.waitForLoadState('networkidle');
  await page.locator('.entity-table .el-loading-mask').waitFor({ state: 'hidden' });
  return page.locator('.entity-table .el-table__body-wrapper .title-link').allInnerTexts();
}

/** The names of page p by the API, page by page (sorted by name, as the page is). */
async function apiPage(p) {
  const r = await admin.get(`/api/v1/person?sort=name&per_page=${PER}&page=${p}`);
  assert.equal(r.status, 200);
  return r.json.items.map((x) => x.name);
}

test('next and previous go by cursor, a page number by page=; the number and total stay', async () => {
  await page.goto(`${server.url}/#/person?per_page=${PER}&sort=name`);
  assert.deepEqual(await shown(1), await apiPage(1));
  assert.match(await page.locator('.el-pagination__total').innerText(), new RegExp(`${N}`));
  const pager = page.locator('.el-pagination');

  asked.length = 0;
  await pager.locator('.btn-next').click();
  assert.deepEqual(await shown(2), await apiPage(2));
  assert.ok(asked.at(-1).get('after'), `page 2 by its cursor: ${asked.at(-1)}`);
  assert.equal(asked.at(-1).get('page'), '2');

  await pager.locator('.btn-next').click();
  assert.deepEqual(await shown(3), await apiPage(3));
  assert.ok(asked.at(-1).get('after'));

  asked.length = 0;
  await pager.locator('.btn-prev').click();
  assert.deepEqual(await shown(2), await apiPage(2));
  assert.ok(asked.at(-1).get('before'), `back to page 2 by its cursor: ${asked.at(-1)}`);
  assert.equal(asked.at(-1).get('after'), null);

  // a jump to the last page asks for it by number
  asked.length = 0;
  const last = Math.ceil(N / PER);
  await pager.locator(`.el-pager li:text-is("${last}")`).click();
  assert.deepEqual(await shown(last), await apiPage(last));
  assert.equal(asked.at(-1).get('page'), String(last));
  assert.equal(asked.at(-1).get('after'), null);
  assert.equal(asked.at(-1).get('before'), null);
  assert.equal((await shown(last)).length, N % PER);
  await page.screenshot({ path: join(shots, 'paging-person.png'), fullPage: true });

  // a record written meanwhile: the step back from the last page still shows the rows
  // before it (by their position, not by a count that moved)
  const r = await admin.post('/api/v1/person', { name: '翻页00号' });
  assert.equal(r.status, 201);
  const before = await apiPage(last - 1); // shifted by one now
  asked.length = 0;
  await pager.locator('.btn-prev').click();
  const back = await shown(last - 1);
  assert.ok(asked.at(-1).get('before'));
  assert.notDeepEqual(back, before, 'page by page the rows moved');
  const all = (await admin.get('/api/v1/person?sort=name&per_page=200')).json.items.map((x) => x.name);
  const lastFirst = all.indexOf(`翻页${String((last - 1) * PER + 1).padStart(2, '0')}号`);
  assert.deepEqual(back, all.slice(lastFirst - PER, lastFirst), 'the ten rows before the last page shown');
  assert.match(await page.locator('.el-pagination__total').innerText(), new RegExp(`${N + 1}`));
  assert.deepEqual(pageErrors, []);
});

test('the audit trail steps by position as well', async () => {
  const rows = '.audit-table > .el-table__inner-wrapper > .el-table__body-wrapper .el-table__row';
  // each shown entry's record id (the 记录编号 column), once page p has loaded
  const ids = async (p) => {
    await page.locator(`.el-pager li.is-active:text-is("${p}")`).waitFor();
    await page.waitForLoadState('networkidle');
    await page.locator('.audit-table .el-loading-mask').waitFor({ state: 'hidden' });
    return page.$$eval(rows, (trs) => trs.map((tr) => tr.querySelectorAll('td')[5].innerText.trim()));
  };
  const apiIds = async (p) => (await admin.get(`/api/v1/audit?per_page=20&page=${p}`)).json.items.map((e) => String(e.entity_id ?? '-'));
  await page.goto(`${server.url}/#/audit`);
  assert.deepEqual(await ids(1), await apiIds(1));
  const pager = page.locator('.el-pagination');
  asked.length = 0;
  await pager.locator('.btn-next').click();
  assert.deepEqual(await ids(2), await apiIds(2));
  assert.ok(asked.at(-1).get('after'), `page 2 by its position: ${asked.at(-1)}`);
  assert.equal(asked.at(-1).get('page'), '2');
  await pager.locator('.btn-next').click();
  assert.deepEqual(await ids(3), await apiIds(3));
  asked.length = 0;
  await pager.locator('.btn-prev').click();
  assert.deepEqual(await ids(2), await apiIds(2));
  assert.ok(asked.at(-1).get('before'), `back to page 2 by its position: ${asked.at(-1)}`);
  await page.screenshot({ path: join(shots, 'paging-audit.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
});

test('a keyword whose names the name search finds more of than the list takes says so', async () => {
  for (let i = 0; i < 205; i++) {
    const r = await admin.post('/api/v1/person', { name: `陈${String.fromCodePoint(0x4e00 + i)}` });
    assert.equal(r.status, 201, r.text);
  }
  await page.goto(`${server.url}/#/person?q=chen`);
  const note = page.locator('[data-test="names-cut"]');
  await note.waitFor();
  assert.match(await note.innerText(), /多于 200 个，这里只列出最相近的 200 个；字面含有“chen”的记录都已列出/);
  assert.match(await page.locator('.el-pagination__total').innerText(), /200/);
  await page.screenshot({ path: join(shots, 'paging-names-cut.png'), fullPage: true });
  // a keyword the name search finds all of: no note, the API's total
  await page.locator('.q-input input').fill('翻页01号');
  await page.locator('.q-input input').press('Enter');
  await note.waitFor({ state: 'detached' });
  await page.waitForLoadState('networkidle');
  await page.locator('.entity-table .el-loading-mask').waitFor({ state: 'hidden' });
  const api = await admin.get(`/api/v1/person?q=${encodeURIComponent('翻页01号')}`);
  assert.equal('names_cut' in api.json, false);
  assert.equal(await page.locator('.el-pagination__total').innerText(), `共 ${api.json.total} 条`);
  assert.deepEqual(pageErrors, []);
});
