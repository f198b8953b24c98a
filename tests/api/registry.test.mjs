// The four registries (issue 5): person, association, enterprise and its yearly figures,
// talent profiles, relations and the contact log; their validation (resident ID and credit
// code checksums, birth date against the ID, countries that exist), the org scope of
// relations and contacts, relations seen from both ends, last_contact_on kept by the log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { CJK, assertError, listAll, mkOrg, sql, unchanged } from './helpers.mjs';

// Valid GB 11643 numbers (the standard's own example, and two more) and GB 32100 codes.
const ID_1949 = '11010519491231002X';
const ID_1990 = '110101199003074477';
const ID_1880 = '440524188001010014';
const CREDIT = ['914403001922038216', '9144030071526726XG', '91330100799655058B'];

for (const store of STORES) {
  describe(`registries (${store})`, () => {
    // root(1) ─ A (甲县)   astaff
    //         └ B (乙县)   bstaff
    let server, admin, astaff, bstaff, A, B;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      server.addUser('astaff', 'staff', A.id);
      server.addUser('bstaff', 'staff', B.id);
      astaff = await server.login('astaff');
      bstaff = await server.login('bstaff');
    });
    after(() => server?.stop());

    async function mk(c, entity, body) {
      const r = await c.post(`/api/v1/${entity}`, body);
      assert.equal(r.status, 201, `create ${entity} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
      return r.json;
    }

    test('the schema declares every registry entity in module "registry"', async () => {
      const r = await admin.get('/api/v1/schema');
      const names = Object.fromEntries(r.json.entities.map((e) => [e.name, e]));
      for (const n of ['person', 'association', 'enterprise', 'enterprise_year', 'talent', 'relation', 'contact']) {
        assert.ok(names[n], `no entity ${n}`);
        assert.equal(names[n].module, 'registry');
        assert.match(names[n].label['zh-Hans'], CJK);
      }
      const f = (e, n) => names[e].fields.find((x) => x.name === n);
      assert.equal(f('association', 'country').type, 'country');
      assert.equal(f('association', 'last_contact_on').readonly, true);
      assert.equal(f('relation', 'kind').values.length, 17);
      assert.equal(f('contact', 'officer_id').ref, 'user');
      assert.equal(f('enterprise_year', 'enterprise_id').ref, 'enterprise');
      assert.equal(f('talent', 'person_id').ref, 'person');
    });

    test('GET /api/v1/countries: ISO 3166-1 with Chinese names', async () => {
      const r = await astaff.get('/api/v1/countries');
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.items.length > 240);
      const my = r.json.items.find((c) => c.code === 'MY');
      assert.deepEqual(my, { code: 'MY', name_zh: '马来西亚', name_hant: '馬來西亞', name_en: 'Malaysia' });
      assert.equal(r.json.items.find((c) => c.code === 'SG').name_zh, '新加坡');
    });

    test('person: resident ID checksum and birth date', async () => {
      // A bad check character.
      await unchanged(server, async () => {
        const e = assertError(await astaff.post('/api/v1/person', { name: '陈一', id_type: 'resident_id', id_number: '110105194912310021' }),
          422, 'invalid', 'id_number');
        assert.match(e.message, /证件号码/);
        assert.match(e.message, /校验/);
      });
      assertError(await astaff.post('/api/v1/person', { name: '陈一', id_type: 'resident_id', id_number: '11010519491231002' }), 422, 'invalid', 'id_number');
      assertError(await astaff.post('/api/v1/person', { name: '陈一', id_type: 'resident_id', id_number: '110105194902300029' }), 422, 'invalid', 'id_number');
      // The birth date in the number differs from birth_date.
      const e = assertError(await astaff.post('/api/v1/person', { name: '陈一', id_type: 'resident_id', id_number: ID_1949, birth_date: '1949-12-30' }),
        422, 'invalid', 'birth_date');
      assert.match(e.message, /出生日期/);
      assert.match(e.message, /1949-12-31/);
      // Right: a lower-case x is made upper case; an empty birth_date is taken from the number.
      const p = await mk(astaff, 'person', { name: '陈嘉庚', id_type: 'resident_id', id_number: ID_1949.toLowerCase() });
      assert.equal(p.birth_date, '1949-12-31');
      assert.equal(sql(server, `SELECT id_number FROM person WHERE id = ${p.id}`), ID_1949);
      assert.equal(p.org_id, A.id);
      // A change of birth_date that disagrees with the number is refused; one that agrees is fine.
      assertError(await astaff.patch(`/api/v1/person/${p.id}`, { birth_date: '1950-01-01' }), 422, 'invalid', 'birth_date');
      let r = await astaff.patch(`/api/v1/person/${p.id}`, { name: '陈嘉庚', birth_date: '1949-12-31' });
      assert.equal(r.status, 200, r.text);
      // Changing the number re-checks it.
      assertError(await astaff.patch(`/api/v1/person/${p.id}`, { id_number: ID_1990 }), 422, 'invalid', 'birth_date');
      assert.equal((await astaff.patch(`/api/v1/person/${p.id}`, { id_number: ID_1990, birth_date: '1990-03-07' })).status, 200);
      // Other ID types are not checked as resident IDs.
      await mk(astaff, 'person', { name: 'Tan Kah Kee', id_type: 'foreign_passport', id_number: 'E1234567', birth_date: '1950-01-01' });
      // Unknown nationality or residence country.
      assertError(await astaff.post('/api/v1/person', { name: '林二', residence_country: 'XX' }), 422, 'invalid', 'residence_country');
      assertError(await astaff.post('/api/v1/person', { name: '林二', nationality: 'QQ' }), 422, 'invalid', 'nationality');
    });

    test('association: CRUD, countries that exist, last_contact_on is the server\'s', async () => {
      const a = await mk(astaff, 'association', {
        name: '马来西亚陈氏宗亲总会', name_alt: ['Persatuan Tan Malaysia', 'Tan Clan Association'], country: 'MY', city: '吉隆坡',
        type: 'clan', founded_year: 1953, member_count: 3200, phone: '+60 3 2141 1234', website: 'https://tan.example.my',
      });
      assert.equal(a.org_id, A.id);
      assert.equal(a.last_contact_on, null);
      assert.deepEqual(a.name_alt, ['Persatuan Tan Malaysia', 'Tan Clan Association']);
      const r = await astaff.get(`/api/v1/association/${a.id}`);
      assert.equal(r.json.name, '马来西亚陈氏宗亲总会');
      const p = await astaff.patch(`/api/v1/association/${a.id}`, { member_count: 3300, friendly_since: '2015-05-01' });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.json.member_count, 3300);
      const l = await astaff.get('/api/v1/association?country=MY&type=clan');
      assert.ok(l.json.items.some((x) => x.id === a.id));
      const e = assertError(await astaff.post('/api/v1/association', { name: '某同乡会', type: 'hometown', country: 'XX' }), 422, 'invalid', 'country');
      assert.match(e.message, /所在国/);
      assertError(await astaff.post('/api/v1/association', { name: '某同乡会', type: 'hometown', country: 'my' }), 422, 'invalid', 'country');
      assertError(await astaff.post('/api/v1/association', { name: '某同乡会', type: 'club' }), 422, 'invalid', 'type');
      assertError(await astaff.post('/api/v1/association', { name: '某同乡会', type: 'hometown', last_contact_on: '2024-01-01' }), 400, 'readonly', 'last_contact_on');
      // Out of scope for B; deleted, gone.
      assertError(await bstaff.get(`/api/v1/association/${a.id}`), 404, 'not_found');
      const d = await mk(astaff, 'association', { name: '待删除的侨团', type: 'general', country: 'TH' });
      assert.equal((await astaff.del(`/api/v1/association/${d.id}`)).status, 204);
      assertError(await astaff.get(`/api/v1/association/${d.id}`), 404, 'not_found');
    });

    test('enterprise: credit code checksum, unique; yearly figures once a year', async () => {
      const e1 = await mk(astaff, 'enterprise', {
        name: '清江侨兴电子有限公司', kind: 'oc_funded', credit_code: CREDIT[1].toLowerCase(), country: 'CN', region_code: '430524',
        industry: 'C', registered_capital: 500000000, currency: 'CNY', employees: 320,
      });
      assert.equal(e1.credit_code, CREDIT[1]);
      const bad = assertError(await astaff.post('/api/v1/enterprise', { name: '坏代码公司', kind: 'oc_funded', credit_code: '914403001922038217' }),
        422, 'invalid', 'credit_code');
      assert.match(bad.message, /统一社会信用代码/);
      assertError(await astaff.post('/api/v1/enterprise', { name: '坏代码公司', kind: 'oc_funded', credit_code: '91440300192203821' }), 422, 'invalid', 'credit_code');
      assertError(await astaff.post('/api/v1/enterprise', { name: '重复公司', kind: 'oc_funded', credit_code: CREDIT[1] }), 409, 'conflict');
      assertError(await astaff.post('/api/v1/enterprise', { name: '海外公司', kind: 'overseas', country: 'ZZ' }), 422, 'invalid', 'country');
      assertError(await astaff.post('/api/v1/enterprise', { name: '海外公司', kind: 'overseas', industry: 'Z' }), 422, 'invalid', 'industry');
      // Overseas enterprises have no credit code: several may leave it empty.
      await mk(astaff, 'enterprise', { name: 'Tan Holdings Sdn Bhd', kind: 'overseas', country: 'MY' });
      await mk(astaff, 'enterprise', { name: 'Lim Trading Pte Ltd', kind: 'overseas', country: 'SG' });
      const patched = await astaff.patch(`/api/v1/enterprise/${e1.id}`, { employees: 350 });
      assert.equal(patched.status, 200, patched.text);

      const y = await mk(astaff, 'enterprise_year', { enterprise_id: e1.id, year: 2023, output: 12000000000, exports_usd: 300000000 });
      assert.equal(y.org_id, A.id);
      assertError(await astaff.post('/api/v1/enterprise_year', { enterprise_id: e1.id, year: 2023, output: 1 }), 409, 'conflict', 'year');
      const y2 = await mk(astaff, 'enterprise_year', { enterprise_id: e1.id, year: 2024, output: 13000000000 });
      assertError(await astaff.patch(`/api/v1/enterprise_year/${y2.id}`, { year: 2023 }), 409, 'conflict', 'year');
      assert.equal((await astaff.patch(`/api/v1/enterprise_year/${y2.id}`, { exports_usd: 5 })).status, 200);
      const list = await astaff.get(`/api/v1/enterprise_year?enterprise_id=${e1.id}&sort=year`);
      assert.deepEqual(list.json.items.map((x) => x.year), [2023, 2024]);
      // Another county cannot add figures to this enterprise, nor see them.
      assertError(await bstaff.post('/api/v1/enterprise_year', { enterprise_id: e1.id, year: 2022 }), 422, 'invalid', 'enterprise_id');
      assertError(await bstaff.get(`/api/v1/enterprise_year/${y.id}`), 404, 'not_found');
      assertError(await astaff.post('/api/v1/enterprise_year', { enterprise_id: e1.id, org_id: B.id, year: 2021 }), 400, 'readonly', 'org_id');
      // A deleted year frees it.
      assert.equal((await astaff.del(`/api/v1/enterprise_year/${y2.id}`)).status, 204);
      await mk(astaff, 'enterprise_year', { enterprise_id: e1.id, year: 2024 });
    });

    test('talent: one profile per person, which flags the person', async () => {
      const p = await mk(astaff, 'person', { name: '黄晓明', flags: ['leader'] });
      const t = await mk(astaff, 'talent', {
        person_id: p.id, field: '半导体材料', rank: 'national', honours: ['国家杰出青年科学基金'],
        affiliations: ['新加坡国立大学'], willingness: ['technology', 'lecture'],
      });
      assert.equal(t.org_id, A.id);
      const after1 = (await astaff.get(`/api/v1/person/${p.id}`)).json;
      assert.deepEqual(after1.flags, ['talent', 'leader']);
      assertError(await astaff.post('/api/v1/talent', { person_id: p.id, field: '化学' }), 409, 'conflict');
      assertError(await astaff.post('/api/v1/talent', { person_id: p.id + 1000, field: '化学' }), 422, 'invalid', 'person_id');
      assertError(await astaff.post('/api/v1/talent', { person_id: p.id }), 422, 'invalid', 'field');
      assertError(await bstaff.post('/api/v1/talent', { person_id: p.id, field: '化学' }), 422, 'invalid', 'person_id');
      const l = await astaff.get('/api/v1/talent?rank=national');
      assert.ok(l.json.items.some((x) => x.id === t.id));
    });

    test('relation: kinds fit the types, both ends visible, seen from both ends', async () => {
      const father = await mk(astaff, 'person', { name: '林文庆', gender: 'male' });
      const son = await mk(astaff, 'person', { name: '林可胜', gender: 'male' });
      const assoc = await mk(astaff, 'association', { name: '新加坡林氏大宗祠九龙堂', type: 'clan', country: 'SG' });
      const firm = await mk(astaff, 'enterprise', { name: '林氏贸易有限公司', kind: 'overseas', country: 'SG' });
      const bPerson = await mk(bstaff, 'person', { name: '乙县侨眷' });

      const fam = await mk(astaff, 'relation', { from_type: 'person', from_id: father.id, kind: 'parent', to_type: 'person', to_id: son.id, since: '1897-01-01' });
      assert.equal(fam.caption, '林文庆 父母 林可胜');
      assert.equal(fam.org_id, A.id);
      const pres = await mk(astaff, 'relation', { from_type: 'person', from_id: father.id, kind: 'president', to_type: 'association', to_id: assoc.id, title: '第一届会长', since: '1920-01-01', until: '1925-12-31' });
      await mk(astaff, 'relation', { from_type: 'person', from_id: son.id, kind: 'member', to_type: 'association', to_id: assoc.id });
      await mk(astaff, 'relation', { from_type: 'person', from_id: son.id, kind: 'legal_rep', to_type: 'enterprise', to_id: firm.id });
      await mk(astaff, 'relation', { from_type: 'person', from_id: father.id, kind: 'overseas_advisor', to_type: 'org', to_id: A.id });

      // Refusals, each naming the field.
      assertError(await astaff.post('/api/v1/relation', { from_type: 'person', from_id: son.id, kind: 'legal_rep', to_type: 'association', to_id: assoc.id }), 422, 'invalid', 'to_type');
      assertError(await astaff.post('/api/v1/relation', { from_type: 'association', from_id: assoc.id, kind: 'spouse', to_type: 'person', to_id: son.id }), 422, 'invalid', 'from_type');
      assertError(await astaff.post('/api/v1/relation', { from_type: 'person', from_id: son.id, kind: 'sibling', to_type: 'person', to_id: son.id }), 422, 'invalid', 'to_id');
      assertError(await astaff.post('/api/v1/relation', { from_type: 'person', from_id: 999999, kind: 'sibling', to_type: 'person', to_id: son.id }), 422, 'invalid', 'from_id');
      assertError(await astaff.post('/api/v1/relation', { from_type: 'person', from_id: son.id, kind: 'member', to_type: 'association', to_id: assoc.id }), 409, 'conflict', 'kind');
      assertError(await astaff.post('/api/v1/relation', { from_type: 'person', from_id: son.id, kind: 'founder', to_type: 'association', to_id: assoc.id, since: '2000-01-01', until: '1999-01-01' }), 422, 'invalid', 'until');
      assertError(await astaff.post('/api/v1/relation', { from_type: 'user', from_id: 1, kind: 'member', to_type: 'association', to_id: assoc.id }), 422, 'invalid', 'from_type');
      assertError(await astaff.post('/api/v1/relation', { from_type: 'person', from_id: son.id, kind: 'friend', to_type: 'person', to_id: father.id }), 422, 'invalid', 'kind');
      assertError(await astaff.post('/api/v1/relation', { from_type: 'person', kind: 'spouse', to_type: 'person', to_id: father.id }), 422, 'invalid', 'from_id');
      // Scope: neither county may link to the other's records, in either direction.
      await unchanged(server, async () => {
        assertError(await astaff.post('/api/v1/relation', { from_type: 'person', from_id: bPerson.id, kind: 'spouse', to_type: 'person', to_id: son.id }), 422, 'invalid', 'from_id');
        assertError(await bstaff.post('/api/v1/relation', { from_type: 'person', from_id: bPerson.id, kind: 'member', to_type: 'association', to_id: assoc.id }), 422, 'invalid', 'to_id');
        assertError(await bstaff.patch(`/api/v1/relation/${fam.id}`, { notes: 'x' }), 404, 'not_found');
      });
      assertError(await astaff.patch(`/api/v1/relation/${fam.id}`, { to_id: bPerson.id }), 422, 'invalid', 'to_id');

      // The father's page: his son (子女), his presidency, his appointment by the org.
      let r = await astaff.get(`/api/v1/person/${father.id}/relations`);
      assert.equal(r.status, 200, r.text);
      const byKind = (items, k) => items.find((x) => x.kind === k);
      let x = byKind(r.json.items, 'parent');
      assert.equal(x.direction, 'out');
      assert.deepEqual(x.other, { type: 'person', id: son.id, title: '林可胜' });
      assert.equal(x.role['zh-Hans'], '子女');
      assert.equal(x.group, 'family');
      x = byKind(r.json.items, 'president');
      assert.equal(x.group, 'association');
      assert.equal(x.role['zh-Hans'], '会长');
      assert.equal(x.title, '第一届会长');
      assert.equal(x.other.title, '新加坡林氏大宗祠九龙堂');
      assert.equal(byKind(r.json.items, 'overseas_advisor').group, 'appointment');
      assert.equal(r.json.items.length, 3);
      // The son's page: his father (父母), his membership, his enterprise.
      r = await astaff.get(`/api/v1/person/${son.id}/relations`);
      x = byKind(r.json.items, 'parent');
      assert.equal(x.direction, 'in');
      assert.deepEqual(x.other, { type: 'person', id: father.id, title: '林文庆' });
      assert.equal(x.role['zh-Hans'], '父母');
      assert.equal(byKind(r.json.items, 'member').group, 'association');
      assert.equal(byKind(r.json.items, 'legal_rep').group, 'enterprise');
      // The association's page: its leader and its member.
      r = await astaff.get(`/api/v1/association/${assoc.id}/relations`);
      assert.deepEqual(r.json.items.map((i) => [i.kind, i.direction, i.other.id, i.group]).sort(),
        [['member', 'in', son.id, 'member'], ['president', 'in', father.id, 'leader']]);
      r = await astaff.get(`/api/v1/enterprise/${firm.id}/relations`);
      assert.deepEqual(r.json.items.map((i) => [i.kind, i.group]), [['legal_rep', 'leader']]);
      r = await admin.get(`/api/v1/org/${A.id}/relations`);
      assert.deepEqual(r.json.items.map((i) => [i.kind, i.other.id]), [['overseas_advisor', father.id]]);
      // A tie recorded by the city between two of A's people shows on their pages in A.
      const cityRel = await mk(admin, 'relation', { from_type: 'person', from_id: son.id, kind: 'overseas_member', to_type: 'org', to_id: 1 });
      assert.equal(cityRel.org_id, 1);
      r = await astaff.get(`/api/v1/person/${son.id}/relations`);
      assert.ok(!r.json.items.some((i) => i.id === cityRel.id), 'the root org is outside A: the other end is hidden');
      const cityFam = await mk(admin, 'relation', { from_type: 'person', from_id: son.id, kind: 'sibling', to_type: 'person', to_id: father.id, notes: '测试' });
      r = await astaff.get(`/api/v1/person/${son.id}/relations`);
      assert.ok(r.json.items.some((i) => i.id === cityFam.id));
      assertError(await astaff.get(`/api/v1/relation/${cityFam.id}`), 404, 'not_found');
      assert.equal((await admin.del(`/api/v1/relation/${cityFam.id}`)).status, 204);
      // Outside the scope: 404; not a party type: 404.
      assertError(await bstaff.get(`/api/v1/person/${father.id}/relations`), 404, 'not_found');
      assertError(await astaff.get(`/api/v1/user/1/relations`), 404, 'not_found');
      // A deleted relation leaves both pages.
      assert.equal((await astaff.del(`/api/v1/relation/${pres.id}`)).status, 204);
      r = await astaff.get(`/api/v1/association/${assoc.id}/relations`);
      assert.deepEqual(r.json.items.map((i) => i.kind), ['member']);
      // The list searches captions.
      r = await astaff.get(`/api/v1/relation?q=${encodeURIComponent('林可胜')}`);
      assert.ok(r.json.total >= 2);
    });

    test('contact: parties checked, the log feeds association.last_contact_on', async () => {
      const assoc = await mk(astaff, 'association', { name: '泰国潮州会馆', type: 'hometown', country: 'TH' });
      const other = await mk(astaff, 'association', { name: '印尼福清同乡会', type: 'hometown', country: 'ID' });
      const p = await mk(astaff, 'person', { name: '郑午楼' });
      const last = async (id) => (await astaff.get(`/api/v1/association/${id}`)).json.last_contact_on;

      const c1 = await mk(astaff, 'contact', { date: '2024-05-01', channel: 'visit', parties: [`association:${assoc.id}`, `person:${p.id}`], summary: '走访会馆, 了解侨情' });
      assert.equal(c1.officer_id, (await astaff.get('/api/v1/session')).json.user.id);
      assert.equal(c1.party_names, '泰国潮州会馆、郑午楼');
      assert.equal(await last(assoc.id), '2024-05-01');
      const c2 = await mk(astaff, 'contact', { date: '2024-06-10', channel: 'wechat', parties: [`association:${assoc.id}`, `association:${assoc.id}`], summary: '微信联系' });
      assert.deepEqual(c2.parties, [`association:${assoc.id}`]);
      assert.equal(await last(assoc.id), '2024-06-10');
      // An older contact does not move it back.
      await mk(astaff, 'contact', { date: '2023-01-01', channel: 'letter', parties: [`association:${assoc.id}`], summary: '春节慰问信' });
      assert.equal(await last(assoc.id), '2024-06-10');
      // Moving the date or the parties recomputes it for every association concerned.
      assert.equal((await astaff.patch(`/api/v1/contact/${c2.id}`, { date: '2024-04-01' })).status, 200);
      assert.equal(await last(assoc.id), '2024-05-01');
      assert.equal((await astaff.patch(`/api/v1/contact/${c2.id}`, { parties: [`association:${other.id}`] })).status, 200);
      assert.equal(await last(other.id), '2024-04-01');
      assert.equal(await last(assoc.id), '2024-05-01');
      // Deleting the latest contact falls back to the one before.
      assert.equal((await astaff.del(`/api/v1/contact/${c1.id}`)).status, 204);
      assert.equal(await last(assoc.id), '2023-01-01');
      assert.equal((await astaff.del(`/api/v1/contact/${c2.id}`)).status, 204);
      assert.equal(await last(other.id), null);

      // Refusals.
      assertError(await astaff.post('/api/v1/contact', { date: '2024-05-01', channel: 'visit', parties: ['assoc-12'], summary: 'x' }), 422, 'invalid', 'parties');
      assertError(await astaff.post('/api/v1/contact', { date: '2024-05-01', channel: 'visit', parties: ['user:1'], summary: 'x' }), 422, 'invalid', 'parties');
      assertError(await astaff.post('/api/v1/contact', { date: '2024-05-01', channel: 'visit', parties: ['person:999999'], summary: 'x' }), 422, 'invalid', 'parties');
      assertError(await astaff.post('/api/v1/contact', { date: '2024-05-01', channel: 'visit', parties: [], summary: 'x' }), 422, 'invalid', 'parties');
      assertError(await astaff.post('/api/v1/contact', { date: '2024-13-01', channel: 'visit', parties: [`person:${p.id}`], summary: 'x' }), 422, 'invalid', 'date');
      assertError(await astaff.post('/api/v1/contact', { date: '2024-05-01', channel: 'pigeon', parties: [`person:${p.id}`], summary: 'x' }), 422, 'invalid', 'channel');
      await unchanged(server, async () => {
        assertError(await bstaff.post('/api/v1/contact', { date: '2024-05-01', channel: 'visit', parties: [`association:${assoc.id}`], summary: 'x' }), 422, 'invalid', 'parties');
      });
      assert.equal(await last(assoc.id), '2023-01-01');

      // The contact log of a record, newest first; "person:1" never matches "person:1x".
      await mk(astaff, 'contact', { date: '2024-07-01', channel: 'phone', parties: [`person:${p.id}`], summary: '电话回访' });
      await mk(astaff, 'contact', { date: '2024-08-01', channel: 'video', parties: [`person:${p.id}`, `association:${assoc.id}`], summary: '视频座谈' });
      let r = await astaff.get(`/api/v1/person/${p.id}/contacts`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items.map((c) => c.date), ['2024-08-01', '2024-07-01']);
      r = await astaff.get(`/api/v1/association/${assoc.id}/contacts`);
      assert.deepEqual(r.json.items.map((c) => c.date), ['2024-08-01', '2023-01-01']);
      assert.equal(await last(assoc.id), '2024-08-01');
      // Two people of A whose ids are "N" and "N…" (1 and 12): a contact of the second is not
      // in the log of the first.
      let pair;
      for (let i = 0; !pair && i < 30; i++) {
        const mine = (await listAll(astaff, 'person')).map((x) => x.id);
        for (const a of mine) for (const b of mine) if (a !== b && String(b).startsWith(String(a))) pair ??= [a, b];
        if (!pair) await mk(astaff, 'person', { name: `凑数${i}` });
      }
      assert.ok(pair, 'no ids N and N…');
      await mk(astaff, 'contact', { date: '2024-09-01', channel: 'phone', parties: [`person:${pair[1]}`], summary: '前缀测试' });
      r = await astaff.get(`/api/v1/person/${pair[0]}/contacts`);
      assert.ok(r.json.items.every((c) => c.parties.includes(`person:${pair[0]}`)), JSON.stringify(r.json.items));
      r = await astaff.get(`/api/v1/person/${pair[1]}/contacts`);
      assert.ok(r.json.items.some((c) => c.summary === '前缀测试'));
      assertError(await bstaff.get(`/api/v1/person/${p.id}/contacts`), 404, 'not_found');
      assertError(await astaff.get(`/api/v1/person/${p.id}/contacts?limit=0`), 400, 'bad_request', 'limit');
      // Searchable by the names of its parties.
      r = await astaff.get(`/api/v1/contact?q=${encodeURIComponent('郑午楼')}`);
      assert.equal(r.json.total, 2);
    });

    test('viewers read the registries but cannot write them', async () => {
      server.addUser('aviewer', 'viewer', A.id);
      const v = await server.login('aviewer');
      assert.equal((await v.get('/api/v1/association')).status, 200);
      assertError(await v.post('/api/v1/relation', { from_type: 'person', from_id: 1, kind: 'spouse', to_type: 'person', to_id: 2 }), 403, 'forbidden');
      assertError(await v.post('/api/v1/contact', { date: '2024-05-01', channel: 'visit', parties: ['person:1'], summary: 'x' }), 403, 'forbidden');
    });
  });
}
