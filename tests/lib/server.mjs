// Start a real qiao server for a test: a fresh database (SQLite file or a new PostgreSQL
// database on the test cluster), `qiao init`, users, `qiao serve` on a free 127.0.0.1
// port. stop() sends SIGTERM, checks the exit status and removes what it made.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
export const BIN = process.env.QIAO_BIN || join(root, 'build/test/qiao');
export const PASSWORD = 'test-password-1';
export const STORES = (process.env.QIAO_STORES || 'sqlite' + (process.env.QIAO_PG_URL ? ',pg' : ''))
  .split(',').filter(Boolean);

// The command line prints in the environment's language (LC_ALL, LC_MESSAGES, LANG): the
// tests that read its Chinese run it, and everything they start, in a neutral UTF-8 locale
// whatever the developer's (a test of another language passes its own env).
process.env.LC_ALL = 'C.UTF-8';

let dbCounter = 0;

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Run `qiao ARGS` to completion (env: variables to add); throws with its output when it
 * fails (unless allowFail). */
export function qiao(args, { input, allowFail = false, env } = {}) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8', env: env && { ...process.env, ...env } });
  if (r.status !== 0 && !allowFail)
    throw new Error(`qiao ${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return r;
}

/** A fresh empty database URL for the store, and how to drop it. */
export function freshDb(store) {
  if (store === 'pg') {
    const base = process.env.QIAO_PG_URL;
    if (!base) throw new Error('QIAO_PG_URL is not set (scripts/test.sh starts PostgreSQL)');
    const name = `qiao_t${process.pid}_${++dbCounter}`;
    const psql = (sql) => spawnSync('psql', [base, '-qAtc', sql], { encoding: 'utf8' });
    const r = psql(`CREATE DATABASE ${name}`);
    if (r.status !== 0) throw new Error(`createdb: ${r.stderr}`);
    return { url: base.replace(/\/[^/]*$/, `/${name}`), drop: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'qiao-test-'));
  return { url: join(dir, 'qiao.db'), dir, drop: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An HTTP client with a cookie jar and the CSRF token of its session. */
export class Client {
  constructor(url) { this.url = url; this.cookie = ''; this.csrf = ''; }

  async req(method, path, body, { headers = {}, csrf = true, raw = false } = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (csrf && this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      h['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(this.url + path, { method, headers: h, body: payload, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0].endsWith('=') ? '' : set.split(';')[0];
    const text = await res.text();
    let json = null;
    if (!raw && (res.headers.get('content-type') || '').includes('json')) json = JSON.parse(text);
    return { status: res.status, json, text, headers: res.headers };
  }
  get(p, o) { return this.req('GET', p, undefined, o); }
  post(p, b, o) { return this.req('POST', p, b, o); }
  patch(p, b, o) { return this.req('PATCH', p, b, o); }
  del(p, o) { return this.req('DELETE', p, undefined, o); }

  async login(username, password = PASSWORD) {
    const r = await this.post('/api/v1/session', { username, password });
    if (r.status === 200) this.csrf = r.json.csrf_token;
    return r;
  }
}

/**
 * Start a server. users: {name: {role, org}} added with `qiao user add` (org id, default 1);
 * by default an admin named "admin"; serveArgs: more options for `qiao serve`.
 * Returns {url, db, store, client(), login(name), alive, stop()}.
 */
export async function startServer({ store = 'sqlite', users = { admin: { role: 'admin' } }, orgName = '测试市归国华侨联合会', demo = false, serveArgs = [] } = {}) {
  const db = freshDb(store);
  qiao(['init', '--db', db.url, '--org-name', orgName]);
  if (demo) qiao(['demo', '--db', db.url]);
  for (const [name, u] of Object.entries(users))
    qiao(['user', 'add', name, '--role', u.role, '--org', String(u.org ?? 1), '--db', db.url], { input: PASSWORD + '\n' });
  const port = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), 'qiao-log-'));
  const proc = spawn(BIN, ['serve', '--db', db.url, '--listen', `127.0.0.1:${port}`, '--web', join(root, 'build/web'),
    '--access-log', join(logDir, 'access.log'), ...serveArgs],
    { stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, sig) => ok({ code, sig })));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { await fetch(url + '/api/v1/session'); break; } catch (e) {
      if (i > 100 || proc.exitCode !== null) throw new Error(`qiao serve did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const server = {
    url, db: db.url, store, port,
    get stderr() { return stderr; },
    /** The server process has not exited. */
    get alive() { return proc.exitCode === null && proc.signalCode === null; },
    client: () => new Client(url),
    async login(name, password = PASSWORD) {
      const c = new Client(url);
      const r = await c.login(name, password);
      if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${r.text}`);
      return c;
    },
    /** Add a user directly (as the operator would). */
    addUser(name, role, org = 1) {
      qiao(['user', 'add', name, '--role', role, '--org', String(org), '--db', db.url], { input: PASSWORD + '\n' });
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const { code, sig } = await exited;
      rmSync(logDir, { recursive: true, force: true });
      db.drop();
      if (code !== 0) throw new Error(`qiao serve exited ${code ?? sig} after SIGTERM: ${stderr}`);
    },
  };
  return server;
}
