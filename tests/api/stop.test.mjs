// A stop during a long import (issue 15, item 7): SIGTERM while a 200,000-row census import
// is being written rolls the import back whole, new requests answer 503 while the server
// stops, and the process exits 0 within 2 s; afterwards the database holds none of the rows
// and the audit chain verifies. SQLite (the engine where one import holds the write lock).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { get as httpGet } from 'node:http';
import { test } from 'node:test';
import { BIN, Client, PASSWORD, freePort, freshDb, qiao } from '../lib/server.mjs';
import { census, sqlInt } from './helpers.mjs';

const ROWS = 200000;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// A GET on a connection of its own: a kept-alive one may belong to the server thread that
// is running the import, and wait for it (a request is served by the thread that accepted
// its connection).
const getFresh = (url, cookie) => new Promise((ok) => {
  const req = httpGet(url, { agent: false, headers: { Cookie: cookie } }, (res) => {
    let body = '';
    res.on('data', (d) => { body += d; });
    res.on('end', () => ok({ status: res.statusCode, json: (() => { try { return JSON.parse(body); } catch { return null; } })() }));
  });
  req.on('error', () => ok({ status: 0 }));
});

test('SIGTERM during a 200,000-row import: rolled back, 503 meanwhile, exit 0 within 2 s', async () => {
  const db = freshDb('sqlite');
  qiao(['init', '--db', db.url, '--org-name', '测试市归国华侨联合会']);
  qiao(['user', 'add', 'admin', '--role', 'admin', '--org', '1', '--db', db.url], { input: PASSWORD + '\n' });
  const port = await freePort();
  const proc = spawn(BIN, ['serve', '--db', db.url, '--listen', `127.0.0.1:${port}`, '--access-log', 'off'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, sig) => ok({ code, sig, at: Date.now() })));
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try { await fetch(url + '/api/v1/session'); break; } catch { if (i > 100) throw new Error(stderr); await sleep(50); }
    }
    const admin = new Client(url);
    assert.equal((await admin.login('admin')).status, 200);
    const before = sqlInt({ store: 'sqlite', db: db.url }, 'SELECT count(*) FROM audit_log');
    const upload = admin.req('POST', '/api/v1/import/person?job=7', census(ROWS), { headers: { 'Content-Type': 'application/octet-stream' } })
      .catch((e) => ({ status: 0, text: String(e) }));
    // wait until rows are being written
    let done = 0;
    for (let i = 0; i < 600 && done < 2000; i++) {
      await sleep(100);
      const j = await getFresh(url + '/api/v1/import/jobs/7', admin.cookie);
      done = j.status === 200 ? j.json.done : 0;
    }
    assert.ok(done >= 2000 && done < ROWS, `the import did not get going: ${done}`);
    // a request under way (its headers sent, its body not) keeps the stop's grace open
    const hold = connect(port, '127.0.0.1');
    await new Promise((ok) => hold.on('connect', ok));
    hold.write('POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
    hold.on('error', () => {});
    await sleep(100);
    const t0 = Date.now();
    proc.kill('SIGTERM');
    await sleep(100);
    const during = await fetch(url + '/api/v1/session').then((r) => r.status, (e) => `refused ${e}`);
    const r = await upload;
    const { code, sig, at } = await exited;
    hold.destroy();
    assert.equal(code, 0, `exit ${code ?? sig}: ${stderr}`);
    assert.ok(at - t0 < 2000, `the server took ${at - t0} ms to stop`);
    assert.equal(during, 503, 'a new request while stopping');
    assert.ok(r.status === 503 || r.status === 0, `the import answered ${r.status} ${r.text?.slice(0, 200)}`);
    const s = { store: 'sqlite', db: db.url };
    assert.equal(sqlInt(s, 'SELECT count(*) FROM person'), 0, 'rows of the stopped import were kept');
    assert.equal(sqlInt(s, 'SELECT count(*) FROM search_person'), 0);
    assert.equal(sqlInt(s, 'SELECT count(*) FROM audit_log'), before, 'audit entries of the stopped import were kept');
    const v = spawnSync(BIN, ['audit', 'verify', '--db', db.url], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stdout + v.stderr);
    console.log(`# stopped ${at - t0} ms after SIGTERM, ${done}+ of ${ROWS} rows had been written and were rolled back`);
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    db.drop();
  }
});
