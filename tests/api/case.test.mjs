// The service desk (issue 6): a case's whole lifecycle through the API, every illegal
// transition, referral visibility both ways, mediators' view, concurrent numbering,
// attachments served as downloads, working-day due dates, overdue lists, the figures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { CJK, assertError, listAll, mkOrg, nationalHolidaysUntil, sql, sqlInt } from './helpers.mjs';

const STATUSES = ['received', 'assigned', 'in_progress', 'resolved', 'closed', 'referred', 'rejected'];
// The machine as the spec describes it (the server's moves[] must agree).
const MOVES = {
  received: ['assigned', 'referred', 'rejected'],
  assigned: ['in_progress', 'referred', 'rejected'],
  in_progress: ['resolved', 'referred'],
  referred: ['assigned', 'in_progress', 'resolved', 'rejected'],
  resolved: ['closed', 'in_progress'],
  closed: [],
  rejected: [],
};

for (const store of STORES) {
  describe(`service desk cases (${store})`, () => {
    // root(1) ─ A ─ A1      users: admin@root; astaff, med, med2 @A; bstaff @B
    //         └ B
    let server, admin, astaff, bstaff, med, med2, A, A1, B, pApp, pMed, astaffId;
    const base = () => ({ category: 'legal', summary: '房产继承纠纷', applicant_id: pApp.id, channel: 'walk_in' });

    async function mkCase(c, fields = {}) {
      const r = await c.post('/api/v1/case', { ...base(), ...fields });
      assert.equal(r.status, 201, r.text);
      return r.json;
    }
    async function move(c, id, to, extra = {}) {
      const r = await c.post(`/api/v1/case/${id}/transition`, { to, note: `转为${to}`, ...extra });
      assert.equal(r.status, 200, `${to}: ${r.text}`);
      return r.json;
    }
    // What a move to `to` needs, for a case handled by astaff in A.
    const needs = (to) => ({
      assigned: { assignee_id: astaffId },
      referred: { agency: '区人民法院', reply_due: '2030-01-10' },
      resolved: { resolution: '调解成功' },
      rejected: { reason: '不属于受理范围' },
    })[to] || {};
    // A case of A brought to status s along a legal path.
    async function caseIn(s) {
      const c = await mkCase(astaff);
      const path = {
        received: [], assigned: ['assigned'], in_progress: ['assigned', 'in_progress'],
        resolved: ['assigned', 'in_progress', 'resolved'], closed: ['assigned', 'in_progress', 'resolved', 'closed'],
        referred: ['referred'], rejected: ['rejected'],
      }[s];
      let rec = c;
      for (const to of path) rec = await move(astaff, c.id, to, needs(to));
      assert.equal(rec.status, s);
      return rec;
    }

    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      A1 = await mkOrg(admin, { name: '甲县侨商分会', kind: 'branch', parent_id: A.id });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      let r = await admin.post('/api/v1/person', { org_id: A.id, name: '陈美玲', categories: ['returnee'] });
      assert.equal(r.status, 201, r.text);
      pApp = r.json;
      r = await admin.post('/api/v1/person', { org_id: A.id, name: '吴国栋', categories: ['relative'] });
      pMed = r.json;
      server.addUser('astaff', 'staff', A.id);
      server.addUser('bstaff', 'staff', B.id);
      server.addUser('med', 'mediator', A.id);
      server.addUser('med2', 'mediator', A.id);
      const users = await listAll(admin, 'user');
      astaffId = users.find((u) => u.username === 'astaff').id;
      const medId = users.find((u) => u.username === 'med').id;
      r = await admin.patch(`/api/v1/user/${medId}`, { person_id: pMed.id });
      assert.equal(r.status, 200, r.text);
      [astaff, bstaff, med, med2] = await Promise.all(['astaff', 'bstaff', 'med', 'med2'].map((u) => server.login(u)));
    });
    after(() => server?.stop());

    test('the whole lifecycle: intake, assign, work, resolve, close; every step in the timeline', async () => {
      const c = await mkCase(astaff, { amount_claimed: 1200000, details: '父亲遗留房产被占用' });
      assert.match(c.number, /^\d{4}-\d{6}$/);
      assert.equal(c.status, 'received');
      assert.equal(c.org_id, A.id);
      assert.equal(c.applicant_name, '陈美玲', 'the applicant name is taken from the registry');
      assert.match(c.due_on, /^\d{4}-\d{2}-\d{2}$/);
      let r = await astaff.get(`/api/v1/case/${c.id}`);
      assert.deepEqual(r.json.allowed_transitions, MOVES.received);
      assert.equal(r.json.overdue, false);
      // status is not writable
      assertError(await astaff.patch(`/api/v1/case/${c.id}`, { status: 'closed' }), 400, 'readonly', 'status');
      assertError(await astaff.patch(`/api/v1/case/${c.id}`, { number: '2000-000001' }), 400, 'readonly', 'number');
      // what a move needs is checked
      assertError(await astaff.post(`/api/v1/case/${c.id}/transition`, { to: 'assigned' }), 422, 'invalid', 'assignee_id');
      assertError(await astaff.post(`/api/v1/case/${c.id}/transition`, { to: 'assigned', assignee_id: 999999 }), 422, 'invalid', 'assignee_id');
      assertError(await astaff.post(`/api/v1/case/${c.id}/transition`, { to: 'assigned', assignee_id: astaffId, resolution: 'x' }), 400, 'unknown_field', 'resolution');
      assertError(await astaff.post(`/api/v1/case/${c.id}/transition`, { to: 'nonsense' }), 422, 'invalid', 'to');
      // the people a case can be assigned to: the handling users of the subtree
      const who = (await astaff.get('/api/v1/case/assignees')).json.items.map((u) => u.username);
      assert.ok(who.includes('astaff') && who.includes('med'), who.join());
      assert.ok(!who.includes('bstaff') && !who.includes('admin'), 'only the subtree');
      let rec = await move(astaff, c.id, 'assigned', { assignee_id: astaffId, mediator_id: pMed.id });
      assert.equal(rec.assignee_id, astaffId);
      assert.deepEqual(rec.allowed_transitions, MOVES.assigned);
      rec = await move(astaff, c.id, 'in_progress');
      assertError(await astaff.post(`/api/v1/case/${c.id}/transition`, { to: 'resolved' }), 422, 'invalid', 'resolution');
      rec = await move(astaff, c.id, 'resolved', { resolution: '经调解, 对方退还房产', amount_recovered: 1000000 });
      assert.ok(rec.resolved_at);
      assert.equal(rec.amount_recovered, 1000000);
      r = await astaff.patch(`/api/v1/case/${c.id}`, { details: '父亲遗留房产被亲戚占用' });
      assert.equal(r.status, 200, r.text);
      rec = await move(astaff, c.id, 'closed', { satisfaction: 5 });
      assert.equal(rec.satisfaction, 5);
      assert.ok(rec.followed_up_at);
      assert.deepEqual(rec.allowed_transitions, []);
      r = await astaff.get(`/api/v1/case/${c.id}/timeline`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.readonly, false);
      const steps = r.json.items.map((s) => [s.action, s.from ?? null, s.to]);
      assert.deepEqual(steps, [
        ['create', null, 'received'], ['transition', 'received', 'assigned'], ['transition', 'assigned', 'in_progress'],
        ['transition', 'in_progress', 'resolved'], ['edit', 'resolved', 'resolved'], ['transition', 'resolved', 'closed'],
      ]);
      for (const s of r.json.items) {
        assert.equal(s.username, 'astaff');
        assert.match(s.at, /Z$/);
      }
      assert.equal(r.json.items[1].note, '转为assigned');
      assert.equal(r.json.items[1].detail.assignee_id, astaffId);
      assert.match(r.json.items[1].detail.assignee, /astaff/, 'the timeline names the assignee');
      // each move is in the audit trail too
      assert.equal(sqlInt(server, `SELECT count(*) FROM audit_log WHERE entity = 'case' AND entity_id = ${c.id} AND action = 'transition'`), 4);
    });

    test('every illegal transition answers 409 with a Chinese message and changes nothing', async () => {
      for (const from of STATUSES) {
        const c = await caseIn(from);
        const r0 = await astaff.get(`/api/v1/case/${c.id}`);
        assert.deepEqual(r0.json.allowed_transitions, MOVES[from], `allowed from ${from}`);
        const steps = (await astaff.get(`/api/v1/case/${c.id}/timeline`)).json.items.length;
        for (const to of STATUSES) {
          if (MOVES[from].includes(to)) continue;
          const r = await astaff.post(`/api/v1/case/${c.id}/transition`, { to, ...needs(to) });
          const e = assertError(r, 409, 'conflict');
          assert.match(e.message, CJK);
        }
        const after = await astaff.get(`/api/v1/case/${c.id}`);
        assert.equal(after.json.status, from);
        assert.equal((await astaff.get(`/api/v1/case/${c.id}/timeline`)).json.items.length, steps);
      }
    });

    test('an applicant who is not registered: name and contact', async () => {
      const c = await mkCase(astaff, { applicant_id: null, applicant_name: '黄先生', applicant_contact: '+86 139 0000 1111' });
      assert.equal(c.applicant_id, null);
      assertError(await astaff.post('/api/v1/case', { ...base(), applicant_id: undefined, applicant_name: '黄先生' }), 422, 'invalid', 'applicant_contact');
      assertError(await astaff.post('/api/v1/case', { category: 'legal', summary: '无申请人' }), 422, 'invalid', 'applicant_name');
      assertError(await astaff.post('/api/v1/case', { ...base(), category: 'weird' }), 422, 'invalid', 'category');
    });

    test('referral to another org: it then owns the case; the referring org keeps read access', async () => {
      const c = await mkCase(astaff);
      // before: B sees nothing of it
      assertError(await bstaff.get(`/api/v1/case/${c.id}`), 404, 'not_found');
      assertError(await bstaff.get(`/api/v1/case/${c.id}/timeline`), 404, 'not_found');
      assert.ok(!(await listAll(bstaff, 'case')).some((x) => x.id === c.id));
      assertError(await astaff.post(`/api/v1/case/${c.id}/transition`, { to: 'referred', to_org_id: A.id }), 422, 'invalid', 'to_org_id');
      assertError(await astaff.post(`/api/v1/case/${c.id}/transition`, { to: 'referred', to_org_id: B.id, agency: '法院' }), 422, 'invalid');
      assertError(await astaff.post(`/api/v1/case/${c.id}/transition`, { to: 'referred' }), 422, 'invalid');
      const rec = await move(astaff, c.id, 'referred', { to_org_id: B.id });
      assert.equal(rec.org_id, B.id);
      assert.equal(rec.referred_from_org_id, A.id);
      assert.deepEqual(rec.allowed_transitions, [], 'the referring org can no longer act on it');
      // B owns it now
      let r = await bstaff.get(`/api/v1/case/${c.id}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.allowed_transitions, MOVES.referred);
      assert.ok((await listAll(bstaff, 'case')).some((x) => x.id === c.id));
      // A: not in its lists, no actions, but the timeline reads
      assertError(await astaff.get(`/api/v1/case/${c.id}`), 404, 'not_found');
      assert.ok(!(await listAll(astaff, 'case')).some((x) => x.id === c.id));
      assertError(await astaff.post(`/api/v1/case/${c.id}/transition`, { to: 'in_progress' }), 404, 'not_found');
      assertError(await astaff.post(`/api/v1/case/${c.id}/note`, { note: '补充' }), 404, 'not_found');
      const bstaffId = sqlInt(server, `SELECT id FROM "user" WHERE username = 'bstaff'`);
      await move(bstaff, c.id, 'assigned', { assignee_id: bstaffId });
      assertError(await bstaff.post(`/api/v1/case/${c.id}/transition`, { to: 'in_progress', to_org_id: A.id }), 400, 'unknown_field');
      r = await astaff.get(`/api/v1/case/${c.id}/timeline`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.readonly, true);
      assert.deepEqual(r.json.case.allowed_transitions, []);
      assert.deepEqual(r.json.items.map((s) => s.to), ['received', 'referred', 'assigned']);
      assert.equal(r.json.items[1].detail.to_org_name, '乙县侨联');
      // a sibling org that had nothing to do with it still sees nothing
      server.addUser('a1staff', 'staff', A1.id);
      const a1 = await server.login('a1staff');
      assertError(await a1.get(`/api/v1/case/${c.id}/timeline`), 404, 'not_found');
    });

    test('a case handled by a user the reader cannot see is named to them all the same', async () => {
      const c = await mkCase(admin, { org_id: A.id });
      const adminId = sqlInt(server, `SELECT id FROM "user" WHERE username = 'admin'`);
      await move(admin, c.id, 'assigned', { assignee_id: adminId });
      const want = sql(server, `SELECT coalesce(nullif(name, ''), username) FROM "user" WHERE id = ${adminId}`);
      assertError(await astaff.get(`/api/v1/user/${adminId}`), 403); // not a user of theirs
      const row = (await listAll(astaff, 'case')).find((x) => x.id === c.id);
      assert.equal(row.assignee_name, want);
      assert.equal((await astaff.get(`/api/v1/case/${c.id}`)).json.assignee_name, want);
      assert.equal((await mkCase(astaff)).assignee_name, null, 'none yet');
    });

    test('referral to an outside agency records the agency and the expected reply', async () => {
      const c = await mkCase(astaff);
      const rec = await move(astaff, c.id, 'referred', { agency: '甲县劳动监察大队', reply_due: '2030-02-01' });
      assert.equal(rec.org_id, A.id);
      assert.equal(rec.referral_agency, '甲县劳动监察大队');
      assert.equal(rec.referral_due_on, '2030-02-01');
      assertError(await astaff.post(`/api/v1/case/${c.id}/transition`, { to: 'referred', agency: 'x' }), 409, 'conflict');
      await move(astaff, c.id, 'in_progress');
    });

    test('the timeline names a mediator by the person, not by a user with the same id', async () => {
      const c = await mkCase(astaff);
      await move(astaff, c.id, 'assigned', { assignee_id: astaffId, mediator_id: pMed.id });
      const t = await astaff.get(`/api/v1/case/${c.id}/timeline`);
      assert.equal(t.status, 200, t.text);
      const step = t.json.items.find((s) => s.action === 'transition');
      assert.equal(step.detail.mediator, '吴国栋', JSON.stringify(step.detail));
      assert.match(step.detail.assignee, /astaff/);
    });

    test('a mediator sees only the cases they are on, and cannot open cases', async () => {
      const mine = await mkCase(astaff, { mediator_id: pMed.id });
      const advised = await mkCase(astaff, { legal_advisor_id: pMed.id });
      const other = await mkCase(astaff);
      const seen = (await listAll(med, 'case')).map((x) => x.id).sort((a, b) => a - b);
      const expected = sqlInt(server, `SELECT count(*) FROM "case" WHERE deleted_at IS NULL AND (mediator_id = ${pMed.id} OR legal_advisor_id = ${pMed.id})`);
      assert.equal(seen.length, expected);
      assert.ok(seen.includes(mine.id) && seen.includes(advised.id));
      assert.ok(!seen.includes(other.id));
      assertError(await med.get(`/api/v1/case/${other.id}`), 404, 'not_found');
      assertError(await med.get(`/api/v1/case/${other.id}/timeline`), 404, 'not_found');
      assertError(await med.post(`/api/v1/case/${other.id}/transition`, { to: 'rejected', reason: 'x' }), 404, 'not_found');
      assertError(await med.patch(`/api/v1/case/${other.id}`, { details: 'x' }), 404, 'not_found');
      assert.equal((await med.get(`/api/v1/case/${mine.id}`)).status, 200);
      assert.equal((await med.get(`/api/v1/case/${mine.id}/timeline`)).status, 200);
      assertError(await med.post('/api/v1/case', base()), 403, 'forbidden');
      // a mediator user linked to nobody sees nothing
      assert.equal((await med2.get('/api/v1/case')).json.total, 0);
      assertError(await med2.get(`/api/v1/case/${mine.id}`), 404, 'not_found');
    });

    test('50 parallel creates give 50 distinct, consecutive numbers', async () => {
      const rs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
        astaff.post('/api/v1/case', { ...base(), org_id: A1.id, summary: `并发 ${i}`, received_at: '2031-03-01T10:00:00+08:00' })));
      for (const r of rs) assert.equal(r.status, 201, r.text);
      const nums = rs.map((r) => r.json.number);
      assert.equal(new Set(nums).size, 50);
      assert.deepEqual([...nums].sort(), Array.from({ length: 50 }, (_, i) => `2031-${String(i + 1).padStart(6, '0')}`));
      // a deleted case's number is never given again
      const last = rs.find((r) => r.json.number === '2031-000050').json;
      assert.equal((await admin.del(`/api/v1/case/${last.id}`)).status, 204);
      const next = await mkCase(astaff, { org_id: A1.id, received_at: '2031-05-01T10:00:00+08:00' });
      assert.equal(next.number, '2031-000051');
    });

    test('attachments: sniffed type, content-addressed, served as a download, never as HTML', async () => {
      const c = await mkCase(astaff);
      const html = '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>';
      let r = await astaff.post(`/api/v1/case/${c.id}/note`, {
        note: '申请人提交的材料', attachment: { name: 'evil.html', data: Buffer.from(html).toString('base64') },
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.attachment.type, 'text/plain; charset=utf-8');
      assert.equal(r.json.attachment.name, 'evil.html.txt');
      const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
      await move(astaff, c.id, 'assigned', { assignee_id: astaffId, attachment: { name: '照片.png', data: png.toString('base64') } });
      // the same content twice is stored once
      r = await astaff.post(`/api/v1/case/${c.id}/note`, { attachment: { name: 'again.txt', data: Buffer.from(html).toString('base64') } });
      assert.equal(r.status, 201, r.text);
      assert.equal(sqlInt(server, `SELECT count(*) FROM case_blob WHERE sha256 = '${r.json.attachment.sha256}'`), 1);
      const tl = (await astaff.get(`/api/v1/case/${c.id}/timeline`)).json.items.filter((s) => s.attachment);
      assert.equal(tl.length, 3);
      const res = await fetch(server.url + tl[0].attachment.url, { headers: { Cookie: astaff.cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.match(res.headers.get('content-disposition'), /^attachment; filename="evil\.html\.txt"/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(await res.text(), html);
      const img = await fetch(server.url + tl[1].attachment.url, { headers: { Cookie: astaff.cookie } });
      assert.equal(img.headers.get('content-type'), 'image/png');
      assert.match(img.headers.get('content-disposition'), /^attachment; .*filename\*=UTF-8''%E7%85%A7%E7%89%87\.png/);
      assert.deepEqual(Buffer.from(await img.arrayBuffer()), png);
      // other orgs cannot fetch it
      const other = await fetch(server.url + tl[0].attachment.url, { headers: { Cookie: bstaff.cookie } });
      assert.equal(other.status, 404);
      // refused: unknown binary types, bad base64, too large
      const exe = Buffer.from('4d5a9000030000000400', 'hex');
      assertError(await astaff.post(`/api/v1/case/${c.id}/note`, { attachment: { name: 'a.exe', data: exe.toString('base64') } }), 422, 'invalid', 'attachment');
      assertError(await astaff.post(`/api/v1/case/${c.id}/note`, { attachment: { name: 'a.txt', data: '!!!not base64' } }), 422, 'invalid', 'attachment');
      const big = Buffer.alloc(10 * 1024 * 1024 + 10, 0x41);
      assertError(await astaff.post(`/api/v1/case/${c.id}/note`, { attachment: { name: 'big.txt', data: big.toString('base64') } }), 413, 'too_large');
    });

    test('due dates count working days: weekends, holidays and make-up working days', async () => {
      // The national calendar comes with the program (npm chinese-days): received on
      // Tuesday 2025-09-30, 15 working days skip 国庆中秋 (10-01..10-08) and count the
      // make-up Saturday 10-11: 2025-10-28 (without the holidays it would be 10-21).
      let c = await mkCase(astaff, { category: 'affairs', received_at: '2025-09-30T10:00:00+08:00' });
      assert.equal(c.due_on, '2025-10-28');
      // 春节 2026 (02-15..02-23 off, 02-14 and 02-28 worked): from Friday 02-13, 15 days
      c = await mkCase(astaff, { category: 'affairs', received_at: '2026-02-13T10:00:00+08:00' });
      assert.equal(c.due_on, '2026-03-12');
      // 2030 is past the national data: weekends only, until the admin adds local days.
      // 2030-09-30 is a Monday; 15 working days later is 2030-10-21.
      c = await mkCase(astaff, { category: 'affairs', received_at: '2030-09-30T10:00:00+08:00' });
      assert.equal(c.due_on, '2030-10-21');
      assertError(await astaff.get('/api/v1/holiday'), 403, 'forbidden');
      for (let d = 1; d <= 7; d++) {
        const r = await admin.post('/api/v1/holiday', { date: `2030-10-0${d}`, kind: 'holiday', name: '国庆节' });
        assert.equal(r.status, 201, r.text);
      }
      await admin.post('/api/v1/holiday', { date: '2030-10-12', kind: 'workday', name: '国庆调休' });
      assertError(await admin.post('/api/v1/holiday', { date: '2030-10-12', kind: 'holiday' }), 409, 'conflict');
      c = await mkCase(astaff, { category: 'affairs', received_at: '2030-09-30T10:00:00+08:00' });
      assert.equal(c.due_on, '2030-10-25');
      // legal and labour cases have 30 working days
      c = await mkCase(astaff, { category: 'labor', received_at: '2030-09-30T10:00:00+08:00' });
      assert.equal(c.due_on, '2030-11-15');
    });

    test('the case settings say how far the holiday tables reach: the national one (chinese-days) and the admin\'s days off', async () => {
      const until = nationalHolidaysUntil();
      assert.ok(until >= 2026, `the national table ends in ${until}`);
      // the admin's local days off so far (the test above added 2030's 国庆)
      let r = await astaff.get('/api/v1/case/settings');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.holidays_until, until);
      assert.equal(r.json.local_holidays_until, 2030);
      // a workday row does not count as covering a year; a deleted day off does not either
      const w = await admin.post('/api/v1/holiday', { date: '2031-02-08', kind: 'workday', name: '春节调休' });
      assert.equal(w.status, 201, w.text);
      const h = await admin.post('/api/v1/holiday', { date: '2032-02-11', kind: 'holiday', name: '春节' });
      assert.equal(h.status, 201, h.text);
      assert.equal((await astaff.get('/api/v1/case/settings')).json.local_holidays_until, 2032);
      assert.equal((await admin.del(`/api/v1/holiday/${h.json.id}`)).status, 204);
      assert.equal((await astaff.get('/api/v1/case/settings')).json.local_holidays_until, 2030);
      // a case due past both tables: its due date counted weekends only (the web app warns)
      const c = await mkCase(astaff, { category: 'affairs', received_at: `${until}-12-28T10:00:00+08:00` });
      assert.ok(Number(c.due_on.slice(0, 4)) > until, c.due_on);
    });

    test('overdue cases are flagged and listed with overdue=1', async () => {
      const late = await mkCase(astaff, { due_on: '2020-01-10', summary: '逾期案件' });
      const done = await caseIn('closed');
      let r = await astaff.patch(`/api/v1/case/${done.id}`, { due_on: '2020-01-10' });
      assert.equal(r.status, 200, r.text);
      const items = await listAll(astaff, 'case', 'overdue=1');
      assert.ok(items.some((x) => x.id === late.id));
      assert.ok(!items.some((x) => x.id === done.id), 'a closed case is never overdue');
      assert.ok(items.every((x) => x.overdue === true));
      assert.equal(items.find((x) => x.id === late.id).overdue, true);
      r = await astaff.get(`/api/v1/case/${done.id}`);
      assert.equal(r.json.overdue, false);
      assertError(await astaff.get('/api/v1/case?overdue=yes'), 400, 'bad_request', 'overdue');
      r = await astaff.get(`/api/v1/case?assignee_id=${astaffId}&per_page=200`);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.items.every((x) => x.assignee_id === astaffId));
    });

    test('figures for an org subtree and period', async () => {
      const r = await astaff.get(`/api/v1/reports/cases?org=${A.id}`);
      assert.equal(r.status, 200, r.text);
      const f = r.json;
      const total = sqlInt(server, `SELECT count(*) FROM "case" c JOIN "org" o ON o.id = c.org_id WHERE c.deleted_at IS NULL AND (o.id = ${A.id} OR o.parent_id = ${A.id})`);
      assert.equal(f.total, total);
      assert.equal(Object.values(f.by_category).reduce((a, b) => a + b, 0), total);
      assert.equal(Object.values(f.by_status).reduce((a, b) => a + b, 0), total);
      assert.equal(f.resolved, f.by_status.resolved + f.by_status.closed);
      assert.ok(f.resolution_rate > 0 && f.resolution_rate <= 1);
      assert.ok(f.amount_recovered >= 1000000);
      assert.ok(f.amount_claimed >= 1200000);
      assert.equal(typeof f.median_days_to_resolve, 'number');
      assert.equal(f.satisfaction_avg, 5);
      const period = await astaff.get(`/api/v1/reports/cases?org=${A.id}&from=2031-01-01&to=2031-12-31`);
      assert.equal(period.json.total, 50);
      assertError(await astaff.get(`/api/v1/reports/cases?org=${B.id}`), 404, 'not_found');
      assertError(await astaff.get('/api/v1/reports/cases?from=yesterday'), 400, 'bad_request', 'from');
    });
  });
}
