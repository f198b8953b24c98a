// Faults under an import (issue 15, fault tests): the server killed with SIGKILL at random
// moments of a census import, 5 times over one database, leaves every import all or nothing
// (the people counted are a whole number of imports), the SQLite file passes
// `PRAGMA integrity_check` and the audit chain verifies (`qiao audit verify`); a full disk
// (a 6 MB tmpfs, made when the test runs as root, else skipped with a message) answers a
// clear 507 and loses nothing that was there; a disk full to the last byte is named as such
// when qiao cannot open the file.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BIN, Client, PASSWORD, STORES, freePort, freshDb, qiao } from '../lib/server.mjs';
import { census, sql, sqlInt } from './helpers.mjs';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function serve(dbUrl) {
  const port = await freePort();
  const proc = spawn(BIN, ['serve', '--db', dbUrl, '--listen', `127.0.0.1:${port}`, '--access-log', 'off'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, sig) => ok({ code, sig })));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { await fetch(url + '/api/v1/session'); break; } catch { if (i > 100 || proc.exitCode !== null) throw new Error(stderr); await sleep(50); }
  }
  const c = new Client(url);
  assert.equal((await c.login('admin')).status, 200);
  return { proc, exited, c, get stderr() { return stderr; } };
}

const verify = (dbUrl) => spawnSync(BIN, ['audit', 'verify', '--db', dbUrl], { encoding: 'utf8' });

for (const store of STORES) {
  test(`kill -9 at random moments of an import, 5 times: all or nothing, intact, the chain verifies (${store})`, async () => {
    const N = 2000;
    const db = freshDb(store);
    const s = { store, db: db.url };
    qiao(['init', '--db', db.url, '--org-name', '测试市归国华侨联合会']);
    qiao(['user', 'add', 'admin', '--role', 'admin', '--org', '1', '--db', db.url], { input: PASSWORD + '\n' });
    const seen = [];
    try {
      // how long one import takes here: the kills fall anywhere in 1.3 times that
      const first = await serve(db.url);
      const t0 = Date.now();
      const r0 = await first.c.req('POST', '/api/v1/import/person', census(N, '计时'), { headers: { 'Content-Type': 'application/octet-stream' } });
      assert.equal(r0.status, 200, r0.text.slice(0, 300));
      const T = Date.now() - t0;
      first.proc.kill('SIGTERM');
      await first.exited;
      for (let round = 0; round < 5; round++) {
        const srv = await serve(db.url);
        const csv = census(N, `第${round}轮`);
        srv.c.req('POST', '/api/v1/import/person', csv, { headers: { 'Content-Type': 'application/octet-stream' } }).catch(() => {});
        await sleep(Math.floor(Math.random() * 1.3 * T)); // before, during or after the commit
        srv.proc.kill('SIGKILL');
        await srv.exited;
        const people = sqlInt(s, 'SELECT count(*) FROM person');
        seen.push(people);
        assert.equal(people % N, 0, `round ${round}: ${people} people, not a whole number of imports`);
        // every import that is there is there whole, with its audit entries
        for (const tag of sql(s, 'SELECT DISTINCT notes FROM person').split('\n').filter(Boolean))
          assert.equal(sqlInt(s, `SELECT count(*) FROM person WHERE notes = '${tag}'`), N, tag);
        assert.equal(sqlInt(s, "SELECT count(*) FROM audit_log WHERE action = 'import'"), people / N);
        if (store === 'sqlite') assert.equal(sql(s, 'PRAGMA integrity_check'), 'ok');
        const v = verify(db.url);
        assert.equal(v.status, 0, `round ${round}: ${v.stdout}${v.stderr}`);
      }
      console.log(`# one import of ${N} rows: ${T} ms; people after each kill: ${seen.join(', ')}`);
    } finally {
      db.drop();
    }
  });
}

const root = process.getuid?.() === 0;

/** A fresh database with an admin on a tmpfs of SIZE, served; fn(srv, s) runs against it;
 * everything is stopped and unmounted after. */
async function onSmallDisk(t, size, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'qiao-full-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs here: ${m.stderr.trim()}`);
    return;
  }
  const dbUrl = join(dir, 'qiao.db');
  const s = { store: 'sqlite', db: dbUrl };
  let srv;
  try {
    qiao(['init', '--db', dbUrl, '--org-name', '测试市归国华侨联合会']);
    qiao(['user', 'add', 'admin', '--role', 'admin', '--org', '1', '--db', dbUrl], { input: PASSWORD + '\n' });
    srv = await serve(dbUrl);
    await fn(srv, s);
    // still serving on the full disk; then, room made as an operator would (SQLite needs
    // some to open a file in WAL mode, and qiao's start writes), the file is whole and the
    // chain verifies
    assert.equal((await srv.c.get('/api/v1/person?per_page=1')).status, 200);
    srv.proc.kill('SIGTERM');
    const { code } = await srv.exited;
    assert.equal(code, 0, srv.stderr);
    srv = null;
    const grow = spawnSync('mount', ['-o', 'remount,size=64m', dir], { encoding: 'utf8' });
    assert.equal(grow.status, 0, grow.stderr);
    assert.equal(sql(s, 'PRAGMA integrity_check'), 'ok');
    const v = verify(dbUrl);
    assert.equal(v.status, 0, v.stdout + v.stderr);
  } finally {
    if (srv) { srv.proc.kill('SIGTERM'); await srv.exited; }
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a full disk', { skip: !root && 'not root: cannot mount a small tmpfs for the full disk' }, () => {
  test('an import that fills the disk answers 507 storage_full and loses nothing (sqlite)', async (t) => {
    await onSmallDisk(t, '6m', async (srv, s) => {
      const small = await srv.c.req('POST', '/api/v1/import/person', census(50, '小'), { headers: { 'Content-Type': 'application/octet-stream' } });
      assert.equal(small.status, 200, small.text);
      const before = [sqlInt(s, 'SELECT count(*) FROM person'), sqlInt(s, 'SELECT count(*) FROM audit_log')];
      const r = await srv.c.req('POST', '/api/v1/import/person', census(60000, '大'), { headers: { 'Content-Type': 'application/octet-stream' } });
      assert.equal(r.status, 507, `${r.status} ${r.text.slice(0, 300)} ${srv.stderr}`);
      assert.equal(r.json.error.code, 'storage_full');
      assert.match(r.json.error.message, /磁盘已满/);
      assert.deepEqual([sqlInt(s, 'SELECT count(*) FROM person'), sqlInt(s, 'SELECT count(*) FROM audit_log')], before);
      const l = await srv.c.get('/api/v1/person?per_page=1');
      assert.equal(l.json.total, 50);
    });
  });

  test('a disk full to the last byte: qiao cannot open the file, and says the disk is full (sqlite)', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'qiao-full-'));
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', dir], { encoding: 'utf8' });
    if (m.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      t.skip(`cannot mount a tmpfs here: ${m.stderr.trim()}`);
      return;
    }
    try {
      const dbUrl = join(dir, 'qiao.db');
      qiao(['init', '--db', dbUrl, '--org-name', '测试市归国华侨联合会']);
      for (const bs of ['64k', '4k', '512']) // SQLite must make its -shm file to open it
        spawnSync('dd', ['if=/dev/zero', `of=${join(dir, `filler${bs}`)}`, `bs=${bs}`], { encoding: 'utf8' });
      const v = verify(dbUrl);
      assert.notEqual(v.status, 0, v.stdout);
      assert.match(v.stderr, /无法打开数据库 .*: 数据库所在的磁盘已满, 请清理或扩充磁盘后再试/);
    } finally {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Record writes that arrive together share a transaction (http.c's group commit): when
  // the disk fills under 16 writers, a write answered 201 is there and one answered 507 is
  // not, whichever of them shared the transaction that failed.
  test('16 writers filling the disk: each 201 is kept, each 507 left nothing (sqlite)', async (t) => {
    await onSmallDisk(t, '6m', async (srv, s) => {
      const notes = '侨'.repeat(1500);
      const kept = [], refused = [];
      let n = 0;
      const writer = async (w) => {
        while (refused.length < 60 && n < 20000) {
          const name = `满盘${w}号${n++}`;
          const r = await srv.c.post('/api/v1/person', { name, notes });
          if (r.status === 201) kept.push([name, r.json.id]);
          else {
            assert.equal(r.status, 507, `${r.status} ${r.text.slice(0, 300)}`);
            assert.equal(r.json.error.code, 'storage_full');
            refused.push(name);
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
      assert.ok(kept.length > 30 && refused.length >= 60, `${kept.length} kept, ${refused.length} refused`);
      const there = new Map(sql(s, 'SELECT name, id FROM person').split('\n').filter(Boolean).map((l) => l.split('|')));
      for (const [name, id] of kept) assert.equal(there.get(name), String(id), `${name} was answered 201`);
      for (const name of refused) assert.ok(!there.has(name), `${name} was answered 507 but is there`);
      assert.equal(there.size, kept.length);
      assert.equal(sqlInt(s, "SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'person'"), kept.length);
    });
  });
});
