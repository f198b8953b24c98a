// Browser test of the service desk (issue 6): a staff member registers an unregistered
// applicant's case at the intake form, assigns it to themself, works it, resolves it and
// closes it after the follow-up call; the case page shows each step in its timeline and
// only the moves allowed now; the board shows the case in its column. Then (issue 14): a
// mediator put on a case from the roster, a filtered export of the case list, a due date
// that counts 国庆中秋 2025, the printable 受理回执 and 办结告知; all at 1366 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');
const { PASSWORD } = await import('../lib/server.mjs');
const { openApp } = await import('../lib/browser.mjs');

let app, server, page, pageErrors;

before(async () => {
  app = await openApp({ server: { users: { admin: { role: 'admin' }, clerk: { role: 'staff' }, tiaojie: { role: 'mediator' }, fin: { role: 'finance' } } } });
  ({ server, page, pageErrors } = app);
  // the mediator user is a person of the registry: 吴国栋
  const admin = await server.login('admin');
  const p = await admin.post('/api/v1/person', { name: '吴国栋', categories: ['returnee'] });
  const users = (await admin.get('/api/v1/user?per_page=100')).json.items;
  const r = await admin.patch(`/api/v1/user/${users.find((u) => u.username === 'tiaojie').id}`, { person_id: p.json.id });
  assert.equal(r.status, 200, r.text);
});

after(() => app?.stop());

// Element Plus puts a data- attribute of <el-input> on the inner input or textarea.
const field = (t) => page.locator(`:is(input,textarea)[data-test=${t}], [data-test=${t}] :is(input,textarea)`).first();
const status = () => page.locator('[data-test=case-status]').getAttribute('data-status');
async function waitStatus(s) {
  await page.waitForFunction((x) => document.querySelector('[data-test=case-status]')?.dataset.status === x, s);
}
async function allowed() {
  await page.locator('[data-test=case-actions]').waitFor();
  return page.locator('[data-test=case-actions] [data-move]').evaluateAll((els) => els.map((e) => e.dataset.move));
}
async function doMove(to, fill) {
  await page.locator(`[data-test=case-actions] [data-move=${to}]`).click();
  const submit = page.locator('[data-test=move-submit]:visible');
  await submit.waitFor();
  if (fill) await fill();
  await submit.click();
  await waitStatus(to);
}

test('intake → assign → work → resolve → close, in the browser', async () => {
  try {
    await page.goto(server.url + '/#/login');
    await page.locator('input[name=username]').fill('clerk');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('.login-submit').click();
    await page.locator('.layout .header').waitFor();
    await page.locator('.tiles').first().waitFor();
    await page.locator('.side-menu [data-entity=case]').click();
    await page.locator('[data-test=case-new]').click();
    await page.locator('[data-test=case-intake]').waitFor();
    await page.getByText('未登记申请人').click();
    await field('applicant-name').fill('黄先生');
    await field('applicant-contact').fill('+86 139 0739 5566');
    await field('case-summary').fill('归侨反映工资被拖欠三个月');
    await page.screenshot({ path: join(shots, 'case-intake.png') });
    await page.locator('[data-test=case-save]').click();
    await waitStatus('received');
    // the number is said with the org: 测试 2026-000001
    const said = await page.locator('[data-test=case-number]').innerText();
    assert.match(said, /^测试 \d{4}-\d{6}$/);
    const number = said.split(' ')[1];
    assert.deepEqual(await allowed(), ['assigned', 'referred', 'rejected']);
    await doMove('assigned'); // the assignee defaults to the user
    assert.deepEqual(await allowed(), ['in_progress', 'referred', 'rejected']);
    await doMove('in_progress', () => field('move-note').fill('已联系用人单位'));
    await doMove('resolved', () => field('resolution').fill('用人单位已补发工资'));
    await doMove('closed', () => page.locator('[data-test=satisfaction] .el-rate__item').nth(4).click());
    assert.deepEqual(await allowed(), []);
    assert.equal(await status(), 'closed');
    const steps = await page.locator('[data-test=case-timeline] [data-step]').evaluateAll((els) => els.map((e) => e.dataset.step));
    assert.deepEqual(steps, ['create', 'transition', 'transition', 'transition', 'transition']);
    assert.match(await page.locator('[data-test=case-timeline]').innerText(), /已联系用人单位/);
    await page.screenshot({ path: join(shots, 'case-page.png') });
    // the board shows it among the closed cases
    await page.locator('.side-menu [data-entity=case]').click();
    await page.locator(`.column[data-status=closed] [data-case="${number}"]`).waitFor();
    await page.screenshot({ path: join(shots, 'case-board.png') });
    // the figures: one case received, resolved, satisfaction 5
    await page.locator('[data-test=case-tabs]').getByText('统计').click();
    const fig = page.locator('[data-test=case-figures]');
    await fig.waitFor();
    await page.waitForFunction(() => /1 件 \(100%\)/.test(document.querySelector('[data-test=case-figures]')?.innerText || ''));
    assert.match(await fig.innerText(), /满意度\s*5/);
    await page.screenshot({ path: join(shots, 'case-figures.png') });
    // in English: the board's tabs and the case page's cards and timeline
    await page.locator('.header [data-lang=en]').click();
    await page.locator('[data-test=case-tabs]').getByText('Board').click();
    await page.locator(`.column[data-status=closed] [data-case="${number}"]`).click();
    await page.locator('[data-test=case-timeline]').waitFor();
    const en = await page.locator('.case-page').innerText();
    for (const word of ['The case', 'Handled by', 'Timeline', 'Assignee']) assert.ok(en.includes(word), `${word} in: ${en.slice(0, 300)}`);
    await page.screenshot({ path: join(shots, 'case-page-en.png') });
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page?.screenshot({ path: join(shots, 'FAILED-case.png') }).catch(() => {});
    throw e;
  }
});

// Log in as user, afresh: no cookie, and a new load of the app (its session is in memory).
let loads = 0;
async function login(user) {
  await page.context().clearCookies();
  await page.goto(`${server.url}/?load=${++loads}#/login`);
  await page.locator('input[name=username]').fill(user);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('.login-submit').click();
  await page.locator('.layout .header').waitFor();
  await page.locator('.header [data-lang=zh-Hans]').click(); // the first test left English on
}

// An intake as a clerk: received on Tuesday 2025-09-30, a legal case (30 working days).
async function intake(summary, received) {
  await page.goto(server.url + '/#/case/new');
  await page.locator('[data-test=case-intake]').waitFor();
  await page.getByText('未登记申请人').click();
  await field('applicant-name').fill('林女士');
  await field('applicant-contact').fill('+86 139 0739 7788');
  await field('case-summary').fill(summary);
  if (received) {
    const inp = field('case-received');
    await inp.click();
    await inp.fill(received);
    await inp.press('Enter');
    await page.keyboard.press('Escape');
  }
  await page.locator('[data-test=case-save]').click();
  await waitStatus('received');
  return page.url().match(/case\/(\d+)/)[1];
}

test('a due date counts the holidays; the mediator is put on the case from the roster; receipts print', async () => {
  try {
    await login('clerk');
    const id = await intake('侨眷反映房屋被强拆', '2025-09-30 10:00:00');
    // 30 working days from 2025-09-30 skip 10-01..10-08 and count Saturday 10-11: 11-18
    // (weekends alone would give 11-11)
    const info = page.locator('.case-page');
    await page.waitForFunction(() => /2025-11-18/.test(document.querySelector('.case-page')?.innerText || ''));
    assert.ok(!(await info.innerText()).includes('2025-11-11'));
    await page.screenshot({ path: join(shots, 'case-due-holidays.png') });
    // the roster: 吴国栋 with his open cases
    await page.locator('[data-test=case-people]').click();
    await page.locator('[data-test=people-dialog]').waitFor();
    await page.locator('[data-test=people-mediator]').click();
    const opt = page.locator('.el-select-dropdown__item:visible', { hasText: '吴国栋' });
    await opt.waitFor();
    assert.match(await opt.innerText(), /在办 0 件/);
    await page.screenshot({ path: join(shots, 'case-roster.png') });
    await opt.click();
    await page.locator('[data-test=people-save]').click();
    await page.waitForFunction(() => document.querySelector('[data-test=case-mediator]')?.innerText === '吴国栋');
    await page.waitForFunction(() => /调解员: — → 吴国栋/.test(document.querySelector('[data-test=case-timeline]')?.innerText || ''));
    await page.screenshot({ path: join(shots, 'case-mediator.png') });
    // the details after intake: the amount claimed, in 元, on the timeline
    await page.locator('[data-test=case-edit]').click();
    await page.locator('[data-test=edit-dialog]').waitFor();
    await page.locator('[data-test=edit-amount_claimed] input').fill('12000');
    await page.locator('[data-test=edit-save]').click();
    await page.waitForFunction(() => /涉及金额: — → 12,000.00 元/.test(document.querySelector('[data-test=case-timeline]')?.innerText || ''));
    // the 受理回执 opens in its own page
    const [receipt] = await Promise.all([page.context().waitForEvent('page'), page.locator('[data-test=case-receipt]').click()]);
    await receipt.locator('[data-test=case-receipt]').waitFor();
    assert.match(await receipt.locator('[data-test=receipt-number]').innerText(), /^测试 2025-\d{6}$/);
    assert.match(await receipt.locator('[data-test=receipt-due]').innerText(), /2025-11-18/);
    assert.match(await receipt.locator('[data-test=receipt-received]').innerText(), /2025-09-30/);
    assert.match(await receipt.locator('[data-test=receipt-category]').innerText(), /法务/);
    assert.match(await receipt.locator('[data-test=receipt-org]').innerText(), /测试市归国华侨联合会/);
    assert.match(await receipt.locator('[data-test=receipt-ask]').innerText(), /案件号 测试 2025-\d{6}/);
    await receipt.screenshot({ path: join(shots, 'case-receipt.png') });
    await receipt.close();
    // the mediator logs in: the case is theirs to start and resolve, not to reject or refer
    await login('tiaojie');
    await page.goto(server.url + `/#/case/${id}`);
    await page.locator('[data-test=case-actions]').waitFor();
    assert.deepEqual(await allowed(), []);
    assert.equal(await page.locator('[data-test=case-people]').count(), 0);
    await login('clerk');
    await page.goto(server.url + `/#/case/${id}`);
    await doMove('assigned');
    await login('tiaojie');
    await page.goto(server.url + `/#/case/${id}`);
    assert.deepEqual(await allowed(), ['in_progress']);
    await doMove('in_progress');
    await doMove('resolved', async () => {
      await field('resolution').fill('经调解, 补偿款已到位');
      await page.locator('[data-test=amount_recovered] input').fill('45000');
    });
    await page.waitForFunction(() => /挽回金额: 45,000.00 元/.test(document.querySelector('[data-test=case-timeline]')?.innerText || ''));
    await page.screenshot({ path: join(shots, 'case-mediator-resolved.png') });
    const [notice] = await Promise.all([page.context().waitForEvent('page'), page.locator('[data-test=case-notice]').click()]);
    await notice.locator('[data-test=case-receipt]').waitFor();
    assert.match(await notice.locator('h1').innerText(), /办\s*结\s*告\s*知/);
    assert.match(await notice.locator('[data-test=receipt-recovered]').innerText(), /45,000.00 元/);
    await notice.screenshot({ path: join(shots, 'case-notice.png') });
    await notice.close();
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page?.screenshot({ path: join(shots, 'FAILED-case-desk.png') }).catch(() => {});
    throw e;
  }
});

test('past the national holiday table: the holiday page and a case due later warn, in three languages', async () => {
  try {
    const admin = await server.login('admin');
    const until = (await admin.get('/api/v1/case/settings')).json.holidays_until;
    assert.ok(until >= 2026);
    const mk = async (received) => {
      const r = await admin.post('/api/v1/case', { category: 'affairs', summary: '侨房修缮求助', applicant_name: '陈先生', applicant_contact: '+86 139 0739 2222', received_at: received });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    const later = await mk(`${until}-12-28T10:00:00+08:00`), inside = await mk('2025-09-30T10:00:00+08:00');
    assert.ok(Number(later.due_on.slice(0, 4)) > until, later.due_on);
    await login('admin');
    await page.goto(server.url + `/#/case/${later.id}`);
    const warn = page.locator('[data-test=case-due-warning]');
    await warn.waitFor();
    const text = await warn.innerText();
    assert.ok(text.includes(`国家节假日数据只到${until}年`), text);
    assert.ok(text.includes(`${until + 1}年起的节假日`) && text.includes(later.due_on), text);
    await page.screenshot({ path: join(shots, 'case-due-past-holidays.png') });
    await page.locator('.header [data-lang=en]').click();
    await page.waitForFunction((y) => document.querySelector('[data-test=case-due-warning]')?.innerText.includes(`the national holidays end in ${y}`), until);
    assert.doesNotMatch(await warn.innerText(), /[\u4e00-\u9fff]/);
    await page.locator('.header [data-lang=zh-Hant]').click();
    await page.waitForFunction((y) => document.querySelector('[data-test=case-due-warning]')?.innerText.includes(`國家節假日資料只到${y}年`), until);
    await page.locator('.header [data-lang=zh-Hans]').click();
    // a case due inside the table: no warning
    await page.goto(server.url + `/#/case/${inside.id}`);
    await page.waitForFunction((d) => document.querySelector('.case-page')?.innerText.includes(d), inside.due_on);
    assert.equal(await page.locator('[data-test=case-due-warning]').count(), 0);
    // the admin's holiday page says how far the national table reaches
    await page.goto(server.url + '/#/holiday');
    const hw = page.locator('[data-test=holiday-warning]');
    await hw.waitFor();
    assert.ok((await hw.innerText()).includes(`国家节假日数据只到${until}年, ${until + 1}年起的节假日请在“节假日”中补充`), await hw.innerText());
    await page.screenshot({ path: join(shots, 'holiday-warning.png') });
    await page.locator('.header [data-lang=en]').click();
    await page.waitForFunction((y) => document.querySelector('[data-test=holiday-warning]')?.innerText.includes(`The national holiday table ends in ${y}`), until);
    await page.screenshot({ path: join(shots, 'holiday-warning-en.png') });
    await page.locator('.header [data-lang=zh-Hans]').click();
    // once the admin has added the next year's days off, the case page no longer warns
    const h = await admin.post('/api/v1/holiday', { date: `${until + 1}-01-01`, kind: 'holiday', name: '元旦' });
    assert.equal(h.status, 201, h.text);
    await page.goto(server.url + `/#/case/${later.id}`);
    await page.waitForFunction((d) => document.querySelector('.case-page')?.innerText.includes(d), later.due_on);
    await page.waitForTimeout(300);
    assert.equal(await page.locator('[data-test=case-due-warning]').count(), 0);
    assert.equal((await admin.del(`/api/v1/holiday/${h.json.id}`)).status, 204);
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page?.screenshot({ path: join(shots, 'FAILED-case-holidays.png') }).catch(() => {});
    throw e;
  }
});

test('the case list filters, chooses columns and exports what it shows; the board fits 1366 px', async () => {
  try {
    await login('clerk');
    // the home page's reminders: a case past its due date; the tile opens the list
    // filtered to the overdue cases
    const admin = await server.login('admin');
    const late = await admin.post('/api/v1/case', { category: 'affairs', summary: '逾期未办的案件', applicant_name: '王先生', applicant_contact: '+86 139 0739 1111', due_on: '2020-01-10' });
    assert.equal(late.status, 201, late.text);
    await page.goto(server.url + '/#/');
    const tile = page.locator('[data-reminder=overdue] .tile-count');
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-reminder=overdue] .tile-count')?.innerText || ''));
    const overdue = Number(await tile.innerText());
    assert.equal(overdue, (await admin.get('/api/v1/case?overdue=1')).json.total);
    assert.ok(overdue >= 1);
    await page.screenshot({ path: join(shots, 'case-home-reminders.png') });
    await page.locator('[data-reminder=overdue]').click();
    await page.locator('[data-test=case-filters]').waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=case-table] .el-table__body tr').length === n, overdue);
    assert.ok(await page.locator('[data-filter=overdue] input').isChecked());
    await intake('劳务: 工资被拖欠');
    await page.goto(server.url + '/#/case');
    await page.locator('.columns').waitFor();
    // seven columns, none cut off
    const fit = await page.evaluate(() => {
      const cols = [...document.querySelectorAll('.columns .column')];
      return { n: cols.length, right: Math.max(...cols.map((c) => c.getBoundingClientRect().right)), width: window.innerWidth, scroll: document.documentElement.scrollWidth };
    });
    assert.equal(fit.n, 7);
    assert.ok(fit.right <= fit.width && fit.scroll <= fit.width, JSON.stringify(fit));
    await page.screenshot({ path: join(shots, 'case-board-1366.png') });
    await page.locator('[data-test=case-tabs]').getByText('案件列表').click();
    await page.locator('[data-test=case-filters]').waitFor();
    await page.locator('[data-filter=status]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '受理' }).first().click();
    await page.keyboard.press('Escape');
    await page.locator('[data-test=case-q] input, input[data-test=case-q]').first().fill('工资');
    await page.locator('[data-test=case-search]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-test=case-table] .el-table__body tr').length === 1);
    assert.match(await page.locator('[data-test=case-table]').innerText(), /劳务: 工资被拖欠/);
    // a column more: 来源渠道
    await page.locator('[data-test=case-columns]').click();
    await page.locator('[data-col=channel]').click();
    await page.waitForFunction(() => /来源渠道/.test(document.querySelector('[data-test=case-table] .el-table__header')?.innerText || ''));
    await page.keyboard.press('Escape');
    await page.screenshot({ path: join(shots, 'case-list-filtered.png') });
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=case-export]').click()]);
    const u = new URL(dl.url());
    assert.equal(u.pathname, '/api/v1/export/case.xlsx');
    assert.equal(u.searchParams.get('status'), 'received');
    assert.equal(u.searchParams.get('q'), '工资');
    const file = join(shots, '..', 'case-export.xlsx');
    await dl.saveAs(file);
    const { execFileSync } = await import('node:child_process');
    const strings = execFileSync('unzip', ['-p', file], { encoding: 'utf8' }) // every part: the cells' text is in one of them;
    assert.ok(strings.includes('劳务: 工资被拖欠'), 'the filtered case is in the workbook');
    assert.ok(!strings.includes('侨眷反映房屋被强拆'), 'the case the filter leaves out is not');
    // the header's search finds a case by its number, said with its org
    const said = (await admin.get(`/api/v1/case/${late.json.id}`)).json.org_number;
    await page.locator('.global-search input').fill(said);
    const hit = page.locator('.global-search-popper .gs-item', { hasText: said });
    await hit.waitFor();
    await hit.click();
    await page.waitForFunction((n) => document.querySelector('[data-test=case-number]')?.innerText === n, said);
    // the column choice stays after a reload
    await page.goto(server.url + '/#/case');
    await page.reload();
    await page.locator('[data-test=case-tabs]').getByText('案件列表').click();
    await page.waitForFunction(() => /来源渠道/.test(document.querySelector('[data-test=case-table] .el-table__header')?.innerText || ''));
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page?.screenshot({ path: join(shots, 'FAILED-case-list.png') }).catch(() => {});
    throw e;
  }
});

test('a role without the service desk opening it gets the 无权访问 page, and nothing is asked', async () => {
  await login('fin');
  const asked = [];
  const seen = (r) => r.url().includes('/api/v1/case') || r.url().includes('/api/v1/reports/cases') ? asked.push(r.url()) : null;
  page.on('request', seen);
  const errs = pageErrors.length;
  await page.goto(`${server.url}/#/case`);
  await page.locator('[data-test=case-forbidden]').waitFor();
  assert.match(await page.locator('[data-test=case-forbidden]').innerText(), /无权/);
  await page.waitForLoadState('networkidle');
  page.off('request', seen);
  assert.deepEqual(asked, []);
  assert.equal(await page.locator('.el-message--error').count(), 0, 'no error toast');
  assert.equal(pageErrors.length, errs);
});
