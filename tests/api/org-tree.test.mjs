// The org tree (issue 2): moving a subtree keeps its descendants and their users' scope,
// cycles are refused, closing and deleting an org with children are refused, /org/tree.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, listAll, mkOrg, sql, unchanged } from './helpers.mjs';

const ids = (items) => items.map((x) => x.id).sort((a, b) => a - b);

for (const store of STORES) {
  describe(`org tree: moves, cycles, closing, deleting, counts (${store})`, () => {
    // root(1) ─ A ─ A1 ─ A1a
    //         │    └ A2
    //         └ B ─ B1
    let server, admin, A, A1, A1a, A2, B, B1, a1Staff, aStaff, bStaff;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      A1 = await mkOrg(admin, { name: '甲县侨商分会', kind: 'branch', parent_id: A.id });
      A1a = await mkOrg(admin, { name: '甲县侨商分会青年小组', kind: 'group', parent_id: A1.id });
      A2 = await mkOrg(admin, { name: '甲县城关侨胞之家', kind: 'home', star: 4, parent_id: A.id });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      B1 = await mkOrg(admin, { name: '乙县新侨服务中心', kind: 'platform', parent_id: B.id });
      server.addUser('a1staff', 'staff', A1.id);
      server.addUser('astaff', 'staff', A.id);
      server.addUser('bstaff', 'staff', B.id);
      [a1Staff, aStaff, bStaff] = await Promise.all(['a1staff', 'astaff', 'bstaff'].map((u) => server.login(u)));
    });
    after(() => server?.stop());

    const path = (id) => sql(server, `SELECT path FROM "org" WHERE id = ${id}`);

    test('GET /org/tree without parent_id: the user\'s own org with its counts', async () => {
      let r = await admin.get('/api/v1/org/tree');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items.map((o) => [o.id, o.children, o.descendants]), [[1, 2, 6]]);
      r = await aStaff.get('/api/v1/org/tree');
      assert.deepEqual(r.json.items.map((o) => [o.id, o.name, o.children, o.descendants]), [[A.id, A.name, 2, 3]]);
    });

    test('GET /org/tree?parent_id=N: the children of N with their counts', async () => {
      let r = await admin.get('/api/v1/org/tree?parent_id=1');
      assert.deepEqual(r.json.items.map((o) => [o.id, o.children, o.descendants]), [[A.id, 2, 3], [B.id, 1, 1]]);
      r = await admin.get(`/api/v1/org/tree?parent_id=${A.id}`);
      assert.deepEqual(r.json.items.map((o) => [o.id, o.children, o.descendants]), [[A1.id, 1, 1], [A2.id, 0, 0]]);
      r = await admin.get(`/api/v1/org/tree?parent_id=${A1a.id}`);
      assert.deepEqual(r.json.items, []);
    });

    test('GET /org/tree of an out-of-scope parent shows nothing', async () => {
      const r = await aStaff.get(`/api/v1/org/tree?parent_id=${B.id}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.items, []);
    });

    test('a move under the org itself is refused (409), nothing changed', async () => {
      await unchanged(server, async () => {
        assertError(await admin.patch(`/api/v1/org/${A.id}`, { parent_id: A.id }), 409, 'conflict', 'parent_id');
      });
    });

    test('a move under a descendant is refused (409), nothing changed', async () => {
      await unchanged(server, async () => {
        assertError(await admin.patch(`/api/v1/org/${A.id}`, { parent_id: A1a.id }), 409, 'conflict', 'parent_id');
        assertError(await admin.patch(`/api/v1/org/${A.id}`, { parent_id: A1.id }), 409, 'conflict', 'parent_id');
        assertError(await admin.patch(`/api/v1/org/${A1.id}`, { parent_id: A1a.id, name: '改名' }), 409, 'conflict', 'parent_id');
      });
    });

    test('moving a subtree: A1 (with A1a below it) goes under B', async () => {
      const r = await admin.patch(`/api/v1/org/${A1.id}`, { parent_id: B.id });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.parent_id, B.id);
      assert.equal((await admin.get(`/api/v1/org/${A1a.id}`)).json.parent_id, A1.id, 'the child keeps its parent');
      assert.equal(path(A1.id), `${path(B.id)}${A1.id}/`);
      assert.equal(path(A1a.id), `${path(B.id)}${A1.id}/${A1a.id}/`, 'the descendants\' paths follow');
    });

    test('after the move, lists filtered by parent follow the tree', async () => {
      assert.deepEqual(ids((await admin.get(`/api/v1/org?parent_id=${B.id}`)).json.items), [A1.id, B1.id].sort((a, b) => a - b));
      assert.deepEqual(ids((await admin.get(`/api/v1/org?parent_id=${A.id}`)).json.items), [A2.id]);
      assert.deepEqual(ids((await admin.get(`/api/v1/org?parent_id=${A1.id}`)).json.items), [A1a.id]);
    });

    test('after the move, a user of the moved org still sees its children', async () => {
      assert.deepEqual(ids(await listAll(a1Staff, 'org')), [A1.id, A1a.id]);
      assert.equal((await a1Staff.get(`/api/v1/org/${A1a.id}`)).status, 200);
    });

    test('after the move, the new parent\'s users see the subtree and the old parent\'s do not', async () => {
      assert.deepEqual(ids(await listAll(bStaff, 'org')), [B.id, B1.id, A1.id, A1a.id].sort((a, b) => a - b));
      assert.deepEqual(ids(await listAll(aStaff, 'org')), [A.id, A2.id]);
      assertError(await aStaff.get(`/api/v1/org/${A1a.id}`), 404, 'not_found');
    });

    test('after the move, the tree counts follow', async () => {
      const r = await admin.get('/api/v1/org/tree?parent_id=1');
      assert.deepEqual(r.json.items.map((o) => [o.id, o.children, o.descendants]), [[A.id, 1, 1], [B.id, 2, 3]]);
    });

    test('closing an org with active children is refused (409) with a message', async () => {
      await unchanged(server, async () => {
        const e = assertError(await admin.patch(`/api/v1/org/${A1.id}`, { status: 'closed' }), 409, 'conflict', 'status');
        assert.match(e.message, /1/, 'the message says how many children');
      });
    });

    test('closing a leaf, then its parent, is allowed', async () => {
      let r = await admin.patch(`/api/v1/org/${A1a.id}`, { status: 'closed' });
      assert.equal(r.status, 200, r.text);
      r = await admin.patch(`/api/v1/org/${A1.id}`, { status: 'closed' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'closed');
    });

    test('deleting an org that has children is refused (409), nothing changed', async () => {
      await unchanged(server, async () => {
        assertError(await admin.del(`/api/v1/org/${B.id}`), 409, 'conflict');
        assertError(await admin.del(`/api/v1/org/${A1.id}`), 409, 'conflict');
      });
      assert.equal((await admin.get(`/api/v1/org/${B.id}`)).status, 200);
    });

    test('a leaf without users or records is deleted; the counts follow', async () => {
      const r = await admin.del(`/api/v1/org/${A2.id}`);
      assert.equal(r.status, 204, r.text);
      const t = await admin.get('/api/v1/org/tree?parent_id=1');
      assert.deepEqual(t.json.items.map((o) => [o.id, o.children, o.descendants]), [[A.id, 0, 0], [B.id, 2, 3]]);
    });

    test('deleting an org that has no children but still has users is refused (409)', async () => {
      await unchanged(server, async () => {
        assertError(await admin.del(`/api/v1/org/${A.id}`), 409, 'conflict');
      });
      assert.equal((await aStaff.get(`/api/v1/org/${A.id}`)).status, 200);
    });
  });
}
