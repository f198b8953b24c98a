// Every view of clear sensitive values is audited (issue 15, item 3): whatever answers
// them (a list, a read, a write's answer, the duplicate pairs), one "unmask" entry naming
// the request; without ?unmask=1 the values are masked and nothing is written.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, sqlInt } from './helpers.mjs';

const ID = '110101199003074477';

for (const store of STORES) {
  describe(`unmask is audited everywhere (${store})`, () => {
    let server, admin, viewer, p1;
    const unmasks = () => sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'");
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      server.addUser('viewer', 'viewer', 1);
      viewer = await server.login('viewer');
      const a = await admin.post('/api/v1/person', { name: '陈一', id_type: 'resident_id', id_number: ID, birth_date: '1990-03-07', phone: '+86 138 0000 0001' });
      assert.equal(a.status, 201, a.text);
      p1 = a.json;
      const b = await admin.post('/api/v1/person', { name: '陳一', id_type: 'passport', id_number: 'E12345678', birth_date: '1990-03-07', phone: '+86 138 0000 0002' });
      assert.equal(b.status, 201, b.text);
    });
    after(() => server?.stop());

    test('masked by default, and nothing written', async () => {
      const n = unmasks();
      const r = await admin.get(`/api/v1/person/${p1.id}`);
      assert.notEqual(r.json.id_number, ID);
      const d = await admin.get('/api/v1/dedup/person');
      assert.equal(d.status, 200, d.text);
      assert.doesNotMatch(d.text, new RegExp(ID));
      assert.equal(unmasks(), n);
    });

    test('the audit log masks what it recorded unless unmasked, and that view is audited', async () => {
      const n = unmasks();
      const q = `/api/v1/audit?entity=person&entity_id=${p1.id}&action=create`;
      const masked = await admin.get(q);
      assert.equal(masked.status, 200, masked.text);
      assert.equal(masked.json.items.length, 1);
      assert.equal(masked.json.items[0].after.name, '陈一');
      assert.notEqual(masked.json.items[0].after.id_number, ID);
      assert.doesNotMatch(masked.text, new RegExp(ID));
      assert.doesNotMatch(masked.text, /138 0000 0001/);
      assert.equal(unmasks(), n, 'nothing in clear, nothing written');
      const clear = await admin.get(`${q}&unmask=1`);
      assert.equal(clear.json.items[0].after.id_number, ID);
      assert.equal(unmasks(), n + 1);
    });

    test('the duplicate pairs in clear write an entry', async () => {
      const n = unmasks();
      const d = await admin.get('/api/v1/dedup/person?unmask=1');
      assert.equal(d.status, 200, d.text);
      assert.match(d.text, new RegExp(ID), 'the pairs are in clear');
      assert.equal(unmasks(), n + 1);
    });

    test('a write answered in clear writes an entry besides the update', async () => {
      const n = unmasks();
      const r = await admin.patch(`/api/v1/person/${p1.id}?unmask=1`, { occupation: '教师' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.id_number, ID);
      assert.equal(unmasks(), n + 1);
      const entry = sqlInt(server, `SELECT count(*) FROM audit_log WHERE action = 'unmask' AND entity = 'person' AND entity_id = ${p1.id}`);
      assert.ok(entry >= 1);
    });

    test('a list and a read in clear write one entry each; a role without view_sensitive is refused', async () => {
      const n = unmasks();
      assert.equal((await admin.get('/api/v1/person?unmask=1')).status, 200);
      assert.equal((await admin.get(`/api/v1/person/${p1.id}?unmask=1`)).status, 200);
      assert.equal(unmasks(), n + 2);
      assertError(await viewer.get('/api/v1/person?unmask=1'), 403, 'forbidden', 'unmask');
      assert.equal(unmasks(), n + 2);
    });
  });
}
