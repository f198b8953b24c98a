// Access (issue 3): the org scope (a record outside it answers 404, whatever the id), roles
// (viewer, mediator, county admin), masking of sensitive fields.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, getBytes, listAll, mkOrg, parseCsv, sql, sqlInt, unchanged } from './helpers.mjs';

const byId = (a, b) => a - b;
const ids = (items) => items.map((x) => x.id).sort(byId);

for (const store of STORES) {
  describe(`scope, roles and masking (${store})`, () => {
    // root(1) ─ A (甲县) ─ A1      users: admin@root; astaff, aadmin, aleader, viewer, mediator @A
    //         └ B (乙县) ─ B1      bstaff @B
    let server, admin, astaff, aadmin, aleader, viewer, mediator, bstaff;
    let A, A1, B, B1, pA, pB, users;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      A1 = await mkOrg(admin, { name: '甲县侨商分会', kind: 'branch', parent_id: A.id });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      B1 = await mkOrg(admin, { name: '乙县侨商分会', kind: 'branch', parent_id: B.id });
      let r = await admin.post('/api/v1/person', {
        org_id: A.id, name: '陈美玲', gender: 'female', categories: ['returnee'], id_type: 'resident_id',
        id_number: '430521199001011239', phone: '+86 139 0739 1234', address_domestic: '甲县人民路 8 号',
      });
      assert.equal(r.status, 201, r.text);
      pA = r.json;
      r = await admin.post('/api/v1/person', {
        org_id: B1.id, name: '林志强', gender: 'male', categories: ['relative'], id_number: '430522198505057777',
      });
      assert.equal(r.status, 201, r.text);
      pB = r.json;
      users = { astaff: 'staff', aadmin: 'admin', aleader: 'leader', viewer: 'viewer', mediator: 'mediator' };
      for (const [name, role] of Object.entries(users)) server.addUser(name, role, A.id);
      server.addUser('bstaff', 'staff', B.id);
      [astaff, aadmin, aleader, viewer, mediator, bstaff] = await Promise.all(
        ['astaff', 'aadmin', 'aleader', 'viewer', 'mediator', 'bstaff'].map((u) => server.login(u)));
    });
    after(() => server?.stop());

    describe('a county A user and county B records', () => {
      test('lists show only the subtree', async () => {
        assert.deepEqual(ids(await listAll(astaff, 'org')), [A.id, A1.id]);
        assert.deepEqual(ids(await listAll(astaff, 'person')), [pA.id]);
        assert.deepEqual(ids(await listAll(bstaff, 'person')), [pB.id]);
        assert.equal((await astaff.get('/api/v1/org')).json.total, 2);
      });

      test('search and filters do not reach outside', async () => {
        const q = (s) => encodeURIComponent(s);
        assert.equal((await astaff.get(`/api/v1/person?q=${q('林志强')}`)).json.total, 0);
        assert.equal((await astaff.get(`/api/v1/org?q=${q('乙县')}`)).json.total, 0);
        assert.equal((await astaff.get(`/api/v1/person?org_id=${B1.id}`)).json.total, 0);
        assert.equal((await astaff.get(`/api/v1/org?parent_id=${B.id}`)).json.total, 0);
        assert.equal((await astaff.get(`/api/v1/org?id=${B.id},${B1.id},1`)).json.total, 0);
        assert.equal((await astaff.get(`/api/v1/person?id=${pB.id}`)).json.total, 0);
      });

      test('reads of out-of-scope records answer 404 (not 403), like ids that do not exist', async () => {
        const digitsOut = (m) => m.replace(/\d+/g, 'N');
        for (const [entity, outside] of [['person', [pB.id]], ['org', [B.id, B1.id, 1]]]) {
          const missing = assertError(await astaff.get(`/api/v1/${entity}/999999`), 404, 'not_found');
          for (const id of outside) {
            const e = assertError(await astaff.get(`/api/v1/${entity}/${id}`), 404, 'not_found');
            assert.equal(digitsOut(e.message), digitsOut(missing.message),
              `${entity}/${id}: the answer does not tell an existing record from a missing one`);
          }
        }
      });

      test('guessing every id finds only the subtree', async () => {
        const maxOrg = sqlInt(server, 'SELECT max(id) FROM "org"');
        const maxPerson = sqlInt(server, 'SELECT max(id) FROM person');
        const seen = { org: [], person: [] };
        for (const [entity, max] of [['org', maxOrg], ['person', maxPerson]])
          for (let id = 1; id <= max + 3; id++) {
            const r = await astaff.get(`/api/v1/${entity}/${id}`);
            assert.ok(r.status === 200 || r.status === 404, `${entity}/${id}: ${r.status}`);
            if (r.status === 200) seen[entity].push(id);
          }
        assert.deepEqual(seen.org, [A.id, A1.id]);
        assert.deepEqual(seen.person, [pA.id]);
      });

      test('patch and delete of an out-of-scope record answer 404 and change nothing', async () => {
        await unchanged(server, async () => {
          assertError(await astaff.patch(`/api/v1/person/${pB.id}`, { name: '改名' }), 404, 'not_found');
          assertError(await astaff.del(`/api/v1/person/${pB.id}`), 404, 'not_found');
          assertError(await aadmin.patch(`/api/v1/org/${B1.id}`, { name: '改名' }), 404, 'not_found');
          assertError(await aadmin.del(`/api/v1/org/${B1.id}`), 404, 'not_found');
          assertError(await aadmin.patch('/api/v1/org/1', { name: '改名' }), 404, 'not_found');
        });
        assert.equal((await admin.get(`/api/v1/person/${pB.id}`)).json.name, '林志强');
      });

      test('a record cannot be created under, or moved to, an out-of-scope org', async () => {
        await unchanged(server, async () => {
          assertError(await aadmin.post('/api/v1/org', { parent_id: B.id, name: '越界分会', kind: 'branch' }), 422, 'invalid', 'parent_id');
          assertError(await aadmin.post('/api/v1/org', { parent_id: 1, name: '越界县侨联', kind: 'federation' }), 422, 'invalid', 'parent_id');
          assertError(await aadmin.patch(`/api/v1/org/${A1.id}`, { parent_id: B.id }), 422, 'invalid', 'parent_id');
          assertError(await astaff.post('/api/v1/person', { org_id: B1.id, name: '越界人士' }), 422, 'invalid', 'org_id');
          assertError(await astaff.patch(`/api/v1/person/${pA.id}`, { org_id: B.id }), 422, 'invalid', 'org_id');
        });
      });

      test('a new record defaults to the user\'s own org', async () => {
        const r = await astaff.post('/api/v1/person', { name: '黄文华' });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.org_id, A.id);
        assert.equal((await astaff.del(`/api/v1/person/${r.json.id}`)).status, 204);
      });

      test('exports hold only the subtree', async () => {
        const csv = async (c, path) => parseCsv((await getBytes(c, path)).bytes.subarray(3).toString('utf8'));
        let r = await csv(astaff, '/api/v1/export/person.csv');
        assert.equal(r.length, 2, `header and one row: ${JSON.stringify(r)}`);
        assert.ok(r[1].includes('陈美玲'));
        assert.ok(!r.flat().includes('林志强'));
        r = await csv(astaff, `/api/v1/export/person.csv?org_id=${B1.id}`);
        assert.equal(r.length, 1);
        r = await csv(aleader, '/api/v1/export/org.csv');
        assert.deepEqual(r.slice(1).map((x) => Number(x[0])).sort(byId), [A.id, A1.id]);
      });
    });

    describe('masking', () => {
      const MASKED_ID = /^430\*{12}239$/;

      test('a viewer sees sensitive values masked, in reads and lists', async () => {
        const r = await viewer.get(`/api/v1/person/${pA.id}`);
        assert.equal(r.status, 200);
        assert.match(r.json.id_number, MASKED_ID);
        assert.notEqual(r.json.phone, '+86 139 0739 1234');
        assert.match(r.json.phone, /\*/);
        assert.match(r.json.address_domestic, /\*/);
        assert.equal(r.json.name, '陈美玲', 'other fields in clear');
        const l = await viewer.get('/api/v1/person');
        assert.match(l.json.items[0].id_number, MASKED_ID);
        assert.doesNotMatch(l.text, /199001011239|0739 1234/);
      });

      test('a viewer may not unmask (403), and may not filter or sort by a sensitive field', async () => {
        assertError(await viewer.get(`/api/v1/person/${pA.id}?unmask=1`), 403, 'forbidden');
        assertError(await viewer.get('/api/v1/person?unmask=1'), 403, 'forbidden');
        assertError(await viewer.get('/api/v1/person?id_number=430521199001011239'), 400, 'bad_request', 'id_number');
        assertError(await viewer.get('/api/v1/person?sort=id_number'), 400, 'bad_request', 'sort');
        assert.equal((await viewer.get('/api/v1/person?q=199001011239')).json.total, 0, 'q does not search it');
      });

      test('staff see values masked by default and in clear when they ask, which is audited', async () => {
        assert.match((await astaff.get(`/api/v1/person/${pA.id}`)).json.id_number, MASKED_ID);
        const n = sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'");
        const r = await astaff.get(`/api/v1/person/${pA.id}?unmask=1`);
        assert.equal(r.status, 200);
        assert.equal(r.json.id_number, '430521199001011239');
        assert.equal(r.json.phone, '+86 139 0739 1234');
        assert.equal(sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'"), n + 1);
        const e = (await admin.get(`/api/v1/audit?action=unmask&entity=person&entity_id=${pA.id}`)).json.items[0];
        assert.equal(e.username, 'astaff');
      });

      test('an export is masked', async () => {
        const text = (await getBytes(astaff, '/api/v1/export/person.csv')).bytes.toString('utf8');
        assert.doesNotMatch(text, /199001011239/);
        assert.match(text, /430\*{12}239/);
      });

      test('the database holds the value in clear (masking is on the way out)', () => {
        assert.equal(sql(server, `SELECT id_number FROM person WHERE id = ${pA.id}`), '430521199001011239');
      });
    });

    describe('a viewer', () => {
      test('reads but cannot write (403), nothing changed', async () => {
        assert.equal((await viewer.get('/api/v1/org')).status, 200);
        await unchanged(server, async () => {
          assertError(await viewer.post('/api/v1/org', { parent_id: A.id, name: '只读者建的', kind: 'group' }), 403, 'forbidden');
          assertError(await viewer.patch(`/api/v1/org/${A1.id}`, { name: '改名' }), 403, 'forbidden');
          assertError(await viewer.del(`/api/v1/org/${A1.id}`), 403, 'forbidden');
          assertError(await viewer.post('/api/v1/person', { name: '只读者建的' }), 403, 'forbidden');
          assertError(await viewer.patch(`/api/v1/person/${pA.id}`, { name: '改名' }), 403, 'forbidden');
          assertError(await viewer.del(`/api/v1/person/${pA.id}`), 403, 'forbidden');
        });
      });

      test('is refused user management, the audit trail and exports', async () => {
        assertError(await viewer.get('/api/v1/user'), 403, 'forbidden');
        assertError(await viewer.get(`/api/v1/user/${(await viewer.get('/api/v1/session')).json.user.id}`), 403, 'forbidden');
        assertError(await viewer.post('/api/v1/user', { username: 'x1', name: 'x', role: 'viewer', password: 'pass-word-123' }), 403, 'forbidden');
        assertError(await viewer.get('/api/v1/audit'), 403, 'forbidden');
        assertError(await viewer.get('/api/v1/export/org.csv'), 403, 'forbidden');
        assertError(await viewer.get('/api/v1/export/person.csv'), 403, 'forbidden');
      });

      test('sees permissions that match in the session', async () => {
        const u = (await viewer.get('/api/v1/session')).json.user;
        assert.equal(u.role, 'viewer');
        assert.deepEqual(u.permissions.org, ['view']);
        assert.ok(!('user' in u.permissions) && !('audit' in u.permissions));
      });
    });

    describe('a mediator', () => {
      test('sees no orgs and no records (403)', async () => {
        for (const path of ['/api/v1/org', `/api/v1/org/${A.id}`, '/api/v1/org/tree', '/api/v1/person',
          `/api/v1/person/${pA.id}`, '/api/v1/user', '/api/v1/audit', '/api/v1/export/org.csv', '/api/v1/export/person.csv'])
          assertError(await mediator.get(path), 403, 'forbidden');
      });

      test('cannot write either', async () => {
        await unchanged(server, async () => {
          assertError(await mediator.post('/api/v1/person', { name: '调解员建的' }), 403, 'forbidden');
          assertError(await mediator.patch(`/api/v1/org/${A.id}`, { name: '改名' }), 403, 'forbidden');
        });
      });
    });

    describe('a county admin managing users', () => {
      test('lists and reads only the users of the subtree', async () => {
        const names = (await listAll(aadmin, 'user')).map((u) => u.username).sort();
        assert.deepEqual(names, Object.keys(users).sort());
        const bId = sqlInt(server, 'SELECT id FROM "user" WHERE username = \'bstaff\'');
        assertError(await aadmin.get(`/api/v1/user/${bId}`), 404, 'not_found');
        assertError(await aadmin.get('/api/v1/user/1'), 404, 'not_found');
      });

      test('users are never shown with their password hash', async () => {
        const r = await aadmin.get('/api/v1/user?per_page=200');
        assert.doesNotMatch(r.text, /argon2|password_hash/);
      });

      test('cannot change, delete, unlock or reset users outside the subtree', async () => {
        const bId = sqlInt(server, 'SELECT id FROM "user" WHERE username = \'bstaff\'');
        await unchanged(server, async () => {
          assertError(await aadmin.patch(`/api/v1/user/${bId}`, { name: '改名' }), 404, 'not_found');
          assertError(await aadmin.del(`/api/v1/user/${bId}`), 404, 'not_found');
          assertError(await aadmin.patch('/api/v1/user/1', { role: 'viewer' }), 404, 'not_found');
          assertError(await aadmin.post(`/api/v1/user/${bId}/unlock`, {}), 404, 'not_found');
          assertError(await aadmin.post(`/api/v1/user/${bId}/password`, { password: 'new-pass-word-1' }), 404, 'not_found');
        });
        assert.equal(sql(server, `SELECT password_hash FROM "user" WHERE id = ${bId}`).slice(0, 10), '$argon2id$');
      });

      test('cannot create a user outside the subtree or move one there', async () => {
        const astaffId = sqlInt(server, 'SELECT id FROM "user" WHERE username = \'astaff\'');
        await unchanged(server, async () => {
          assertError(await aadmin.post('/api/v1/user', { username: 'outsider', name: '外人', role: 'staff', org_id: B.id, password: 'pass-word-123' }),
            422, 'invalid', 'org_id');
          assertError(await aadmin.patch(`/api/v1/user/${astaffId}`, { org_id: B1.id }), 422, 'invalid', 'org_id');
        });
      });

      test('cannot change their own role, status or org', async () => {
        const me = (await aadmin.get('/api/v1/session')).json.user.id;
        await unchanged(server, async () => {
          assertError(await aadmin.patch(`/api/v1/user/${me}`, { org_id: A1.id }), 403, 'forbidden');
          assertError(await aadmin.patch(`/api/v1/user/${me}`, { role: 'viewer' }), 403, 'forbidden');
          assertError(await aadmin.patch(`/api/v1/user/${me}`, { status: 'disabled' }), 403, 'forbidden');
          assertError(await aadmin.del(`/api/v1/user/${me}`), 409, 'conflict');
        });
      });

      test('creates a user in the subtree, who must change the password', async () => {
        const r = await aadmin.post('/api/v1/user', { username: 'a1clerk', name: '甲县文员', role: 'staff', org_id: A1.id, password: 'first-pass-123' });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.must_change_password, true);
        assert.equal(r.json.org_id, A1.id);
        assert.ok(!('password' in r.json) && !('password_hash' in r.json));
      });

      test('a leader (no user permission) cannot create users', async () => {
        await unchanged(server, async () => {
          assertError(await aleader.post('/api/v1/user', { username: 'byleader', name: '领导建的', role: 'viewer', password: 'pass-word-123' }), 403, 'forbidden');
        });
      });

      test('an unknown role is refused', async () => {
        await unchanged(server, async () => {
          assertError(await aadmin.post('/api/v1/user', { username: 'root2', name: '超级', role: 'superadmin', password: 'pass-word-123' }),
            422, 'invalid', 'role');
        });
      });

      test('sees the audit entries of the subtree\'s users only', async () => {
        const r = await aadmin.get('/api/v1/audit?per_page=200');
        assert.equal(r.status, 200, r.text);
        const mine = new Set(sql(server, `SELECT u.id FROM "user" u JOIN "org" o ON o.id = u.org_id WHERE o.path LIKE '%/${A.id}/%'`)
          .split('\n').map(Number));
        assert.ok(r.json.items.length > 0);
        for (const e of r.json.items)
          assert.ok(!e.user_id || mine.has(e.user_id), `entry ${e.id} by ${e.username} is outside the subtree`);
        assert.ok(!r.json.items.some((e) => e.username === 'admin' || e.username === 'bstaff'));
      });
    });
  });
}
