// The service desk as mediators, staff and leaders use it (issue 14): what a mediator may
// and may not do, the rosters with open-case counts, people changed and details edited
// after intake (audited, on the timeline), case numbers said with their org and found by
// search, the list's filters (the export takes the same), SLAs, overdue by org and
// assignee, and every text the server writes for people in zh-Hans, zh-Hant and English.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, listAll, mkOrg, parseCsv, sqlInt } from './helpers.mjs';

const LANGS = ['zh-Hans', 'zh-Hant', 'en'];
const as = (lang) => ({ headers: { 'Accept-Language': lang } });

for (const store of STORES) {
  describe(`the service desk at work (${store})`, () => {
    // root(1) ─ Y (云溪县归国华侨联合会) ─ Y1 (梅塘镇侨联)     users: admin; ystaff, med @Y; other @Z
    //         └ Z (石门区侨联)
    let server, admin, ystaff, med, other, Y, Y1, Z, pApp, pMed, pAdv, ystaffId;
    const base = () => ({ category: 'legal', summary: '房产继承纠纷', applicant_id: pApp.id, channel: 'walk_in' });
    async function mkCase(c, fields = {}) {
      const r = await c.post('/api/v1/case', { ...base(), ...fields });
      assert.equal(r.status, 201, r.text);
      return r.json;
    }
    async function move(c, id, to, extra = {}) {
      const r = await c.post(`/api/v1/case/${id}/transition`, { to, ...extra });
      assert.equal(r.status, 200, `${to}: ${r.text}`);
      return r.json;
    }

    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      Y = await mkOrg(admin, { name: '云溪县归国华侨联合会', level: 'county', phone: '+86 739 4321002' });
      Y1 = await mkOrg(admin, { name: '梅塘镇侨联', kind: 'branch', parent_id: Y.id });
      Z = await mkOrg(admin, { name: '石门区侨联', level: 'county' });
      const person = async (name) => (await admin.post('/api/v1/person', { org_id: Y.id, name, categories: ['returnee'] })).json;
      pApp = await person('陈美玲');
      pMed = await person('吴国栋');
      pAdv = await person('李律师');
      server.addUser('ystaff', 'staff', Y.id);
      server.addUser('med', 'mediator', Y.id);
      server.addUser('other', 'staff', Z.id);
      const users = await listAll(admin, 'user');
      ystaffId = users.find((u) => u.username === 'ystaff').id;
      const medId = users.find((u) => u.username === 'med').id;
      assert.equal((await admin.patch(`/api/v1/user/${medId}`, { person_id: pMed.id })).status, 200);
      [ystaff, med, other] = await Promise.all(['ystaff', 'med', 'other'].map((u) => server.login(u)));
    });
    after(() => server?.stop());

    test('a mediator records progress and results on their cases; the federation decides the rest', async () => {
      const c = await mkCase(ystaff, { mediator_id: pMed.id });
      // from 受理 nothing is the mediator's to do: assigning, referring, rejecting decide for the federation
      assert.deepEqual((await med.get(`/api/v1/case/${c.id}`)).json.allowed_transitions, []);
      assert.deepEqual((await ystaff.get(`/api/v1/case/${c.id}`)).json.allowed_transitions, ['assigned', 'referred', 'rejected']);
      assertError(await med.post(`/api/v1/case/${c.id}/transition`, { to: 'assigned', assignee_id: ystaffId }), 403, 'forbidden', 'to');
      assertError(await med.post(`/api/v1/case/${c.id}/transition`, { to: 'rejected', reason: '不属于受理范围' }), 403, 'forbidden', 'to');
      assertError(await med.post(`/api/v1/case/${c.id}/transition`, { to: 'referred', agency: '区法院' }), 403, 'forbidden', 'to');
      assert.equal((await ystaff.get(`/api/v1/case/${c.id}`)).json.status, 'received', 'nothing moved');
      await move(ystaff, c.id, 'assigned', { assignee_id: ystaffId });
      assert.deepEqual((await med.get(`/api/v1/case/${c.id}`)).json.allowed_transitions, ['in_progress']);
      // allowed: a note, starting, resolving with the result
      assert.equal((await med.post(`/api/v1/case/${c.id}/note`, { note: '已约双方面谈' })).status, 201);
      await move(med, c.id, 'in_progress', { note: '开始调解' });
      assertError(await med.post(`/api/v1/case/${c.id}/transition`, { to: 'referred', agency: '区法院' }), 403, 'forbidden');
      const done = await move(med, c.id, 'resolved', { resolution: '双方达成调解协议', amount_recovered: 4500000 });
      assert.equal(done.status, 'resolved');
      // not allowed: closing after the follow-up (the federation's call), editing, deleting,
      // opening; reopening what they resolved stays theirs
      assert.deepEqual(done.allowed_transitions, ['in_progress']);
      assertError(await med.post(`/api/v1/case/${c.id}/transition`, { to: 'closed', satisfaction: 5 }), 403, 'forbidden');
      assertError(await med.patch(`/api/v1/case/${c.id}`, { summary: '调解员改的' }), 403, 'forbidden');
      assertError(await med.del(`/api/v1/case/${c.id}`), 403, 'forbidden');
      assertError(await med.post('/api/v1/case', base()), 403, 'forbidden');
      assert.equal((await ystaff.get(`/api/v1/case/${c.id}`)).json.summary, '房产继承纠纷');
      await move(ystaff, c.id, 'closed', { satisfaction: 5 });
      const tl = (await ystaff.get(`/api/v1/case/${c.id}/timeline`)).json.items;
      assert.deepEqual(tl.map((s) => s.username), ['ystaff', 'ystaff', 'med', 'med', 'med', 'ystaff']);
    });

    test('people on a case: rosters with open cases, changed from the case, audited and on the timeline', async () => {
      const c = await mkCase(ystaff);
      let r = await ystaff.get('/api/v1/case/people');
      assert.equal(r.status, 200, r.text);
      const before = r.json.items.find((p) => p.id === pMed.id);
      assert.ok(before, 'a person linked to a mediator user is on the roster');
      assert.equal(before.username, 'med');
      const open = (id, col) => sqlInt(server, `SELECT count(*) FROM "case" WHERE ${col} = ${id} AND deleted_at IS NULL AND status IN ('received','assigned','in_progress','referred')`);
      assert.equal(before.mediating, open(pMed.id, 'mediator_id'));
      assertError(await med.get('/api/v1/case/people'), 403, 'forbidden');
      assertError(await med.get('/api/v1/case/assignees'), 403, 'forbidden');
      assert.ok(!(await other.get('/api/v1/case/people')).json.items.some((p) => p.id === pMed.id), 'only the subtree');
      r = await ystaff.patch(`/api/v1/case/${c.id}`, { assignee_id: ystaffId, mediator_id: pMed.id, legal_advisor_id: pAdv.id });
      assert.equal(r.status, 200, r.text);
      r = await ystaff.get('/api/v1/case/people');
      assert.equal(r.json.items.find((p) => p.id === pMed.id).mediating, before.mediating + 1);
      assert.equal(r.json.items.find((p) => p.id === pAdv.id).advising, open(pAdv.id, 'legal_advisor_id'));
      const who = (await ystaff.get('/api/v1/case/assignees')).json.items.find((u) => u.id === ystaffId);
      assert.equal(who.open_cases, open(ystaffId, 'assignee_id'));
      r = await ystaff.get(`/api/v1/case/${c.id}/timeline`);
      assert.equal(r.json.case.assignee_name, 'ystaff');
      assert.equal(r.json.case.mediator_name, '吴国栋');
      assert.equal(r.json.case.legal_advisor_name, '李律师');
      const edit = r.json.items.at(-1);
      assert.equal(edit.action, 'edit');
      assert.equal(edit.text, '修改了 承办人、调解员、法律顾问');
      assert.ok(edit.lines.includes('调解员: — → 吴国栋'), edit.lines.join('|'));
      assert.ok(edit.lines.includes('法律顾问: — → 李律师'), edit.lines.join('|'));
      assert.equal(sqlInt(server, `SELECT count(*) FROM audit_log WHERE entity = 'case' AND entity_id = ${c.id} AND action = 'update'`), 1);
      // details after intake: money in 元 on the timeline, a sensitive value named, not shown
      r = await ystaff.patch(`/api/v1/case/${c.id}`, { amount_claimed: 1200000, summary: '房产继承纠纷(补充)', applicant_contact: '+86 139 0739 1234' });
      assert.equal(r.status, 200, r.text);
      const step = (await ystaff.get(`/api/v1/case/${c.id}/timeline`)).json.items.at(-1);
      assert.ok(step.lines.includes('涉及金额: — → 12,000.00 元'), step.lines.join('|'));
      assert.ok(step.lines.includes('诉求摘要: 房产继承纠纷 → 房产继承纠纷(补充)'), step.lines.join('|'));
      assert.match(step.text, /申请人联系方式/);
      assert.ok(!JSON.stringify(step).includes('0739 1234'), 'the contact is not copied to the timeline');
      assert.equal(sqlInt(server, `SELECT count(*) FROM audit_log WHERE entity = 'case' AND entity_id = ${c.id} AND action = 'update'`), 2);
    });

    test('case numbers are said with their org, and searching that finds the case', async () => {
      const c = await mkCase(ystaff, { received_at: '2025-03-02T10:00:00+08:00' });
      assert.match(c.number, /^2025-\d{6}$/);
      assert.equal(c.org_number, `云溪 ${c.number}`);
      const sub = await mkCase(ystaff, { org_id: Y1.id, received_at: '2025-03-02T10:00:00+08:00' });
      assert.equal(sub.org_number, `梅塘 ${sub.number}`);
      const z = await mkCase(other, { applicant_id: null, applicant_name: '黄先生', applicant_contact: '+86 139 0000 1111', received_at: '2025-03-02T10:00:00+08:00' });
      assert.equal(z.org_number, `石门 ${z.number}`);
      assertError(await ystaff.patch(`/api/v1/case/${c.id}`, { org_number: 'x' }), 400, 'readonly', 'org_number');
      let r = await ystaff.get(`/api/v1/case?q=${encodeURIComponent(`云溪 ${c.number}`)}`);
      assert.deepEqual(r.json.items.map((x) => x.id), [c.id]);
      r = await admin.get(`/api/v1/case?q=${encodeURIComponent(c.number)}`);
      assert.ok(r.json.items.some((x) => x.id === c.id) && r.json.items.some((x) => x.id === z.id), 'the bare number is on several orgs');
      r = await admin.get(`/api/v1/case?q=${encodeURIComponent(`石门 ${z.number}`)}`);
      assert.deepEqual(r.json.items.map((x) => x.id), [z.id]);
    });

    test('list filters, and the export takes the same ones in the same scope', async () => {
      const a = await mkCase(ystaff, { category: 'labor', subtype: '欠薪', channel: 'phone', received_at: '2024-05-06T09:00:00+08:00', due_on: '2024-05-20', mediator_id: pMed.id });
      const b = await mkCase(ystaff, { category: 'labor', subtype: '工伤赔偿', channel: 'wechat', org_id: Y1.id, received_at: '2024-06-03T09:00:00+08:00', due_on: '2099-12-31' });
      await move(ystaff, b.id, 'assigned', { assignee_id: ystaffId });
      const check = async (query, want, not = []) => {
        const items = await listAll(ystaff, 'case', query);
        for (const x of want) assert.ok(items.some((i) => i.id === x.id), `${query} finds ${x.number}`);
        for (const x of not) assert.ok(!items.some((i) => i.id === x.id), `${query} leaves out ${x.number}`);
        // the CSV export with the same filters: the same rows
        const csv = await ystaff.get(`/api/v1/export/case.csv?${query}`);
        assert.equal(csv.status, 200, csv.text);
        assert.equal(parseCsv(csv.text.replace(/^\uFEFF/, '')).filter((row) => row.length > 1).length - 1, items.length, `export of ${query}`);
        const xlsx = await ystaff.get(`/api/v1/export/case.xlsx?${query}`, { raw: true });
        assert.equal(xlsx.status, 200, `xlsx of ${query}`);
        return items;
      };
      await check('category=labor&subtype=欠薪', [a], [b]);
      await check('channel=wechat,phone&category=labor', [a, b]);
      await check('status=assigned&category=labor', [b], [a]);
      await check('received_at_from=2024-06-01T00:00:00%2B08:00&received_at_to=2024-06-30T23:59:59%2B08:00', [b], [a]);
      await check('due_on_from=2024-05-20&due_on_to=2024-05-20', [a], [b]);
      await check(`org_subtree=${Y1.id}`, [b], [a]);
      await check(`org_subtree=${Y.id}&category=labor`, [a, b]);
      await check(`assignee_id=${ystaffId}&category=labor`, [b], [a]);
      await check(`mediator_id=${pMed.id}&category=labor`, [a], [b]);
      const late = await check('overdue=1', [a], [b]);
      assert.ok(late.every((x) => x.overdue));
      // another county's staff: an org outside the scope finds nothing of it
      assert.equal((await other.get(`/api/v1/case?org_subtree=${Y.id}`)).json.total, 0);
      assertError(await ystaff.get('/api/v1/case?org_subtree=abc'), 400, 'bad_request', 'org_subtree');
      assertError(await ystaff.get('/api/v1/case?org_subtree=999999'), 400, 'bad_request', 'org_subtree');
      assertError(await ystaff.get('/api/v1/case?overdue=yes'), 400, 'bad_request', 'overdue');
      assertError(await ystaff.get('/api/v1/export/case.csv?sla=later'), 400, 'bad_request', 'sla');
      // masking holds in the export
      const csv = await ystaff.get(`/api/v1/export/case.csv?org_subtree=${Z.id}`);
      assert.equal(csv.status, 200);
    });

    test('SLAs: not assigned in time, due within two working days; overdue by org and assignee', async () => {
      const now = new Date();
      const iso = (d) => new Date(d).toISOString().replace(/\.\d+Z$/, 'Z');
      const late = await mkCase(ystaff, { received_at: iso(now - 20 * 86400e3), due_on: '2099-01-01' });
      const fresh = await mkCase(ystaff, { received_at: iso(now), due_on: '2099-01-01' });
      const today = new Date(now.getTime() + 8 * 3600e3).toISOString().slice(0, 10);
      const soon = await mkCase(ystaff, { due_on: today });
      assert.equal(late.sla, 'unassigned');
      assert.equal(fresh.sla, null);
      assert.equal(soon.sla, 'due_soon');
      let items = await listAll(ystaff, 'case', 'sla=unassigned');
      assert.ok(items.some((x) => x.id === late.id) && !items.some((x) => x.id === fresh.id));
      assert.ok(items.every((x) => x.sla === 'unassigned'));
      items = await listAll(ystaff, 'case', 'sla=due_soon');
      assert.ok(items.some((x) => x.id === soon.id) && !items.some((x) => x.id === late.id));
      assert.ok(items.every((x) => x.sla === 'due_soon'));
      // assigned, it is no longer late to be assigned
      const moved = await move(ystaff, late.id, 'assigned', { assignee_id: ystaffId });
      assert.equal(moved.sla, null);
      // overdue by org and by assignee
      const o = await mkCase(ystaff, { org_id: Y1.id, due_on: '2020-01-10', received_at: '2020-01-02T09:00:00+08:00' });
      await move(ystaff, o.id, 'assigned', { assignee_id: ystaffId });
      const r = await admin.get(`/api/v1/reports/cases?org=${Y.id}`);
      assert.equal(r.status, 200, r.text);
      const byOrg = Object.fromEntries(r.json.overdue_by_org.map((x) => [x.name, x.count]));
      const count = (where) => sqlInt(server, `SELECT count(*) FROM "case" WHERE deleted_at IS NULL AND status IN ('received','assigned','in_progress','referred') AND due_on < '${today}' AND ${where}`);
      assert.equal(byOrg['梅塘镇侨联'], count(`org_id = ${Y1.id}`));
      assert.equal(byOrg['云溪县归国华侨联合会'] ?? 0, count(`org_id = ${Y.id}`));
      const byUser = Object.fromEntries(r.json.overdue_by_assignee.map((x) => [x.name ?? '', x.count]));
      assert.equal(byUser.ystaff, count(`assignee_id = ${ystaffId}`));
      assert.equal(r.json.overdue_by_org.reduce((s, x) => s + x.count, 0), r.json.overdue);
    });

    test('every text the server writes for people comes in zh-Hans, zh-Hant and English', async () => {
      const c = await mkCase(ystaff, { mediator_id: pMed.id });
      await move(ystaff, c.id, 'assigned', { assignee_id: ystaffId });
      await move(ystaff, c.id, 'in_progress');
      await move(ystaff, c.id, 'resolved', { resolution: '调解成功', amount_recovered: 4500000 });
      await ystaff.post(`/api/v1/case/${c.id}/note`, { note: '电话回访' });
      await ystaff.patch(`/api/v1/case/${c.id}`, { amount_claimed: 5000000 });
      const want = {
        'zh-Hans': { create: '登记受理', move: '办理中 → 办结', note: '备注', edit: '修改了 涉及金额', money: '挽回金额: 45,000.00 元', claimed: '涉及金额: — → 50,000.00 元' },
        'zh-Hant': { create: '登記受理', move: '辦理中 → 辦結', note: '備註', edit: '修改了 涉及金額', money: '挽回金額: 45,000.00 元', claimed: '涉及金額: — → 50,000.00 元' },
        en: { create: 'Case received', move: 'In progress → Resolved', note: 'Note', edit: 'Edited: Amount claimed', money: 'Amount recovered: 45,000.00 yuan', claimed: 'Amount claimed: — → 50,000.00 yuan' },
      };
      for (const lang of LANGS) {
        const tl = (await ystaff.get(`/api/v1/case/${c.id}/timeline`, as(lang))).json.items;
        const w = want[lang];
        assert.equal(tl[0].text, w.create, lang);
        const res = tl.find((s) => s.to === 'resolved' && s.action === 'transition');
        assert.equal(res.text, w.move, lang);
        assert.ok(res.lines.includes(w.money), `${lang}: ${res.lines.join('|')}`);
        assert.ok(!res.lines.some((l) => /4500000/.test(l)), 'never fen');
        assert.equal(tl.find((s) => s.action === 'note').text, w.note);
        const edit = tl.find((s) => s.action === 'edit');
        assert.equal(edit.text, w.edit);
        assert.deepEqual(edit.lines, [w.claimed]);
      }
      // the errors of the desk and of its workflow
      const c2 = await mkCase(ystaff);
      const errors = [
        [(o) => ystaff.post(`/api/v1/case/${c.id}/transition`, { to: 'rejected', reason: 'x' }, o), 409,
          ['服务案件现在是“办结”, 不能转为“不予受理”', '服務案件現在是「辦結」, 不能轉為「不予受理」', 'The Case is “Resolved” now: it cannot become “Rejected”']],
        [(o) => med.post(`/api/v1/case/${c.id}/transition`, { to: 'closed' }, o), 403,
          ['您没有权限把服务案件转为“回访归档”', '您沒有權限把服務案件轉為「回訪歸檔」', 'You may not move the Case to “Closed”']],
        [(o) => ystaff.post(`/api/v1/case/${c.id}/transition`, { to: 'closed', resolution: 'x' }, o), 400,
          ['转为“回访归档”时不能填写“resolution”', '轉為「回訪歸檔」時不能填寫「resolution」', 'A move to “Closed” does not take “resolution”']],
        [(o) => med.patch(`/api/v1/case/${c.id}`, { summary: 'x' }, o), 403,
          ['调解员不能修改案件信息: 办理进展请写备注, 结果请用“办结”', '調解員不能修改案件資訊: 辦理進展請寫備註, 結果請用「辦結」', 'A mediator cannot edit a case: write progress as a note, the result with Resolve']],
        [(o) => med.post('/api/v1/case', base(), o), 403,
          ['调解员不能登记新案件, 请由业务员受理', '調解員不能登記新案件, 請由業務員受理', 'A mediator cannot open a case: staff take it in']],
        [(o) => ystaff.post('/api/v1/case', { category: 'legal', summary: 'x' }, o), 422,
          ['请选择已登记的申请人, 或填写“申请人姓名”和“申请人联系方式”', '請選擇已登記的申請人, 或填寫「申請人姓名」和「申請人聯絡方式」', "Choose a registered applicant, or give the applicant's name and contact"]],
        [(o) => ystaff.post('/api/v1/case', { category: 'legal', summary: 'x', applicant_name: '黄' }, o), 422,
          ['未登记的申请人须填写“申请人联系方式”', '未登記的申請人須填寫「申請人聯絡方式」', 'An applicant who is not registered needs a contact']],
        [(o) => ystaff.patch(`/api/v1/case/${c.id}`, { org_id: Y1.id }, o), 422,
          ['案件的承办组织只能通过“转办”改变', '案件的承辦組織只能通過「轉辦」改變', 'A case changes its org only by a referral']],
        [(o) => ystaff.get('/api/v1/case?overdue=x', o), 400, ['“overdue”应为 1 或 0', '「overdue」應為 1 或 0', '“overdue” is 1 or 0']],
        [(o) => ystaff.get('/api/v1/case?sla=x', o), 400,
          ['“sla”应为 unassigned (超时未分派) 或 due_soon (即将到期)', '「sla」應為 unassigned (超時未分派) 或 due_soon (即將到期)', '“sla” is unassigned or due_soon']],
        // referrals, notes, attachments, a case one may not see
        [(o) => ystaff.post(`/api/v1/case/${c2.id}/transition`, { to: 'referred', to_org_id: Y.id }, o), 422,
          ['不能转办给本组织', '不能轉辦給本組織', 'A case cannot be referred to its own org']],
        [(o) => ystaff.post(`/api/v1/case/${c2.id}/transition`, { to: 'referred' }, o), 422,
          ['转办须指定“转办组织”(本系统中的组织) 或“转办机构”(外部机构) 之一', '轉辦須指定「轉辦組織」(本系統中的組織) 或「轉辦機構」(外部機構) 之一', 'A referral names either an org in qiao or an outside agency']],
        [(o) => ystaff.post(`/api/v1/case/${c2.id}/note`, {}, o), 422, ['请填写“说明”或添加附件', '請填寫「說明」或添加附件', 'Write a note or add an attachment']],
        [(o) => ystaff.post(`/api/v1/case/${c2.id}/note`, { attachment: { name: 'a.txt', data: '' } }, o), 422, ['附件是空文件', '附件是空檔案', 'The attachment is an empty file']],
        [(o) => ystaff.post(`/api/v1/case/${c2.id}/note`, { attachment: { name: 'a.exe', data: Buffer.from('4d5a9000030000000400', 'hex').toString('base64') } }, o), 422,
          ['不支持的附件类型: 只接受 PDF、PNG、JPEG、Word(docx)、Excel(xlsx) 和纯文本', '不支援的附件類型: 只接受 PDF、PNG、JPEG、Word(docx)、Excel(xlsx) 和純文字', 'This kind of file is not accepted: PDF, PNG, JPEG, Word (docx), Excel (xlsx) and plain text only']],
        [(o) => other.get(`/api/v1/case/${c2.id}/timeline`, o), 404,
          [`服务案件(编号 ${c2.id})不存在或无权查看`, `服務案件(編號 ${c2.id})不存在或無權查看`, `Case ${c2.id} does not exist or is not yours to see`]],
        [(o) => med.get('/api/v1/case/people', o), 403, ['调解员不能查看人员名册', '調解員不能查看人員名冊', 'A mediator cannot read the rosters']],
        [(o) => ystaff.post(`/api/v1/case/${c2.id}/note`, { note: 'x', weight: 1 }, o), 400, ['没有“weight”这个字段', '沒有「weight」這個欄位', 'There is no field “weight”']],
        [(o) => admin.get('/api/v1/reports/cases?year=2025', o), 400, ['不认识的参数“year”', '不認識的參數「year」', 'Unknown parameter “year”']],
        [(o) => admin.get('/api/v1/reports/cases?org=x', o), 400, ['“org”应为组织编号', '「org」應為組織編號', '“org” is an org\'s id']],
        [(o) => admin.get('/api/v1/reports/cases?from=2025-13-01', o), 400, ['“from”应为日期, 如 2024-01-01', '「from」應為日期, 如 2024-01-01', '“from” is a date, e.g. 2024-01-01']],
        [(o) => admin.get('/api/v1/reports/cases?to=x', o), 400, ['“to”应为日期, 如 2024-12-31', '「to」應為日期, 如 2024-12-31', '“to” is a date, e.g. 2024-12-31']],
      ];
      for (const [, status, texts] of errors) assert.equal(texts.length, 3);
      for (const lang of LANGS) {
        for (const [call, status, texts] of errors) {
          const r = await call(as(lang));
          assert.equal(r.status, status, r.text);
          assert.equal(r.json.error.message, texts[LANGS.indexOf(lang)], `${lang}: ${r.text}`);
        }
        // a move's needs
        const r = await ystaff.post(`/api/v1/case/${c2.id}/transition`, { to: 'assigned' }, as(lang));
        assert.equal(r.json.error.message, { 'zh-Hans': '转为“分派”时须填写“承办人”', 'zh-Hant': '轉為「分派」時須填寫「承辦人」', en: 'A move to “Assigned” needs “Assignee”' }[lang]);
      }
      // relation captions and duplicate reasons
      const rel = await admin.post('/api/v1/relation', { org_id: Y.id, from_type: 'person', from_id: pMed.id, kind: 'relative', to_type: 'person', to_id: pApp.id });
      assert.equal(rel.status, 201, rel.text);
      const cap = {};
      for (const lang of LANGS) cap[lang] = (await admin.get(`/api/v1/relation/${rel.json.id}`, as(lang))).json.caption;
      assert.equal(cap['zh-Hans'], rel.json.caption);
      assert.deepEqual(cap, { 'zh-Hans': '吴国栋 亲属 陈美玲', 'zh-Hant': '吴国栋 親屬 陈美玲', en: '吴国栋, Relative of 陈美玲' });
      const twin = await admin.post('/api/v1/person', { org_id: Y.id, name: '陳美玲', birth_date: '1960-02-03', categories: ['returnee'] });
      assert.equal(twin.status, 201, twin.text);
      assert.equal((await admin.patch(`/api/v1/person/${pApp.id}`, { birth_date: '1960-02-03' })).status, 200);
      const reasons = {};
      for (const lang of LANGS) {
        const d = await admin.get('/api/v1/dedup/person', as(lang));
        assert.equal(d.status, 200, d.text);
        const pair = d.json.items.find((p) => [p.a_id, p.b_id].includes(twin.json.id));
        assert.ok(pair, JSON.stringify(d.json).slice(0, 300));
        reasons[lang] = pair.reasons.find((x) => x.code === 'name_birth').message;
      }
      assert.deepEqual(reasons, {
        'zh-Hans': '姓名相同 (繁简归一) 且出生日期相同',
        'zh-Hant': '姓名相同 (繁簡歸一) 且出生日期相同',
        en: 'Same name (simplified and traditional alike) and same birth date',
      });
    });
  });
}
