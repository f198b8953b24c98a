// Names across the scope (issue 15, item 4): what a record shows of the records it names is
// computed for the reader (a party they cannot open is 其他组织的记录: a relation's caption, a
// contact's party names, an honour's recipient), and a list's keyword does not find a row by
// the name it hides; a link a write makes must be one the writer and the record's owner may
// open (city staff cannot give county A a relation to county B's person); a mediator cannot
// name registry people nor tell a missing person from one out of reach; a merge that would
// repoint a record out of the user's scope is refused; a unique value taken in another
// county answers without naming that record.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, created, listAll, mkOrg, sqlInt } from './helpers.mjs';

const OTHER = '其他组织的记录';
const CREDIT = '914403001922038216';

for (const store of STORES) {
  describe(`names across the scope (${store})`, () => {
    // root(1) ─ A (甲县)  astaff, med       city: cstaff @root
    //         └ B (乙县)  bstaff
    let server, admin, cstaff, astaff, bstaff, med, A, B, pa, pa2, pb, pMed;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      server.addUser('cstaff', 'staff', 1);
      server.addUser('astaff', 'staff', A.id);
      server.addUser('bstaff', 'staff', B.id);
      server.addUser('med', 'mediator', A.id);
      [cstaff, astaff, bstaff, med] = await Promise.all(['cstaff', 'astaff', 'bstaff', 'med'].map((u) => server.login(u)));
      pa = await created(astaff, '/api/v1/person', { name: '陈甲一', categories: ['returnee'] });
      pa2 = await created(astaff, '/api/v1/person', { name: '林甲二', categories: ['returnee'] });
      pMed = await created(astaff, '/api/v1/person', { name: '吴调解', categories: ['relative'] });
      pb = await created(bstaff, '/api/v1/person', { name: '黄乙三', categories: ['returnee'] });
      const medId = (await listAll(admin, 'user')).find((u) => u.username === 'med').id;
      assert.equal((await admin.patch(`/api/v1/user/${medId}`, { person_id: pMed.id })).status, 200);
    });
    after(() => server?.stop());

    test('a link the owning org cannot open is refused, whoever writes it', async () => {
      const body = { org_id: A.id, from_type: 'person', from_id: pa.id, kind: 'sibling', to_type: 'person', to_id: pb.id };
      const e = assertError(await cstaff.post('/api/v1/relation', body), 422, 'invalid', 'to_id');
      assert.ok(!e.message.includes('黄乙三'), e.message);
      assertError(await cstaff.post('/api/v1/contact', { org_id: A.id, date: '2025-03-01', channel: 'visit', parties: [`person:${pa.id}`, `person:${pb.id}`], summary: '走访' }),
        422, 'invalid', 'parties');
      assertError(await cstaff.post('/api/v1/honor', { org_id: A.id, title: '优秀侨务工作者', level: 'city', recipient_type: 'person', recipient_id: pb.id, awarded_on: '2025-01-01' }),
        422, 'invalid', 'recipient_id');
      // the same link owned by the city, which sees both counties, is fine
      const r = await created(cstaff, '/api/v1/relation', { ...body, org_id: 1 });
      assert.equal(r.caption, '陈甲一 兄弟姐妹 黄乙三');
      assert.equal(sqlInt(server, `SELECT count(*) FROM "relation" WHERE org_id = ${A.id}`), 0);
    });

    test('a party the reader cannot open is shown as 其他组织的记录', async () => {
      const rel = await created(astaff, '/api/v1/relation', { from_type: 'person', from_id: pa.id, kind: 'sibling', to_type: 'person', to_id: pa2.id });
      const con = await created(astaff, '/api/v1/contact', { date: '2025-03-02', channel: 'visit', parties: [`person:${pa.id}`, `person:${pa2.id}`], summary: '走访' });
      const hon = await created(astaff, '/api/v1/honor', { title: '优秀侨眷', level: 'county', recipient_type: 'person', recipient_id: pa2.id, awarded_on: '2025-01-01' });
      const hon2 = await created(astaff, '/api/v1/honor', { title: '优秀侨眷', level: 'county', recipient_type: 'person', recipient_id: pa.id, awarded_on: '2025-01-02' });
      assert.equal(con.party_names, '陈甲一、林甲二');
      // the person moves to county B: county A's records still name them
      assert.equal((await cstaff.patch(`/api/v1/person/${pa2.id}`, { org_id: B.id })).status, 200);
      let r = await astaff.get(`/api/v1/relation/${rel.id}`);
      assert.equal(r.json.caption, `陈甲一 兄弟姐妹 ${OTHER}`);
      r = await astaff.get(`/api/v1/contact/${con.id}`);
      assert.equal(r.json.party_names, `陈甲一、${OTHER}`);
      r = await astaff.get(`/api/v1/honor/${hon.id}`);
      assert.equal(r.json.recipient_name, OTHER);
      // lists and exports answer the same
      // a page names each party as its reader may see it: the one moved away hidden, the other not
      const honors = (await astaff.get('/api/v1/honor?per_page=100')).json.items;
      assert.equal(honors.find((h) => h.id === hon.id).recipient_name, OTHER);
      assert.equal(honors.find((h) => h.id === hon2.id).recipient_name, '陈甲一');
      const names = JSON.stringify([await listAll(astaff, 'relation'), await listAll(astaff, 'contact'), await listAll(astaff, 'honor')]);
      assert.ok(!names.includes('林甲二'), names);
      const exported = async (ent) => {
        const x = await astaff.get(`/api/v1/export/${ent}.csv`);
        assert.equal(x.status, 200, x.text);
        return x.text;
      };
      const csv = (await exported('contact')) + (await exported('relation')) + (await exported('honor'));
      assert.ok(!csv.includes('林甲二'), csv);
      assert.ok(csv.includes('陈甲一') && csv.includes(OTHER), csv);
      // nor does a keyword find a row by the name it hides; the name the reader may see does
      const hits = async (c, ent, q) => (await c.get(`/api/v1/${ent}?q=${encodeURIComponent(q)}&per_page=100`)).json.items.map((x) => x.id);
      for (const [ent, rec] of [['relation', rel], ['contact', con], ['honor', hon]]) {
        assert.ok(!(await hits(astaff, ent, '林甲二')).includes(rec.id), `${ent} q=林甲二`);
        assert.ok(!(await hits(astaff, ent, '甲二')).includes(rec.id), `${ent} q=甲二`);
        assert.ok((await hits(cstaff, ent, '林甲二')).includes(rec.id), `${ent}: the city finds it`);
      }
      assert.ok((await hits(astaff, 'relation', '陈甲一')).includes(rel.id));
      assert.ok((await hits(astaff, 'contact', '陈甲一')).includes(con.id));
      assert.ok((await hits(astaff, 'contact', 'chen jiayi')).includes(con.id), 'by the name search');
      assert.ok((await hits(astaff, 'contact', '走访')).includes(con.id), 'by its own text');
      // the city, which sees both, is shown the name
      assert.equal((await cstaff.get(`/api/v1/relation/${rel.id}`)).json.caption, '陈甲一 兄弟姐妹 林甲二');
      assert.equal((await cstaff.get(`/api/v1/honor/${hon.id}`)).json.recipient_name, '林甲二');
      // the person's page in A leaves the tie out
      r = await astaff.get(`/api/v1/person/${pa.id}/relations`);
      assert.ok(!JSON.stringify(r.json).includes('林甲二'), r.text);
    });

    test('a mediator cannot name a registry person: missing and out of reach answer alike', async () => {
      const c = await created(astaff, '/api/v1/case', { category: 'legal', summary: '房产继承纠纷', applicant_id: pa.id, channel: 'walk_in', mediator_id: pMed.id });
      const pa3 = await created(astaff, '/api/v1/person', { name: '许甲四', categories: ['returnee'] });
      const answers = [];
      // in the mediator's org but in a registry they may not open, in another county, missing
      for (const id of [pa3.id, pb.id, pa2.id, pa.id + 100000]) {
        const e = assertError(await med.patch(`/api/v1/case/${c.id}`, { applicant_id: id }), 422, 'invalid', 'applicant_id');
        answers.push(e.message.replace(String(id), 'N'));
        assert.ok(!/黄乙三|林甲二|许甲四/.test(e.message), e.message);
      }
      assert.equal(new Set(answers).size, 1, answers.join(' | '));
      const r = await med.get(`/api/v1/case/${c.id}`);
      assert.equal(r.json.applicant_id, pa.id);
    });

    test('a merge that would repoint a record out of the user\'s scope is refused, nothing changed', async () => {
      const keep = await created(astaff, '/api/v1/person', { name: '郑合并', categories: ['returnee'] });
      const drop = await created(astaff, '/api/v1/person', { name: '郑合并', categories: ['returnee'] });
      const rel = await created(cstaff, '/api/v1/relation', { org_id: 1, from_type: 'person', from_id: drop.id, kind: 'sibling', to_type: 'person', to_id: pb.id });
      const before = sqlInt(server, 'SELECT count(*) FROM audit_log');
      assertError(await astaff.post('/api/v1/dedup/person/merge', { keep_id: keep.id, drop_id: drop.id }), 409, 'conflict', 'drop_id');
      assert.equal(sqlInt(server, `SELECT from_id FROM "relation" WHERE id = ${rel.id}`), drop.id);
      assert.equal(sqlInt(server, `SELECT count(*) FROM "person" WHERE id = ${drop.id} AND deleted_at IS NULL`), 1);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM audit_log'), before);
    });

    test('a unique value taken in another county answers without naming that record', async () => {
      const mine = await created(astaff, '/api/v1/enterprise', { name: '清江侨兴电子有限公司', kind: 'oc_funded', credit_code: CREDIT });
      // within the scope: named, so the writer can open it
      let e = assertError(await astaff.post('/api/v1/enterprise', { name: '重复公司', kind: 'oc_funded', credit_code: CREDIT }), 409, 'conflict', 'credit_code');
      assert.ok(e.message.includes(String(mine.id)), e.message);
      // in another county: one neutral answer, nothing of the record
      e = assertError(await bstaff.post('/api/v1/enterprise', { name: '乙县公司', kind: 'oc_funded', credit_code: CREDIT }), 409, 'conflict', 'credit_code');
      assert.ok(!e.message.includes(String(mine.id)) && !e.message.includes('侨兴') && !e.message.includes('甲县'), e.message);
      assert.match(e.message, /其他组织/);
      const other = await created(bstaff, '/api/v1/enterprise', { name: '乙县公司', kind: 'oc_funded' });
      const e2 = assertError(await bstaff.patch(`/api/v1/enterprise/${other.id}`, { credit_code: CREDIT }), 409, 'conflict', 'credit_code');
      assert.equal(e2.message, e.message);
      assert.equal(sqlInt(server, `SELECT count(*) FROM "enterprise" WHERE credit_code = '${CREDIT}'`), 1);
    });
  });
}
