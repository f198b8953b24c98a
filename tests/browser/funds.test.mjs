// Browser test of the funds ledger (issue 11): a leader opens a programme from the menu's
// 捐赠与帮扶 group, sees its four figures and its ledger (a reversed donation struck through
// and linked to its reversal, a pending disbursement), approves the pending one (a second
// person: finance recorded it), reverses a donation with a reason, and the figures follow.
// Then the pages beside the ledger: the visit log (a visit recorded through its form pays
// from the programme), the wish board (a claim picks the donor), a person's 捐赠与帮扶
// card, and the 待审批 list with its count on the menu, approved from the list.
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

// Log in as name in the browser (a fresh session: the cookies of the last one dropped).
async function login(name) {
  await page.context().clearCookies();
  await page.goto(server.url + '/#/login');
  await page.reload();
  await page.locator('input[name=username]').fill(name);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('.login-submit').click();
  await page.locator('.layout .header').waitFor();
}

const fig = (name) => page.locator(`[data-test=fig-${name}] .fv`).innerText();

test('the programme page: figures, ledger, approval and reversal', async () => {
  try {
    await login('lead');
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
    await login('fin');
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

test('finance records a donation through the form: a required project, date, donor and amount', async () => {
  try {
    await login('fin');
    await page.goto(server.url + `/#/programme/${prog.id}`);
    await page.locator('[data-test=figures]').waitFor();
    const received = await fig('received');
    await page.locator('[data-test=add-donation]').click();
    const d = page.locator('.entity-form-dialog');
    await d.waitFor();
    const item = (f) => d.locator(`.el-form-item[data-field="${f}"]`);
    // nothing typed: each required field says so, by name
    await d.getByRole('button', { name: '保存' }).click();
    await item('received_on').locator('.el-form-item__error').waitFor();
    assert.match(await item('amount').locator('.el-form-item__error').innerText(), /金额/);
    assert.equal(await item('programme_id').locator('.el-form-item__error').count(), 0, 'the preset project is given');
    await item('received_on').locator('input').fill('2024-03-08');
    await item('received_on').locator('input').press('Enter');
    await item('donor_type').locator('.el-select__wrapper').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '未登记的个人或单位' }).first().click();
    await item('donor_type').locator('.party-pick input').fill('林文庆');
    await item('amount').locator('input').fill('500');
    await item('amount').locator('input').press('Tab');
    const asked = page.waitForResponse((r) => r.url().endsWith('/api/v1/donation') && r.request().method() === 'POST');
    await d.getByRole('button', { name: '保存' }).click();
    assert.equal((await asked).status(), 201, 'the form is sent and saved');
    await d.waitFor({ state: 'hidden' });
    await page.locator('[data-test=ledger]').getByText('林文庆').waitFor();
    const yuan = (s) => Number(s.replace(/[¥,]/g, ''));
    await page.waitForFunction((want) => document.querySelector('[data-test=fig-received] .fv')?.innerText === want,
      '¥' + (yuan(received) + 500).toLocaleString('en-US', { minimumFractionDigits: 2 }));
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'funds-donation-form-failure.png'), fullPage: true });
    throw e;
  }
});

test('an amount in another currency is written in it, not in 元; a reversal\'s sign before the ¥', async () => {
  try {
    const usd = (await fin.get('/api/v1/donation?currency=USD')).json.items[0];
    await page.goto(server.url + `/#/donation/${usd.id}`);
    const amount = page.locator('.el-descriptions__cell', { hasText: /^USD / });
    await amount.first().waitFor();
    assert.equal(await amount.first().innerText(), 'USD 100.00');
    assert.ok((await page.locator('.el-descriptions').innerText()).includes('¥710.00'), 'its 折合人民币 in 元');
    await page.goto(server.url + '/#/donation?per_page=50');
    await page.locator('.entity-table').waitFor();
    await page.locator('.entity-table .el-table__row', { hasText: '-¥2,000.00' }).first().waitFor();
    assert.equal(await page.locator('.entity-table', { hasText: '¥-' }).count(), 0, 'no ¥-2,000.00');
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'funds-currency-failure.png'), fullPage: true });
    throw e;
  }
});

const pick = async (sel, text) => {
  await page.locator(`${sel} input`).click();
  await page.locator(`${sel} input`).fill(text);
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
};

test('the visit log: a visit recorded through the form pays from the programme; totals follow', async () => {
  try {
    const admin = await server.login('admin');
    const elder = (await admin.post('/api/v1/person', { name: '黄老归侨', flags: ['elderly'] })).json;
    assert.ok(elder.id, JSON.stringify(elder));
    await page.goto(server.url + '/#/visit/log');
    await page.locator('[data-test=totals]').waitFor();
    assert.match(await page.locator('[data-test=totals]').innerText(), /走访 0 次/);
    await page.locator('[data-test=add-visit]').click();
    const form = page.locator('[data-test=visit-form]');
    await form.waitFor();
    await pick('[data-test=visit-person]', '黄老归侨');
    await form.locator('.el-tag', { hasText: '黄老归侨' }).waitFor();
    await form.locator('[data-test=visit-cash] input').fill('600');
    await pick('[data-test=visit-programme]', '侨爱心工程·助学');
    await page.screenshot({ path: join(shots, 'funds-visit-form.png') });
    await page.locator('[data-test=visit-save]').click();
    await page.locator('[data-test=visit-list]').getByText('黄老归侨').waitFor();
    await page.waitForFunction(() => /走访 1 次/.test(document.querySelector('[data-test=totals]')?.innerText || ''));
    const t = await page.locator('[data-test=totals]').innerText();
    assert.match(t, /慰问 1 人次/);
    assert.match(t, /¥600\.00/);
    const v = (await fin.get('/api/v1/visit')).json.items[0];
    assert.ok(v.disbursement_id, 'the cash is a disbursement of the programme');
    assert.equal((await fin.get(`/api/v1/disbursement/${v.disbursement_id}`)).json.amount, 60000);
    await page.screenshot({ path: join(shots, 'funds-visit-log.png'), fullPage: true });
    // the person's page shows the visit among what they received
    await page.goto(server.url + `/#/person/${elder.id}`);
    const card = page.locator('[data-test=party-funds]');
    await card.waitFor();
    await card.getByText('走访慰问 (1)').waitFor();
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'funds-visit-failure.png'), fullPage: true });
    throw e;
  }
});

test('the wish board: a wish is claimed by an association picked from the registry, then fulfilled', async () => {
  try {
    const admin = await server.login('admin');
    const kid = (await admin.post('/api/v1/person', { name: '陈小明' })).json;
    const assoc = (await admin.post('/api/v1/association', { name: '新加坡清江同乡会', type: 'hometown', country: 'SG' })).json;
    assert.ok(assoc.id, JSON.stringify(assoc));
    const w = (await fin.post('/api/v1/wish', { beneficiary_id: kid.id, wish: '一台学习用的电脑', estimated_cost: 350000 })).json;
    await page.goto(server.url + '/#/wish/board');
    const card = page.locator(`[data-wish="${w.id}"]`);
    await page.locator('[data-state=open]').locator(`[data-wish="${w.id}"]`).waitFor();
    await card.locator('[data-test=claim]').click();
    await page.locator('[data-test=donor-type]').getByText('侨团').click();
    await pick('[data-test=donor-pick]', '新加坡清江同乡会');
    await page.screenshot({ path: join(shots, 'funds-wish-claim.png') });
    await page.locator('[data-test=claim-save]').click();
    await page.locator('[data-state=claimed]').locator(`[data-wish="${w.id}"]`).getByText('新加坡清江同乡会').waitFor();
    assert.equal(await page.locator('[data-state=open]').locator(`[data-wish="${w.id}"]`).count(), 0);
    await page.locator('[data-state=claimed]').locator(`[data-wish="${w.id}"] [data-test=fulfil]`).click();
    await page.locator('[data-test=fulfil-save]').click();
    await page.locator('[data-state=fulfilled]').locator(`[data-wish="${w.id}"]`).waitFor();
    const r = (await fin.get(`/api/v1/wish/${w.id}`)).json;
    assert.equal(r.status, 'fulfilled');
    assert.equal(r.donor_type, 'association');
    assert.equal(r.donor_id, assoc.id);
    await page.screenshot({ path: join(shots, 'funds-wish-board.png'), fullPage: true });
    // the association's page: the wish it claimed, with its cost
    await page.goto(server.url + `/#/association/${assoc.id}`);
    const pf = page.locator('[data-test=party-funds]');
    await pf.getByText('认领微心愿 (1)').waitFor();
    assert.match(await pf.innerText(), /¥3,500\.00/);
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'funds-wish-failure.png'), fullPage: true });
    throw e;
  }
});

test('待审批: the count on the menu; a leader approves from the list', async () => {
  try {
    await fin.post('/api/v1/donation', {
      programme_id: prog.id, received_on: '2024-05-02', donor_type: 'name', donor_name: '林先生', amount: 1000000,
    });
    await fin.post('/api/v1/disbursement', {
      programme_id: prog.id, paid_on: '2024-05-10', beneficiary_type: 'name', beneficiary_name: '侨乡小学',
      amount: 600000, purpose: '助学金发放',
    });
    await login('lead');
    await page.locator('.side-menu').getByText('捐赠与帮扶').click();
    const badge = page.locator('[data-test=pending-badge]');
    await badge.waitFor();
    assert.equal(await badge.innerText(), '1');
    await page.locator('.side-menu [data-page=funds-pending]').click();
    const list = page.locator('[data-test=pending-list]');
    await list.getByText('侨乡小学').waitFor();
    assert.match(await list.innerText(), /¥6,000\.00/);
    await page.screenshot({ path: join(shots, 'funds-pending.png'), fullPage: true });
    await list.locator('[data-test=approve]').first().click();
    await page.locator('.el-message-box input').fill('同意');
    await page.locator('.el-message-box .el-button--primary').click();
    await page.getByText('没有待审批的支出').waitFor();
    await badge.waitFor({ state: 'detached' });
    const p = (await fin.get(`/api/v1/programme/${prog.id}`)).json;
    assert.equal(p.pending, 0);
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'funds-pending-failure.png'), fullPage: true });
    throw e;
  }
});
