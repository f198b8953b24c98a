// Browser test of a module added as one file (issue 10): the honours (表彰) menu and list
// come from the schema, and the form fills a party link (获表彰者) with one widget: the kind,
// then the record of that kind found by typing, or a bare name for the kind "name" where
// allowed. The server's complaint about the party's record shows under the widget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { openApp } from '../lib/browser.mjs';
import { PASSWORD } from '../lib/server.mjs';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');

let app, server, admin, page, pageErrors;

before(async () => {
  app = await openApp({ viewport: { width: 1366, height: 900 } });
  ({ server, page, pageErrors } = app);
  admin = await server.login('admin');
  const r = await admin.post('/api/v1/person', { name: '司徒美堂', residence_country: 'US' });
  assert.equal(r.status, 201, r.text);
  await page.goto(server.url + '/');
  await page.locator('input[type=text]').first().fill('admin');
  await page.locator('input[type=password]').first().fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.hash.includes('login'));
  await page.waitForLoadState('networkidle');
});

after(async () => {
  await app?.stop();
});

test('an honour for a person from the registry, through the party widget', async () => {
  await page.locator('.side-menu [data-entity=honor]').click();
  await page.getByText('新增').click();
  await page.locator('.entity-form').waitFor();
  // the party is one widget labelled with the party; its id and name are not fields of their own
  await page.locator('.entity-form [data-field=recipient_type]').getByText('获表彰者').first().waitFor();
  assert.equal(await page.locator('.entity-form [data-field=recipient_id]').count(), 0);
  assert.equal(await page.locator('.entity-form [data-field=recipient_name]').count(), 0);
  await page.locator('[data-field=title] input').fill('全国归侨侨眷先进个人');
  await page.locator('[data-party=recipient] .party-kind').click();
  await page.locator('.el-select-dropdown__item:visible').first().waitFor();
  const kinds = await page.locator('.el-select-dropdown__item:visible').allInnerTexts();
  assert.deepEqual(kinds.map((k) => k.trim()), ['侨界人士', '组织'], 'only the kinds an honour allows');
  await page.locator('.el-select-dropdown__item:visible').getByText('侨界人士').click();
  await page.locator('[data-party=recipient] .party-pick').click();
  await page.keyboard.type('司徒');
  await page.locator('.el-select-dropdown__item:visible').getByText('司徒美堂').click();
  await page.locator('[data-field=level]').click();
  await page.locator('.el-select-dropdown__item:visible').getByText('国家级').click();
  await page.locator('[data-field=awarded_on] input').fill('2024-06-01');
  await page.keyboard.press('Enter');
  await page.screenshot({ path: join(shots, 'honor-form.png') });
  await page.locator('.entity-form-dialog .el-button--primary').click();
  await page.getByText('已新增').waitFor();
  await page.locator('.el-table').getByText('司徒美堂').waitFor();
  const list = await admin.get('/api/v1/honor');
  assert.equal(list.json.items.length, 1);
  assert.equal(list.json.items[0].recipient_type, 'person');
  assert.equal(list.json.items[0].recipient_name, '司徒美堂');
  assert.deepEqual(pageErrors, []);
});
