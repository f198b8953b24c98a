// GB/T 2260 regions: the cascader's endpoints, validation of region fields against the
// table, and a province or city filter matching the counties under it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError } from './helpers.mjs';

for (const store of STORES) {
  describe(`regions (${store})`, () => {
    let srv, admin;
    before(async () => {
      srv = await startServer({ store });
      admin = await srv.login('admin');
    });
    after(() => srv?.stop());

    test('provinces, then the cities and counties under them', async () => {
      const p = await admin.get('/api/v1/regions');
      assert.equal(p.status, 200);
      const hunan = p.json.items.find((x) => x.code === '430000');
      assert.deepEqual(hunan, { code: '430000', name: '湖南省', leaf: false });
      assert.ok(p.json.items.some((x) => x.code === '810000' && x.name === '香港特别行政区'));
      assert.ok(p.json.items.length >= 34);
      const cities = await admin.get('/api/v1/regions?parent=430000');
      assert.ok(cities.json.items.some((x) => x.code === '430500' && x.name === '邵阳市'));
      const counties = await admin.get('/api/v1/regions?parent=430500');
      const xinshao = counties.json.items.find((x) => x.code === '430522');
      assert.deepEqual(xinshao, { code: '430522', name: '新邵县', leaf: true });
      assert.ok(counties.json.items.every((x) => x.code.startsWith('4305') && x.code !== '430500'));
    });

    test('the name and path of one code', async () => {
      const r = await admin.get('/api/v1/regions/430522');
      assert.deepEqual(r.json, { code: '430522', name: '新邵县', path: ['湖南省', '邵阳市', '新邵县'] });
      assertError(await admin.get('/api/v1/regions/430521'), 404, 'not_found', 'code');
      assertError(await admin.get('/api/v1/regions?parent=999999'), 400, 'bad_request', 'parent');
    });

    test('needs a session', async () => {
      assert.equal((await srv.client().get('/api/v1/regions')).status, 401);
    });

    test('a province or a city filters the counties under it', async () => {
      const mk = (name, region_code) =>
        admin.post('/api/v1/org', { parent_id: 1, name, kind: 'federation', level: 'county', region_code });
      assert.equal((await mk('新邵县侨联', '430522')).status, 201);
      assert.equal((await mk('武冈市侨联', '430581')).status, 201);
      assert.equal((await mk('长沙县侨联', '430121')).status, 201);
      const names = async (q) => (await admin.get(`/api/v1/org?region_code=${q}`)).json.items.map((o) => o.name).sort();
      assert.deepEqual(await names('430000'), ['新邵县侨联', '武冈市侨联', '长沙县侨联'].sort());
      assert.deepEqual(await names('430500'), ['新邵县侨联', '武冈市侨联'].sort());
      assert.deepEqual(await names('430522'), ['新邵县侨联']);
      assertError(await admin.get('/api/v1/org?region_code=430521'), 400, 'bad_request', 'region_code');
    });
  });
}
