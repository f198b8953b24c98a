// A list's count is the costly half of a big list; it is kept between requests until the
// data changes (db_memo). SQLite tells a change by its data_version, whoever writes;
// PostgreSQL has no such number, so the head of the audit chain stands for one: every write
// of a record moves it, in its own transaction, from any process (issue 16). One server
// thread, so that every request meets the same database connection and its memo.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { sql } from './helpers.mjs';

for (const store of STORES) {
  describe(`list counts kept between requests (${store})`, () => {
    let server, admin;
    before(async () => {
      server = await startServer({ store, serveArgs: ['--threads', '1'] });
      admin = await server.login('admin');
      for (const name of ['甲', '乙', '丙']) assert.equal((await admin.post('/api/v1/person', { name })).status, 201);
    });
    after(() => server?.stop());
    const count = async () => (await admin.get('/api/v1/person?per_page=1')).json.total;

    test('no duplicate pairs, asked twice (the kept answer of nothing)', async () => {
      for (let i = 0; i < 2; i++) {
        const r = await admin.get('/api/v1/dedup/person');
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.total, 0);
      }
    });

    test('the count follows every write made through qiao', async () => {
      const n = await count();
      assert.equal(n, 3);
      const r = await admin.post('/api/v1/person', { name: '丁' });
      assert.equal(await count(), 4);
      assert.equal((await admin.del(`/api/v1/person/${r.json.id}`)).status, 204);
      assert.equal(await count(), 3);
    });

    test('the count is not walked again while nothing was written', async (t) => {
      if (store !== 'pg') return t.skip('SQLite sees any writer through data_version');
      assert.equal(await count(), 3);
      // a change behind qiao's back (no audit entry): the memo answers, the rows are not counted
      const id = sql(server, "SELECT min(id) FROM person WHERE deleted_at IS NULL");
      sql(server, `UPDATE person SET deleted_at = '2026-01-01T00:00:00Z' WHERE id = ${id}`);
      assert.equal(await count(), 3);
      // the next write of any record moves the head, and the count is taken afresh
      const other = sql(server, "SELECT max(id) FROM person WHERE deleted_at IS NULL");
      assert.equal((await admin.patch(`/api/v1/person/${other}`, { occupation: '教师' })).status, 200);
      assert.equal(await count(), 2);
      sql(server, `UPDATE person SET deleted_at = NULL WHERE id = ${id}`);
    });
  });
}
