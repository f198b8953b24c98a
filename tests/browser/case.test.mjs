// Browser test of the service desk (issue 6): a staff member registers an unregistered
// applicant's case at the intake form, assigns it to themself, works it, resolves it and
// closes it after the follow-up call; the case page shows each step in its timeline and
// only the moves allowed now; the board shows the case in its column.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');
const { PASSWORD } = await import('../lib/server.mjs');
const { openApp } = await import('../lib/browser.mjs');

let app, server, page, pageErrors;

before(async () => {
  app = await openApp({ server: { users: { admin: { role: 'admin' }, clerk: { role: 'staff' } } } });
  ({ server, page, pageErrors } = app);
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
    const number = await page.locator('[data-test=case-number]').innerText();
    assert.match(number, /^\d{4}-\d{6}$/);
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
