// The liaison map (SPEC "The fixed interface"): GET /api/v1/map counts the people,
// associations and enterprises of each country and the people of each ancestral city over
// the reader's scope (or an org's subtree within it), the most first; an org outside the
// scope is 404, an unknown parameter 400.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, created, mkOrg } from './helpers.mjs';

for (const store of STORES) {
  describe(`liaison map (${store})`, () => {
    let server, admin, astaff, A, B;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      server.addUser('astaff', 'staff', A.id);
      astaff = await server.login('astaff');
      const people = [
        [A, '陈一', 'SG', '440781'], [A, '陈二', 'SG', '440783'], [A, '陈三', 'MY', '110105'],
        [A, '陈四', null, null], [B, '林一', 'TH', '440781'], [B, '林二', 'SG', null],
      ];
      for (const [org, name, country, anc] of people)
        await created(admin, '/api/v1/person', { org_id: org.id, name, categories: ['overseas_chinese'], ...(country && { residence_country: country }), ...(anc && { ancestral_region_code: anc }) });
      await created(admin, '/api/v1/association', { org_id: A.id, name: '新加坡同乡会', country: 'SG', type: 'hometown' });
      await created(admin, '/api/v1/association', { org_id: B.id, name: '泰国同乡会', country: 'TH', type: 'hometown' });
      await created(admin, '/api/v1/enterprise', { org_id: A.id, name: '马来西亚侨企', kind: 'oc_funded', country: 'MY' });
    });
    after(() => server?.stop());

    test('a county sees its own, the most first; ancestral places by city', async () => {
      const r = await astaff.get('/api/v1/map');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.countries, [
        { country: 'SG', name: '新加坡', people: 2, associations: 1, enterprises: 0 },
        { country: 'MY', name: '马来西亚', people: 1, associations: 0, enterprises: 1 },
      ]);
      assert.deepEqual(r.json.ancestral, [
        { region_code: '440700', name: '江门市', people: 2 },
        { region_code: '110100', name: '北京市', people: 1 },
      ]);
    });

    test('the city sees both counties, or one of them', async () => {
      const all = (await admin.get('/api/v1/map')).json;
      assert.deepEqual(all.countries.map((c) => [c.country, c.people, c.associations, c.enterprises]),
        [['SG', 3, 1, 0], ['MY', 1, 0, 1], ['TH', 1, 1, 0]]);
      assert.deepEqual(all.ancestral.map((a) => [a.region_code, a.people]), [['440700', 3], ['110100', 1]]);
      const b = (await admin.get(`/api/v1/map?org=${B.id}`)).json;
      assert.deepEqual(b.countries.map((c) => [c.country, c.people, c.associations]), [['TH', 1, 1], ['SG', 1, 0]]);
    });

    test('outside the scope and bad input', async () => {
      assertError(await astaff.get(`/api/v1/map?org=${B.id}`), 404, 'not_found');
      assertError(await astaff.get('/api/v1/map?org=1'), 404, 'not_found');
      assertError(await astaff.get('/api/v1/map?org=abc'), 422, 'invalid', 'org');
      assertError(await astaff.get('/api/v1/map?country=SG'), 400, 'unknown_field', 'country');
    });
  });
}
