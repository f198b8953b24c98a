// Bad input (issue 2 "Bad input"): each gets a 4xx with {error: {code, message (Chinese),
// field}} and nothing changes — checked against the database itself, audit trail included.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, mkOrg, unchanged } from './helpers.mjs';

const good = { parent_id: 1, name: '输入校验测试侨联', kind: 'federation', level: 'county' };

// [name, body (object, or a raw string), status, code, field (null: none)]
const createCases = [
  ['malformed JSON', '{"name": "坏", "kind": "federation",', 400, 'bad_json', null],
  ['JSON that is not an object', '[{"name": "数组"}]', 400, 'bad_json', null],
  ['an empty body', '', 400, 'bad_json', null],
  ['a duplicated key', '{"name": "甲", "name": "乙", "kind": "group", "parent_id": 1}', 400, 'bad_json', null],
  ['bytes that are not UTF-8', Buffer.from('{"name": "\xff\xfe", "kind": "group", "parent_id": 1}', 'latin1'), 400, 'bad_json', null],
  ['a number for a text field', { ...good, name: 12345 }, 422, 'invalid', 'name'],
  ['a string for an int field', { ...good, kind: 'home', level: null, star: '3' }, 422, 'invalid', 'star'],
  ['a float for an int field', { ...good, kind: 'home', level: null, star: 2.5 }, 422, 'invalid', 'star'],
  ['a string for a ref field', { ...good, parent_id: '1' }, 422, 'invalid', 'parent_id'],
  ['an object for a text field', { ...good, address: { road: '人民路' } }, 422, 'invalid', 'address'],
  ['an array for an enum field', { ...good, kind: ['federation'] }, 422, 'invalid', 'kind'],
  ['a missing required field', { parent_id: 1, kind: 'group' }, 422, 'invalid', 'name'],
  ['a blank required field', { ...good, name: '   ' }, 422, 'invalid', 'name'],
  ['a null required field', { ...good, kind: null }, 422, 'invalid', 'kind'],
  ['an over-long name (101 characters)', { ...good, name: '侨'.repeat(101) }, 422, 'invalid', 'name'],
  ['an over-long short_name', { ...good, short_name: 'x'.repeat(31) }, 422, 'invalid', 'short_name'],
  ['an over-long notes (textarea)', { ...good, notes: '注'.repeat(4001) }, 422, 'invalid', 'notes'],
  ['a control character in a text field', { ...good, name: '侨联\u0007' }, 422, 'invalid', 'name'],
  ['a newline in a one-line field', { ...good, name: '第一行\n第二行' }, 422, 'invalid', 'name'],
  ['an invalid date (2023-02-30)', { ...good, established_on: '2023-02-30' }, 422, 'invalid', 'established_on'],
  ['an invalid date (2023-13-01)', { ...good, established_on: '2023-13-01' }, 422, 'invalid', 'established_on'],
  ['a date in another format', { ...good, established_on: '2023/05/01' }, 422, 'invalid', 'established_on'],
  ['a date of 29 February outside a leap year', { ...good, established_on: '1900-02-29' }, 422, 'invalid', 'established_on'],
  ['an enum value that does not exist', { ...good, kind: 'club' }, 422, 'invalid', 'kind'],
  ['an enum value in the wrong case', { ...good, kind: 'Federation' }, 422, 'invalid', 'kind'],
  ['a status that does not exist', { ...good, status: 'deleted' }, 422, 'invalid', 'status'],
  ['a parent that does not exist', { ...good, parent_id: 99999 }, 422, 'invalid', 'parent_id'],
  ['a parent id of 0', { ...good, parent_id: 0 }, 422, 'invalid', 'parent_id'],
  ['a negative parent id', { ...good, parent_id: -1 }, 422, 'invalid', 'parent_id'],
  ['no parent (a second root)', { name: '第二个根', kind: 'federation' }, 422, 'invalid', 'parent_id'],
  ['stars out of range', { ...good, kind: 'home', level: null, star: 6 }, 422, 'invalid', 'star'],
  ['stars on an org that is not a home', { ...good, star: 3 }, 422, 'invalid', 'star'],
  ['a level on an org that is not a federation', { ...good, kind: 'group' }, 422, 'invalid', 'level'],
  ['a region code that is not 6 digits', { ...good, region_code: '4305' }, 422, 'invalid', 'region_code'],
  ['a region code that does not exist (GB/T 2260)', { ...good, region_code: '430521' }, 422, 'invalid', 'region_code'],
  ['a phone without country code', { ...good, phone: '0739-5301234' }, 422, 'invalid', 'phone'],
];

for (const store of STORES) {
  describe(`bad input on create (${store})`, () => {
    let server, admin;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
    });
    after(() => server?.stop());

    test('the good body is accepted (the cases below differ from it in one thing)', async () => {
      const o = await mkOrg(admin, good);
      assert.equal((await admin.del(`/api/v1/org/${o.id}`)).status, 204);
    });

    for (const [name, body, status, code, field] of createCases) {
      test(`POST with ${name}: ${status} ${code}, nothing created`, async () => {
        await unchanged(server, async () => {
          assertError(await admin.post('/api/v1/org', body), status, code, field);
        });
      });
    }

    test('the limits themselves are accepted: 100 characters, 29 February of a leap year', async () => {
      const o = await mkOrg(admin, { ...good, name: '侨'.repeat(100), established_on: '2024-02-29' });
      assert.equal(o.name.length, 100);
      assert.equal(o.established_on, '2024-02-29');
    });

    test('a body over 1 MiB answers 413 too_large, nothing created', async () => {
      const body = JSON.stringify({ ...good, notes: 'x'.repeat(1100 * 1024) });
      await unchanged(server, async () => {
        assertError(await admin.post('/api/v1/org', body), 413, 'too_large');
      });
    });

    test('a duplicate username (refused by the database itself) answers 409, nothing written', async () => {
      await unchanged(server, async () => {
        const e = assertError(await admin.post('/api/v1/user', { username: 'admin', name: '重名', role: 'viewer', password: 'pass-word-123' }),
          409, 'conflict');
        assert.ok(e.field === undefined || e.field === 'username', `field: ${e.field}`);
      });
    });

    test('a user with a bad password or username is refused, nothing written', async () => {
      const u = { username: 'clerk', name: '文员', role: 'viewer', password: 'pass-word-123' };
      await unchanged(server, async () => {
        assertError(await admin.post('/api/v1/user', { ...u, password: 'short' }), 422, 'invalid', 'password');
        assertError(await admin.post('/api/v1/user', { ...u, password: undefined }), 422, 'invalid', 'password');
        assertError(await admin.post('/api/v1/user', { ...u, username: '文 员' }), 422, 'invalid', 'username');
        assertError(await admin.post('/api/v1/user', { ...u, role: 'root' }), 422, 'invalid', 'role');
        assertError(await admin.post('/api/v1/user', { ...u, email: 'not-an-email' }), 422, 'invalid', 'email');
      });
    });

    test('a body just under 1 MiB is read (and refused for its content, not its size)', async () => {
      const body = JSON.stringify({ ...good, notes: 'x'.repeat(1000 * 1024) });
      await unchanged(server, async () => {
        assertError(await admin.post('/api/v1/org', body), 422, 'invalid', 'notes');
      });
    });
  });

  describe(`bad input on patch (${store})`, () => {
    let server, admin, org, home;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      org = await mkOrg(admin, { ...good, established_on: '1990-01-01', address: '人民路 1 号' });
      home = await mkOrg(admin, { parent_id: org.id, kind: 'home', name: '某侨胞之家', star: 3 });
    });
    after(() => server?.stop());

    const patchCases = [
      ['malformed JSON', '{"name": ', 400, 'bad_json', null],
      ['JSON that is not an object', '"名称"', 400, 'bad_json', null],
      ['an empty body', '', 400, 'bad_json', null],
      ['a wrong type', { established_on: 19900101 }, 422, 'invalid', 'established_on'],
      ['an over-long string', { address: '路'.repeat(201) }, 422, 'invalid', 'address'],
      ['an invalid date', { established_on: '2023-02-30' }, 422, 'invalid', 'established_on'],
      ['a bad enum value', { level: 'planet' }, 422, 'invalid', 'level'],
      ['a parent that does not exist', { parent_id: 424242 }, 422, 'invalid', 'parent_id'],
      ['a required field emptied', { name: '' }, 422, 'invalid', 'name'],
      ['a required field nulled', { kind: null }, 422, 'invalid', 'kind'],
      ['no parent (making a root)', { parent_id: null }, 422, 'invalid', 'parent_id'],
      ['a good field and a bad one together', { address: '新地址', established_on: '2023-02-30' }, 422, 'invalid', 'established_on'],
    ];
    for (const [name, body, status, code, field] of patchCases) {
      test(`PATCH with ${name}: ${status} ${code}, the record unchanged`, async () => {
        await unchanged(server, async () => {
          assertError(await admin.patch(`/api/v1/org/${org.id}`, body), status, code, field);
        });
        assert.deepEqual((await admin.get(`/api/v1/org/${org.id}`)).json, org);
      });
    }

    test('PATCH a home to stars out of range', async () => {
      await unchanged(server, async () => {
        assertError(await admin.patch(`/api/v1/org/${home.id}`, { star: 0 }), 422, 'invalid', 'star');
        assertError(await admin.patch(`/api/v1/org/${home.id}`, { kind: 'group' }), 422, 'invalid', 'star');
      });
    });

    test('PATCH with a body over 1 MiB answers 413', async () => {
      await unchanged(server, async () => {
        assertError(await admin.patch(`/api/v1/org/${org.id}`, JSON.stringify({ notes: '注'.repeat(400 * 1024) })),
          413, 'too_large');
      });
    });
  });

  describe(`bad ids in the path (${store})`, () => {
    let server, admin;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
    });
    after(() => server?.stop());

    for (const id of ['abc', '1x', '-1', '0', '1.5', '99999999999999999999999', '%20', '0x10'])
      test(`GET, PATCH and DELETE /api/v1/org/${id} answer 400 naming the id`, async () => {
        await unchanged(server, async () => {
          assertError(await admin.get(`/api/v1/org/${id}`), 400, 'bad_request', 'id');
          assertError(await admin.patch(`/api/v1/org/${id}`, { name: '改' }), 400, 'bad_request', 'id');
          assertError(await admin.del(`/api/v1/org/${id}`), 400, 'bad_request', 'id');
        });
      });

    test('an unknown entity answers 404', async () => {
      assertError(await admin.get('/api/v1/planet'), 404, 'not_found');
      assertError(await admin.get('/api/v1/planet/1'), 404, 'not_found');
    });

    test('a method the path does not take answers 405', async () => {
      const r = await admin.req('PUT', '/api/v1/org/1', { name: '改' });
      assertError(r, 405);
    });
  });

  // Fields the client may not send. Kept on a server of their own: an error here that
  // kills the server should not take the other cases down with it.
  describe(`unknown and read-only fields (${store})`, () => {
    let server, admin, org;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      org = await mkOrg(admin, good);
    });
    after(() => server?.stop());

    for (const [field, value] of [['colour', 'red'], ['path', '/1/'], ['deleted_at', null]]) {
      test(`an unknown or internal field "${field}" answers 400 unknown_field naming it`, async () => {
        await unchanged(server, async () => {
          assertError(await admin.post('/api/v1/org', { ...good, [field]: value }), 400, 'unknown_field', field);
          assertError(await admin.patch(`/api/v1/org/${org.id}`, { [field]: value }), 400, 'unknown_field', field);
        });
      });
    }

    for (const [field, value] of [['id', 77], ['created_at', '2020-01-01T00:00:00Z'], ['updated_at', '2020-01-01T00:00:00Z']]) {
      test(`a read-only field "${field}" is refused with a 400 naming it`, async () => {
        await unchanged(server, async () => {
          assertError(await admin.post('/api/v1/org', { ...good, [field]: value }), 400, undefined, field);
          assertError(await admin.patch(`/api/v1/org/${org.id}`, { [field]: value }), 400, undefined, field);
        });
      });
    }
  });
}
