// What a server keeps between requests (a session, a list's count: db_memo in store.c) is
// dropped as soon as anything that could change it is written. A write by the same server
// is seen by its very next request. A write by another process on the same database (a
// second server, a command) is seen on SQLite at once (data_version) and on PostgreSQL as
// soon as its notification arrives (schema step v4, store_pg.c): a moment after the write's
// commit, so those cases ask again for up to a second and say how long it took. Each case
// first makes the server keep the thing (by asking for it more than once).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, STORES, startServer } from '../lib/server.mjs';
import { assertError, qiaoRun, serve } from './helpers.mjs';

for (const store of STORES) {
  describe(`kept between requests, changed elsewhere (${store})`, () => {
    let a, b, admin;
    before(async () => {
      a = await startServer({ store, users: { admin: { role: 'admin' }, clerk: { role: 'staff' } } });
      b = await serve(a.db);
      admin = await a.login('admin');
    });
    after(async () => {
      await b?.stop();
      await a?.stop();
    });
    /** The same session (cookie and CSRF token), asked of server b, or of a. */
    const onB = (c) => Object.assign(new Client(b.url), { cookie: c.cookie, csrf: c.csrf });
    const onA = (c) => Object.assign(new Client(a.url), { cookie: c.cookie, csrf: c.csrf });
    /** Ask until check(answer) holds: at once on SQLite, within a second on PostgreSQL. */
    async function soon(ask, check, what) {
      const t0 = Date.now();
      for (let n = 0; ; n++) {
        const r = await ask();
        if (check(r)) return r;
        if (store === 'sqlite' || Date.now() - t0 > 1000)
          assert.fail(`${what}: still ${r.status} ${r.text.slice(0, 200)} after ${Date.now() - t0} ms, ${n + 1} asks`);
        await new Promise((ok) => setTimeout(ok, 5));
      }
    }

    test('a session ended is refused at once by the same server, and by the other soon', async () => {
      const c = await a.login('clerk');
      const same = onA(c), other = onB(c);
      for (let i = 0; i < 3; i++) {
        assert.equal((await same.get('/api/v1/session')).json.user.username, 'clerk');
        assert.equal((await other.get('/api/v1/session')).json.user.username, 'clerk');
      }
      assert.equal((await c.del('/api/v1/session')).status, 204);
      assertError(await same.get('/api/v1/person'), 401);
      await soon(() => other.get('/api/v1/person'), (r) => r.status === 401, 'the other server');
    });

    test('a role changed is the role on the same server at once, and on the other soon', async () => {
      const id = (await admin.get('/api/v1/user?per_page=200')).json.items.find((u) => u.username === 'clerk').id;
      const c = await a.login('clerk');
      const other = onB(c);
      for (let i = 0; i < 3; i++) assert.equal((await other.get('/api/v1/session')).json.user.role, 'staff');
      assert.equal((await admin.patch(`/api/v1/user/${id}`, { role: 'viewer' })).status, 200);
      assertError(await c.get('/api/v1/person'), 401); // a role change ends the sessions
      await soon(() => other.get('/api/v1/person'), (r) => r.status === 401, 'the other server');
      const again = await a.login('clerk');
      for (let i = 0; i < 3; i++) assert.equal((await again.get('/api/v1/session')).json.user.role, 'viewer');
      assert.equal((await admin.patch(`/api/v1/user/${id}`, { role: 'staff' })).status, 200);
      assertError(await again.get('/api/v1/person'), 401);
    });

    test('`qiao user lock` from the command line ends a session both servers kept', async () => {
      const c = await a.login('clerk');
      const other = onB(c);
      for (let i = 0; i < 3; i++) {
        assert.equal((await c.get('/api/v1/person')).status, 200);
        assert.equal((await other.get('/api/v1/person')).status, 200);
      }
      const r = qiaoRun(['user', 'lock', 'clerk', '--db', a.db]);
      assert.equal(r.status, 0, r.stderr);
      await soon(() => c.get('/api/v1/person'), (x) => x.status === 401, 'the first server');
      await soon(() => other.get('/api/v1/person'), (x) => x.status === 401, 'the other server');
      assert.equal(qiaoRun(['user', 'unlock', 'clerk', '--db', a.db]).status, 0);
    });

    test('a list\'s total counts a record written by the same server at once, elsewhere soon', async () => {
      const same = onA(admin), other = onB(admin);
      const total = async (c) => (await c.get('/api/v1/person?per_page=1')).json.total;
      const t0 = await total(same);
      assert.equal(await total(same), t0);
      assert.equal(await total(other), t0);
      assert.equal(await total(other), t0);
      assert.equal((await admin.post('/api/v1/person', { name: '林文庆' })).status, 201);
      assert.equal(await total(same), t0 + 1);
      await soon(() => other.get('/api/v1/person?per_page=1'), (r) => r.json.total === t0 + 1, 'the other server');
      const dir = mkdtempSync(join(tmpdir(), 'qiao-kept-'));
      const file = join(dir, 'people.csv');
      writeFileSync(file, '姓名,性别\n陈嘉庚,男\n黄乃裳,男\n');
      const r = qiaoRun(['import', 'person', file, '--db', a.db]);
      rmSync(dir, { recursive: true, force: true });
      assert.equal(r.status, 0, r.stderr + r.stdout);
      for (const c of [same, other])
        await soon(() => c.get('/api/v1/person?per_page=1'), (x) => x.json.total === t0 + 3, 'after the import');
    });
  });
}
