// Hostile strings (issue 3): SQL-injection strings in every query parameter, filter, sort,
// page and id answer data or a 4xx, never a 5xx, and change nothing; markup is data.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertNot5xx, getBytes, mkOrg, sql, sqlInt } from './helpers.mjs';

const EVIL = [
  "' OR 1=1 --",
  "' OR '1'='1",
  '1; DROP TABLE org',
  '1; DROP TABLE "org"; --',
  "%' --",
  "x' UNION SELECT password_hash, 1, 1 FROM \"user\" --",
  '\\',
  "\\'",
  '"',
  '%',
  '_',
  '%%',
  '1 OR 1=1',
  '-1',
  '1)',
  'id); DELETE FROM session; --',
  '😀侨',
  "'; UPDATE \"user\" SET role = 'admin'; --",
];

const XSS = '<script>alert(1)</script>';

for (const store of STORES) {
  describe(`hostile strings (${store})`, () => {
    let server, admin, schema, before_;
    before(async () => {
      server = await startServer({ store, users: { admin: { role: 'admin' }, viewer: { role: 'viewer' } } });
      admin = await server.login('admin');
      const A = await mkOrg(admin, { name: '甲县侨联', level: 'county', established_on: '1990-01-01' });
      await mkOrg(admin, { name: '百分之百%侨胞之家', kind: 'home', star: 5, parent_id: A.id });
      await mkOrg(admin, { name: '下划线_小组', kind: 'group', parent_id: A.id });
      await mkOrg(admin, { name: "奥'康纳侨商分会", kind: 'branch', parent_id: A.id });
      const p = await admin.post('/api/v1/person', { org_id: A.id, name: '张三', id_number: '430521199001011234', categories: ['returnee'], name_alt: ['ZHANG SAN'] });
      assert.equal(p.status, 201, p.text);
      schema = (await admin.get('/api/v1/schema')).json;
      before_ = {
        orgs: sql(server, 'SELECT * FROM "org" ORDER BY id'),
        users: sql(server, 'SELECT * FROM "user" ORDER BY id'),
        persons: sql(server, 'SELECT * FROM person ORDER BY id'),
      };
    });
    after(() => server?.stop());

    // Every list parameter of an entity: q, sort, page, per_page, each filter and range.
    function params(entity) {
      const e = schema.entities.find((x) => x.name === entity);
      const ps = ['q', 'sort', 'page', 'per_page'];
      for (const f of e.fields) {
        if (!f.filter) continue;
        ps.push(f.name);
        if (['date', 'datetime', 'int', 'money', 'year'].includes(f.type)) ps.push(`${f.name}_from`, `${f.name}_to`);
      }
      return ps;
    }

    for (const entity of ['org', 'person', 'user'])
      test(`every list parameter of ${entity} with every hostile string: never a 5xx`, async () => {
        for (const p of params(entity))
          for (const s of EVIL) {
            const path = `/api/v1/${entity}?${p}=${encodeURIComponent(s)}`;
            const r = await admin.get(path);
            assertNot5xx(r, path);
            if (r.status === 200) assert.ok(Array.isArray(r.json.items), path);
          }
      });

    test('hostile strings as ids in the path: never a 5xx', async () => {
      for (const s of EVIL) {
        const id = encodeURIComponent(s);
        assertNot5xx(await admin.get(`/api/v1/org/${id}`), `GET org/${s}`);
        assertNot5xx(await admin.patch(`/api/v1/org/${id}`, { name: '改' }), `PATCH org/${s}`);
        assertNot5xx(await admin.del(`/api/v1/org/${id}`), `DELETE org/${s}`);
        assertNot5xx(await admin.get(`/api/v1/${id}`), `GET ${s}`);
        assertNot5xx(await admin.get(`/api/v1/${id}/1`), `GET ${s}/1`);
      }
    });

    test('hostile strings in the tree, the audit filters and the export: never a 5xx', async () => {
      for (const s of EVIL) {
        const v = encodeURIComponent(s);
        assertNot5xx(await admin.get(`/api/v1/org/tree?parent_id=${v}`), `tree ${s}`);
        for (const p of ['user_id', 'entity', 'entity_id', 'action', 'from', 'to', 'page', 'per_page'])
          assertNot5xx(await admin.get(`/api/v1/audit?${p}=${v}`), `audit ${p}=${s}`);
        for (const p of ['q', 'sort', 'name', 'kind', 'parent_id', 'established_on_from'])
          assertNot5xx(await admin.get(`/api/v1/export/org.csv?${p}=${v}`), `export ${p}=${s}`);
      }
    });

    test('hostile strings as parameter names: never a 5xx', async () => {
      for (const s of EVIL) assertNot5xx(await admin.get(`/api/v1/org?${encodeURIComponent(s)}=1`), `name ${s}`);
    });

    test('hostile strings as login names and passwords: 401, never a 5xx', async () => {
      for (const s of EVIL.slice(0, 6)) {
        const r = await server.client().post('/api/v1/session', { username: s, password: s });
        assert.ok(r.status === 401 || r.status === 422, `${s}: ${r.status} ${r.text}`);
      }
    });

    test('the data is intact: no table dropped, no row changed', () => {
      assert.equal(sql(server, 'SELECT * FROM "org" ORDER BY id'), before_.orgs);
      assert.equal(sql(server, 'SELECT * FROM person ORDER BY id'), before_.persons);
      const users = sql(server, 'SELECT id, org_id, username, role, status, password_hash, deleted_at FROM "user" ORDER BY id');
      assert.equal(users.split('\n').length, 2);
      assert.ok(users.includes('|viewer|'), 'nobody became admin');
      assert.ok(sqlInt(server, 'SELECT count(*) FROM session') >= 1, 'sessions not deleted');
    });

    test('q treats % _ \\ and quotes literally', async () => {
      const q = async (s) => (await admin.get(`/api/v1/org?q=${encodeURIComponent(s)}`)).json.items.map((x) => x.name);
      assert.deepEqual(await q('%'), ['百分之百%侨胞之家']);
      assert.deepEqual(await q('_'), ['下划线_小组']);
      assert.deepEqual(await q("'"), ["奥'康纳侨商分会"]);
      assert.deepEqual(await q("' OR 1=1 --"), []);
      assert.deepEqual(await q('\\'), []);
      assert.deepEqual(await q("%' --"), []);
    });

    test('hostile strings stored as values come back verbatim', async () => {
      for (const s of EVIL.filter((x) => x.trim().length > 0)) {
        const r = await admin.post('/api/v1/org', { parent_id: 1, name: s, kind: 'group', notes: s });
        assert.equal(r.status, 201, `${s}: ${r.text}`);
        assert.equal(r.json.name, s);
        const back = await admin.get(`/api/v1/org/${r.json.id}`);
        assert.equal(back.json.name, s);
        assert.equal(back.json.notes, s);
        assert.equal((await admin.del(`/api/v1/org/${r.json.id}`)).status, 204);
      }
      assert.ok(sqlInt(server, 'SELECT count(*) FROM "org"') > 0);
    });

    test('<script> is stored and returned as data, in JSON and in CSV', async () => {
      const img = '<img src=x onerror="alert(\'侨\')">';
      const r = await admin.post('/api/v1/org', { parent_id: 1, name: XSS, kind: 'group', notes: `${img}\n${XSS}` });
      assert.equal(r.status, 201, r.text);
      assert.match(r.headers.get('content-type'), /^application\/json/);
      assert.equal(r.json.name, XSS);
      const back = await admin.get(`/api/v1/org/${r.json.id}`);
      assert.equal(back.json.name, XSS);
      assert.equal(back.json.notes, `${img}\n${XSS}`);
      assert.equal(sql(server, `SELECT name FROM "org" WHERE id = ${r.json.id}`), XSS, 'stored as typed, not escaped');
      const found = await admin.get(`/api/v1/org?q=${encodeURIComponent('<script>')}`);
      assert.deepEqual(found.json.items.map((x) => x.id), [r.json.id]);
      const csv = (await getBytes(admin, '/api/v1/export/org.csv')).bytes.toString('utf8');
      assert.ok(csv.includes(XSS));
    });
  });
}
