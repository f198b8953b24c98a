// `qiao backup --db DB FILE` (SPEC "The fixed interface", issue 15): a consistent copy of a
// SQLite database while it is served and written to; the copy's audit chain verifies, its
// counts are those of one moment, and it holds no sessions, so that a restore does not
// bring back sessions that ended after the backup. On PostgreSQL it names pg_dump.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, PASSWORD, STORES, startServer, freePort } from '../lib/server.mjs';

const root = resolve(import.meta.dirname, '../..');
const run = (args) => spawnSync(BIN, args, { encoding: 'utf8' });
const count = (db, sql) => Number(spawnSync('sqlite3', [db, sql], { encoding: 'utf8' }).stdout.trim());

describe('qiao backup (sqlite)', () => {
  let server, admin, dir;
  before(async () => {
    server = await startServer();
    admin = await server.login('admin');
    dir = mkdtempSync(join(tmpdir(), 'qiao-backup-'));
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a copy made while people are written verifies, holds one moment and no sessions', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await admin.post('/api/v1/person', { name: `备份前${i}` })).status, 201);
    let writing = true, written = 0;
    const writer = (async () => {
      while (writing) {
        const r = await admin.post('/api/v1/person', { name: `备份中${written}` });
        if (r.status === 201) written++;
      }
    })();
    await new Promise((ok) => setTimeout(ok, 200));
    const file = join(dir, 'copy.db');
    const r = await new Promise((ok) => {
      const p = spawn(BIN, ['backup', '--db', server.db, file], { encoding: 'utf8' });
      let out = '', err = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { err += d; });
      p.on('exit', (code) => ok({ code, out, err }));
    });
    writing = false;
    await writer;
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /已备份到/);
    assert.ok(written > 0, 'writes went on during the backup');
    assert.ok(!existsSync(file + '.tmp'));
    const v = run(['audit', 'verify', '--db', file]);
    assert.equal(v.status, 0, v.stderr);
    const people = count(file, 'SELECT count(*) FROM person');
    const audited = count(file, "SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'person'");
    assert.equal(people, audited, 'every person in the copy has its audit entry, and no entry is without its person');
    assert.ok(people >= 20 && people <= count(server.db, 'SELECT count(*) FROM person'));
    assert.equal(count(file, 'SELECT count(*) FROM session'), 0, 'no sessions in the copy');
    // a second backup to the same file is refused, the copy left alone
    const again = run(['backup', '--db', server.db, file]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /已存在/);
    assert.equal(count(file, 'SELECT count(*) FROM person'), people);

    // restored: served, the old session is gone, a login works, the counts are the copy's
    const port = await freePort();
    const p = spawn(BIN, ['serve', '--db', file, '--listen', `127.0.0.1:${port}`, '--web', join(root, 'build/web'), '--access-log', 'off'], { stdio: 'ignore' });
    try {
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        try { await fetch(url + '/api/v1/session'); break; } catch (e) { await new Promise((ok) => setTimeout(ok, 50)); }
      }
      const old = await fetch(url + '/api/v1/person', { headers: { Cookie: admin.cookie } });
      assert.equal(old.status, 401, 'a session from before the backup does not survive the restore');
      const login = await fetch(url + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
      assert.equal(login.status, 200);
      const cookie = login.headers.get('set-cookie').split(';')[0];
      const list = await (await fetch(url + '/api/v1/person?per_page=1', { headers: { Cookie: cookie } })).json();
      assert.equal(list.total, people);
    } finally {
      p.kill('SIGTERM');
    }
  });
});

if (STORES.includes('pg')) {
  describe('qiao backup (pg)', () => {
    let server;
    before(async () => { server = await startServer({ store: 'pg' }); });
    after(() => server?.stop());
    test('names the engine\'s own tool', () => {
      const r = run(['backup', '--db', server.db, join(tmpdir(), `qiao-pg-copy-${process.pid}.db`)]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /pg_dump/);
    });
  });
}
