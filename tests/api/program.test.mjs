// The program (SPEC "The fixed interface"): `qiao init` twice, an old database upgraded in
// place, `qiao serve` and SIGTERM, static files, security headers.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, PASSWORD, STORES, freshDb, qiao, startServer } from '../lib/server.mjs';
import { CJK, assertError, qiaoRun, serve, snapshot, sql } from './helpers.mjs';

function assertSecurityHeaders(res, what) {
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP ${csp}`);
  assert.match(csp, /default-src 'self'/, `${what}: CSP ${csp}`);
  assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/, `${what}: no inline scripts`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
  assert.ok(res.headers.get('referrer-policy'), `${what}: Referrer-Policy`);
}

for (const store of STORES) {
  describe(`qiao init (${store})`, () => {
    let db;
    const dbh = () => ({ store, db: db.url });
    before(() => { db = freshDb(store); });
    after(() => db?.drop());

    test('the first run creates the schema and the root org (id 1)', () => {
      const r = qiaoRun(['init', '--db', db.url, '--org-name', '清江市归国华侨联合会']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, CJK);
      assert.equal(sql(dbh(), 'SELECT id, name, CASE WHEN parent_id IS NULL THEN 1 ELSE 0 END FROM "org"'), '1|清江市归国华侨联合会|1');
      assert.match(sql(dbh(), "SELECT value FROM qiao_meta WHERE key = 'schema_version'"), /^[1-9]\d*$/);
    });

    test('the second run changes nothing, says so and exits 0', () => {
      const before_ = snapshot(dbh());
      const r = qiaoRun(['init', '--db', db.url, '--org-name', '另一个名字']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /未做改动|没有改动|无改动|已初始化/, r.stdout);
      assert.equal(snapshot(dbh()), before_);
      assert.equal(sql(dbh(), 'SELECT name FROM "org" WHERE id = 1'), '清江市归国华侨联合会');
    });

    test('init without --org-name is refused with a Chinese message', () => {
      const r = qiaoRun(['init', '--db', db.url]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, CJK);
    });
  });

  describe(`an old database upgraded in place (${store})`, () => {
    let db, dbh, orgId, version;
    const schemaVersion = () => sql(dbh, "SELECT value FROM qiao_meta WHERE key = 'schema_version'");
    before(async () => {
      db = freshDb(store);
      dbh = { store, db: db.url };
      qiao(['init', '--db', db.url, '--org-name', '清江市归国华侨联合会']);
      qiao(['user', 'add', 'admin', '--role', 'admin', '--org', '1', '--db', db.url], { input: PASSWORD + '\n' });
      const s = await serve(db.url);
      const c = new Client(s.url);
      assert.equal((await c.login('admin')).status, 200);
      const r = await c.post('/api/v1/org', { parent_id: 1, name: '升级前的侨联', kind: 'federation', level: 'county', notes: '旧数据' });
      assert.equal(r.status, 201, r.text);
      orgId = r.json.id;
      assert.equal(await s.stop(), 0, s.stderr);
      version = schemaVersion();
      assert.match(version, /^[1-9]\d*$/);
    });
    after(() => db?.drop());

    test('serving it again keeps schema_version and the data', async () => {
      const orgs = sql(dbh, 'SELECT * FROM "org" ORDER BY id');
      const s = await serve(db.url);
      const c = new Client(s.url);
      assert.equal((await c.login('admin')).status, 200);
      const r = await c.get(`/api/v1/org/${orgId}`);
      assert.equal(r.json.name, '升级前的侨联');
      assert.equal(r.json.notes, '旧数据');
      assert.equal(await s.stop(), 0, s.stderr);
      assert.equal(schemaVersion(), version);
      assert.equal(sql(dbh, 'SELECT * FROM "org" ORDER BY id'), orgs);
    });

    test('a database from before a column and a table existed gets them, data kept', async () => {
      // An older release: org had no base_category, and there was no person table.
      // (Tables added since refer to person; PostgreSQL needs CASCADE to drop their keys.)
      sql(dbh, ['ALTER TABLE "org" DROP COLUMN base_category', `DROP TABLE person${store === 'pg' ? ' CASCADE' : ''}`]);
      const orgsBefore = sql(dbh, 'SELECT id, name, notes, path FROM "org" ORDER BY id');
      const s = await serve(db.url);
      const c = new Client(s.url);
      assert.equal((await c.login('admin')).status, 200);
      let r = await c.patch(`/api/v1/org/${orgId}`, { kind: 'base', level: null, base_category: '爱国主义教育' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.base_category, '爱国主义教育');
      r = await c.get('/api/v1/person');
      assert.equal(r.status, 200, r.text);
      assert.equal(await s.stop(), 0, s.stderr);
      assert.equal(sql(dbh, 'SELECT id, name, notes, path FROM "org" ORDER BY id'), orgsBefore);
      assert.equal(schemaVersion(), version);
    });

    test('a ledger index an older qiao made is dropped, and the one that replaced it made', async () => {
      const indexes = () => sql(dbh, store === 'pg'
        ? "SELECT indexname FROM pg_indexes WHERE tablename = 'donation' ORDER BY 1"
        : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'donation' ORDER BY 1").split('\n');
      sql(dbh, ['DROP INDEX donation_book_i',
        'CREATE INDEX donation_balance_i ON "donation" (programme_id, deleted_at, org_id, amount_cny)',
        'CREATE INDEX donation_ledger_i ON "donation" (programme_id, received_on)']);
      assert.ok(indexes().includes('donation_ledger_i'));
      const s = await serve(db.url);
      assert.equal(await s.stop(), 0, s.stderr);
      const now = indexes();
      assert.ok(now.includes('donation_book_i'), now.join(' '));
      assert.ok(!now.includes('donation_balance_i') && !now.includes('donation_ledger_i'), now.join(' '));
    });

    test('a database newer than the program is refused and left alone', () => {
      sql(dbh, "UPDATE qiao_meta SET value = '99' WHERE key = 'schema_version'");
      const snap = snapshot(dbh);
      const r = qiaoRun(['serve', '--db', db.url, '--listen', '127.0.0.1:1']);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, CJK);
      assert.equal(snapshot(dbh), snap);
      assert.equal(schemaVersion(), '99');
    });
  });

  describe(`qiao serve: SIGTERM, static files, security headers (${store})`, () => {
    let server, web, admin;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      web = mkdtempSync(join(tmpdir(), 'qiao-web-'));
      mkdirSync(join(web, 'assets'));
      writeFileSync(join(web, 'index.html'), '<!doctype html><html lang="zh-CN"><title>侨联信息平台</title><div id="app"></div></html>\n');
      writeFileSync(join(web, 'assets', 'app-3f2a1b.js'), 'console.log("侨");\n');
    });
    after(async () => {
      rmSync(web, { recursive: true, force: true });
      await server?.stop();
    });

    test('qiao serve exits 0 on SIGTERM, and on SIGINT', async () => {
      for (const sig of ['SIGTERM', 'SIGINT']) {
        const s = await serve(server.db, ['--web', web]);
        assert.equal((await fetch(s.url + '/')).status, 200);
        assert.equal(await s.stop(sig), 0, `${sig}: ${s.stderr}`);
      }
    });

    test('the page at / is served as HTML, revalidated by ETag', async () => {
      const s = await serve(server.db, ['--web', web]);
      try {
        const r = await fetch(s.url + '/');
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type'), /^text\/html/);
        assert.match(await r.text(), /侨联信息平台/);
        const etag = r.headers.get('etag');
        assert.ok(etag);
        assert.equal(r.headers.get('cache-control'), 'no-cache');
        const again = await fetch(s.url + '/', { headers: { 'If-None-Match': etag } });
        assert.equal(again.status, 304);
        assertSecurityHeaders(r, 'GET /');
      } finally {
        assert.equal(await s.stop(), 0, s.stderr);
      }
    });

    test('an app route answers the page; an asset is cached; a missing file is 404', async () => {
      const s = await serve(server.db, ['--web', web]);
      try {
        let r = await fetch(s.url + '/org/list');
        assert.equal(r.status, 200);
        assert.match(await r.text(), /id="app"/);
        r = await fetch(s.url + '/assets/app-3f2a1b.js');
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type'), /javascript/);
        assert.match(r.headers.get('cache-control'), /max-age=\d{6,}/);
        r = await fetch(s.url + '/assets/missing-000.js');
        assert.equal(r.status, 404);
        assertSecurityHeaders(r, '404 asset');
        r = await fetch(s.url + '/index.html', { method: 'POST', body: 'x' });
        assert.equal(r.status, 405);
      } finally {
        assert.equal(await s.stop(), 0, s.stderr);
      }
    });

    test('API answers carry the security headers and no-store, errors too', async () => {
      const anon = server.client();
      for (const [what, r] of [
        ['GET /api/v1/session (401)', await anon.get('/api/v1/session')],
        ['GET /api/v1/org', await admin.get('/api/v1/org')],
        ['GET /api/v1/nothing (404)', await admin.get('/api/v1/nothing')],
        ['POST /api/v1/org (422)', await admin.post('/api/v1/org', {})],
      ]) {
        assertSecurityHeaders(r, what);
        assert.match(r.headers.get('cache-control') ?? '', /no-store/, what);
        assert.match(r.headers.get('content-type') ?? '', /^application\/json/, what);
      }
    });

    test('the session cookie is HttpOnly and SameSite=Strict', async () => {
      const res = await fetch(server.url + '/api/v1/session', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }),
      });
      assert.equal(res.status, 200);
      const cookie = res.headers.get('set-cookie');
      assert.match(cookie, /^qiao_session=[0-9a-f]{64};/);
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Strict/i);
      assert.match(cookie, /Path=\//);
    });

    test('an unknown API path answers a JSON 404, never the page', async () => {
      assertError(await admin.get('/api/v2/org'), 404, 'not_found');
    });
  });
}
