// Writes that arrive together (http.c's group commit: on SQLite the generic record writes
// waiting at one moment share a transaction, each request's work a savepoint in it). What
// no user may see of it, on either engine: a write that fails takes nothing of the others
// with it, one that succeeds is there with its audit entry, receipt numbers stay gapless,
// a balance never goes below zero, and the audit chain verifies. The full disk under
// concurrent writes is in fault.test.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { BIN, STORES, startServer } from '../lib/server.mjs';
import { sql, sqlInt } from './helpers.mjs';

for (const store of STORES) {
  describe(`writes that arrive together (${store})`, () => {
    let server, fin, staff;
    before(async () => {
      server = await startServer({ store });
      server.addUser('fin', 'finance');
      server.addUser('staff', 'staff');
      [fin, staff] = await Promise.all([server.login('fin'), server.login('staff')]);
    });
    after(() => server?.stop());

    test('60 writes at once, a third of them refused: each answer is what was kept', async () => {
      const p = await fin.post('/api/v1/programme', { name: '光明行', kind: 'love' });
      assert.equal(p.status, 201, p.text);
      const seed = await fin.post('/api/v1/donation', { programme_id: p.json.id, received_on: '2024-05-01', donor_type: 'name', donor_name: '林先生', amount: 300000 });
      assert.equal(seed.status, 201, seed.text);
      const auditBefore = sqlInt(server, 'SELECT count(*) FROM audit_log');
      const kinds = [];
      const reqs = [];
      for (let i = 0; i < 60; i++) {
        const k = ['donation', 'overdraw', 'person', 'missing', 'bad'][i % 5];
        kinds.push(k);
        if (k === 'donation')
          reqs.push(fin.post('/api/v1/donation', { programme_id: p.json.id, received_on: '2024-05-02', donor_type: 'name', donor_name: `捐赠人${i}`, amount: 1000 + i }));
        else if (k === 'overdraw') // 12 of 2,000 元 against a balance of 3,000 元 and the donations above
          reqs.push(fin.post('/api/v1/disbursement', { programme_id: p.json.id, paid_on: '2024-06-01', beneficiary_type: 'name', beneficiary_name: `受助人${i}`, amount: 200000, purpose: '助学' }));
        else if (k === 'person')
          reqs.push(staff.post('/api/v1/person', { name: `同时${i}`, gender: 'female' }));
        else if (k === 'missing')
          reqs.push(staff.del(`/api/v1/person/${900000 + i}`));
        else
          reqs.push(fin.post('/api/v1/donation', { programme_id: p.json.id, received_on: '2024-05-02', donor_type: 'name', donor_name: `错${i}`, amount: 12.5 }));
      }
      const rs = await Promise.all(reqs);
      const by = (k) => rs.filter((_, i) => kinds[i] === k);
      for (const r of by('donation')) assert.equal(r.status, 201, r.text);
      for (const r of by('person')) assert.equal(r.status, 201, r.text);
      for (const r of by('missing')) assert.equal(r.status, 404, r.text);
      for (const r of by('bad')) assert.equal(r.status, 400, r.text);
      const paid = by('overdraw').filter((r) => r.status === 201);
      for (const r of by('overdraw')) assert.ok(r.status === 201 || r.status === 409, `${r.status} ${r.text}`);
      assert.ok(paid.length >= 1 && paid.length < 12, `${paid.length} disbursements paid`);

      // what was answered 201 is there, and nothing else
      const donations = by('donation').map((r) => r.json.id);
      assert.equal(sqlInt(server, `SELECT count(*) FROM donation WHERE id IN (${donations})`), donations.length);
      assert.equal(sqlInt(server, "SELECT count(*) FROM donation WHERE donor_name LIKE '错%'"), 0);
      assert.equal(sqlInt(server, `SELECT count(*) FROM disbursement WHERE programme_id = ${p.json.id}`), paid.length);
      const people = by('person').map((r) => r.json.id);
      assert.equal(sqlInt(server, `SELECT count(*) FROM person WHERE id IN (${people})`), people.length);
      // one audit entry for each write that was kept, none for the refused
      assert.equal(sqlInt(server, 'SELECT count(*) FROM audit_log') - auditBefore, donations.length + paid.length + people.length);
      for (const r of [...by('donation'), ...paid, ...by('person')])
        assert.equal(sqlInt(server, `SELECT count(*) FROM audit_log WHERE action = 'create' AND entity_id = ${r.json.id}`) >= 1, true);
      // receipt numbers: one each, no gap, none twice
      const receipts = sql(server, `SELECT receipt_number FROM donation WHERE programme_id = ${p.json.id} ORDER BY id`).split('\n');
      const seq = receipts.map((x) => Number(x.split('-').pop())).sort((a, b) => a - b);
      assert.deepEqual(seq, Array.from({ length: seq.length }, (_, i) => seq[0] + i), receipts.join(' '));
      const f = await fin.get(`/api/v1/programme/${p.json.id}`);
      assert.ok(f.json.balance >= 0, `balance ${f.json.balance}`);
      assert.equal(f.json.received, 300000 + by('donation').reduce((s, r) => s + r.json.amount, 0));
      assert.equal(f.json.disbursed, 200000 * paid.length);
      const v = spawnSync(BIN, ['audit', 'verify', '--db', server.db], { encoding: 'utf8' });
      assert.equal(v.status, 0, v.stdout + v.stderr);
    });
  });
}

describe('the group commit option', () => {
  test('--write-batch takes 1 to 1024, and 1 writes each request in its own transaction', async () => {
    for (const bad of ['0', '1025', 'x']) {
      const r = spawnSync(BIN, ['serve', '--db', '/nonexistent/q.db', '--write-batch', bad], { encoding: 'utf8' });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /--write-batch 应为 1 到 1024 之间的整数/);
    }
    const on = await startServer({ store: 'sqlite' });
    const off = await startServer({ store: 'sqlite', serveArgs: ['--write-batch', '1'] });
    try {
      for (const s of [on, off]) {
        const c = await s.login('admin');
        const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => c.post('/api/v1/person', { name: `单独${i}` })));
        for (const r of rs) assert.equal(r.status, 201, r.text);
        assert.equal(sqlInt(s, 'SELECT count(*) FROM person'), 20);
      }
      assert.match(on.stderr, /group commit/);
      assert.doesNotMatch(off.stderr, /group commit/);
    } finally {
      await on.stop();
      await off.stop();
    }
  });
});
