// Browser test of the server's messages in the app's language and of the SLA setting
// (issue 14): with the app switched to English (Chromium itself asks for zh-CN), an
// import's dry-run report comes back in English, and in 繁體 in Traditional; the admin changes the working days a new case may wait to be assigned on
// the case figures tab, and the board's flag follows. Screenshots: test-output/screenshots/lang-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');
const { PASSWORD } = await import('../lib/server.mjs');
const { openApp, loginForm, shotOnFailure } = await import('../lib/browser.mjs');
const { nationalHolidaysUntil } = await import('../api/helpers.mjs');

let app, server, page, pageErrors;

before(async () => {
  app = await openApp({ viewport: { width: 1366, height: 900 }, timeout: 15000 });
  ({ server, page, pageErrors } = app);
  await loginForm(page, server.url, 'admin', PASSWORD);
});

after(() => app?.stop());

const file = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

// the import page's dry run of a sheet with a bad date and a bad country: its report
async function dryRun() {
  await page.goto(server.url + '/#/import/person');
  await page.locator('[data-test=import-file]').setInputFiles(file('bad.csv', '\ufeff姓名,出生日期,国籍\n李四,1950-02-30,ZZ\n'));
  for (const step of ['read', 'dry']) await page.locator(`[data-test=import-${step}]`).click();
  await page.locator('[data-test=import-errors]').waitFor();
  await page.waitForTimeout(300);
  return page.locator('[data-test=import-errors]').innerText();
}

test('the import\'s dry-run report in the app\'s language', () => shotOnFailure(page, 'lang-import', async () => {
    await page.locator('.header [data-lang=en]').click();
    const en = await dryRun();
    assert.match(en, /“Date of birth” is not a valid date: “1950-02-30”/, en);
    assert.match(en, /there is no country or region code “ZZ”/, en);
    await page.screenshot({ path: join(shots, 'lang-import-en.png') });
    await page.locator('.header [data-lang=zh-Hant]').click();
    const hant = await dryRun();
    assert.match(hant, /「出生日期」不是有效日期: 「1950-02-30」/, hant);
    assert.deepEqual(pageErrors, []);
}));

test('the admin sets the working days to assign a case; the board and the figures follow', () => shotOnFailure(page, 'lang-assign-days', async () => {
    await page.locator('.header [data-lang=zh-Hans]').click();
    const admin = await server.login('admin');
    // received a calendar week ago, still 受理: more than 2 working days, fewer than 10
    const at = new Date(Date.now() - 7 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
    const c = await admin.post('/api/v1/case', { category: 'affairs', summary: '一周前受理的案件', applicant_name: '王先生', applicant_contact: '+86 139 0739 1111', received_at: at, due_on: '2099-01-01' });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.sla, 'unassigned');
    await page.goto(server.url + '/#/case');
    const card = page.locator(`[data-case="${c.json.number}"]`);
    await card.waitFor();
    assert.equal(await card.locator('[data-sla=unassigned]').count(), 1, 'flagged at 2 days');
    await page.locator('[data-test=case-tabs]').getByText('统计').click();
    const box = page.locator('[data-test=assign-days]');
    await box.waitFor();
    assert.equal(await page.locator('[data-test=unassigned]').innerText(), '1');
    const input = page.locator('[data-test=assign-days-input] input');
    assert.equal(await input.inputValue(), '2');
    await input.fill('10');
    await page.locator('[data-test=assign-days-save]').click();
    await page.waitForFunction(() => document.querySelector('[data-test=unassigned]')?.innerText === '0');
    await page.screenshot({ path: join(shots, 'lang-assign-days.png') });
    assert.deepEqual((await admin.get('/api/v1/case/settings')).json, { assign_days: 10, holidays_until: nationalHolidaysUntil(), local_holidays_until: 0 });
    await page.locator('[data-test=case-tabs]').getByText('案件看板').click();
    // the board shows what it had until the new load comes in: wait for the card to lose its flag
    await page.waitForFunction((n) => { const c = document.querySelector(`[data-case="${n}"]`); return c && !c.querySelector('[data-sla]'); }, c.json.number);
    // the home page's reminder counts with it too
    await page.goto(server.url + '/#/');
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-reminder=unassigned] .tile-count')?.innerText || ''));
    assert.equal(await page.locator('[data-reminder=unassigned] .tile-count').innerText(), '0');
    await page.waitForFunction(() => /超过 10 个工作日未分派/.test(document.querySelector('[data-reminder=unassigned]')?.innerText || ''));
    await page.screenshot({ path: join(shots, 'lang-home-reminders.png') });
    assert.deepEqual(pageErrors, []);
}));
