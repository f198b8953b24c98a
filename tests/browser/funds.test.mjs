// Browser test of the funds ledger (issue 11): a leader opens a programme from the menu's
// 捐赠与帮扶 group, sees its four figures and its ledger (a reversed donation struck through
// and linked to its reversal, a pending disbursement), approves the pending one (a second
// person: finance recorded it), reverses a donation with a reason, and the figures follow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');
const { PASSWORD } = await import('../lib/server.mjs');
const { openApp } = await import('../lib/browser.mjs');

let app, server, page, pageErrors, fin, prog, wrong;

before(async () => {
  app = await openApp({ server: { users: { admin: { role: 'admin' }, fin: { role: 'finance' }, lead: { role: 'leader' } } } });
  ({ server, page, pageErrors } = app);
  fin = await server.login('fin');
  prog = (await fin.post('/api/v1/programme', { name: '侨爱心工程·助学', kind: 'education', target: 5000000 })).json;
  const donate = (amount, extra) => fin.post('/api/v1/donation', {
    programme_id: prog.id, received_on: '2024-03-01', donor_type: 'name', donor_name: '陈嘉庚基金会', amount, ...extra,
  });
  wrong = (await donate(200000)).json;
  await fin.post(`/api/v1/donation/${wrong.id}/reverse`, { reason: '重复登记' });
  await donate(1500000, { received_on: '2024-03-05' });
  await donate(10000, { received_on: '2024-03-06', currency: 'USD', rate: '7.1', donor_name: '隐名侨胞', anonymous: true });
  await fin.post('/api/v1/disbursement', {
    programme_id: prog.id, paid_on: '2024-04-01', beneficiary_type: 'name', beneficiary_name: '困难学生李同学',
    amount: 300000, purpose: '助学金',
  });
  const p = await fin.post('/api/v1/disbursement', {
    programme_id: prog.id, paid_on: '2024-04-10', beneficiary_type: 'name', beneficiary_name: '光明小学',
    amount: 800000, purpose: '捐建图书室',
  });
  assert.equal(p.json.status, 'pending');
});

after(() => app?.stop());

const fig = (name) => page.locator(`[data-test=fig-${name}] .fv`).innerText();

test('the programme page: figures, ledger, approval and reversal', async () => {
  try {
    await page.goto(server.url + '/#/login');
    await page.locator('input[name=username]').fill('lead');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('.login-submit').click();
    await page.locator('.layout .header').waitFor();
    await page.locator('.side-menu').getByText('捐赠与帮扶').click();
    await page.locator('.side-menu [data-entity=programme]').click();
    await page.getByText('侨爱心工程·助学').first().click();
    await page.locator('[data-test=figures]').waitFor();
    assert.equal(await page.locator('[data-test=programme-name]').innerText(), '侨爱心工程·助学');
    // 15,000 + 710 received; 3,000 paid; 8,000 pending
    assert.equal(await fig('received'), '¥15,710.00');
    assert.equal(await fig('disbursed'), '¥3,000.00');
    assert.equal(await fig('pending'), '¥8,000.00');
    assert.equal(await fig('balance'), '¥12,710.00');
    const ledger = page.locator('[data-test=ledger]');
    await ledger.getByText('爱心人士').waitFor();
    assert.equal(await ledger.getByText('隐名侨胞').count(), 0, 'the anonymous donor is not named');
    assert.equal(await page.locator('.reversed').count(), 1, 'the reversed entry is marked');
    assert.ok((await ledger.innerText()).includes('重复登记'), 'the reason shows');
    await page.screenshot({ path: join(shots, 'funds-ledger.png'), fullPage: true });

    await page.locator('[data-test=approve]').first().click();
    await page.locator('.el-message-box input').fill('同意拨付');
    await page.locator('.el-message-box .el-button--primary').click();
    await page.waitForFunction(() => document.querySelector('[data-test=fig-pending] .fv')?.innerText === '¥0.00');
    assert.equal(await fig('disbursed'), '¥11,000.00');
    assert.equal(await fig('balance'), '¥4,710.00');

    // leaders do not edit the ledger (no 冲销 button); finance does, in its own session
    assert.equal(await page.locator('[data-test=reverse]').count(), 0);
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'funds-ledger-failure.png'), fullPage: true });
    throw e;
  }
});

test('finance reverses a donation with a reason; the figures follow', async () => {
  try {
    await page.locator('.layout .header').waitFor();
    await page.context().clearCookies();
    await page.goto(server.url + '/#/login');
    await page.reload();
    await page.locator('input[name=username]').fill('fin');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('.login-submit').click();
    await page.locator('.layout .header').waitFor();
    await page.goto(server.url + `/#/programme/${prog.id}`);
    await page.locator('[data-test=figures]').waitFor();
    const before = await page.locator('[data-test=reverse]').count();
    assert.ok(before >= 2);
    // the last row with a 冲销 button is the approved 8,000 元 disbursement; reverse the
    // USD donation (¥710.00) instead: find its row
    const row = page.locator('[data-test=ledger] tr', { hasText: '爱心人士' }).first();
    await row.locator('[data-test=reverse]').click();
    await page.locator('.el-message-box input').fill('汇率有误');
    await page.locator('.el-message-box .el-button--primary').click();
    await page.waitForFunction(() => document.querySelector('[data-test=fig-received] .fv')?.innerText === '¥15,000.00');
    assert.equal(await page.locator('.reversed').count(), 2);
    await page.screenshot({ path: join(shots, 'funds-ledger-reversed.png'), fullPage: true });
    // the receipt of the reversed donation prints 已冲销, the amount in capital numerals
    await page.goto(server.url + `/#/print/donation/${wrong.id}`);
    await page.locator('[data-test=receipt-words]').waitFor();
    assert.equal(await page.locator('[data-test=receipt-words]').innerText(), '人民币贰仟元整');
    assert.equal(await page.locator('[data-test=receipt-amount]').innerText(), '¥2,000.00');
    assert.equal(await page.locator('[data-test=receipt-number]').innerText(), wrong.receipt_number);
    await page.locator('[data-test=receipt-org]').getByText('测试市归国华侨联合会').waitFor();
    await page.locator('[data-test=stamp]').waitFor();
    assert.equal(await page.locator('.side-menu').count(), 0, 'the page prints alone');
    await page.screenshot({ path: join(shots, 'funds-receipt.png') });
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'funds-ledger-failure2.png'), fullPage: true });
    throw e;
  }
});
