// Browser test of Excel in and out (issue 13): a list's 导出 Excel downloads a workbook of
// that list in the app's language; the import page's 下载导入模板 downloads the template;
// a sheet with 编号 shows, after the dry run, what each row will change; a dry run with
// problems offers 下载未通过的行, a workbook of those rows; every list page has 导出 Excel, and
// the audit log's and the duplicate pairs' download their workbooks. Screenshots go to
// test-output/screenshots/excel-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');
const { PASSWORD } = await import('../lib/server.mjs');
const { openApp } = await import('../lib/browser.mjs');
const { sql } = await import('../api/helpers.mjs');

let app, server, page, pageErrors, admin;

before(async () => {
  app = await openApp({ viewport: { width: 1366, height: 900 }, timeout: 15000 });
  ({ server, page, pageErrors } = app);
  admin = await server.login('admin');
  await page.goto(server.url + '/#/login');
  await page.locator('input[name=username]').fill('admin');
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('.login-submit').click();
  await page.locator('.layout .header').waitFor();
});

after(() => app?.stop());

/** Click what starts a download; the downloaded file's name and bytes. */
async function download(locator) {
  const [d] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  const path = await d.path();
  return { name: d.suggestedFilename(), bytes: readFileSync(path) };
}
const isZip = (b) => b.subarray(0, 4).toString('latin1') === 'PK\x03\x04';

test('a list exports as Excel; the import page downloads its template', async () => {
  const p = (await admin.post('/api/v1/person', { name: '导出甲', gender: 'male' })).json;
  await page.goto(server.url + '/#/person');
  await page.locator('[data-test=export-xlsx]').waitFor();
  assert.ok(await page.locator('[data-test=export-unmask]').isVisible(), 'an admin may export in clear');
  await page.screenshot({ path: join(shots, 'excel-list.png') });
  const x = await download(page.locator('[data-test=export-xlsx]'));
  assert.equal(x.name, 'person.xlsx');
  assert.ok(isZip(x.bytes));
  // the export is audited with what was asked: the app's language among it
  const what = JSON.parse(sql(server, "SELECT after_json FROM audit_log WHERE action = 'export' AND entity = 'person' ORDER BY id DESC LIMIT 1"));
  assert.equal(what.lang, 'zh-Hans');

  await page.locator('[data-test=import]').click();
  await page.locator('[data-page=import]').waitFor();
  const t = await download(page.locator('[data-test=import-template]'));
  assert.equal(t.name, 'person-template.xlsx');
  assert.ok(isZip(t.bytes));

  // a sheet with 编号: the dry run says what each row changes
  const sheet = `编号,姓名,性别\n${p.id},导出甲,女\n`;
  await page.locator('[data-test=import-file]').setInputFiles({ name: 'edit.csv', mimeType: 'text/csv', buffer: Buffer.from(sheet) });
  await page.locator('[data-test=import-read]').click();
  await page.locator('[data-test=import-mapping]').waitFor();
  await page.locator('[data-test=import-dry]').click();
  const upd = page.locator('[data-test=import-updates]');
  await upd.waitFor();
  assert.match(await upd.innerText(), /性别: 男 → 女/);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(shots, 'excel-updates.png'), fullPage: true });
  await page.locator('[data-test=import-commit]').click();
  await page.locator('.el-message-box .el-button--primary').click();
  await page.locator('.el-alert--success').waitFor();
  assert.equal((await admin.get(`/api/v1/person/${p.id}`)).json.gender, 'female');
});

test('a dry run with problems: the refused rows download as a sheet with 问题', async () => {
  await page.goto(server.url + '/#/import/person');
  await page.locator('[data-page=import]').waitFor();
  const bad = '姓名,出生日期\n张三,1950-01-01\n李四,1950-02-30\n';
  await page.locator('[data-test=import-file]').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.locator('[data-test=import-read]').click();
  await page.locator('[data-test=import-mapping]').waitFor();
  await page.locator('[data-test=import-dry]').click();
  await page.locator('[data-test=import-errors]').waitFor();
  const r = await download(page.locator('[data-test=import-refused]'));
  assert.match(r.name, /\.xlsx$/);
  assert.ok(isZip(r.bytes));
  // the sheet holds the one refused row, and imports to the same problem
  const again = await admin.req('POST', '/api/v1/import/person?dry_run=1', new Uint8Array(r.bytes),
    { headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual([again.json.rows, again.json.error_rows], [1, 1]);
  assert.equal(again.json.errors[0].field, 'birth_date');
  assert.deepEqual(pageErrors, []);
});

test('every list page has 导出 Excel; the audit log and the duplicate pairs download theirs (in the app\'s language, audited)', async () => {
  // a pair to review
  for (let i = 0; i < 2; i++) await admin.post('/api/v1/person', { name: '导出重名', birth_date: '1951-02-03', gender: 'male' })
  for (const path of ['/#/person', '/#/case', '/#/event', '/#/project', '/#/visit/log', '/#/wish/board', '/#/funds/pending', '/#/programme', '/#/donation', '/#/audit', '/#/dedup/person']) {
    await page.goto(server.url + path);
    const button = page.locator('[data-test=export-xlsx]:visible, [data-test=case-export]:visible').first();
    await button.waitFor({ timeout: 10000 }).catch(() => {});
    assert.ok(await button.isVisible(), `${path}: 导出 Excel`);
  }
  await page.goto(server.url + '/#/audit');
  await page.locator('[data-test=export-xlsx]').waitFor();
  assert.ok(await page.locator('[data-test=export-unmask]').isVisible(), 'an admin may export the audit log in clear');
  await page.screenshot({ path: join(shots, 'excel-audit.png') });
  const a = await download(page.locator('[data-test=export-xlsx]'));
  assert.equal(a.name, 'audit.xlsx');
  assert.ok(isZip(a.bytes));
  const what = JSON.parse(sql(server, "SELECT after_json FROM audit_log WHERE action = 'export' AND entity = 'audit' ORDER BY id DESC LIMIT 1"));
  assert.equal(what.lang, 'zh-Hans');

  await page.goto(server.url + '/#/dedup/person');
  await page.locator('[data-test=dedup-pairs] .el-table__row').first().waitFor();
  await page.screenshot({ path: join(shots, 'excel-dedup.png') });
  const unmasks = Number(sql(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'"));
  await page.locator('[data-test=export-unmask]').click();
  const d = await download(page.locator('[data-test=export-xlsx]'));
  assert.equal(d.name, 'person-duplicates.xlsx');
  assert.ok(isZip(d.bytes));
  const sheet = spawnSync('python3', ['-c', 'import sys,zipfile,io;sys.stdout.write(zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).read("xl/worksheets/sheet1.xml").decode())'],
    { input: d.bytes, encoding: 'utf8' }).stdout;
  assert.equal((sheet.match(/<t>导出重名<\/t>/g) || []).length, 2, 'the pair is in it');
  assert.equal(Number(sql(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'")), unmasks + 1, 'in clear: audited');
  assert.deepEqual(pageErrors, []);
});
