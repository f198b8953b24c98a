// The database's write lock held by another connection (issue 15: a long import): every
// write that cannot get the lock answers 503 `busy` with Retry-After within the busy
// timeout, the server keeps running, and the same requests succeed once the lock is gone.
// SQLite only: its one write lock is what a long import holds (PostgreSQL writers only
// wait for the rows they touch).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { PASSWORD, startServer } from '../lib/server.mjs';
import { assertError, sql, sqlInt } from './helpers.mjs';

const BUSY_MS = 300; // the server's --busy-timeout for this test (production: 10 s)
const BOUND_MS = 5000; // an answer under the lock comes well within this (hashing included)

/** Hold the write lock of the SQLite file at path from a sqlite3 process, as an import
 * does: resolves once BEGIN IMMEDIATE has succeeded; release() rolls back and waits. */
function holdWriteLock(path) {
  const p = spawn('sqlite3', [path], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '';
  p.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((ok) => p.on('exit', (code) => ok(code)));
  return new Promise((ok, fail) => {
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('locked')) ok({
        async release() {
          p.stdin.end('ROLLBACK;\n');
          assert.equal(await exited, 0, `sqlite3: ${err}`);
        },
      });
    });
    exited.then((code) => fail(new Error(`sqlite3 exited ${code} before holding the lock: ${err}`)));
    p.stdin.write("BEGIN IMMEDIATE;\nSELECT 'locked';\n");
  });
}

/** r is the busy answer: 503, code busy, a Chinese message, Retry-After in seconds. */
function assertBusy(r, ms, what) {
  assertError(r, 503, 'busy', null);
  assert.match(r.headers.get('retry-after') || '', /^[1-9][0-9]*$/, `${what}: Retry-After`);
  assert.ok(ms < BOUND_MS, `${what}: answered after ${ms} ms`);
}

async function timed(fn) {
  const t0 = Date.now();
  const r = await fn();
  return [r, Date.now() - t0];
}

describe('writes while another connection holds the write lock (sqlite)', () => {
  let server, admin, staff, idle, caseId, viewerId, lockedId;

  before(async () => {
    server = await startServer({
      store: 'sqlite',
      users: { admin: { role: 'admin' }, staff: { role: 'staff' }, idle: { role: 'viewer' }, viewer: { role: 'viewer' }, locked: { role: 'viewer' } },
      serveArgs: ['--busy-timeout', String(BUSY_MS)],
    });
    admin = await server.login('admin');
    staff = await server.login('staff');
    idle = await server.login('idle');
    const c = await admin.post('/api/v1/case', { category: 'legal', summary: '房产继承纠纷', channel: 'walk_in', applicant_name: '黄先生', applicant_contact: '13800000000' });
    assert.equal(c.status, 201, c.text);
    caseId = c.json.id;
    viewerId = sqlInt(server, `SELECT id FROM "user" WHERE username = 'viewer'`);
    lockedId = sqlInt(server, `SELECT id FROM "user" WHERE username = 'locked'`);
    sql(server, `UPDATE "user" SET failed_logins = 0, locked_until = '9999-12-31T00:00:00Z' WHERE id = ${lockedId}`);
    // idle's session was last seen long ago: its next request touches it (a write).
    sql(server, `UPDATE session SET expires_at = '9999-12-31T00:00:00Z', seen_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-10 minutes') WHERE user_id = (SELECT id FROM "user" WHERE username = 'idle')`);
  });
  after(async () => { await server?.stop(); });

  test('each write answers busy under the lock, and succeeds after it', async () => {
    const auditBefore = sqlInt(server, 'SELECT count(*) FROM audit_log');
    const lock = await holdWriteLock(server.db);
    let released = false;
    try {
      let [r, ms] = await timed(() => server.client().login('admin'));
      assertBusy(r, ms, 'login');
      [r, ms] = await timed(() => server.client().login('admin', 'wrong-password-1'));
      assertBusy(r, ms, 'failed login (its count cannot be written)');
      [r, ms] = await timed(() => admin.post(`/api/v1/case/${caseId}/note`, { note: '电话回访' }));
      assertBusy(r, ms, 'case note');
      [r, ms] = await timed(() => staff.post('/api/v1/session/password', { old_password: PASSWORD, new_password: 'new-password-2' }));
      assertBusy(r, ms, 'password change');
      [r, ms] = await timed(() => admin.post(`/api/v1/user/${viewerId}/password`, { password: 'reset-password-3' }));
      assertBusy(r, ms, 'password reset');
      [r, ms] = await timed(() => admin.post(`/api/v1/user/${lockedId}/unlock`));
      assertBusy(r, ms, 'unlock');
      [r, ms] = await timed(() => staff.del('/api/v1/session'));
      assertBusy(r, ms, 'logout');
      // record writes wait in one transaction for the lock (http.c's group commit)
      const rs = await Promise.all([1, 2, 3].map((i) => timed(() => admin.post('/api/v1/person', { name: `锁下${i}` }))));
      for (const [x, xms] of rs) assertBusy(x, xms, 'record create');
      assert.match(rs[0][0].json.error.message, /没有保存/);
      // A read whose session touch cannot be written is still answered.
      [r, ms] = await timed(() => idle.get('/api/v1/session'));
      assert.equal(r.status, 200, r.text);
      assert.ok(ms < BOUND_MS, `session read answered after ${ms} ms`);
      assert.ok(server.alive, `the server exited: ${server.stderr}`);
      await lock.release();
      released = true;
    } finally {
      if (!released) await lock.release().catch(() => {});
    }

    assert.ok(server.alive, `the server exited: ${server.stderr}`);
    assert.equal(sqlInt(server, 'SELECT count(*) FROM audit_log'), auditBefore, 'nothing was written under the lock');
    assert.equal(sqlInt(server, "SELECT count(*) FROM person WHERE name LIKE '锁下%'"), 0);
    assert.equal(sqlInt(server, `SELECT failed_logins FROM "user" WHERE username = 'admin'`), 0);
    assert.equal(sqlInt(server, `SELECT count(*) FROM case_step WHERE case_id = ${caseId} AND action = 'note'`), 0);

    let r = await server.client().login('admin');
    assert.equal(r.status, 200, r.text);
    r = await admin.post(`/api/v1/case/${caseId}/note`, { note: '电话回访' });
    assert.equal(r.status, 201, r.text);
    r = await staff.post('/api/v1/session/password', { old_password: PASSWORD, new_password: 'new-password-2' });
    assert.equal(r.status, 204, r.text);
    assert.equal((await server.client().login('staff', 'new-password-2')).status, 200);
    r = await admin.post(`/api/v1/user/${viewerId}/password`, { password: 'reset-password-3' });
    assert.equal(r.status, 204, r.text);
    assert.equal((await server.client().login('viewer', 'reset-password-3')).status, 200);
    r = await admin.post(`/api/v1/user/${lockedId}/unlock`);
    assert.equal(r.status, 204, r.text);
    assert.equal((await server.client().login('locked')).status, 200);
    r = await staff.del('/api/v1/session');
    assert.equal(r.status, 204, r.text);
    assert.equal((await staff.get('/api/v1/session')).status, 401);
  });
});
