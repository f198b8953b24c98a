// The funds ledger (issue 11): programmes with balances computed from the ledger,
// append-only donations and disbursements (405, reversal, receipt and voucher numbers),
// money in fen with foreign currencies, anonymous donors, four-eyes approval above the
// threshold, no overdraw under concurrency, visits paying from a programme, wishes on
// their workflow. Every line of SPEC "The fixed interface" about funds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, mkOrg, parseCsv, sql, sqlInt } from './helpers.mjs';

for (const store of STORES) {
  describe(`funds ledger (${store})`, () => {
    // root(1): admin, fin (finance), fin2 (finance), lead (leader), staff, viewer; B: bstaff
    let server, admin, fin, fin2, lead, staff, viewer, bstaff, B;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      for (const [n, role, org] of [['fin', 'finance', 1], ['fin2', 'finance', 1], ['lead', 'leader', 1],
        ['staff', 'staff', 1], ['viewer', 'viewer', 1], ['bstaff', 'staff', B.id]])
        server.addUser(n, role, org);
      [fin, fin2, lead, staff, viewer, bstaff] = await Promise.all(
        ['fin', 'fin2', 'lead', 'staff', 'viewer', 'bstaff'].map((n) => server.login(n)));
    });
    after(() => server?.stop());

    let pn = 0;
    async function programme(c = fin, extra = {}) {
      const r = await c.post('/api/v1/programme', { name: `侨爱心工程${++pn}`, kind: 'love', ...extra });
      assert.equal(r.status, 201, r.text);
      return r.json;
    }
    async function donate(p, amount, extra = {}, c = fin) {
      const r = await c.post('/api/v1/donation', {
        programme_id: p.id, received_on: '2024-05-01', donor_type: 'name', donor_name: '陈先生', amount, ...extra,
      });
      assert.equal(r.status, 201, r.text);
      return r.json;
    }
    function pay(p, amount, extra = {}, c = fin) {
      return c.post('/api/v1/disbursement', {
        programme_id: p.id, paid_on: '2024-06-01', beneficiary_type: 'name', beneficiary_name: '困难侨眷王女士',
        amount, purpose: '助学', ...extra,
      });
    }
    const figures = async (p) => {
      const r = await fin.get(`/api/v1/programme/${p.id}`);
      assert.equal(r.status, 200, r.text);
      const { received, disbursed, pending, balance } = r.json;
      return { received, disbursed, pending, balance };
    };
    const count = (table) => sqlInt(server, `SELECT count(*) FROM ${table}`);

    test('the module, its entities and the programme\'s computed figures in the schema', async () => {
      const r = await viewer.get('/api/v1/schema');
      const m = r.json.modules.find((x) => x.name === 'funds');
      assert.deepEqual(m.label, { 'zh-Hans': '捐赠与帮扶', 'zh-Hant': '捐贈與幫扶', en: 'Donations and aid' });
      for (const n of ['programme', 'donation', 'disbursement', 'visit', 'wish'])
        assert.ok(r.json.entities.find((e) => e.name === n), n);
      const p = r.json.entities.find((e) => e.name === 'programme');
      for (const f of ['received', 'disbursed', 'pending', 'balance'])
        assert.equal(p.fields.find((x) => x.name === f)?.computed, true, f);
      for (const n of ['donation', 'disbursement'])
        assert.equal(r.json.entities.find((e) => e.name === n).append_only, true, `${n} is a ledger`);
      assert.equal(p.append_only, undefined);
      const w = r.json.entities.find((e) => e.name === 'wish').workflow;
      assert.deepEqual(w.moves.map((x) => x.to), ['claimed', 'fulfilled', 'open', 'cancelled']);
    });

    test('donations: receipt numbers per year, 405 on PATCH and DELETE, a reversal that names the entry', async () => {
      const p = await programme();
      const d1 = await donate(p, 1000000);
      const d2 = await donate(p, 5000);
      assert.match(d1.receipt_number, /^2024-\d{6}$/);
      assert.equal(Number(d2.receipt_number.slice(5)), Number(d1.receipt_number.slice(5)) + 1);
      assert.equal(d1.amount_cny, 1000000);
      assertError(await fin.patch(`/api/v1/donation/${d1.id}`, { notes: '改' }), 405, 'append_only');
      assertError(await admin.del(`/api/v1/donation/${d1.id}`), 405, 'append_only');
      assertError(await fin.post(`/api/v1/donation/${d1.id}/reverse`, {}), 422, 'invalid', 'reason');
      const rv = await fin.post(`/api/v1/donation/${d1.id}/reverse`, { reason: '金额录错' });
      assert.equal(rv.status, 201, rv.text);
      assert.equal(rv.json.reverses_id, d1.id);
      assert.equal(rv.json.amount, -1000000);
      assert.equal(rv.json.amount_cny, -1000000);
      assert.equal(rv.json.reason, '金额录错');
      assert.match(rv.json.receipt_number, /^2024-\d{6}$/);
      assert.notEqual(rv.json.receipt_number, d1.receipt_number, 'a reversal gets its own number');
      assertError(await fin.post(`/api/v1/donation/${d1.id}/reverse`, { reason: '再冲' }), 409, 'conflict');
      assertError(await fin.post(`/api/v1/donation/${rv.json.id}/reverse`, { reason: '冲销的冲销' }), 409, 'conflict');
      const orig = await fin.get(`/api/v1/donation/${d1.id}`);
      assert.equal(orig.json.amount, 1000000, 'the original stays as it was');
      assert.equal(orig.json.receipt_number, d1.receipt_number);
      assert.equal(orig.json.reversed_by, rv.json.id, 'the entry names its reversal');
      assert.equal(rv.json.reversed_by, null);
      assert.equal(orig.json.amount_in_words, '人民币壹万元整');
      assert.equal(rv.json.amount_in_words, '人民币负壹万元整');
      assert.equal(d2.amount_in_words, '人民币伍拾元整');
      assert.ok(orig.json.recorded_by, 'who recorded it, by name');
      assert.deepEqual(await figures(p), { received: 5000, disbursed: 0, pending: 0, balance: 5000 });
      const list = await fin.get(`/api/v1/donation?programme_id=${p.id}`);
      assert.equal(list.json.total, 3, 'both the entry and its reversal are listed');
      const row = (id) => list.json.items.find((r) => r.id === id);
      assert.equal(row(d1.id).reversed_by, rv.json.id, 'the list links the entry to its reversal');
      assert.equal(row(d1.id).recorded_by, orig.json.recorded_by);
      assert.equal(row(rv.json.id).reversed_by, null);
      assert.equal(row(d2.id).amount_in_words, '人民币伍拾元整');
    });

    test('money: integer fen, positive; foreign currency at the day\'s rate, half-up; in kind', async () => {
      const p = await programme();
      const base = { programme_id: p.id, received_on: '2024-05-01', donor_type: 'name', donor_name: '陈先生' };
      const before = count('donation');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: 100.5 }), 400, 'bad_request', 'amount');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: '100' }), 400, 'bad_request', 'amount');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: 0 }), 422, 'invalid', 'amount');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: -5 }), 422, 'invalid', 'amount');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: 100, currency: 'XXX' }), 422, 'invalid', 'currency');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: 100, currency: 'USD' }), 422, 'invalid', 'rate');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: 100, currency: 'USD', rate: '七' }), 422, 'invalid', 'rate');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: 100, currency: 'USD', rate: '-7.1' }), 422, 'invalid', 'rate');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: 100, rate: '7.1' }), 422, 'invalid', 'rate');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: 100, form: 'in_kind' }), 422, 'invalid', 'in_kind_description');
      assertError(await fin.post('/api/v1/donation', { ...base, amount: 100, receipt_number: '2024-999999' }), 400);
      assertError(await fin.post('/api/v1/donation', { ...base, amount: 100, programme_id: 99999 }), 422, 'invalid', 'programme_id');
      assert.equal(count('donation'), before, 'nothing written');
      // 100.00 USD at 7.12345 = 712.345 元 -> 71235 fen (half-up); 1000 JPY at 0.0475 = 47.50 元
      const usd = await donate(p, 10000, { currency: 'USD', rate: '7.12345' });
      assert.equal(usd.amount_cny, 71235);
      assert.equal(usd.rate, '7.12345');
      const jpy = await donate(p, 1000, { currency: 'JPY', rate: '0.0475' });
      assert.equal(jpy.amount_cny, 4750);
      const rv = await fin.post(`/api/v1/donation/${usd.id}/reverse`, { reason: '汇率错误' });
      assert.equal(rv.json.amount_cny, -71235, 'the reversal converts back exactly');
      const goods = await donate(p, 250000, { form: 'in_kind', in_kind_description: '大米 100 袋' });
      assert.equal(goods.amount_cny, 250000);
      assert.equal((await figures(p)).received, 4750 + 250000);
    });

    test('a donor is named in the writer\'s scope; a closed programme takes nothing more', async () => {
      const p = await programme();
      const other = await bstaff.post('/api/v1/person', { name: '林乙' });
      assert.equal(other.status, 201, other.text);
      assertError(await fin.post('/api/v1/donation', {
        programme_id: p.id, received_on: '2024-05-01', donor_type: 'person', donor_id: 99999, amount: 100,
      }), 422, 'invalid', 'donor_id');
      const bprog = await bstaff.get(`/api/v1/programme/${p.id}`);
      assert.equal(bprog.status, 404, 'a programme of the root is outside 乙县\'s scope');
      const mine = await staff.post('/api/v1/person', { name: '黄甲' });
      const d = await donate(p, 100, { donor_type: 'person', donor_id: mine.json.id, donor_name: undefined });
      assert.equal(d.donor_name, '黄甲');
      const closed = await programme(fin, { status: 'closed' });
      assertError(await fin.post('/api/v1/donation', {
        programme_id: closed.id, received_on: '2024-05-01', donor_type: 'name', donor_name: '陈', amount: 100,
      }), 422, 'invalid', 'programme_id');
      assertError(await pay(closed, 100), 422, 'invalid', 'programme_id');
    });

    test('anonymous donors read as 爱心人士 in lists, reads and exports unless unmasked', async () => {
      const p = await programme();
      const d = await donate(p, 888800, { donor_name: '隐名善人', anonymous: true });
      assert.equal(d.donor_name, '爱心人士');
      for (const c of [viewer, staff, fin]) {
        const r = await c.get(`/api/v1/donation/${d.id}`);
        assert.equal(r.json.donor_name, '爱心人士');
        assert.equal(r.json.donor_id, null);
        const l = await c.get(`/api/v1/donation?programme_id=${p.id}`);
        assert.equal(l.json.items[0].donor_name, '爱心人士');
      }
      const csv = await fin.get(`/api/v1/export/donation.csv?programme_id=${p.id}`, { raw: true });
      assert.equal(csv.status, 200, csv.text);
      assert.ok(!csv.text.includes('隐名善人'), 'not in the export');
      assert.ok(csv.text.includes('爱心人士'));
      const x = await fin.get(`/api/v1/export/donation.xlsx?programme_id=${p.id}`, { raw: true });
      assert.equal(x.status, 200);
      const un = await fin.get(`/api/v1/donation/${d.id}?unmask=1`);
      assert.equal(un.json.donor_name, '隐名善人', 'view_sensitive, asked and audited');
      assertError(await staff.get(`/api/v1/donation/${d.id}?unmask=1`), 403);
      const rv = await fin.post(`/api/v1/donation/${d.id}/reverse`, { reason: '退回' });
      assert.equal(rv.json.donor_name, '爱心人士');
      assert.equal(rv.json.anonymous, true, 'the reversal stays anonymous');
      assert.ok(parseCsv(csv.text).length >= 2);
    });

    test('an anonymous donor cannot be found by name, id or order without unmasking', async () => {
      const p = await programme();
      const who = await fin.post('/api/v1/person', { name: '匿名查找测试人' });
      const pid = who.status === 201 ? who.json.id : null;
      const named = await donate(p, 100000, { donor_name: '公开捐赠人' });
      const anon = await donate(p, 200000, pid ? { donor_type: 'person', donor_id: pid, donor_name: undefined, anonymous: true } : { donor_name: '匿名查找测试人', anonymous: true });
      for (const c of [viewer, staff, fin]) {
        const byName = await c.get(`/api/v1/donation?programme_id=${p.id}&q=${encodeURIComponent('匿名查找测试人')}`);
        assert.equal(byName.status, 200, byName.text);
        assert.equal(byName.json.total, 0, 'q does not match the anonymous donor');
        const filt = await c.get(`/api/v1/donation?programme_id=${p.id}&donor_name=${encodeURIComponent('匿名查找')}`);
        assert.equal(filt.json.total, 0, 'a filter does not either');
        if (pid) assert.equal((await c.get(`/api/v1/donation?donor_id=${pid}`)).json.total, 0, 'nor the donor id');
        assertError(await c.get(`/api/v1/donation?programme_id=${p.id}&sort=donor_name`), 400, 'bad_request', 'sort');
        const pub = await c.get(`/api/v1/donation?programme_id=${p.id}&q=${encodeURIComponent('公开捐赠人')}`);
        assert.deepEqual(pub.json.items.map((x) => x.id), [named.id], 'a named donor is found');
      }
      const un = await fin.get(`/api/v1/donation?programme_id=${p.id}&q=${encodeURIComponent('匿名查找测试人')}&unmask=1`);
      assert.deepEqual(un.json.items.map((x) => x.id), [anon.id], 'unmasked (audited), it is found');
    });

    test('disbursements: voucher numbers, approved under the threshold, balances net of reversals', async () => {
      const p = await programme();
      await donate(p, 1000000);
      const a = await pay(p, 300000);
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json.status, 'approved');
      assert.match(a.json.voucher_number, /^2024-\d{6}$/);
      assert.equal(a.json.people_helped, 1);
      assertError(await fin.patch(`/api/v1/disbursement/${a.json.id}`, { purpose: '改' }), 405);
      assertError(await admin.del(`/api/v1/disbursement/${a.json.id}`), 405);
      assert.deepEqual(await figures(p), { received: 1000000, disbursed: 300000, pending: 0, balance: 700000 });
      const rv = await fin.post(`/api/v1/disbursement/${a.json.id}/reverse`, { reason: '重复支付' });
      assert.equal(rv.status, 201, rv.text);
      assert.equal(rv.json.reverses_id, a.json.id);
      assert.equal(rv.json.amount, -300000);
      assert.notEqual(rv.json.voucher_number, a.json.voucher_number);
      assertError(await fin.post(`/api/v1/disbursement/${a.json.id}/reverse`, { reason: 'x' }), 409);
      assertError(await fin.post(`/api/v1/disbursement/${rv.json.id}/reverse`, { reason: 'x' }), 409);
      assert.deepEqual(await figures(p), { received: 1000000, disbursed: 0, pending: 0, balance: 1000000 });
      const before = count('disbursement');
      const over = await pay(p, 400000, {}, fin);
      assert.equal(over.json.status, 'approved');
      const tooMuch = await pay(p, 700000);
      assert.equal(tooMuch.status, 201, 'over the threshold: pending, no money moved yet');
      assert.equal(tooMuch.json.status, 'pending');
      const small = await pay(p, 600001);
      assert.equal(small.json.status, 'pending');
      const b = await pay(p, 500000);
      assert.equal(b.status, 201, 'exactly the threshold and the balance: approved');
      assert.equal(b.json.status, 'approved');
      assertError(await pay(p, 100001), 409, 'insufficient_balance', 'amount');
      assertError(await pay(p, 0), 422, 'invalid', 'amount');
      assertError(await pay(p, 1.5), 400, 'bad_request', 'amount');
      assert.equal(count('disbursement'), before + 4, 'the refused ones wrote nothing');
      assert.deepEqual(await figures(p), { received: 1000000, disbursed: 900000, pending: 1300001, balance: 100000 });
    });

    test('figures read again and again stay true: after a write, a refused write, in the list', async () => {
      const p = await programme();
      await donate(p, 100000);
      const listed = async () => (await fin.get(`/api/v1/programme?q=${encodeURIComponent(p.name)}`)).json.items
        .find((r) => r.id === p.id);
      const f1 = { received: 100000, disbursed: 0, pending: 0, balance: 100000 };
      for (let i = 0; i < 3; i++) assert.deepEqual(await figures(p), f1);
      assert.equal((await listed()).balance, 100000);
      assertError(await pay(p, 200000), 409, 'insufficient_balance', 'amount');
      assert.deepEqual(await figures(p), f1, 'a refused disbursement moves nothing');
      assert.equal((await pay(p, 30000)).status, 201);
      assert.deepEqual(await figures(p), { received: 100000, disbursed: 30000, pending: 0, balance: 70000 });
      assert.equal((await listed()).balance, 70000);
      await donate(p, 1, {}, fin2);
      assert.equal((await figures(p)).balance, 70001, 'another user\'s gift, seen at once');
      assert.equal((await listed()).received, 100001);
    });

    test('approval: pending above the threshold, four eyes, 409 on overdraw, reject', async () => {
      const p = await programme();
      await donate(p, 2000000);
      const d = await pay(p, 1200000, {}, fin);
      assert.equal(d.json.status, 'pending');
      assertError(await fin.post(`/api/v1/disbursement/${d.json.id}/approve`), 403, 'forbidden');
      assertError(await staff.post(`/api/v1/disbursement/${d.json.id}/approve`), 403);
      assertError(await viewer.post(`/api/v1/disbursement/${d.json.id}/reject`), 403);
      assertError(await fin.post(`/api/v1/disbursement/${d.json.id}/reverse`, { reason: '未审批' }), 409);
      const ok = await lead.post(`/api/v1/disbursement/${d.json.id}/approve`, { note: '同意' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.status, 'approved');
      assert.ok(ok.json.approved_by > 0);
      assert.ok(ok.json.approved_at);
      assert.equal(ok.json.review_note, '同意');
      assertError(await fin2.post(`/api/v1/disbursement/${d.json.id}/approve`), 409, 'conflict');
      assertError(await fin2.post(`/api/v1/disbursement/${d.json.id}/reject`), 409, 'conflict');
      assert.deepEqual(await figures(p), { received: 2000000, disbursed: 1200000, pending: 0, balance: 800000 });
      // a pending one bigger than the balance: its approval is refused and changes nothing
      const big = await pay(p, 900000, {}, fin);
      assert.equal(big.json.status, 'pending');
      const audits = sqlInt(server, 'SELECT count(*) FROM audit_log');
      assertError(await fin2.post(`/api/v1/disbursement/${big.json.id}/approve`), 409, 'insufficient_balance');
      assert.equal(sqlInt(server, 'SELECT count(*) FROM audit_log'), audits, 'nothing written');
      assert.equal((await fin.get(`/api/v1/disbursement/${big.json.id}`)).json.status, 'pending');
      const rj = await fin2.post(`/api/v1/disbursement/${big.json.id}/reject`, { note: '余额不足' });
      assert.equal(rj.status, 200, rj.text);
      assert.equal(rj.json.status, 'rejected');
      assertError(await fin.post(`/api/v1/disbursement/${big.json.id}/reverse`, { reason: 'x' }), 409);
      // the generic transition endpoint runs the same move
      const g = await pay(p, 600000, {}, fin);
      assertError(await fin.post(`/api/v1/disbursement/${g.json.id}/transition`, { to: 'approved' }), 403);
      const gr = await lead.post(`/api/v1/disbursement/${g.json.id}/transition`, { to: 'approved' });
      assert.equal(gr.status, 200, gr.text);
      assert.deepEqual(await figures(p), { received: 2000000, disbursed: 1800000, pending: 0, balance: 200000 });
    });

    test('the approval threshold is a setting the admin changes', async () => {
      assert.deepEqual((await viewer.get('/api/v1/funds/settings')).json, { approval_threshold: 500000 });
      assertError(await fin.req('PUT', '/api/v1/funds/settings', { approval_threshold: 1 }), 403);
      assertError(await admin.req('PUT', '/api/v1/funds/settings', { approval_threshold: 1.5 }), 400, 'bad_request', 'approval_threshold');
      assertError(await admin.req('PUT', '/api/v1/funds/settings', { approval_threshold: -1 }), 422, 'invalid', 'approval_threshold');
      assertError(await admin.req('PUT', '/api/v1/funds/settings', { threshold: 1 }), 400);
      const r = await admin.req('PUT', '/api/v1/funds/settings', { approval_threshold: 100000 });
      assert.equal(r.status, 200, r.text);
      try {
        const p = await programme();
        await donate(p, 1000000);
        assert.equal((await pay(p, 100001)).json.status, 'pending');
        assert.equal((await pay(p, 100000)).json.status, 'approved');
        assert.ok(sqlInt(server, "SELECT count(*) FROM audit_log WHERE entity = 'funds_settings'") >= 1);
      } finally {
        await admin.req('PUT', '/api/v1/funds/settings', { approval_threshold: 500000 });
      }
    });

    test('20 concurrent disbursements that together overdraw: the balance stays >= 0, losers 409', async () => {
      const p = await programme();
      await donate(p, 1000000); // 10,000 元; 20 x 1,500 元 = 30,000 元: six fit
      const before = count('disbursement');
      const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => pay(p, 150000, { purpose: `助学${i}` },
        i % 2 ? fin : fin2)));
      const won = rs.filter((r) => r.status === 201), lost = rs.filter((r) => r.status !== 201);
      for (const r of lost) assertError(r, 409, 'insufficient_balance');
      assert.equal(won.length, 6, rs.map((r) => r.status).join(','));
      const f = await figures(p);
      assert.equal(f.disbursed, 900000);
      assert.equal(f.balance, 100000);
      assert.ok(f.balance >= 0);
      assert.equal(count('disbursement'), before + 6, 'nothing half-written');
      const nums = won.map((r) => Number(r.json.voucher_number.slice(5))).sort((a, b) => a - b);
      assert.equal(new Set(nums).size, 6);
      // gapless: the numbers of the year are 1..n with nothing missing
      const all = sql(server, "SELECT voucher_number FROM disbursement WHERE org_id = 1 AND voucher_number LIKE '2024-%'")
        .split('\n').map((x) => Number(x.slice(5))).sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: all.length }, (_, i) => i + 1));
      // concurrent approvals of pending ones that together overdraw
      const pend = [];
      for (let i = 0; i < 4; i++) pend.push((await pay(p, 600000, {}, fin)).json);
      await donate(p, 1000000); // balance 11,000 元: one of four 6,000 元 fits
      const ap = await Promise.all(pend.map((d) => lead.post(`/api/v1/disbursement/${d.id}/approve`)));
      assert.equal(ap.filter((r) => r.status === 200).length, 1, ap.map((r) => r.status).join(','));
      for (const r of ap.filter((x) => x.status !== 200)) assertError(r, 409, 'insufficient_balance');
      assert.equal((await figures(p)).balance, 500000);
    });

    test('concurrent donations get gapless receipt numbers', async () => {
      const p = await programme();
      const rs = await Promise.all(Array.from({ length: 20 }, () => fin.post('/api/v1/donation', {
        programme_id: p.id, received_on: '2025-03-01', donor_type: 'name', donor_name: '陈先生', amount: 100,
      })));
      for (const r of rs) assert.equal(r.status, 201, r.text);
      const nums = rs.map((r) => r.json.receipt_number).sort();
      assert.deepEqual(nums, Array.from({ length: 20 }, (_, i) => `2025-${String(i + 1).padStart(6, '0')}`));
      const b = await bstaff.post('/api/v1/programme', { name: '乙县助学', kind: 'education' });
      const bd = await bstaff.post('/api/v1/donation', {
        programme_id: b.json.id, received_on: '2025-03-01', donor_type: 'name', donor_name: '林', amount: 100,
      });
      assert.equal(bd.json.receipt_number, '2025-000001', 'numbers are per org');
    });

    test('a visit: people_count defaults to the people visited; cash from a programme is its disbursement', async () => {
      const p = await programme();
      await donate(p, 100000);
      const a = await staff.post('/api/v1/person', { name: '张归侨' });
      const b = await staff.post('/api/v1/person', { name: '李侨眷' });
      const v = await staff.post('/api/v1/visit', {
        visited_on: '2024-02-08', occasion: 'spring_festival', person_ids: [String(a.json.id), String(b.json.id)],
        visitors: '主席、秘书长', packages: 2, cash: 40000, programme_id: p.id, suggestions: 3, suggestions_text: '希望多组织活动',
      });
      assert.equal(v.status, 201, v.text);
      assert.equal(v.json.people_count, 2);
      assert.ok(v.json.disbursement_id > 0);
      const d = await fin.get(`/api/v1/disbursement/${v.json.disbursement_id}`);
      assert.equal(d.json.amount, 40000);
      assert.equal(d.json.programme_id, p.id);
      assert.equal(d.json.people_helped, 2);
      assert.equal((await figures(p)).balance, 60000);
      const v2 = await staff.post('/api/v1/visit', { visited_on: '2024-02-08', occasion: 'hardship', people_count: 5 });
      assert.equal(v2.json.people_count, 5);
      assert.equal(v2.json.disbursement_id, null);
      assertError(await staff.patch(`/api/v1/visit/${v.json.id}`, { cash: 1 }), 422, 'invalid', 'cash');
      assertError(await admin.del(`/api/v1/visit/${v.json.id}`), 409);
      const vc = count('visit'), dc = count('disbursement');
      assertError(await staff.post('/api/v1/visit', {
        visited_on: '2024-02-08', occasion: 'illness', people_count: 1, cash: 70000, programme_id: p.id,
      }), 409, 'insufficient_balance', 'cash');
      assertError(await staff.post('/api/v1/visit', {
        visited_on: '2024-02-08', occasion: 'illness', person_ids: ['99999'],
      }), 422, 'invalid', 'person_ids');
      assert.equal(count('visit'), vc, 'the visit is not written either');
      assert.equal(count('disbursement'), dc);
    });

    test('a wish moves open -> claimed -> fulfilled on the transition endpoint', async () => {
      const who = await staff.post('/api/v1/person', { name: '王小明' });
      const w = await staff.post('/api/v1/wish', { beneficiary_id: who.json.id, wish: '一套课外书', estimated_cost: 20000 });
      assert.equal(w.status, 201, w.text);
      assert.equal(w.json.status, 'open');
      assertError(await staff.patch(`/api/v1/wish/${w.json.id}`, { status: 'fulfilled' }), 400);
      assertError(await staff.post(`/api/v1/wish/${w.json.id}/transition`, { to: 'fulfilled' }), 409, 'conflict');
      assertError(await staff.post(`/api/v1/wish/${w.json.id}/transition`, { to: 'claimed' }), 422, 'invalid', 'donor_type');
      assertError(await viewer.post(`/api/v1/wish/${w.json.id}/transition`, { to: 'claimed', donor_type: 'name', donor_name: '陈' }), 403);
      const c = await staff.post(`/api/v1/wish/${w.json.id}/transition`, { to: 'claimed', donor_type: 'name', donor_name: '爱心企业家陈先生' });
      assert.equal(c.status, 200, c.text);
      assert.equal(c.json.status, 'claimed');
      assert.equal(c.json.donor_name, '爱心企业家陈先生');
      assert.deepEqual(c.json.allowed_transitions, ['fulfilled', 'open', 'cancelled']);
      const f = await staff.post(`/api/v1/wish/${w.json.id}/transition`, { to: 'fulfilled', fulfilled_on: '2024-06-01' });
      assert.equal(f.status, 200, f.text);
      assert.equal(f.json.status, 'fulfilled');
      assert.equal(f.json.fulfilled_on, '2024-06-01');
      assertError(await staff.post(`/api/v1/wish/${w.json.id}/transition`, { to: 'cancelled' }), 409);
    });

    // ---- the bad input, each refused with a Chinese message naming the field ----
    test('bad input: each a Chinese message naming the field, and nothing written', async () => {
      const p = await programme();
      await donate(p, 1000000);
      const closed = await programme(fin, { status: 'closed' });
      const rootPerson = (await staff.post('/api/v1/person', { name: '甲县人士' })).json;
      const bprog = (await bstaff.post('/api/v1/programme', { name: '乙县侨爱心工程', kind: 'love' })).json;
      const pend = (await pay(p, 600000, {}, fin)).json;
      assert.equal(pend.status, 'pending');
      const done = (await pay(p, 100000, {}, fin)).json;
      const rv = (await fin.post(`/api/v1/disbursement/${done.id}/reverse`, { reason: '重复' })).json;
      const approvedTwice = (await pay(p, 600000, {}, fin)).json;
      assert.equal((await lead.post(`/api/v1/disbursement/${approvedTwice.id}/approve`)).status, 200);
      const base = { programme_id: p.id, received_on: '2024-05-01', donor_type: 'name', donor_name: '陈先生' };
      // [what, request, status, code, field, words the message must hold]
      const cases = [
        ['a zero donation', () => fin.post('/api/v1/donation', { ...base, amount: 0 }), 422, 'invalid', 'amount', '金额'],
        ['a negative donation', () => fin.post('/api/v1/donation', { ...base, amount: -100 }), 422, 'invalid', 'amount', '金额'],
        ['a float donation', () => fin.post('/api/v1/donation', { ...base, amount: 12.5 }), 400, 'bad_request', 'amount', '金额'],
        ['a zero disbursement', () => pay(p, 0), 422, 'invalid', 'amount', '金额'],
        ['a negative disbursement', () => pay(p, -100), 422, 'invalid', 'amount', '金额'],
        ['a float disbursement', () => pay(p, 99.9), 400, 'bad_request', 'amount', '金额'],
        ['an unknown currency', () => fin.post('/api/v1/donation', { ...base, amount: 100, currency: 'ABC' }), 422, 'invalid', 'currency', '币种'],
        ['a missing rate', () => fin.post('/api/v1/donation', { ...base, amount: 100, currency: 'SGD' }), 422, 'invalid', 'rate', '汇率'],
        ['a donor out of scope', () => bstaff.post('/api/v1/donation', {
          programme_id: bprog.id, received_on: '2024-05-01', donor_type: 'person', donor_id: rootPerson.id, amount: 100,
        }), 422, 'invalid', 'donor_id', '捐赠人'],
        ['a programme out of scope', () => bstaff.post('/api/v1/donation', { ...base, amount: 100 }), 422, 'invalid', 'programme_id', '所属项目'],
        ['a beneficiary out of scope', () => bstaff.post('/api/v1/disbursement', {
          programme_id: bprog.id, paid_on: '2024-06-01', beneficiary_type: 'person', beneficiary_id: rootPerson.id, amount: 100, purpose: '助学',
        }), 422, 'invalid', 'beneficiary_id', '受助方'],
        ['a disbursement on a closed programme', () => pay(closed, 100), 422, 'invalid', 'programme_id', '已结束'],
        ['a donation to a closed programme', () => fin.post('/api/v1/donation', { ...base, programme_id: closed.id, amount: 100 }), 422, 'invalid', 'programme_id', '已结束'],
        ['approving twice', () => fin2.post(`/api/v1/disbursement/${approvedTwice.id}/approve`), 409, 'conflict', 'to', '已批准'],
        ['approving one\'s own', () => fin.post(`/api/v1/disbursement/${pend.id}/approve`), 403, 'forbidden', 'to', '自己'],
        ['reversing a reversal', () => fin.post(`/api/v1/disbursement/${rv.id}/reverse`, { reason: '再冲' }), 409, 'conflict', undefined, '冲销'],
        ['a balance that would go negative', () => pay(p, 500000 + 1000000), 201, undefined, undefined, ''],
        ['an approved disbursement over the balance', () => pay(p, 490001), 409, 'insufficient_balance', 'amount', '余额'],
        ['a visit to nobody', () => staff.post('/api/v1/visit', { visited_on: '2024-02-08', occasion: 'spring_festival' }), 422, 'invalid', 'person_ids', '走访对象'],
        ['a visit of 0 people', () => staff.post('/api/v1/visit', { visited_on: '2024-02-08', occasion: 'spring_festival', person_ids: [], people_count: 0 }), 422, 'invalid', 'person_ids', '走访人次'],
      ];
      // the over-threshold one above goes pending (no money moves): its approval is the overdraw
      for (const [what, req, status, code, field, words] of cases) {
        const before = sql(server, ['SELECT count(*) FROM donation', 'SELECT count(*) FROM disbursement', 'SELECT count(*) FROM audit_log']);
        const r = await req();
        if (status === 201) {
          assert.equal(r.status, 201, `${what}: ${r.text}`);
          const big = r.json;
          assert.equal(big.status, 'pending', what);
          const b2 = sql(server, ['SELECT count(*) FROM disbursement', 'SELECT count(*) FROM audit_log']);
          const e = assertError(await lead.post(`/api/v1/disbursement/${big.id}/approve`), 409, 'insufficient_balance', 'amount');
          assert.match(e.message, /余额/, what);
          assert.equal(sql(server, ['SELECT count(*) FROM disbursement', 'SELECT count(*) FROM audit_log']), b2, `${what}: nothing written`);
          assert.equal((await fin.get(`/api/v1/disbursement/${big.id}`)).json.status, 'pending');
          continue;
        }
        const e = assertError(r, status, code, field);
        assert.ok(e.message.includes(words), `${what}: "${e.message}" should say ${words}`);
        assert.equal(sql(server, ['SELECT count(*) FROM donation', 'SELECT count(*) FROM disbursement', 'SELECT count(*) FROM audit_log']),
          before, `${what}: nothing written`);
      }
      assert.ok((await figures(p)).balance >= 0);
    });

    test('bad input: an import row with 一万元 in the amount column, all-or-nothing', async () => {
      const p = await programme();
      const csv = `所属项目,捐赠日期,捐赠人类型,捐赠人,金额\n${p.id},2024-05-01,name,陈先生,100\n${p.id},2024-05-02,name,林女士,一万元\n`;
      const before = count('donation');
      const r = await fin.req('POST', '/api/v1/import/donation', csv, { headers: { 'Content-Type': 'application/octet-stream' } });
      assert.ok(r.status === 422 || r.status === 200, r.text);
      assert.equal(r.json.committed, false, r.text);
      const err = r.json.errors.find((x) => x.field === 'amount');
      assert.ok(err, r.text);
      assert.equal(err.value, '一万元');
      assert.match(err.message, /“金额”/);
      assert.equal(count('donation'), before, 'nothing written, not even the good row');
    });

    test('reversing a gift that has been spent would overdraw: 409, nothing written', async () => {
      const p = await programme();
      const d = await donate(p, 300000);
      await donate(p, 100000);
      assert.equal((await pay(p, 250000)).status, 201);
      const before = sql(server, ['SELECT count(*) FROM donation', 'SELECT count(*) FROM audit_log']);
      const e = assertError(await fin.post(`/api/v1/donation/${d.id}/reverse`, { reason: '退款' }), 409, 'insufficient_balance', 'amount');
      assert.match(e.message, /余额/);
      assert.equal(sql(server, ['SELECT count(*) FROM donation', 'SELECT count(*) FROM audit_log']), before);
      assert.deepEqual(await figures(p), { received: 400000, disbursed: 250000, pending: 0, balance: 150000 });
    });

    test('GET /api/v1/visit/totals: the sums of what the visit list shows, in scope', async () => {
      const mk = (c, body) => c.post('/api/v1/visit', { visited_on: '2023-09-29', occasion: 'mid_autumn', ...body });
      assert.equal((await mk(staff, { people_count: 7, packages: 7, cash: 70000, suggestions: 2 })).status, 201);
      assert.equal((await mk(staff, { visited_on: '2023-10-23', occasion: 'double_ninth', people_count: 3, packages: 3, suggestions: 1 })).status, 201);
      assert.equal((await mk(bstaff, { people_count: 100, packages: 100, cash: 990000 })).status, 201);
      const q = 'visited_on_from=2023-09-01&visited_on_to=2023-10-31';
      const all = (await fin.get(`/api/v1/visit/totals?${q}`)).json;
      assert.deepEqual(all, { visits: 3, people: 110, packages: 110, cash: 1060000, suggestions: 3 });
      const list = (await fin.get(`/api/v1/visit?${q}`)).json;
      assert.equal(list.total, all.visits, 'the same rows as the list');
      assert.deepEqual((await fin.get(`/api/v1/visit/totals?${q}&occasion=mid_autumn`)).json,
        { visits: 2, people: 107, packages: 107, cash: 1060000, suggestions: 2 });
      assert.deepEqual((await bstaff.get(`/api/v1/visit/totals?${q}`)).json,
        { visits: 1, people: 100, packages: 100, cash: 990000, suggestions: 0 }, '乙县 sees its own');
      assertError(await fin.get('/api/v1/visit/totals?nonsense=1'), 400, 'bad_request', 'nonsense');
    });

    test('a record always belongs to an org: none given is the writer\'s; the report counts what the list shows', async () => {
      const mk = (c, body) => c.post('/api/v1/visit', { visited_on: '2022-02-01', occasion: 'spring_festival', ...body });
      const a = await mk(admin, { org_id: null, people_count: 5, cash: 50000 });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json.org_id, 1, 'null is not given: the writer\'s org');
      const b = await mk(bstaff, { people_count: 2 });
      assert.equal(b.json.org_id, B.id);
      assertError(await admin.patch(`/api/v1/visit/${a.json.id}`, { org_id: null }), 422, 'invalid', 'org_id');
      assert.equal((await admin.get(`/api/v1/visit/${a.json.id}`)).json.org_id, 1, 'nothing written');
      const q = 'visited_on_from=2022-01-01&visited_on_to=2022-12-31';
      const totals = (await admin.get(`/api/v1/visit/totals?${q}`)).json;
      assert.deepEqual([totals.visits, totals.people, totals.cash], [2, 7, 50000]);
      const rep = await admin.get('/api/v1/reports/work?org=1&from=2022-01-01&to=2022-12-31');
      assert.equal(rep.status, 200, rep.text);
      const fig = (k) => rep.json.figures[k];
      assert.equal(fig('visits.people'), totals.people, 'the report and the visit log agree');
      assert.equal(fig('visits.cash'), totals.cash);
    });

    // ---- what a person, association or enterprise gave and received ----
    test('GET /api/v1/{entity}/{id}/funds: gave and received, totals in fen, scope and anonymity', async () => {
      const p = await programme();
      const who = (await staff.post('/api/v1/person', { name: '捐助往来测试人' })).json;
      const assoc = (await staff.post('/api/v1/association', { name: '往来测试同乡会', country: 'SG', type: 'hometown' })).json;
      assert.ok(assoc.id, JSON.stringify(assoc));
      const mine = { donor_type: 'person', donor_id: who.id, donor_name: undefined };
      const d1 = await donate(p, 100000, mine);
      await donate(p, 50000, { ...mine, received_on: '2024-07-01' });
      await donate(p, 30000, { ...mine, anonymous: true });
      const wrong = await donate(p, 7000, mine);
      assert.equal((await fin.post(`/api/v1/donation/${wrong.id}/reverse`, { reason: '录错' })).status, 201);
      await donate(p, 2000000, { donor_type: 'association', donor_id: assoc.id, donor_name: undefined, currency: 'SGD', rate: '5.3', amount: 377400 });
      const paid = (await pay(p, 80000, { beneficiary_type: 'person', beneficiary_id: who.id, beneficiary_name: undefined })).json;
      assert.equal(paid.status, 'approved');
      const waiting = (await pay(p, 900000, { beneficiary_type: 'person', beneficiary_id: who.id, beneficiary_name: undefined })).json;
      assert.equal(waiting.status, 'pending');
      const w = (await staff.post('/api/v1/wish', { beneficiary_id: who.id, wish: '一台电脑', estimated_cost: 300000 })).json;
      assert.equal((await staff.post(`/api/v1/wish/${w.id}/transition`, { to: 'claimed', donor_type: 'association', donor_id: assoc.id })).status, 200);
      const v = (await staff.post('/api/v1/visit', { visited_on: '2024-02-08', occasion: 'spring_festival', person_ids: [String(who.id)], cash: 20000 })).json;
      await staff.post('/api/v1/visit', { visited_on: '2024-02-08', occasion: 'spring_festival', people_count: 3 });

      const r = await viewer.get(`/api/v1/person/${who.id}/funds`);
      assert.equal(r.status, 200, r.text);
      const f = r.json;
      assert.equal(f.donations.total, 4, 'two gifts, the wrong one and its reversal; not the anonymous one');
      assert.equal(f.donations.amount, 150000, 'net of the reversal, without the anonymous gift');
      assert.deepEqual(f.donations.items.map((x) => x.received_on).slice(0, 1), ['2024-07-01'], 'newest first');
      assert.ok(!f.donations.items.some((x) => x.anonymous), 'an anonymous gift is not shown as theirs');
      assert.equal(f.disbursements.total, 2);
      assert.equal(f.disbursements.amount, 80000, 'approved only');
      assert.deepEqual(f.visits.items.map((x) => x.id), [v.id]);
      assert.equal(f.wishes.total, 0);
      const unmasks = sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'");
      const un = await fin.get(`/api/v1/person/${who.id}/funds?unmask=1`);
      assert.equal(un.status, 200, un.text);
      assert.equal(un.json.donations.total, 5, 'unmasked (view_sensitive, audited): the anonymous gift too');
      assert.equal(un.json.donations.amount, 180000);
      assert.equal(sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'"), unmasks + 1, 'the unmasked view is audited');
      assertError(await staff.get(`/api/v1/person/${who.id}/funds?unmask=1`), 403);

      const a = (await viewer.get(`/api/v1/association/${assoc.id}/funds`)).json;
      assert.equal(a.donations.amount, 2000220, 'SGD 3,774.00 at 5.3 = 20,002.20 元');
      assert.equal(a.wishes.total, 1);
      assert.equal(a.wishes.amount, 300000);
      assert.equal(a.visits, undefined, 'only people are visited');
      const page = (await viewer.get(`/api/v1/person/${who.id}/funds?section=donations&per_page=1&page=2`)).json;
      assert.deepEqual(Object.keys(page), ['donations']);
      assert.equal(page.donations.items.length, 1);
      assert.equal(page.donations.page, 2);
      assert.equal(page.donations.items[0].id, f.donations.items[1].id, 'the second of the list');
      assertError(await viewer.get(`/api/v1/person/${who.id}/funds?section=x`), 400, 'bad_request', 'section');
      assertError(await viewer.get(`/api/v1/person/${who.id}/funds?sort=id`), 400, 'bad_request', 'sort');
      // scope: 乙县 does not see the root's person; its own person sees only 乙县's entries
      assertError(await bstaff.get(`/api/v1/person/${who.id}/funds`), 404);
      const bp = (await bstaff.post('/api/v1/person', { name: '乙县捐赠人' })).json;
      const bprog = (await bstaff.post('/api/v1/programme', { name: '乙县助学金', kind: 'education' })).json;
      assert.equal((await bstaff.post('/api/v1/donation', { programme_id: bprog.id, received_on: '2024-05-01', donor_type: 'person', donor_id: bp.id, amount: 1000 })).status, 201);
      await donate(p, 9900, { donor_type: 'person', donor_id: bp.id, donor_name: undefined });
      assert.equal((await bstaff.get(`/api/v1/person/${bp.id}/funds`)).json.donations.amount, 1000, 'the root\'s ledger is outside 乙县\'s scope');
      assert.equal((await fin.get(`/api/v1/person/${bp.id}/funds`)).json.donations.amount, 10900);
      assertError(await viewer.get('/api/v1/person/99999999/funds'), 404);
    });
  });
}
