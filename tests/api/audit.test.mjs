// The audit trail (issue 3): what is recorded, GET /api/v1/audit and its filters, and
// `qiao audit verify` catching an entry edited or deleted directly in the database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { CJK, assertError, getBytes, mkOrg, qiaoRun, sql, sqlInt } from './helpers.mjs';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

for (const store of STORES) {
  describe(`audit trail: entries and GET /api/v1/audit (${store})`, () => {
    let server, admin, staff, adminId, staffId, org, t0;
    before(async () => {
      server = await startServer({ store, users: { admin: { role: 'admin' }, staff: { role: 'staff' } } });
      t0 = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      [admin, staff] = await Promise.all([server.login('admin'), server.login('staff')]);
      adminId = (await admin.get('/api/v1/session')).json.user.id;
      staffId = (await staff.get('/api/v1/session')).json.user.id;
      org = await mkOrg(admin, { name: '审计测试侨联', level: 'county' });
      assert.equal((await admin.patch(`/api/v1/org/${org.id}`, { name: '审计测试侨联(改)', address: '新地址' })).status, 200);
      assert.equal((await admin.del(`/api/v1/org/${org.id}`)).status, 204);
      assert.equal((await server.client().login('staff', 'wrong-password')).status, 401);
      assert.equal((await getBytes(admin, '/api/v1/export/org.csv?kind=federation')).status, 200);
    });
    after(() => server?.stop());

    const audit = async (q = '') => {
      const r = await admin.get(`/api/v1/audit?per_page=200${q ? '&' + q : ''}`);
      assert.equal(r.status, 200, r.text);
      return r.json;
    };

    test('only admins read it', async () => {
      assertError(await staff.get('/api/v1/audit'), 403, 'forbidden');
      assertError(await server.client().get('/api/v1/audit'), 401, 'unauthenticated');
    });

    test('newest first, with the documented fields', async () => {
      const { items, total, page, per_page } = await audit();
      assert.equal(total, items.length);
      assert.equal(page, 1);
      assert.equal(per_page, 200);
      for (const k of ['id', 'at', 'user_id', 'username', 'client', 'action', 'entity', 'entity_id', 'before', 'after'])
        assert.ok(k in items[0], k);
      for (const e of items) assert.match(e.at, ISO);
      const ids = items.map((e) => e.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    });

    test('a create holds the values after', async () => {
      const [e] = (await audit(`entity=org&entity_id=${org.id}&action=create`)).items;
      assert.equal(e.user_id, adminId);
      assert.equal(e.username, 'admin');
      assert.equal(e.client, '127.0.0.1');
      assert.equal(e.before, null);
      assert.equal(e.after.name, '审计测试侨联');
      assert.equal(e.after.level, 'county');
    });

    test('an update holds the values before and after', async () => {
      const [e] = (await audit(`entity=org&entity_id=${org.id}&action=update`)).items;
      assert.equal(e.before.name, '审计测试侨联');
      assert.equal(e.after.name, '审计测试侨联(改)');
      assert.equal(e.before.address, null);
      assert.equal(e.after.address, '新地址');
      assert.equal(e.after.level, 'county');
    });

    test('a delete holds the values before', async () => {
      const [e] = (await audit(`entity=org&entity_id=${org.id}&action=delete`)).items;
      assert.equal(e.before.name, '审计测试侨联(改)');
      assert.equal(e.after, null);
    });

    test('filter by entity and id: exactly that record\'s history', async () => {
      const { items } = await audit(`entity=org&entity_id=${org.id}`);
      assert.deepEqual(items.map((e) => e.action), ['delete', 'update', 'create']);
    });

    test('logins and failed logins are recorded', async () => {
      const logins = (await audit(`user_id=${staffId}`)).items;
      assert.ok(logins.some((e) => e.action === 'login' && e.username === 'staff'));
      const failed = logins.find((e) => e.action.includes('fail'));
      assert.ok(failed, `a failed login: ${JSON.stringify(logins.map((e) => e.action))}`);
      assert.equal(failed.client, '127.0.0.1');
      assert.doesNotMatch(JSON.stringify(logins), /wrong-password/, 'the password tried is not recorded');
    });

    test('exports are recorded with their filters', async () => {
      const [e] = (await audit('action=export')).items;
      assert.equal(e.user_id, adminId);
      assert.equal(e.entity, 'org');
      assert.equal(e.after.kind, 'federation');
      assert.equal(typeof e.after.rows, 'number');
    });

    test('filter by user', async () => {
      const mine = (await audit(`user_id=${adminId}`)).items;
      assert.ok(mine.length >= 5);
      assert.ok(mine.every((e) => e.user_id === adminId));
      assert.ok((await audit(`user_id=${staffId}`)).items.every((e) => e.user_id === staffId));
      assert.equal((await audit('user_id=987654')).total, 0);
    });

    test('filter by time range', async () => {
      const all = (await audit()).total;
      assert.equal((await audit(`from=${t0}`)).total, all - sqlInt(server, `SELECT count(*) FROM audit_log WHERE at < '${t0}'`));
      assert.equal((await audit('to=2000-01-01T00:00:00Z')).total, 0);
      assert.equal((await audit('from=2999-01-01T00:00:00Z')).total, 0);
      const one = (await audit(`entity=org&entity_id=${org.id}&action=update`)).items[0];
      const at = (await audit(`from=${one.at}&to=${one.at}`)).items;
      assert.ok(at.some((e) => e.id === one.id));
      assert.ok(at.every((e) => e.at === one.at));
    });

    test('a time that is not a time, and text that is not UTF-8, answer 400 instead of matching everything', async () => {
      assertError(await admin.get('/api/v1/audit?from=garbage'), 400, 'bad_request', 'from');
      assertError(await admin.get('/api/v1/audit?to=2024-13-45'), 400, 'bad_request', 'to');
      assert.equal((await admin.get('/api/v1/audit?from=2024-05-01')).status, 200, 'a date is a time');
      assert.equal((await admin.get('/api/v1/audit?from=2024-05-01T08:30:00%2B08:00')).status, 200);
      assertError(await admin.get('/api/v1/org?name=%FF'), 400, 'bad_request');
      assertError(await admin.get('/api/v1/person?q=%C3%28'), 400, 'bad_request');
      assert.equal((await admin.get('/api/v1/org?name=' + encodeURIComponent('侨联'))).status, 200);
    });

    test('paging, and bad parameters answer 400', async () => {
      const p1 = (await admin.get('/api/v1/audit?per_page=2&page=1')).json;
      const p2 = (await admin.get('/api/v1/audit?per_page=2&page=2')).json;
      assert.equal(p1.items.length, 2);
      assert.ok(p2.items.every((e) => e.id < p1.items[1].id));
      assertError(await admin.get('/api/v1/audit?page=9999'), 400, 'bad_request', 'page');
      assertError(await admin.get('/api/v1/audit?per_page=201'), 400, 'bad_request', 'per_page');
      assertError(await admin.get('/api/v1/audit?user_id=abc'), 400, 'bad_request', 'user_id');
      assertError(await admin.get('/api/v1/audit?colour=red'), 400, 'bad_request', 'colour');
    });

    test('next and prev page by position: the same entries as by number, none twice when others write', async () => {
      const all = (await audit()).items.map((e) => e.seq);
      const p1 = (await admin.get('/api/v1/audit?per_page=3')).json;
      assert.equal(p1.prev, null);
      assert.equal(p1.total_estimated, false);
      assert.deepEqual(p1.items.map((e) => e.seq), all.slice(0, 3));
      // a write meanwhile: the next page by position still starts after p1's last entry
      await mkOrg(admin, { name: '翻页时新建的组织' });
      const p2 = (await admin.get(`/api/v1/audit?per_page=3&after=${p1.next}`)).json;
      assert.deepEqual(p2.items.map((e) => e.seq), all.slice(3, 6));
      assert.equal(p2.page, null);
      assert.equal(p2.total, all.length + 1);
      const withPage = (await admin.get(`/api/v1/audit?per_page=3&page=2&after=${p1.next}`)).json;
      assert.equal(withPage.page, 2);
      // and back: the entries before p2's first, newest first, as p1 showed them
      const back = (await admin.get(`/api/v1/audit?per_page=3&before=${p2.prev}`)).json;
      assert.deepEqual(back.items.map((e) => e.seq), all.slice(0, 3));
      assert.ok(back.prev, 'the entry written meanwhile is before it');
      const newest = (await admin.get(`/api/v1/audit?per_page=3&before=${back.prev}`)).json;
      assert.ok(newest.items.length >= 1);
      assert.equal(newest.items.at(-1).seq, Number(back.prev) + 1);
      assert.equal(newest.prev, null);
      // the last page has no next; filters go with the position
      const last = (await admin.get(`/api/v1/audit?per_page=200&after=${all[all.length - 3]}`)).json;
      assert.equal(last.items.length, 2);
      assert.equal(last.next, null);
      const orgs = (await admin.get(`/api/v1/audit?entity=org&per_page=1&after=${p1.next}`)).json;
      assert.equal(orgs.items.length, 1);
      assert.ok(orgs.items.every((e) => e.entity === 'org' && e.seq < Number(p1.next)));
      assertError(await admin.get('/api/v1/audit?after=abc'), 400, 'bad_request', 'after');
      assertError(await admin.get('/api/v1/audit?before=0'), 400, 'bad_request', 'before');
      assertError(await admin.get(`/api/v1/audit?after=${p1.next}&before=${p1.next}`), 400, 'bad_request', 'before');
    });

    test('a failed request leaves no audit entry', async () => {
      const n = sqlInt(server, 'SELECT count(*) FROM audit_log');
      assert.equal((await admin.post('/api/v1/org', { parent_id: 1, name: '坏日期', kind: 'group', established_on: '2023-02-30' })).status, 422);
      assert.equal((await admin.patch('/api/v1/org/1', { kind: 'club' })).status, 422);
      assert.equal((await admin.get('/api/v1/org?page=99')).status, 400);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM audit_log'), n);
    });

    test('user changes are recorded without password hashes', async () => {
      let r = await admin.post('/api/v1/user', { username: 'clerk', name: '文员', role: 'viewer', password: 'clerk-pass-123' });
      assert.equal(r.status, 201, r.text);
      const id = r.json.id;
      r = await admin.patch(`/api/v1/user/${id}`, { name: '文员甲', phone: '+86 739 5301234' });
      assert.equal(r.status, 200, r.text);
      assert.equal((await admin.post(`/api/v1/user/${id}/password`, { password: 'clerk-pass-456' })).status, 204);
      const { items } = await audit(`entity=user&entity_id=${id}`);
      assert.ok(items.some((e) => e.action === 'update' && e.before.name === '文员' && e.after.name === '文员甲'));
      const text = JSON.stringify(items);
      assert.doesNotMatch(text, /\$argon2/, 'no password hash in the audit trail');
      assert.doesNotMatch(text, /clerk-pass/, 'no password in the audit trail');
      assert.equal(sqlInt(server, "SELECT count(*) FROM audit_log WHERE before_json LIKE '%argon2%' OR after_json LIKE '%argon2%'"), 0);
    });

    test('`qiao audit verify` passes on the untouched chain', () => {
      const r = qiaoRun(['audit', 'verify', '--db', server.db]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, CJK);
    });
  });

  // Each tamper on a server and database of its own.
  describe(`qiao audit verify catches tampering (${store})`, () => {
    async function chainOf(n) {
      const server = await startServer({ store });
      const admin = await server.login('admin');
      for (let i = 1; i <= n; i++) await mkOrg(admin, { name: `篡改测试侨联${i}` });
      return server;
    }
    const entry = (server, seq) => sql(server, `SELECT id FROM audit_log WHERE seq = ${seq}`);

    test('an entry edited in the database is named', async () => {
      const server = await chainOf(3);
      try {
        assert.equal(qiaoRun(['audit', 'verify', '--db', server.db]).status, 0);
        const seq = sqlInt(server, "SELECT min(seq) FROM audit_log WHERE action = 'create' AND entity = 'org' AND user_id <> 0");
        const id = entry(server, seq);
        sql(server, `UPDATE audit_log SET after_json = replace(after_json, '篡改测试侨联', '已被改动的侨联') WHERE seq = ${seq}`);
        assert.equal(sqlInt(server, `SELECT count(*) FROM audit_log WHERE after_json LIKE '%已被改动%'`), 1);
        const r = qiaoRun(['audit', 'verify', '--db', server.db]);
        assert.notEqual(r.status, 0, 'verify must fail');
        const out = r.stdout + r.stderr;
        assert.match(out, CJK);
        assert.match(out, new RegExp(`(^|\\D)${id}(\\D|$)`), `names entry ${id}: ${out}`);
      } finally {
        await server.stop();
      }
    });

    test('an entry deleted from the middle is named', async () => {
      const server = await chainOf(3);
      try {
        const seq = sqlInt(server, 'SELECT max(seq) FROM audit_log') - 1;
        const id = entry(server, seq);
        sql(server, `DELETE FROM audit_log WHERE seq = ${seq}`);
        const r = qiaoRun(['audit', 'verify', '--db', server.db]);
        assert.notEqual(r.status, 0, 'verify must fail');
        const out = r.stdout + r.stderr;
        assert.match(out, new RegExp(`(^|\\D)(${id}|${seq})(\\D|$)`), `names the missing entry ${seq}: ${out}`);
      } finally {
        await server.stop();
      }
    });

    test('the newest entry deleted is noticed', async () => {
      const server = await chainOf(2);
      try {
        const seq = sqlInt(server, 'SELECT max(seq) FROM audit_log');
        sql(server, `DELETE FROM audit_log WHERE seq = ${seq}`);
        const r = qiaoRun(['audit', 'verify', '--db', server.db]);
        assert.notEqual(r.status, 0, 'verify must fail');
        assert.match(r.stdout + r.stderr, CJK);
      } finally {
        await server.stop();
      }
    });

    test('an entry whose user was changed is named', async () => {
      const server = await chainOf(1);
      try {
        const seq = sqlInt(server, "SELECT max(seq) FROM audit_log WHERE action = 'create'");
        const id = entry(server, seq);
        sql(server, `UPDATE audit_log SET username = 'someone-else' WHERE seq = ${seq}`);
        const r = qiaoRun(['audit', 'verify', '--db', server.db]);
        assert.notEqual(r.status, 0);
        assert.match(r.stdout + r.stderr, new RegExp(`(^|\\D)${id}(\\D|$)`));
      } finally {
        await server.stop();
      }
    });
  });
}
