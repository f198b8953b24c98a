// Lockout that holds under a burst, and sessions that end when the account changes (issue
// 15, item 5): 40 wrong passwords at once get at most 5 password checks (401) before the
// account locks (423); `qiao user lock`, a role or status change, an admin's password reset
// and deleting the user each end the sessions the user already had.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { BIN, PASSWORD, STORES, startServer } from '../lib/server.mjs';
import { assertError, sqlInt } from './helpers.mjs';

for (const store of STORES) {
  describe(`lockout and session revocation (${store})`, () => {
    let server, admin;
    before(async () => {
      server = await startServer({
        store,
        users: {
          admin: { role: 'admin' }, burst: { role: 'staff' }, locked: { role: 'staff' },
          demoted: { role: 'staff' }, reset: { role: 'staff' }, gone: { role: 'staff' },
        },
      });
      admin = await server.login('admin');
    });
    after(() => server?.stop());
    const id = (name) => sqlInt(server, `SELECT id FROM "user" WHERE username = '${name}'`);

    test('40 wrong passwords at once: at most 5 are checked, the rest answer 423', async () => {
      const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => server.client().login('burst', `wrong-password-${i}`)));
      const checked = rs.filter((r) => r.status === 401).length;
      const locked = rs.filter((r) => r.status === 423).length;
      assert.equal(checked + locked, 40, rs.map((r) => r.status).join(','));
      assert.ok(checked <= 5, `${checked} password checks got through`);
      assertError(await server.client().login('burst'), 423, 'locked');
    });

    test('`qiao user lock` ends the user\'s open session', async () => {
      const c = await server.login('locked');
      assert.equal((await c.get('/api/v1/person')).status, 200);
      const r = spawnSync(BIN, ['user', 'lock', 'locked', '--db', server.db], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assertError(await c.get('/api/v1/person'), 401);
      assertError(await c.post('/api/v1/person', { name: '某人' }), 401);
    });

    test('a role or status change by an admin ends the user\'s sessions', async () => {
      const c = await server.login('demoted');
      assert.equal((await admin.patch(`/api/v1/user/${id('demoted')}`, { role: 'viewer' })).status, 200);
      assertError(await c.get('/api/v1/person'), 401);
      const again = await server.login('demoted');
      assert.equal((await again.get('/api/v1/session')).json.user.role, 'viewer');
      assert.equal((await admin.patch(`/api/v1/user/${id('demoted')}`, { status: 'disabled' })).status, 200);
      assertError(await again.get('/api/v1/person'), 401);
    });

    test('an admin\'s password reset and a delete end the sessions', async () => {
      const c = await server.login('reset');
      const r = await admin.post(`/api/v1/user/${id('reset')}/password`, { password: 'Another-pass-2026' });
      assert.equal(r.status, 204, r.text);
      assertError(await c.get('/api/v1/person'), 401);
      const g = await server.login('gone');
      assert.equal((await admin.del(`/api/v1/user/${id('gone')}`)).status, 204);
      assertError(await g.get('/api/v1/person'), 401);
      assert.equal(sqlInt(server, `SELECT count(*) FROM session WHERE user_id = ${id('gone')}`), 0);
    });

    test('the password still works for a user who was never locked', async () => {
      assert.equal((await server.client().login('admin', PASSWORD)).status, 200);
    });
  });
}
