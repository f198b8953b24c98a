// GET /api/v1/schema (labels in three languages) and the CSV export: BOM, Chinese header,
// formulas neutralised, the user's scope only, audited (issues 2 and 3).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { CJK, assertError, getBytes, mkOrg, parseCsv, sqlInt } from './helpers.mjs';

const ORG_FIELDS = ['id', 'parent_id', 'name', 'short_name', 'kind', 'level', 'region_code', 'star', 'base_level',
  'base_category', 'established_on', 'address', 'phone', 'status', 'notes'];
const USER_FIELDS = ['id', 'org_id', 'username', 'name', 'role', 'status'];
const SECRET = ['path', 'deleted_at', 'password_hash', 'failed_logins'];

function assertLabel(label, what) {
  assert.ok(label && typeof label === 'object', `${what}: no label`);
  assert.match(label['zh-Hans'] ?? '', CJK, `${what}: zh-Hans`);
  assert.match(label['zh-Hant'] ?? '', CJK, `${what}: zh-Hant`);
  assert.match(label.en ?? '', /^[\x20-\x7e]+$/, `${what}: en`);
  assert.doesNotMatch(label.en, CJK);
}

for (const store of STORES) {
  describe(`GET /api/v1/schema (${store})`, () => {
    let server, admin, schema;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      const r = await admin.get('/api/v1/schema');
      assert.equal(r.status, 200, r.text);
      schema = r.json;
    });
    after(() => server?.stop());

    const entity = (name) => schema.entities.find((e) => e.name === name);

    test('needs a session', async () => {
      assertError(await server.client().get('/api/v1/schema'), 401, 'unauthenticated');
    });

    test('org and user are described, with all their fields', () => {
      const names = (e) => e.fields.map((f) => f.name);
      for (const f of ORG_FIELDS) assert.ok(names(entity('org')).includes(f), `org.${f}`);
      for (const f of USER_FIELDS) assert.ok(names(entity('user')).includes(f), `user.${f}`);
      assert.equal(entity('org').title_field, 'name');
      assert.equal(entity('org').module, 'org');
    });

    test('every entity, field and enum value has a label in zh-Hans, zh-Hant and en', () => {
      for (const e of schema.entities) {
        assertLabel(e.label, e.name);
        for (const f of e.fields) {
          assertLabel(f.label, `${e.name}.${f.name}`);
          for (const v of f.values ?? []) assertLabel(v.label, `${e.name}.${f.name}=${v.value}`);
        }
      }
      assert.equal(entity('org').label['zh-Hans'], '组织');
      assert.equal(entity('org').label['zh-Hant'], '組織');
    });

    test('field descriptions carry type, flags and choices', () => {
      const f = (e, n) => entity(e).fields.find((x) => x.name === n);
      assert.equal(f('org', 'kind').type, 'enum');
      assert.equal(f('org', 'kind').required, true);
      assert.deepEqual(f('org', 'kind').values.map((v) => v.value),
        ['federation', 'branch', 'group', 'home', 'platform', 'base', 'affiliate']);
      assert.deepEqual(f('org', 'status').values.map((v) => v.value), ['active', 'closed']);
      assert.equal(f('org', 'parent_id').type, 'ref');
      assert.equal(f('org', 'parent_id').ref, 'org');
      assert.equal(f('org', 'established_on').type, 'date');
      assert.equal(f('org', 'name').max, 100);
      assert.equal(f('org', 'id').readonly, true);
      assert.equal(f('org', 'created_at').readonly, true);
      assert.deepEqual(f('user', 'role').values.map((v) => v.value), ['admin', 'leader', 'staff', 'finance', 'mediator', 'viewer']);
      for (const e of schema.entities)
        for (const x of e.fields)
          for (const k of ['required', 'readonly', 'sensitive', 'search', 'filter', 'sort', 'list'])
            assert.equal(typeof x[k], 'boolean', `${e.name}.${x.name}.${k}`);
    });

    test('internal fields are not in the schema', () => {
      for (const e of schema.entities)
        for (const s of SECRET) assert.ok(!e.fields.some((f) => f.name === s), `${e.name}.${s}`);
    });
  });

  describe(`CSV export (${store})`, () => {
    let server, admin, leaderA, staff, A, B, tricky;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      tricky = [];
      for (const name of ['=HYPERLINK("http://evil.example","点我")', '+SUM(1,2)', '-2+3', '@cmd', '普通,带逗号 "引号"'])
        tricky.push(await mkOrg(admin, { name, kind: 'group', parent_id: A.id }));
      await mkOrg(admin, { name: '乙县侨胞之家', kind: 'home', star: 2, parent_id: B.id });
      server.addUser('leadera', 'leader', A.id);
      server.addUser('staff1', 'staff', 1);
      [leaderA, staff] = await Promise.all([server.login('leadera'), server.login('staff1')]);
    });
    after(() => server?.stop());

    const rowsOf = (bytes) => parseCsv(bytes.subarray(3).toString('utf8'));

    test('a UTF-8 BOM, text/csv, an attachment, a Chinese header row', async () => {
      const r = await getBytes(admin, '/api/v1/export/org.csv');
      assert.equal(r.status, 200);
      assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      assert.match(r.headers.get('content-type'), /^text\/csv/);
      assert.match(r.headers.get('content-disposition') ?? '', /attachment/);
      const [header] = rowsOf(r.bytes);
      for (const label of ['编号', '上级组织', '名称', '类型', '状态']) assert.ok(header.includes(label), label);
      assert.ok(!header.some((h) => /^[a-z_]+$/.test(h)), `no raw field names: ${header}`);
      assert.ok(!header.includes('路径'), 'no internal path column');
    });

    test('every org of the scope, one row each, values as data', async () => {
      const rows = rowsOf((await getBytes(admin, '/api/v1/export/org.csv')).bytes);
      assert.equal(rows.length - 1, 9); // root, A, B, 5 tricky, 1 home
      const nameCol = rows[0].indexOf('名称');
      assert.ok(rows.some((r) => r[nameCol] === '普通,带逗号 "引号"'), 'commas and quotes survive quoting');
    });

    test('a cell starting with = + - @ is neutralised', async () => {
      const rows = rowsOf((await getBytes(admin, '/api/v1/export/org.csv')).bytes);
      for (const row of rows)
        for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `dangerous cell ${JSON.stringify(cell)}`);
      const nameCol = rows[0].indexOf('名称');
      for (const t of tricky.slice(0, 4))
        assert.ok(rows.some((r) => r[nameCol].endsWith(t.name) && r[nameCol].length <= t.name.length + 1),
          `${t.name} is still there, behind a neutral prefix`);
    });

    test('the same filters as the list', async () => {
      const rows = rowsOf((await getBytes(admin, `/api/v1/export/org.csv?kind=group&parent_id=${A.id}`)).bytes);
      assert.equal(rows.length - 1, 5);
      const bad = await admin.get('/api/v1/export/org.csv?colour=red');
      assertError(bad, 400, 'bad_request');
    });

    test('a county user exports only their subtree', async () => {
      const rows = rowsOf((await getBytes(leaderA, '/api/v1/export/org.csv')).bytes);
      const idCol = rows[0].indexOf('编号');
      const got = rows.slice(1).map((r) => Number(r[idCol])).sort((a, b) => a - b);
      assert.deepEqual(got, [A.id, ...tricky.map((t) => t.id)].sort((a, b) => a - b));
      const none = rowsOf((await getBytes(leaderA, `/api/v1/export/org.csv?parent_id=${B.id}`)).bytes);
      assert.equal(none.length, 1, 'only the header');
    });

    test('a role without export permission is refused (403), nothing written', async () => {
      const n = sqlInt(server, 'SELECT count(*) FROM audit_log');
      assertError(await staff.get('/api/v1/export/org.csv'), 403, 'forbidden');
      assertError(await server.client().get('/api/v1/export/org.csv'), 401, 'unauthenticated');
      assert.equal(sqlInt(server, 'SELECT count(*) FROM audit_log'), n);
    });

    test('each export is in the audit trail', async () => {
      const n = sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'export'");
      await getBytes(leaderA, '/api/v1/export/org.csv?kind=group');
      assert.equal(sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'export'"), n + 1);
      const last = (await admin.get('/api/v1/audit?action=export&per_page=1')).json.items[0];
      assert.equal(last.username, 'leadera');
      assert.equal(last.entity, 'org');
      assert.equal(last.after.rows, 5);
      assert.equal(last.after.kind, 'group');
    });
  });
}
