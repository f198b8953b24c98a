// The password policy and the login's answers (issue 15, item 7): a common or breached
// password (John the Ripper's list from Debian's john-data), one of under 4 different
// characters and the published demo password are refused when a user is created, when an
// admin resets a password, when a user changes theirs and on the command line (`qiao demo`
// alone gives its users the demo password); known and unknown usernames answer alike after
// 5 wrong tries (status, body, about the same time); wrong old passwords on the password
// change are limited like logins, and the lock ends the user's sessions.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { BIN, PASSWORD, STORES, startServer } from '../lib/server.mjs';
import { assertError, sqlInt } from './helpers.mjs';

const WEAK = ['12345678', 'aaaaaaaa', 'Password1', 'qiao-demo-2024', 'QIAO-DEMO-2024', 'abababab'];

for (const store of STORES) {
  describe(`password policy and login answers (${store})`, () => {
    let server, admin;
    before(async () => {
      server = await startServer({
        store,
        users: { admin: { role: 'admin' }, known: { role: 'staff' }, changer: { role: 'staff' }, target: { role: 'staff' } },
      });
      admin = await server.login('admin');
    });
    after(() => server?.stop());
    const id = (name) => sqlInt(server, `SELECT id FROM "user" WHERE username = '${name}'`);

    test('weak passwords are refused on create, reset, change and the command line', async () => {
      for (const pw of WEAK) {
        const e = assertError(await admin.post('/api/v1/user', { username: 'weak', name: '弱密码', role: 'viewer', password: pw }),
          422, 'invalid', 'password');
        assert.ok(!e.message.includes(pw), e.message);
        assertError(await admin.post(`/api/v1/user/${id('target')}/password`, { password: pw }), 422, 'invalid', 'password');
        assertError(await admin.post('/api/v1/session/password', { old_password: PASSWORD, new_password: pw }), 422, 'invalid', 'new_password');
        const r = spawnSync(BIN, ['user', 'passwd', 'target', '--db', server.db], { input: pw + '\n', encoding: 'utf8' });
        assert.notEqual(r.status, 0, `qiao user passwd took ${pw}`);
        assert.match(r.stderr, /密码/);
      }
      assert.equal(sqlInt(server, `SELECT count(*) FROM "user" WHERE username = 'weak'`), 0);
      // a good one still passes, and the messages say why
      const e = assertError(await admin.post('/api/v1/user', { username: 'weak', name: '弱密码', role: 'viewer', password: '12345678' }), 422);
      assert.match(e.message, /常见|泄露/);
      assert.match(assertError(await admin.post('/api/v1/user', { username: 'weak', name: '弱密码', role: 'viewer', password: 'aaaaaaaa' }), 422).message, /不同的字符/);
      assert.match(assertError(await admin.post('/api/v1/user', { username: 'weak', name: '弱密码', role: 'viewer', password: 'qiao-demo-2024' }), 422).message, /示范/);
      assert.equal((await admin.post('/api/v1/user', { username: 'strong', name: '强密码', role: 'viewer', password: 'lantern-harbour-93' })).status, 201);
    });

    test('after 5 wrong tries a known and an unknown username answer alike', async () => {
      const answers = async (name) => {
        const out = [];
        for (let i = 0; i < 7; i++) {
          const t0 = process.hrtime.bigint();
          const r = await server.client().login(name, `wrong-guess-${i}x`);
          out.push({ status: r.status, body: r.text, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
        }
        return out;
      };
      const k = await answers('known');
      const u = await answers('nobody-here');
      assert.deepEqual(u.map((a) => a.status), k.map((a) => a.status));
      assert.deepEqual(u.map((a) => a.body), k.map((a) => a.body));
      assert.deepEqual(k.map((a) => a.status), [401, 401, 401, 401, 423, 423, 423]);
      // the checked tries cost a hash either way: the unknown ones take no less than half as long
      const avg = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
      const km = avg(k.slice(0, 5).map((a) => a.ms)), um = avg(u.slice(0, 5).map((a) => a.ms));
      assert.ok(um > km / 2 && um < km * 2, `known ${km.toFixed(1)} ms, unknown ${um.toFixed(1)} ms`);
    });

    test('wrong old passwords on the password change are limited like logins', async () => {
      const c = await server.login('changer');
      const other = await server.login('changer');
      for (let i = 0; i < 4; i++)
        assertError(await c.post('/api/v1/session/password', { old_password: `not-it-${i}-xx`, new_password: 'lantern-harbour-93' }),
          422, 'invalid', 'old_password');
      // a right old password with a weak new one does not count towards the lock
      assertError(await c.post('/api/v1/session/password', { old_password: PASSWORD, new_password: '12345678' }), 422, 'invalid', 'new_password');
      assert.equal(sqlInt(server, `SELECT failed_logins FROM "user" WHERE username = 'changer'`), 0);
      for (let i = 0; i < 4; i++)
        assertError(await c.post('/api/v1/session/password', { old_password: `not-it-${i}-yy`, new_password: 'lantern-harbour-93' }),
          422, 'invalid', 'old_password');
      assertError(await c.post('/api/v1/session/password', { old_password: 'not-it-last', new_password: 'lantern-harbour-93' }), 423, 'locked');
      // the lock ended every session of the user and holds for the right password too
      assertError(await c.get('/api/v1/session'), 401);
      assertError(await other.get('/api/v1/session'), 401);
      assertError(await server.client().login('changer'), 423, 'locked');
      assert.ok(sqlInt(server, `SELECT count(*) FROM audit_log WHERE action = 'login_locked' AND entity_id = ${id('changer')}`) >= 1);
    });
  });
}
