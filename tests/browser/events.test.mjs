// Browser test of events (issue 12): the event page shows the attendance the server
// computes and the series' editions as 第N届; a staff member adds a participant by the name
// search, pastes a sign-in list (one known by phone, one new person confirmed in the
// dialog), marks one absent (the country chart follows each change); a project moves to
// signed from its generic detail page. The events list filters and its calendar, the
// project board by stage with amounts in 万元/亿元, a person's events, honours and
// projects, a 侨胞之家's star history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-output/screenshots');
const { PASSWORD } = await import('../lib/server.mjs');
const { openApp } = await import('../lib/browser.mjs');

let app, server, page, pageErrors, api;
const ids = {};

before(async () => {
  app = await openApp({ server: { users: { admin: { role: 'admin' }, clerk: { role: 'staff' } } } });
  ({ server, page, pageErrors } = app);
  api = await server.login('clerk');
  const post = async (path, body) => {
    const r = await api.post(path, body);
    assert.equal(r.status, 201, `${path}: ${r.text}`);
    return r.json;
  };
  ids.tan = (await post('/api/v1/person', { name: '陈嘉庚', residence_country: 'SG', phone: '+65 9123 4567' })).id;
  ids.wong = (await post('/api/v1/person', { name: '黄乃裳', residence_country: 'MY' })).id;
  ids.lee = (await post('/api/v1/person', { name: '李政道', residence_country: 'US' })).id;
  for (const ed of [4, 6]) await post('/api/v1/event', { name: '中国寻根之旅夏令营', kind: 'camp', series: '中国寻根之旅', edition: ed, starts_on: `20${18 + ed}-07-10` });
  ids.event = (await post('/api/v1/event', {
    name: '中国寻根之旅夏令营', kind: 'camp', series: '中国寻根之旅', edition: 5, starts_on: '2023-07-10', ends_on: '2023-07-20',
    country: 'CN', city: '重庆', mode: 'hybrid', headcount: 40, co_organisers: ['市外办'],
  })).id;
  await post('/api/v1/participant', { event_id: ids.event, person_id: ids.wong, role: 'leader' });
  ids.project = (await post('/api/v1/project', { name: '侨资食品产业园', kind: 'investment', partner_type: 'name', partner_name: '新加坡某公司', amount: 50000000 })).id;
});

after(() => app?.stop());

const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQEAYABgAAD//gA7Q1JFQVRPUjogZ2QtanBlZyB2MS4wICh1c2luZyBJSkcgSlBFRyB2NjIpLCBxdWFsaXR5ID0gNjAK/9sAQwANCQoLCggNCwoLDg4NDxMgFRMSEhMnHB4XIC4pMTAuKS0sMzpKPjM2RjcsLUBXQUZMTlJTUjI+WmFaUGBKUVJP/9sAQwEODg4TERMmFRUmTzUtNU9PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09P/8AAEQgAMABAAwEiAAIRAQMRAf/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAwDAQACEQMRAD8AwqKK6vRdH0+60qGee33yNuyd7DOGI7GvIxGIjQjzSPrKtVU1dnKUV3P/AAj+lf8APr/5Eb/Gj/hH9K/59f8AyI3+Ncf9q0ez/D/Mw+uU+zOGoruf+Ef0r/n1/wDIjf41xt9GkV/cRRjCJKyqPQAmujD4yFdtRT0NaVeNR2RBRRRXUbhXc+HP+QHbf8C/9CNcNXZaBe2kWjQRy3UCON2VaQAj5j2rzszi3RVl1/RnJjE3BW7m1RVX+0bD/n9tv+/q/wCNH9o2H/P7bf8Af1f8a8L2c+zPO5Jdi1Xnup/8hS7/AOuz/wDoRruP7RsP+f22/wC/q/41wuosr6ldOjBlaZyCDkEZNerlcZRnK66HZg01J3K9FFFeyegFFFFABRRRQAUUUUAFFFFAH//Z', 'base64'); // 64×48, made with libgd
const stat = (k) => page.locator(`[data-stat=${k}]`).innerText();

test('the event page: attendance, editions, add by search, paste a sign-in list', async () => {
  try {
    await page.goto(server.url + '/#/login');
    await page.locator('input[name=username]').fill('clerk');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('.login-submit').click();
    await page.locator('.layout .header').waitFor();
    await page.goto(server.url + `/#/event/${ids.event}`);
    await page.locator('.event-page .stats').waitFor();
    assert.equal(await stat('participants'), '1');
    assert.equal(await stat('total'), '41');
    assert.equal(await page.locator('[data-field=edition_label]').innerText(), '第五届');
    assert.deepEqual(await page.locator('.editions .edition b').allInnerTexts(), ['第四届', '第五届', '第六届']);
    await page.screenshot({ path: join(shots, 'event-top.png') });

    // add by the name search
    await page.locator('.add-search input').fill('李政道');
    await page.locator('.el-autocomplete-suggestion li', { hasText: '李政道' }).first().click();
    await page.waitForFunction(() => document.querySelector('[data-stat=participants]')?.innerText === '2');

    // paste a sign-in list: one known by phone, one new
    await page.locator('.btn-signin').click();
    await page.locator('.signin-text textarea').fill('陈先生\tSG\t+65 9123 4567\n李光前\tSG\t+65 8000 1111');
    await page.locator('.btn-match').click();
    await page.locator('.signin-rows').waitFor();
    const commit = page.locator('.btn-commit');
    assert.equal(await commit.isDisabled(), true, 'the new person must be confirmed first');
    await page.locator('.signin-rows .el-table__row').nth(1).locator('.signin-choice').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '新建人员' }).click();
    await page.screenshot({ path: join(shots, 'event-signin.png') });
    await commit.click();
    await page.waitForFunction(() => document.querySelector('[data-stat=participants]')?.innerText === '4');
    assert.equal(await stat('countries'), '3', 'MY, US, SG');
    assert.equal(await page.locator('.participants .el-table__row').count(), 4);
    await page.waitForFunction(() => document.querySelectorAll('.countries .bar-row').length === 3);
    assert.match(await page.locator('.countries .bar-row').first().innerText(), /新加坡\s*2/, 'the chart follows the registrations');

    // mark one absent: the figures follow
    await page.locator('.participants .el-table__row', { hasText: '黄乃裳' }).locator('.el-switch').click();
    await page.waitForFunction(() => document.querySelector('[data-stat=participants]')?.innerText === '3');
    assert.equal(await stat('countries'), '2');
    await page.waitForFunction(() => document.querySelectorAll('.countries .bar-row').length === 2);
    await page.screenshot({ path: join(shots, 'event-page.png'), fullPage: true });

    // photos: two at once, the first becomes the cover, a caption each
    await page.locator('.photo-input').setInputFiles([
      { name: '启动仪式.jpg', mimeType: 'image/jpeg', buffer: JPEG },
      { name: '合影.jpg', mimeType: 'image/jpeg', buffer: JPEG },
    ]);
    await page.locator('.photos .photo').nth(1).waitFor();
    assert.equal(await page.locator('.photos .photo.cover').count(), 1);
    await page.waitForFunction(() => [...document.querySelectorAll('.photos img')].every((i) => i.complete && i.naturalWidth > 0));
    await page.locator('.photos .photo').nth(1).locator('.btn-cover').click();
    await page.waitForFunction(() => document.querySelectorAll('.photos .photo')[1]?.classList.contains('cover'));
    await page.locator('.photos-card').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'event-photos.png') });

    // the list of events
    await page.goto(server.url + '/#/event');
    await page.locator('.el-table__row').first().waitFor();
    await page.screenshot({ path: join(shots, 'event-list.png') });
    const row = await page.locator('.el-table__row', { hasText: '第五届' }).first().innerText();
    assert.match(row, /\b43\b/, `the computed total attendance in the list: ${row}`);

    // a project moves to signed on its generic page
    await page.goto(server.url + `/#/project/${ids.project}`);
    await page.locator('.btn-move[data-to=signed]').click();
    const dlg = page.locator('.el-dialog:visible');
    await dlg.locator('input').first().fill('2024-05-20');
    await dlg.locator('input').first().press('Enter');
    await dlg.locator('.btn-move-ok').click();
    await page.locator('.btn-move[data-to=landed]').waitFor();
    await page.locator('.btn-history').click();
    await page.locator('.history .el-timeline-item').first().waitFor();
    assert.match(await page.locator('.history').innerText(), /洽谈中 → 已签约/);
    await page.screenshot({ path: join(shots, 'project-history.png') });
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'event-failure.png'), fullPage: true });
    throw e;
  }
});

test('events list and calendar, the project board, a person\'s and a home\'s pages', async () => {
  try {
    const admin = await server.login('admin');
    const post = async (c, path, body) => {
      const r = await c.post(path, body);
      assert.equal(r.status, 201, `${path}: ${r.text}`);
      return r.json;
    };
    await post(api, '/api/v1/event', { name: '海外侨领视频座谈会', kind: 'video_conference', starts_on: '2024-05-20', mode: 'online' });
    await post(api, '/api/v1/event', { name: '侨务干部培训班', kind: 'training', starts_on: '2024-05-08', ends_on: '2024-05-10' });
    await post(api, '/api/v1/honor', { title: '优秀海外侨领', level: 'city', recipient_type: 'person', recipient_id: ids.wong, awarded_on: '2024-01-05', awarded_by: '清江市人民政府' });
    const big = await post(api, '/api/v1/project', { name: '黄氏侨商回乡投资', kind: 'investment', partner_type: 'person', partner_id: ids.wong, amount: 22835000000 });
    const m = await api.post(`/api/v1/project/${big.id}/transition`, { to: 'signed', signed_on: '2024-03-01' });
    assert.equal(m.status, 200, m.text);
    await post(api, '/api/v1/project', { name: '侨乡茶叶贸易', kind: 'trade', partner_type: 'name', partner_name: '某侨商', amount: 41200000 });
    const home = await post(admin, '/api/v1/org', { parent_id: 1, kind: 'home', name: '龙阳镇侨胞之家', star: 3, rated_on: '2021-06-01' });
    for (const b of [{ star: 4, rated_on: '2023-03-15' }, { star: 5, rated_on: '2024-09-01' }]) {
      assert.equal((await admin.patch(`/api/v1/org/${home.id}`, b)).status, 200);
    }

    // the list: filter by year and kind; then the calendar of May 2024
    await page.goto(server.url + '/#/event');
    await page.locator('.event-list .el-table__row').first().waitFor();
    await page.locator('[data-test=f-year]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '2024' }).click();
    await page.locator('[data-test=f-kind]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '培训班' }).click();
    await page.locator('[data-test=f-search]').click();
    await page.waitForFunction(() => document.querySelectorAll('.event-list .el-table__row').length === 1);
    assert.match(await page.locator('.event-list .el-table__row').innerText(), /侨务干部培训班/);
    await page.screenshot({ path: join(shots, 'event-list-filtered.png') });
    await page.locator('.event-list button', { hasText: '重置' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.event-list .el-table__row').length === 5);
    await page.locator('[data-test=event-view] label', { hasText: '日历' }).click();
    await page.locator('.calendar').waitFor();
    const prev = page.locator('.calendar .el-calendar__button-group button').first();
    for (let i = 0; i < 60; i++) { // back to May 2024 from today
      const title = await page.locator('.calendar .el-calendar__title').innerText();
      if (/2024.*5 ?月/.test(title)) break;
      await prev.click();
    }
    await page.locator('.calendar .day-ev', { hasText: '海外侨领视频座谈会' }).waitFor();
    assert.equal(await page.locator('.calendar .day-ev', { hasText: '侨务干部培训班' }).count(), 3, 'a three-day training shows on each of its days');
    await page.screenshot({ path: join(shots, 'event-calendar.png') });

    // the project board: a column per stage with its count and amount as the reports write it
    await page.goto(server.url + '/#/project');
    await page.locator('.project-board .column[data-stage=signed] .card').first().waitFor();
    assert.equal(await page.locator('.column[data-stage=signed] .col-sum').innerText(), '2.28亿元');
    assert.equal(await page.locator('.column[data-stage=negotiating] .col-sum').innerText(), '40余万元', '412,000 元');
    assert.equal(await page.locator('.column[data-stage=negotiating] .card').count(), 1);
    assert.equal(await page.locator('.column[data-stage=signed] .card').count(), 2, 'the first test\'s project was signed too');
    await page.screenshot({ path: join(shots, 'project-board.png') });
    await page.locator('.column[data-stage=signed] .card', { hasText: '黄氏侨商回乡投资' }).click();
    await page.locator('.btn-move[data-to=landed]').waitFor();

    // a person's page: the events attended, the honours held, the projects
    await page.goto(server.url + `/#/person/${ids.wong}`);
    await page.locator('[data-list=events] .el-table__row').first().waitFor();
    // the event's name comes after the row (RefText shows #id until its title is read)
    await page.locator('[data-list=events] .el-table__row', { hasText: '中国寻根之旅夏令营' }).waitFor({ timeout: 5000 });
    assert.match(await page.locator('[data-list=events]').innerText(), /中国寻根之旅夏令营/);
    assert.match(await page.locator('[data-list=honours]').innerText(), /优秀海外侨领/);
    assert.match(await page.locator('[data-list=projects]').innerText(), /黄氏侨商回乡投资[\s\S]*2\.28亿元/);
    await page.locator('[data-list=events]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'person-activity.png'), fullPage: true });

    // a home's page, as the admin: its star history, newest first
    await page.evaluate(() => fetch('/api/v1/session', { method: 'DELETE', headers: { 'X-CSRF-Token': '' } }));
    await page.context().clearCookies();
    await page.goto(server.url + '/#/login');
    await page.locator('input[name=username]').fill('admin');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('.login-submit').click();
    await page.locator('.layout .header').waitFor();
    await page.goto(server.url + `/#/org/${home.id}`);
    await page.locator('[data-list=stars] .el-timeline-item').nth(2).waitFor();
    assert.deepEqual(await page.locator('[data-list=stars] .star').evaluateAll((els) => els.map((e) => e.dataset.star)), ['5', '4', '3']);
    assert.match(await page.locator('[data-list=stars]').innerText(), /2024-09-01[\s\S]*2023-03-15[\s\S]*2021-06-01/);
    await page.locator('[data-list=stars]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'org-stars.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: join(shots, 'event-failure-2.png'), fullPage: true });
    throw e;
  }
});
