// Browser tests of the web app: the real server (tests/lib/server.mjs) serving the built app
// (build/web), driven in Debian's Chromium through playwright-core. Screenshots of the main
// pages go to test-output/screenshots/ for a person to look at.
//
// Flow (issue 4): log in as admin; create an org and a child; find it with the list search;
// edit it; see validation errors on the right fields; move and close refused with the
// server's message; switch to Traditional Chinese and English and back; log out. A viewer
// sees no edit buttons, and a user whose password was reset must change it first.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');


const { PASSWORD } = await import('../lib/server.mjs');
const { openApp } = await import('../lib/browser.mjs');

let app, server, page, pageErrors;
const suffix = String(Date.now()).slice(-5);
const PARENT = `测试归侨联谊会${suffix}`;
const CHILD = `青年委员会${suffix}`;
const CHILD2 = `青年工作委员会${suffix}`;

before(async () => {
  app = await openApp({ server: { users: { admin: { role: 'admin' }, viewer: { role: 'viewer' } } } });
  ({ server, page, pageErrors } = app);
});

after(() => app?.stop());

// ---- helpers ----
// A test that leaves a screenshot of the page when it fails (test-output/screenshots/FAILED-*).
function test(name, fn) {
  nodeTest(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      await page?.screenshot({ path: join(shots, `FAILED-${name.replace(/[^\w]+/g, '-').slice(0, 60)}.png`) }).catch(() => {});
      throw e;
    }
  });
}
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
// Before a screenshot: no loading mask left, and Element Plus's transitions (0.3 s) done.
async function settle() {
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask:not([style*="display: none"])'));
  await page.waitForTimeout(350);
}
const dialog = (cls) => page.locator(`.el-dialog.${cls}:visible`);
const formItem = (scope, field) => scope.locator(`.el-form-item[data-field="${field}"]`);

async function choose(scope, field, text) {
  await formItem(scope, field).locator('.el-select__wrapper').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}
// A remote-search select (a ref): type part of the title, pick the match.
async function chooseRef(locator, typed, text = typed) {
  await locator.locator('.el-select__wrapper').click();
  await locator.locator('input').fill(typed);
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}
async function login(username, password) {
  await page.goto(server.url + '/#/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('.login-submit').click();
}
async function logout() {
  await page.locator('[data-test=user-menu]').click();
  await page.locator('.el-dropdown-menu__item.cmd-logout:visible').click();
  await page.locator('.login-card').waitFor();
}
async function treeNode(name) {
  const node = page.locator(`.node[data-org="${name}"]`);
  await node.waitFor();
  return node;
}
async function expandNode(name) {
  const item = page.locator('.el-tree-node', { has: page.locator(`> .el-tree-node__content .node[data-org="${name}"]`) });
  await item.waitFor();
  if (!/is-expanded/.test(await item.getAttribute('class')))
    await item.locator('> .el-tree-node__content .el-tree-node__expand-icon').click();
  await page.waitForFunction((n) => [...document.querySelectorAll('.el-tree-node.is-expanded > .el-tree-node__content .node')]
    .some((x) => x.dataset.org === n), name);
}

// ---- tests ----
test('the login page refuses a wrong password in Chinese', async () => {
  await page.goto(server.url + '/');
  await page.locator('.login-card').waitFor();
  assert.equal(await page.locator('.login-card h2').innerText(), '用户登录');
  await settle();
  await shot('login');
  await login('admin', 'wrong-password');
  const err = page.locator('.login-error');
  await err.waitFor();
  assert.match(await err.innerText(), /[\u4e00-\u9fff]/, 'the refusal is in Chinese');
});

test('admin logs in and sees the menu by module', async () => {
  await login('admin', PASSWORD);
  await page.locator('.layout .header').waitFor();
  if (await dialog('password-dialog').isVisible()) throw new Error('admin was asked to change the password');
  await page.locator('.side-menu').getByText('组织管理').waitFor();
  await page.locator('.tiles .tile[data-entity=org]').waitFor();
  await settle();
  await shot('home');
});

test('create an org under the root with the form dialog', async () => {
  await page.goto(server.url + '/#/org');
  await page.locator('.entity-table').waitFor();
  await page.locator('.btn-create').click();
  const d = dialog('entity-form-dialog');
  await d.waitFor();
  // Required fields are checked before anything is sent.
  await d.getByRole('button', { name: '保存' }).click();
  await formItem(d, 'name').locator('.el-form-item__error').waitFor();
  assert.match(await formItem(d, 'name').locator('.el-form-item__error').innerText(), /名称/);

  await formItem(d, 'name').locator('input').fill(PARENT);
  await choose(d, 'kind', '侨联');
  await chooseRef(formItem(d, 'parent_id'), '测试市');
  await choose(d, 'level', '县级');
  await formItem(d, 'established_on').locator('input').fill('2019-05-04');
  await formItem(d, 'established_on').locator('input').press('Enter');
  await shot('form-dialog');
  await d.getByRole('button', { name: '保存' }).click();
  await d.waitFor({ state: 'hidden' });
  await page.locator('.entity-table .title-link', { hasText: PARENT }).waitFor();
});

test('the server refuses a bad value and the message sits on that field', async () => {
  const row = page.locator('.entity-table .el-table__row', { hasText: PARENT });
  await row.locator('.act-edit').click();
  const d = dialog('entity-form-dialog');
  await d.waitFor();
  await formItem(d, 'name').locator('input').waitFor();
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('.entity-form [data-field=name] input')].some((i) => i.value === n), PARENT);
  // A star is only for 侨胞之家: the server answers 422 with field "star".
  await formItem(d, 'star').locator('input').fill('3');
  await formItem(d, 'star').locator('input').press('Tab');
  await d.getByRole('button', { name: '保存' }).click();
  const err = formItem(d, 'star').locator('.el-form-item__error');
  await err.waitFor();
  assert.match(await err.innerText(), /侨胞之家/);
  await shot('form-error');
  assert.equal(await formItem(d, 'name').locator('.el-form-item__error').count(), 0, 'no error on other fields');
  await d.getByRole('button', { name: '取消' }).click();
  await d.waitFor({ state: 'hidden' });
});

test('the tree adds a child with the parent preset', async () => {
  await page.goto(server.url + '/#/org/tree');
  await expandNode('测试市归国华侨联合会');
  const parent = await treeNode(PARENT);
  await parent.locator('.act-add-child').click();
  const d = dialog('entity-form-dialog');
  await d.waitFor();
  assert.match(await formItem(d, 'parent_id').innerText(), new RegExp(PARENT), 'parent_id is preset');
  await formItem(d, 'name').locator('input').fill(CHILD);
  await choose(d, 'kind', '分会');
  await d.getByRole('button', { name: '保存' }).click();
  await d.waitFor({ state: 'hidden' });
  await treeNode(CHILD);
  assert.match(await (await treeNode(PARENT)).innerText(), /下属 1/);
  await page.locator(`.node[data-org="${PARENT}"] .node-name`).click();
  await page.locator('.side-card .el-descriptions').waitFor();
  await page.locator(`.node[data-org="${CHILD}"]`).waitFor(); // choosing a node keeps the tree as it was
  await settle();
  await shot('tree');
});

test('the tree shows every child of a node, past the first page of 200', async () => {
  const api = await server.login('admin');
  const big = await api.post('/api/v1/org', { name: `百家侨胞之家${suffix}`, kind: 'federation', parent_id: 1 });
  assert.equal(big.status, 201, big.text);
  for (let i = 0; i < 230; i++) {
    const r = await api.post('/api/v1/org', { name: `第${i}侨胞之家${suffix}`, kind: 'home', parent_id: big.json.id });
    assert.equal(r.status, 201, r.text);
  }
  await page.goto(server.url + '/#/org/tree');
  await page.reload(); // the tree as it is now
  await expandNode('测试市归国华侨联合会');
  await expandNode(big.json.name);
  const kids = page.locator('.el-tree-node', { has: page.locator(`> .el-tree-node__content .node[data-org="${big.json.name}"]`) })
    .locator('> .el-tree-node__children > .el-tree-node');
  await page.waitForFunction((n) => document.querySelectorAll('.node[data-org^="第"]').length >= n, 230);
  assert.equal(await kids.count(), 230);
});

test('closing an org with active children and moving it below itself are refused', async () => {
  const parent = await treeNode(PARENT);
  await parent.locator('.act-more').click();
  await page.locator('.el-dropdown-menu__item.cmd-close:visible').click();
  await page.locator('.el-message-box:visible').getByRole('button', { name: '撤销' }).click();
  const box = page.locator('.el-message-box:visible', { hasText: '操作未完成' });
  await box.waitFor();
  assert.match(await box.locator('.el-message-box__message').innerText(), /下级组织/);
  await box.getByRole('button', { name: '确定' }).click();
  await box.waitFor({ state: 'hidden' });

  await (await treeNode(PARENT)).locator('.act-more').click();
  await page.locator('.el-dropdown-menu__item.cmd-move:visible').click();
  const d = dialog('move-dialog');
  await d.waitFor();
  await chooseRef(d.locator('.el-form-item'), CHILD);
  await d.getByRole('button', { name: '确定' }).click();
  const err = d.locator('.el-form-item__error');
  await err.waitFor();
  assert.match(await err.innerText(), /下级/);
  await d.getByRole('button', { name: '取消' }).click();
});

test('the list search finds the child, and editing renames it', async () => {
  await page.goto(server.url + '/#/org');
  await page.locator('.q-input input').fill(CHILD);
  await page.locator('.search-form').getByRole('button', { name: '查询' }).click();
  await page.waitForFunction(() => location.hash.includes('q='));
  const rows = page.locator('.entity-table .el-table__body-wrapper .el-table__row');
  await rows.first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.entity-table .el-table__body-wrapper .el-table__row').length === 1);
  assert.match(await rows.first().innerText(), new RegExp(CHILD));
  await settle();
  await shot('list');

  await rows.first().locator('.act-edit').click();
  const d = dialog('entity-form-dialog');
  await d.waitFor();
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('.entity-form [data-field=name] input')].some((i) => i.value === n), CHILD);
  await formItem(d, 'name').locator('input').fill(CHILD2);
  await d.getByRole('button', { name: '保存' }).click();
  await d.waitFor({ state: 'hidden' });
  // The list keeps its search (the old name) and so shows nothing; search the new name.
  await page.locator('.q-input input').fill(CHILD2);
  await page.locator('.q-input input').press('Enter');
  await page.locator('.entity-table .title-link', { hasText: CHILD2 }).waitFor();
});

test('the detail page shows every field and the related records', async () => {
  await page.locator('.entity-table .title-link', { hasText: CHILD2 }).click();
  await page.locator('.detail-desc').waitFor();
  assert.equal(await page.locator('.detail-title').innerText(), CHILD2);
  assert.match(await page.locator('.detail-desc [data-field=parent_id]').innerText(), new RegExp(PARENT));
  assert.match(await page.locator('.crumbs').innerText(), new RegExp(CHILD2));
  await settle();
  await shot('detail');
});

test('sorting by a column and choosing columns', async () => {
  await page.goto(server.url + '/#/org');
  await page.locator('.entity-table').waitFor();
  await page.locator('.entity-table th', { hasText: '名称' }).locator('.sort-caret.descending').click();
  await page.waitForFunction(() => decodeURIComponent(location.hash).includes('sort=-name'));
  // The server sorts; the page shows its order (our three names differ in the first character).
  const names = () => page.locator('.entity-table .el-table__body-wrapper .title-link').allInnerTexts();
  await page.waitForFunction(() => {
    const n = [...document.querySelectorAll('.entity-table .el-table__body-wrapper .title-link')].map((a) => a.innerText);
    return n.length >= 3 && n.join() === [...n].sort().reverse().join();
  }).catch(() => {});
  const shown = await names();
  assert.ok(shown.length >= 3, 'every org is listed');
  assert.deepEqual(shown, [...shown].sort().reverse(), 'descending by name');

  await page.locator('.btn-columns').click();
  const chooser = page.locator('.col-chooser:visible');
  await chooser.waitFor();
  await chooser.locator('.el-checkbox', { hasText: '成立日期' }).click();
  await page.locator('.entity-table th', { hasText: '成立日期' }).waitFor();
  await chooser.locator('.el-checkbox', { hasText: '状态' }).click();
  await page.waitForFunction(() => ![...document.querySelectorAll('.entity-table th')].some((th) => th.innerText.trim() === '状态'));
  await page.reload();
  await page.locator('.entity-table th', { hasText: '成立日期' }).waitFor(); // remembered
  await page.locator('.btn-columns').click();
  await page.locator('.col-chooser:visible').getByRole('button', { name: '重置' }).click();
  await page.locator('.entity-table th', { hasText: '状态' }).waitFor();
  await page.keyboard.press('Escape');
});

test('the language switch changes the UI and the schema labels, and is remembered', async () => {
  await page.goto(server.url + '/#/org');
  await page.locator('.entity-table').waitFor();
  await page.locator('[data-lang=zh-Hant]').first().click();
  await page.locator('.side-menu').getByText('組織管理').waitFor();
  await page.locator('.entity-table th', { hasText: '名稱' }).waitFor();
  await page.reload();
  await page.locator('.side-menu').getByText('組織管理').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-TW');

  await page.locator('[data-lang=en]').first().click();
  await page.locator('.side-menu').getByText('Organisation').first().waitFor();
  await page.locator('.entity-table th', { hasText: 'Name' }).waitFor();
  // Element Plus follows: the pagination speaks English too.
  await page.locator('.el-pagination').getByText(/Total/).waitFor();
  await shot('list-en');

  await page.locator('[data-lang=zh-Hans]').first().click();
  await page.locator('.side-menu').getByText('组织管理').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('qiao.lang')), 'zh-Hans');
});

test('the audit page lists the changes with before and after', async () => {
  await page.goto(server.url + '/#/audit');
  const rows = page.locator('.audit-table > .el-table__inner-wrapper > .el-table__body-wrapper .el-table__row');
  await rows.first().waitFor();
  const update = rows.filter({ hasText: '修改' }).first();
  await update.locator('.el-table__expand-icon').click();
  await page.locator('.diff .changed').first().waitFor();
  const diff = await page.locator('.diff').first().innerText();
  assert.match(diff, new RegExp(CHILD2));
  assert.doesNotMatch(diff, /更新时间/, 'an update shows what was changed, not when (the entry says when)');
  await settle();
  await shot('audit');
});

test('delete asks first, then the record is gone', async () => {
  await page.goto(server.url + '/#/org?q=' + encodeURIComponent(CHILD2));
  const row = page.locator('.entity-table .el-table__row', { hasText: CHILD2 });
  await row.waitFor();
  await row.locator('.act-delete').click();
  const box = page.locator('.el-message-box:visible');
  await box.waitFor();
  assert.match(await box.innerText(), new RegExp(`确定删除“${CHILD2}”`));
  await box.getByRole('button', { name: '取消' }).click();
  await box.waitFor({ state: 'hidden' });
  assert.equal(await row.count(), 1, 'cancel keeps it');
  await row.locator('.act-delete').click();
  await page.locator('.el-message-box:visible').getByRole('button', { name: '删除' }).click();
  await page.locator('.entity-table .el-empty').waitFor();
  await page.locator('.el-message-box').waitFor({ state: 'hidden' });
  await settle();
  await shot('list-empty');
});

test('masked fields show masked, and 显示 reveals them for a role that may', async () => {
  const admin = await server.login('admin');
  const r = await admin.post('/api/v1/person', { name: '陈嘉庚', id_type: 'passport', id_number: 'E12345678', phone: '+65 6123 4567' });
  assert.equal(r.status, 201, r.text);
  await page.goto(server.url + `/#/person/${r.json.id}`);
  const idNumber = page.locator('.detail-desc [data-field=id_number]');
  await idNumber.waitFor();
  assert.match(await idNumber.innerText(), /\*/);
  assert.doesNotMatch(await idNumber.innerText(), /E12345678/);
  await settle();
  await shot('detail-masked');
  await page.locator('.btn-unmask').click();
  await page.waitForFunction(() => document.querySelector('.detail-desc [data-field=id_number]')?.innerText.includes('E12345678'));
  assert.match(await page.locator('.detail-desc [data-field=phone]').innerText(), /\+65 ?6123 ?4567/);
  assert.equal(await page.locator('.btn-unmask').count(), 0);
});

test('the list is usable at phone width with the menu in a drawer', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(server.url + '/#/org');
  await page.locator('.entity-table').waitFor();
  assert.equal(await page.locator('.aside').count(), 0, 'no fixed side menu on a phone');
  await settle();
  await shot('list-phone');
  await page.locator('.hamburger').click();
  await page.locator('.menu-drawer .side-menu').waitFor();
  await settle(); // the drawer slides in
  await shot('menu-phone');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1366, height: 768 });
});

test('a form with a required link, a year and money saves, new and edited', async () => {
  const api = await server.login('admin');
  const ent = await api.post('/api/v1/enterprise', { name: '表单测试侨资企业有限公司', kind: 'oc_funded' });
  assert.equal(ent.status, 201, ent.text);
  await page.goto(server.url + '/#/enterprise_year');
  await page.locator('.entity-table').waitFor();
  await page.locator('.btn-create').click();
  const d = dialog('entity-form-dialog');
  await d.waitFor();
  await chooseRef(formItem(d, 'enterprise_id'), '表单测试', '表单测试侨资企业有限公司');
  await formItem(d, 'year').locator('input').fill('2024');
  await formItem(d, 'year').locator('input').press('Enter');
  await formItem(d, 'output').locator('input').fill('1250000');
  await formItem(d, 'output').locator('input').press('Tab');
  const made = page.waitForResponse((r) => r.url().endsWith('/api/v1/enterprise_year') && r.request().method() === 'POST');
  await d.getByRole('button', { name: '保存' }).click();
  assert.equal((await made).status(), 201, 'saved: the link (an id), the year and the money are numbers');
  await d.waitFor({ state: 'hidden' });
  const row = page.locator('.entity-table .el-table__row', { hasText: '表单测试侨资企业有限公司' });
  await row.waitFor();
  // opened again, the output changed: the loaded link and year pass the required checks too
  await row.locator('.act-edit').click();
  await d.waitFor();
  await page.waitForFunction(() => document.querySelector('.entity-form [data-field=output] input')?.value);
  await formItem(d, 'output').locator('input').fill('1300000');
  await formItem(d, 'output').locator('input').press('Tab');
  const patched = page.waitForResponse((r) => /\/api\/v1\/enterprise_year\/\d+$/.test(r.url()) && r.request().method() === 'PATCH');
  await d.getByRole('button', { name: '保存' }).click();
  assert.equal((await patched).status(), 200);
  await d.waitFor({ state: 'hidden' });
  const saved = (await api.get('/api/v1/enterprise_year')).json.items.find((x) => x.enterprise_id === ent.json.id);
  assert.deepEqual([saved.year, saved.output], [2024, 130000000]);
});

test('log out', async () => {
  await page.goto(server.url + '/#/');
  await logout();
  await page.goto(server.url + '/#/org');
  await page.locator('.login-card').waitFor(); // back to the login page, asked for again
  assert.match(page.url(), /redirect/);
});

test('a viewer whose password was reset must change it, then sees no edit buttons', async () => {
  const admin = await server.login('admin');
  const users = await admin.get('/api/v1/user?q=viewer');
  const viewer = users.json.items.find((u) => u.username === 'viewer');
  const reset = await admin.post(`/api/v1/user/${viewer.id}/password`, { password: 'reset-password-2' });
  assert.equal(reset.status, 204, reset.text);

  await login('viewer', 'reset-password-2');
  const d = dialog('password-dialog');
  await d.waitFor();
  assert.equal(await d.locator('.el-dialog__headerbtn').count(), 0, 'the forced dialog cannot be closed');
  await settle();
  await shot('password-forced');
  await d.locator('input[name=old_password]').fill('reset-password-2');
  await d.locator('input[name=new_password]').fill('viewer-new-password-3');
  await d.locator('input[name=new_password2]').fill('viewer-new-password-3');
  await d.locator('.btn-save-password').click();
  await d.waitFor({ state: 'hidden' });

  await page.goto(server.url + '/#/org');
  await page.locator('.entity-table .act-view').first().waitFor();
  assert.equal(await page.locator('.btn-create').count(), 0);
  assert.equal(await page.locator('.act-edit').count(), 0);
  assert.equal(await page.locator('.act-delete').count(), 0);
  await page.locator('.entity-table .title-link').first().click();
  await page.locator('.detail-desc').waitFor();
  assert.equal(await page.locator('.btn-edit').count(), 0);
  assert.equal(await page.locator('.btn-delete').count(), 0);
  await page.goto(server.url + '/#/org/tree');
  await page.locator('.node').first().waitFor();
  assert.equal(await page.locator('.act-add-child').count(), 0);
  // A viewer may not unmask: the person shows masked, with no 显示.
  await page.goto(server.url + '/#/person');
  await page.locator('.entity-table .title-link', { hasText: '陈嘉庚' }).click();
  await page.locator('.detail-desc [data-field=id_number]').waitFor();
  assert.match(await page.locator('.detail-desc [data-field=id_number]').innerText(), /\*/);
  assert.equal(await page.locator('.btn-unmask').count(), 0);
  assert.equal(await page.locator('.unmask-inline').count(), 0);
  // No audit page for a viewer: neither in the menu nor by its address.
  assert.equal(await page.locator('[data-page=audit]').count(), 0);
  await logout();
});

test('no script errors on any page', () => {
  assert.deepEqual(pageErrors, []);
});
