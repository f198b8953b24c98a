// The entity API on org: create, read, patch, soft delete; lists with q, filters, sort
// and paging (issue 2).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, mkOrg, sql, sqlInt, unchanged } from './helpers.mjs';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

for (const store of STORES) {
  describe(`org create, read, patch, delete (${store})`, () => {
    let server, admin;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
    });
    after(() => server?.stop());

    test('create answers 201 with the whole record', async () => {
      const r = await admin.post('/api/v1/org', {
        parent_id: 1, name: '  清江市江北区归国华侨联合会 ', short_name: '江北区侨联', kind: 'federation',
        level: 'county', region_code: '430502', established_on: '1985-10-01', address: '江北区人民路 1 号',
        phone: '+86 739 5301234', notes: '第一行\n第二行',
      });
      assert.equal(r.status, 201, r.text);
      const o = r.json;
      assert.ok(Number.isInteger(o.id) && o.id > 1);
      assert.equal(o.name, '清江市江北区归国华侨联合会', 'spaces around text are trimmed');
      assert.equal(o.short_name, '江北区侨联');
      assert.equal(o.parent_id, 1);
      assert.equal(o.kind, 'federation');
      assert.equal(o.level, 'county');
      assert.equal(o.region_code, '430502');
      assert.equal(o.established_on, '1985-10-01');
      assert.equal(o.notes, '第一行\n第二行');
      assert.equal(o.status, 'active', 'status defaults to active');
      assert.equal(o.star, null);
      assert.match(o.created_at, ISO);
      assert.match(o.updated_at, ISO);
      assert.ok(!('path' in o) && !('deleted_at' in o), 'internal fields stay inside');
    });

    test('read answers the record as created', async () => {
      const o = await mkOrg(admin, { name: '读取测试分会', kind: 'branch' });
      const r = await admin.get(`/api/v1/org/${o.id}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, o);
    });

    test('read of an id that does not exist answers 404', async () => {
      assertError(await admin.get('/api/v1/org/987654'), 404, 'not_found', null);
    });

    test('patch changes only the fields sent', async () => {
      const o = await mkOrg(admin, { name: '修改测试侨联', short_name: '修改', level: 'township', address: '老地址' });
      const r = await admin.patch(`/api/v1/org/${o.id}`, { address: '新地址 88 号', star: null, notes: '已搬迁' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.address, '新地址 88 号');
      assert.equal(r.json.notes, '已搬迁');
      for (const k of ['name', 'short_name', 'level', 'kind', 'parent_id', 'status', 'created_at'])
        assert.deepEqual(r.json[k], o[k], `${k} unchanged`);
      const back = await admin.get(`/api/v1/org/${o.id}`);
      assert.deepEqual(back.json, r.json);
    });

    test('patch can clear an optional field with null', async () => {
      const o = await mkOrg(admin, { name: '清空测试侨联', address: '某路 1 号' });
      const r = await admin.patch(`/api/v1/org/${o.id}`, { address: null });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.address, null);
    });

    test('soft delete: 204, then 404, gone from lists, the row kept with deleted_at', async () => {
      const o = await mkOrg(admin, { name: '将被删除的小组', kind: 'group' });
      const totalBefore = (await admin.get('/api/v1/org')).json.total;
      const r = await admin.del(`/api/v1/org/${o.id}`);
      assert.equal(r.status, 204);
      assert.equal(r.text, '');
      assertError(await admin.get(`/api/v1/org/${o.id}`), 404, 'not_found');
      const list = await admin.get('/api/v1/org?per_page=200');
      assert.equal(list.json.total, totalBefore - 1);
      assert.ok(!list.json.items.some((x) => x.id === o.id));
      assert.equal((await admin.get(`/api/v1/org?q=${encodeURIComponent('将被删除')}`)).json.total, 0);
      assert.equal(sqlInt(server, `SELECT count(*) FROM "org" WHERE id = ${o.id} AND deleted_at IS NOT NULL`), 1);
      // A deleted record cannot be changed or deleted again.
      await unchanged(server, async () => {
        assertError(await admin.patch(`/api/v1/org/${o.id}`, { name: '复活' }), 404, 'not_found');
        assertError(await admin.del(`/api/v1/org/${o.id}`), 404, 'not_found');
      });
    });

    test('a deleted org cannot be used as a parent', async () => {
      const o = await mkOrg(admin, { name: '已删除的上级', kind: 'branch' });
      assert.equal((await admin.del(`/api/v1/org/${o.id}`)).status, 204);
      await unchanged(server, async () => {
        assertError(await admin.post('/api/v1/org', { name: '孤儿', kind: 'group', parent_id: o.id }),
          422, 'invalid', 'parent_id');
      });
    });

    test('the root org cannot be deleted', async () => {
      await unchanged(server, async () => {
        const r = await admin.del('/api/v1/org/1');
        assert.ok(r.status === 409 || r.status === 403, `${r.status} ${r.text}`);
        assertError(r, r.status);
      });
      assert.equal((await admin.get('/api/v1/org/1')).status, 200);
    });
  });

  describe(`org lists: q, filters, sort, paging (${store})`, () => {
    let server, admin, county, homes;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      county = await mkOrg(admin, { name: '清江市江南县侨联', short_name: '江南侨联', level: 'county', established_on: '1990-05-01' });
      homes = [];
      for (let i = 1; i <= 23; i++) {
        homes.push(await mkOrg(admin, {
          parent_id: county.id, kind: 'home', name: `江南县第${String(i).padStart(2, '0')}侨胞之家`,
          star: (i % 5) + 1, established_on: `20${String(i).padStart(2, '0')}-03-15`,
        }));
      }
      await mkOrg(admin, { parent_id: county.id, kind: 'platform', name: '江南县新侨服务中心', short_name: '新侨中心' });
      await mkOrg(admin, { parent_id: county.id, kind: 'branch', name: '江南县侨商分会', status: 'closed' });
    });
    after(() => server?.stop());

    const get = (q) => admin.get(`/api/v1/org?${q}`);

    test('the first page: 20 items by default, with total, page and per_page', async () => {
      const r = await get('');
      assert.equal(r.status, 200);
      assert.equal(r.json.total, 27); // root, county, 23 homes, platform, branch
      assert.equal(r.json.page, 1);
      assert.equal(r.json.per_page, 20);
      assert.equal(r.json.items.length, 20);
      assert.deepEqual(r.json.items.map((x) => x.id), [...r.json.items.map((x) => x.id)].sort((a, b) => a - b),
        'sorted by id by default');
    });

    test('page 2 holds the rest; the pages do not overlap', async () => {
      const p1 = await get('page=1');
      const p2 = await get('page=2');
      assert.equal(p2.status, 200);
      assert.equal(p2.json.items.length, 7);
      const ids = new Set([...p1.json.items, ...p2.json.items].map((x) => x.id));
      assert.equal(ids.size, 27);
    });

    test('per_page up to 200', async () => {
      const r = await get('per_page=200');
      assert.equal(r.json.items.length, 27);
      assert.equal(r.json.per_page, 200);
      assert.equal((await get('per_page=1')).json.items.length, 1);
    });

    for (const bad of ['201', '0', '-1', 'abc', '1e2', '20.5', ''])
      test(`per_page=${bad} answers 400`, async () => {
        assertError(await get(`per_page=${bad}`), 400, 'bad_request', 'per_page');
      });

    for (const bad of ['0', '-2', 'x', '1.5', '99999999999999999999'])
      test(`page=${bad} answers 400`, async () => {
        assertError(await get(`page=${bad}`), 400, 'bad_request', 'page');
      });

    test('a page past the end answers 400', async () => {
      assertError(await get('page=3'), 400, 'bad_request', 'page');
      assertError(await get('page=2&per_page=200'), 400, 'bad_request', 'page');
      assertError(await get('page=2&kind=base'), 400, 'bad_request', 'page');
    });

    test('page 1 of an empty result is an empty list, not an error', async () => {
      const r = await get('kind=base');
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.items, []);
      assert.equal(r.json.total, 0);
    });

    test('q searches name and short_name as a substring', async () => {
      let r = await get(`q=${encodeURIComponent('第07')}`);
      assert.equal(r.json.total, 1);
      assert.equal(r.json.items[0].name, '江南县第07侨胞之家');
      r = await get(`q=${encodeURIComponent('新侨中心')}`); // the short name
      assert.equal(r.json.total, 1);
      assert.equal(r.json.items[0].kind, 'platform');
      r = await get(`q=${encodeURIComponent('侨胞之家')}&per_page=200`);
      assert.equal(r.json.total, 23);
      assert.equal((await get(`q=${encodeURIComponent('不存在的名字')}`)).json.total, 0);
    });

    test('q is case-insensitive for Latin letters', async () => {
      await mkOrg(admin, { parent_id: county.id, kind: 'affiliate', name: 'Qingjiang Overseas Chinese Club' });
      assert.equal((await get('q=overseas%20CHINESE')).json.total, 1);
      assert.equal((await get('name=QINGJIANG')).json.total, 1, 'a text filter too');
      // LIKE's wildcards in the keyword are letters: "%" and "_" match only themselves
      for (const q of ['%25', '_', 'Overseas_Chinese', 'Q%25Club']) assert.equal((await get(`q=${q}`)).json.total, 0, q);
      const r = await admin.del(`/api/v1/org/${(await get('q=overseas')).json.items[0].id}`);
      assert.equal(r.status, 204);
    });

    test('an enum filter matches exactly, several values with commas', async () => {
      assert.equal((await get('kind=home&per_page=200')).json.total, 23);
      assert.equal((await get('kind=home,platform&per_page=200')).json.total, 24);
      assert.equal((await get('kind=branch')).json.items[0].name, '江南县侨商分会');
      assert.equal((await get('status=closed')).json.total, 1);
    });

    test('an int and a ref filter match exactly', async () => {
      const r = await get('star=3&per_page=200');
      assert.ok(r.json.items.length > 0 && r.json.items.every((x) => x.star === 3));
      assert.equal(r.json.total, homes.filter((h) => h.star === 3).length);
      assert.equal((await get(`parent_id=${county.id}&per_page=200`)).json.total, 25);
      assert.equal((await get('parent_id=1')).json.total, 1);
    });

    test('a text filter matches a substring', async () => {
      assert.equal((await get(`name=${encodeURIComponent('侨商')}`)).json.total, 1);
    });

    test('range filters on a date and an int', async () => {
      let r = await get('established_on_from=2010-01-01&established_on_to=2012-12-31');
      assert.deepEqual(r.json.items.map((x) => x.established_on).sort(), ['2010-03-15', '2011-03-15', '2012-03-15']);
      r = await get('star_from=4&star_to=5&per_page=200');
      assert.equal(r.json.total, homes.filter((h) => h.star >= 4).length);
      assert.ok(r.json.items.every((x) => x.star >= 4));
    });

    test('filters combine with q', async () => {
      const r = await get(`q=${encodeURIComponent('第1')}&star=1,2`);
      const want = homes.filter((h) => h.name.includes('第1') && h.star <= 2).length;
      assert.equal(r.json.total, want);
    });

    test('sort by a field, descending with -, ties by id', async () => {
      let r = await get('kind=home&sort=-name&per_page=200');
      const names = r.json.items.map((x) => x.name);
      assert.deepEqual(names, [...names].sort().reverse());
      r = await get('kind=home&sort=star,-id&per_page=200');
      const pairs = r.json.items.map((x) => [x.star, x.id]);
      const sorted = [...pairs].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
      assert.deepEqual(pairs, sorted);
    });

    test('sort by an unknown or hidden field answers 400', async () => {
      assertError(await get('sort=colour'), 400, 'bad_request', 'sort');
      assertError(await get('sort=path'), 400, 'bad_request', 'sort');
      assertError(await get('sort=-deleted_at'), 400, 'bad_request', 'sort');
    });

    test('an unknown parameter answers 400', async () => {
      assertError(await get('colour=red'), 400, 'bad_request', 'colour');
      assertError(await get('path=/1/'), 400, 'bad_request', 'path');
      assertError(await get('deleted_at_from=2000-01-01'), 400, 'bad_request');
    });

    // API.md: "A page past the end, an unknown parameter or a bad value answers 400."
    for (const [q, field] of [['kind=club', 'kind'], ['star=three', 'star'], ['star_from=x', 'star_from'],
      ['established_on_from=2023-02-30', 'established_on_from'], ['parent_id=abc', 'parent_id']]) {
      test(`a bad filter value (${q}) answers 400`, async () => {
        const r = await get(q);
        assertError(r, 400);
        assert.ok([field, field.replace(/_(from|to)$/, '')].includes(r.json.error.field), `field: ${r.text}`);
      });
    }

    test('lists leave the database alone', async () => {
      const n = sqlInt(server, 'SELECT count(*) FROM audit_log');
      await get('q=x&kind=home&sort=-star');
      assert.equal(sqlInt(server, 'SELECT count(*) FROM audit_log'), n);
      assert.equal(sql(server, 'SELECT count(*) FROM "org" WHERE deleted_at IS NULL'), '27');
    });
  });
}
