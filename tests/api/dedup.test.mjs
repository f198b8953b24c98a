// De-duplication (issue 5): candidate pairs with reasons (same ID number; same folded name
// and birth date; same reading, birth year and ancestral place), and the merge that keeps
// one record, moves every link (relations, contacts) to it, soft-deletes the other and is
// audited, all or nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { BIN, STORES, startServer } from '../lib/server.mjs';
import { assertError, sql, sqlInt } from './helpers.mjs';

for (const store of STORES) {
  describe(`dedup (${store})`, () => {
    let server, admin, ids;
    const mk = async (p) => {
      const r = await admin.post('/api/v1/person', p);
      assert.equal(r.status, 201, r.text);
      return r.json.id;
    };
    before(async () => {
      server = await startServer({ store, users: { admin: { role: 'admin' }, viewer: { role: 'viewer' } } });
      admin = await server.login('admin');
      ids = {
        a: await mk({ name: '陳大文', birth_date: '1960-01-01' }),
        b: await mk({ name: '陈大文', birth_date: '1960-01-01', phone: '+65 6123 4567' }),
        c: await mk({ name: '李小明', birth_date: '1970-05-05', id_type: 'passport', id_number: 'E1234567' }),
        d: await mk({ name: '李晓明', birth_date: '1971-06-06', id_type: 'passport', id_number: 'e1234567' }),
        e: await mk({ name: '陈嘉庚', birth_date: '1874-10-21', ancestral_place: '集美' }),
        f: await mk({ name: '陈家庚', birth_date: '1874-03-01', ancestral_place: '集美' }),
        g: await mk({ name: '王五', birth_date: '1980-01-01' }),
      };
    });
    after(() => server?.stop());

    const pairOf = (items, x, y) => items.find((p) => (p.a_id === Math.min(x, y) && p.b_id === Math.max(x, y)));

    test('candidate pairs with their reasons', async () => {
      const r = await admin.get('/api/v1/dedup/person');
      assert.equal(r.status, 200, r.text);
      const codes = (p) => p?.reasons.map((x) => x.code);
      assert.deepEqual(codes(pairOf(r.json.items, ids.a, ids.b)), ['name_birth'], JSON.stringify(r.json.items));
      assert.deepEqual(codes(pairOf(r.json.items, ids.c, ids.d)), ['id_number']);
      assert.deepEqual(codes(pairOf(r.json.items, ids.e, ids.f)), ['reading_year_place']);
      assert.equal(r.json.items.filter((p) => p.a_id === ids.g || p.b_id === ids.g).length, 0);
      const p = pairOf(r.json.items, ids.a, ids.b);
      assert.equal(p.a.name, '陳大文');
      assert.equal(p.b.name, '陈大文');
      for (const x of r.json.items) for (const why of x.reasons) assert.match(why.message, /[\u4e00-\u9fff]/);
    });

    test('a viewer may not see pairs or merge', async () => {
      const v = await server.login('viewer');
      assertError(await v.get('/api/v1/dedup/person'), 403, 'forbidden');
      assertError(await v.post('/api/v1/dedup/person/merge', { keep_id: ids.a, drop_id: ids.b }), 403, 'forbidden');
    });

    test('bad merges are refused and change nothing', async () => {
      const before = sql(server, ['SELECT count(*) FROM audit_log', 'SELECT count(*) FROM person WHERE deleted_at IS NULL']);
      assertError(await admin.post('/api/v1/dedup/person/merge', { keep_id: ids.a, drop_id: ids.a }), 422, 'invalid', 'drop_id');
      assertError(await admin.post('/api/v1/dedup/person/merge', { keep_id: ids.a, drop_id: 999999 }), 404);
      assertError(await admin.post('/api/v1/dedup/person/merge', { keep_id: 'x', drop_id: ids.b }), 400, 'invalid', 'keep_id');
      assert.equal(sql(server, ['SELECT count(*) FROM audit_log', 'SELECT count(*) FROM person WHERE deleted_at IS NULL']), before);
    });

    test('the pairs page', async () => {
      const all = (await admin.get('/api/v1/dedup/person')).json;
      assert.equal(all.page, 1);
      assert.equal(all.per_page, 50);
      assert.ok(all.total >= 3);
      const second = await admin.get('/api/v1/dedup/person?per_page=1&page=2');
      assert.equal(second.status, 200, second.text);
      assert.equal(second.json.total, all.total);
      assert.deepEqual([second.json.items.length, second.json.items[0].a_id, second.json.items[0].b_id],
        [1, all.items[1].a_id, all.items[1].b_id]);
      assertError(await admin.get(`/api/v1/dedup/person?per_page=1&page=${all.total + 1}`), 400, 'bad_request', 'page');
      assertError(await admin.get('/api/v1/dedup/person?per_page=0'), 400, 'bad_request', 'per_page');
      assertError(await admin.get('/api/v1/dedup/person?dismissed=2'), 400, 'bad_request', 'dismissed');
    });

    test('pairs are kept between requests, and every write (API or another process) renews them', async () => {
      const pairs = async () => {
        const r = await admin.get('/api/v1/dedup/person?per_page=200');
        assert.equal(r.status, 200, r.text);
        return r.json.items.map((p) => `${p.a_id}-${p.b_id}`);
      };
      const first = await pairs();
      assert.deepEqual(await pairs(), first); // the same answer the second time
      const h = await mk({ name: '赵六', birth_date: '1990-02-02' });
      const i = await mk({ name: '趙六', birth_date: '1990-02-02' });
      const withNew = await pairs();
      assert.ok(withNew.includes(`${h}-${i}`), 'a new duplicate shows at once');
      assert.equal((await admin.patch(`/api/v1/person/${i}`, { birth_date: '1991-02-02' })).status, 200);
      assert.deepEqual(await pairs(), first, 'an edit that parts them removes the pair');
      // a census import by the command line, beside the server: the pairs and the list's
      // count (both kept between requests) follow it
      const count = async () => (await admin.get('/api/v1/person?per_page=1')).json.total;
      const n = await count();
      assert.equal(await count(), n);
      const { mkdtempSync, writeFileSync } = await import('node:fs');
      const csv = `${mkdtempSync('/tmp/qiao-dedup-')}/people.csv`;
      writeFileSync(csv, '姓名,出生日期\n趙六,1990-02-02\n');
      const imp = spawnSync(BIN, ['import', 'person', csv, '--db', server.db], { encoding: 'utf8' });
      assert.equal(imp.status, 0, imp.stderr);
      assert.equal(await count(), n + 1);
      const after = await pairs();
      assert.equal(after.length, first.length + 1, JSON.stringify(after));
      assert.ok(after.some((x) => x.startsWith(`${h}-`)));
    });

    test('a pair judged not the same person leaves the list, audited, and can come back', async () => {
      const audits = () => sqlInt(server, "SELECT count(*) FROM audit_log WHERE action IN ('dismiss', 'restore')");
      const n0 = audits();
      // in either order; the answer names the pair as listed (a < b)
      const r = await admin.post('/api/v1/dedup/person/dismiss', { a_id: ids.d, b_id: ids.c });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { a_id: Math.min(ids.c, ids.d), b_id: Math.max(ids.c, ids.d), dismissed: true });
      assert.equal(pairOf((await admin.get('/api/v1/dedup/person')).json.items, ids.c, ids.d), undefined);
      const gone = (await admin.get('/api/v1/dedup/person?dismissed=1')).json;
      assert.equal(gone.total, 1);
      assert.equal(pairOf(gone.items, ids.c, ids.d).dismissed, true);
      assert.equal(audits(), n0 + 1);
      // twice is the same
      assert.equal((await admin.post('/api/v1/dedup/person/dismiss', { a_id: ids.c, b_id: ids.d })).status, 200);
      assert.equal((await admin.get('/api/v1/dedup/person?dismissed=1')).json.total, 1);
      // bad input changes nothing
      assertError(await admin.post('/api/v1/dedup/person/dismiss', { a_id: ids.c, b_id: ids.c }), 422, 'invalid', 'b_id');
      assertError(await admin.post('/api/v1/dedup/person/dismiss', { a_id: ids.c, b_id: 999999 }), 404);
      assertError(await admin.post('/api/v1/dedup/person/dismiss', { a_id: 'x', b_id: ids.d }), 400, 'invalid', 'a_id');
      assertError(await admin.post('/api/v1/dedup/person/dismiss', { a_id: ids.c }), 400, 'invalid', 'b_id');
      const v = await server.login('viewer');
      assertError(await v.post('/api/v1/dedup/person/dismiss', { a_id: ids.a, b_id: ids.b }), 403, 'forbidden');
      // and back
      const back = await admin.post('/api/v1/dedup/person/restore', { a_id: ids.c, b_id: ids.d });
      assert.equal(back.status, 200, back.text);
      assert.equal(back.json.dismissed, false);
      assert.deepEqual(pairOf((await admin.get('/api/v1/dedup/person')).json.items, ids.c, ids.d).reasons.map((x) => x.code), ['id_number']);
      assert.equal((await admin.get('/api/v1/dedup/person?dismissed=1')).json.total, 0);
      assert.equal(audits(), n0 + 3);
      const ver = spawnSync(BIN, ['audit', 'verify', '--db', server.db], { encoding: 'utf8' });
      assert.equal(ver.status, 0, ver.stderr);
    });

    test('merge moves relations, contacts and visits, fills blanks, drops the other, audited', async () => {
      const as = await admin.post('/api/v1/association', { name: '新加坡陈氏宗亲会', country: 'SG', type: 'clan' });
      assert.equal(as.status, 201, as.text);
      const rel = await admin.post('/api/v1/relation', { from_type: 'person', from_id: ids.b, kind: 'member', to_type: 'association', to_id: as.json.id });
      assert.equal(rel.status, 201, rel.text);
      const con = await admin.post('/api/v1/contact', { date: '2024-05-01', channel: 'visit', parties: [`person:${ids.b}`, `association:${as.json.id}`], summary: '走访' });
      assert.equal(con.status, 201, con.text);
      const other = (await admin.post('/api/v1/person', { name: '走访丙' })).json.id;
      const vis = await admin.post('/api/v1/visit', { visited_on: '2024-02-01', occasion: 'spring_festival', person_ids: [String(ids.b), String(other)] });
      assert.equal(vis.status, 201, vis.text);
      const r = await admin.post('/api/v1/dedup/person/merge', { keep_id: ids.a, drop_id: ids.b });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.keep.id, ids.a);
      assert.deepEqual(r.json.moved['relation.from_id'], [rel.json.id]);
      assert.deepEqual(r.json.moved['contact.parties'], [con.json.id]);
      assert.deepEqual(r.json.moved['visit.person_ids'], [vis.json.id]);
      assert.deepEqual((await admin.get(`/api/v1/visit/${vis.json.id}`)).json.person_ids, [String(ids.a), String(other)], 'the people visited: the kept record');
      assert.equal(sqlInt(server, `SELECT from_id FROM relation WHERE id = ${rel.json.id}`), ids.a);
      assert.match(rel.json.caption, /^陈大文 /);
      assert.match((await admin.get(`/api/v1/relation/${rel.json.id}`)).json.caption, /^陳大文 /, 'the caption names the kept record');
      assert.equal(con.json.party_names, '陈大文、新加坡陈氏宗亲会');
      const c = await admin.get(`/api/v1/contact/${con.json.id}`);
      assert.deepEqual(c.json.parties, [`person:${ids.a}`, `association:${as.json.id}`]);
      assert.equal(c.json.party_names, '陳大文、新加坡陈氏宗亲会', 'the names follow the parties');
      assertError(await admin.get(`/api/v1/person/${ids.b}`), 404);
      assert.ok(sql(server, `SELECT deleted_at FROM person WHERE id = ${ids.b}`), 'soft-deleted');
      const k = await admin.get(`/api/v1/person/${ids.a}?unmask=1`);
      assert.equal(k.json.phone, '+65 6123 4567', 'the blank phone was filled from the dropped record');
      const m = sql(server, `SELECT after_json FROM audit_log WHERE action = 'merge' AND entity = 'person' AND entity_id = ${ids.a}`);
      assert.match(m, new RegExp(`"drop_id":\\s*${ids.b}`));
      const ver = spawnSync(BIN, ['audit', 'verify', '--db', server.db], { encoding: 'utf8' });
      assert.equal(ver.status, 0, ver.stderr);
      const again = await admin.get('/api/v1/dedup/person');
      assert.equal(pairOf(again.json.items, ids.a, ids.b), undefined, 'the merged pair is gone');
    });
  });
}
