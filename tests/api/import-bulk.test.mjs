// The bulk path of an import (issue 16): on PostgreSQL the new records are held and
// written by COPY in batches (ent_ctx.rows, db_rows), on SQLite row by row; either way a
// row that would break a unique value is reported as that row, and nothing is written.
// Here: 3,000 enterprises in one file, row 1500 repeating an earlier row's credit code and
// row 2400 one of an enterprise already registered; then the same file without them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { qiaoRun, sql, sqlInt } from './helpers.mjs';

// GB 32100: 17 characters and the check character.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditCode(n) {
  const c17 = `91440300${String(n).padStart(9, '0')}`;
  const sum = [...c17].reduce((s, ch, i) => s + ALPHABET.indexOf(ch) * WEIGHTS[i], 0);
  return c17 + ALPHABET[(31 - (sum % 31)) % 31];
}

async function upload(c, entity, body, query = '') {
  return c.req('POST', `/api/v1/import/${entity}${query}`, body,
    { headers: { 'Content-Type': 'application/octet-stream' } });
}

const counts = (server) => sql(server, [
  'SELECT count(*) FROM enterprise', 'SELECT count(*) FROM audit_log', 'SELECT count(*) FROM search_enterprise',
]);

for (const store of STORES) {
  describe(`bulk import (${store})`, () => {
    let server, admin;
    before(async () => {
      server = await startServer({ store, users: { admin: { role: 'admin' } } });
      admin = await server.login('admin');
    });
    after(() => server?.stop());

    test('3,000 rows with a repeated credit code at row 1500 and a registered one at row 2400: those rows, nothing written', async () => {
      const existing = await admin.post('/api/v1/enterprise', { name: '已登记侨企', kind: 'oc_funded', credit_code: creditCode(999999) });
      assert.equal(existing.status, 201, existing.text);
      const lines = ['企业名称,类别,统一社会信用代码'];
      for (let i = 1; i <= 3000; i++) lines.push(`侨企${i}号有限公司,oc_funded,${creditCode(i)}`);
      lines[3000] = `司徒末行有限公司,oc_funded,${creditCode(3000)}`; // to be found by search
      const good = lines.join('\n') + '\n';
      // spreadsheet rows: the header is row 1, enterprise i is row i + 1
      lines[1499] = `重复代码公司,oc_funded,${creditCode(7)}`; // row 1500 repeats row 8
      lines[2399] = `撞已有公司,oc_funded,${creditCode(999999)}`; // row 2400
      const before0 = counts(server);
      for (const query of ['?dry_run=1', '']) {
        const r = await upload(admin, 'enterprise', lines.join('\n') + '\n', query);
        assert.equal(r.status, query ? 200 : 422, r.text.slice(0, 300));
        assert.equal(r.json.rows, 3000);
        assert.equal(r.json.error_rows, 2);
        assert.deepEqual(r.json.errors.map((e) => [e.row, e.field, e.code]),
          [[1500, 'credit_code', 'conflict'], [2400, 'credit_code', 'conflict']], r.text.slice(0, 600));
        assert.match(r.json.errors[0].message, /统一社会信用代码/);
        assert.equal(counts(server), before0, `${query || 'the commit'} changed the database`);
      }
      const ok = await upload(admin, 'enterprise', good);
      assert.equal(ok.status, 200, ok.text.slice(0, 300));
      assert.equal(ok.json.created, 3000);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM enterprise WHERE deleted_at IS NULL'), 3001);
      const ids = sql(server, `SELECT id FROM enterprise WHERE id > ${existing.json.id} ORDER BY id`).split('\n').map(Number);
      assert.equal(ids.length, 3000);
      const what = JSON.parse(sql(server, `SELECT after_json FROM audit_log WHERE action = 'import' ORDER BY seq DESC LIMIT 1`));
      assert.deepEqual(what.ids.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, k) => a + k)), ids,
        'the import entry names every id created');
      assert.equal(sqlInt(server, `SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'enterprise'`), 3001,
        'an audit entry per record');
      assert.equal(qiaoRun(['audit', 'verify', '--db', server.db]).status, 0, 'the chain after a bulk import');
      const found = await admin.get('/api/v1/search?q=situ%20moxing&types=enterprise');
      assert.equal(found.json.items[0]?.name, '司徒末行有限公司', 'a record of the last batch is searchable');
      const one = await admin.get(`/api/v1/enterprise/${ids[1499]}`);
      assert.equal(one.json.credit_code, creditCode(1500));
      // the same file again: every row clashes with a record now written
      const again = await upload(admin, 'enterprise', good, '?dry_run=1');
      assert.equal(again.json.error_rows, 3000);
    });
  });
}
