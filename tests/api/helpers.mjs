// Helpers shared by the API tests (not a test file itself: node --test runs *.test.mjs).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { BIN, PASSWORD } from '../lib/server.mjs';

export { PASSWORD };

/** Han characters: every message for users is Chinese. */
export const CJK = /[\u3400-\u9fff]/;

/**
 * The answer is the error {error: {code, message, field}}: the status, the code (when
 * given), a Chinese message and the field at fault (when given; null = no field).
 */
export function assertError(res, status, code, field) {
  const what = `${res.status} ${res.text.slice(0, 300)}`;
  assert.equal(res.status, status, `expected status ${status}, got ${what}`);
  assert.ok(res.json && typeof res.json.error === 'object', `no {error} object: ${what}`);
  const e = res.json.error;
  if (code !== undefined) assert.equal(e.code, code, `error code: ${what}`);
  assert.equal(typeof e.code, 'string');
  assert.match(e.message, CJK, `message is not Chinese: ${what}`);
  if (field === null) assert.equal(e.field, undefined, `no field expected: ${what}`);
  else if (field !== undefined) assert.equal(e.field, field, `error field: ${what}`);
  return e;
}

/** A 4xx, never a 5xx, with the error shape when it is an error. */
export function assertNot5xx(res, what = '') {
  assert.ok(res.status < 500, `${what}: answered ${res.status} ${res.text.slice(0, 300)}`);
  if (res.status >= 400) {
    assert.ok(res.json?.error?.code, `${what}: error without {error: {code}}: ${res.text.slice(0, 200)}`);
    assert.match(res.json.error.message, CJK, `${what}: message is not Chinese`);
  }
}

/** Run SQL directly on the server's database (the operator's tools); answers stdout.
 * Several statements may be given as an array (one process for all). */
export function sql(server, query) {
  const qs = [].concat(query);
  const r = server.store === 'pg'
    ? spawnSync('psql', [server.db, '-qAt', '-v', 'ON_ERROR_STOP=1', ...qs.flatMap((q) => ['-c', q])], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 5000', server.db, qs.map((q) => q.replace(/;?\s*$/, ';')).join('\n')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sql ${qs.join('; ')}: ${r.stderr}`);
  return r.stdout.trim();
}

export function sqlInt(server, query) {
  return Number(sql(server, query));
}

/** Everything a failed request must leave alone: orgs, users, the audit trail. */
export function snapshot(server) {
  return sql(server, [
    'SELECT * FROM "org" ORDER BY id',
    'SELECT id, org_id, username, name, role, status, deleted_at, updated_at FROM "user" ORDER BY id',
    'SELECT count(*), max(seq) FROM audit_log',
  ]);
}

/** Assert that fn's requests changed nothing in the database. */
export async function unchanged(server, fn) {
  const before = snapshot(server);
  const r = await fn();
  assert.equal(snapshot(server), before, 'the database changed');
  return r;
}

/** Create an org (as client c) and return the record; fails the test on any error. */
/** POST body to path as c, asserting 201; the record made. */
export async function created(c, path, body) {
  const r = await c.post(path, body);
  assert.equal(r.status, 201, `${path}: ${r.text}`);
  return r.json;
}

export async function mkOrg(c, fields) {
  const r = await c.post('/api/v1/org', { kind: 'federation', parent_id: 1, ...fields });
  assert.equal(r.status, 201, `create org ${JSON.stringify(fields)}: ${r.status} ${r.text}`);
  return r.json;
}

/** Every item of a list (all pages). */
export async function listAll(c, entity, query = '') {
  const items = [];
  for (let page = 1; ; page++) {
    const r = await c.get(`/api/v1/${entity}?per_page=200&page=${page}${query ? '&' + query : ''}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    if (items.length >= r.json.total) return items;
  }
}

/** GET as raw bytes (fetch's text() would eat a BOM). */
export async function getBytes(c, path) {
  const res = await fetch(c.url + path, { headers: c.cookie ? { Cookie: c.cookie } : {} });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** A minimal RFC 4180 CSV parser: rows of cells. */
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') i++;
    if (ch === '\n' || ch === '\r') { row.push(cell); rows.push(row); row = []; cell = ''; i++; continue; }
    cell += ch; i++;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * `qiao serve` on an existing database with extra options (the harness's startServer
 * always makes a fresh one). stop() sends SIGTERM (or the signal given) and answers the exit code.
 */
export async function serve(dbUrl, extra = []) {
  const port = await freePort();
  const proc = spawn(BIN, ['serve', '--db', dbUrl, '--listen', `127.0.0.1:${port}`, '--access-log', 'off', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, sig) => ok(code ?? sig)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { await fetch(url + '/api/v1/session'); break; } catch {
      if (i > 100 || proc.exitCode !== null) throw new Error(`qiao serve did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    get stderr() { return stderr; },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Run qiao without throwing; answers {status, stdout, stderr}. */
export function qiaoRun(args, input) {
  return spawnSync(BIN, args, { input, encoding: 'utf8' });
}

/** An invented census sheet of n people (CSV text): 姓名, 性别, 出生日期, 国籍, and 备注 = tag
 * when a tag is given (to tell one import's rows from another's). */
export function census(n, tag) {
  const sur = '陈林黄吴王张许郭叶蔡', giv = '嘉庚文庆明华国强志伟';
  const lines = [tag === undefined ? '姓名,性别,出生日期,国籍' : '姓名,性别,出生日期,国籍,备注'];
  for (let i = 0; i < n; i++)
    lines.push(`${sur[i % 10]}${giv[(i / 10 | 0) % 10]}${giv[(i / 100 | 0) % 10]},${i % 2 ? '男' : '女'},19${50 + i % 40}-0${1 + i % 9}-1${i % 9},SG${tag === undefined ? '' : ',' + tag}`);
  return lines.join('\n') + '\n';
}

/** LibreOffice headless (Debian's soffice) converting files into outdir as `to` (xlsx, xls),
 * with its profile under profileDir and the CSV read as infilter says; resolves to
 * {status, stderr}. Run without blocking the event loop: a blocked loop does not see the
 * server close an idle keep-alive connection (after 30 s) and the next request fails on it. */
export function soffice({ profileDir, to, outdir, files, infilter }) {
  const args = [`-env:UserInstallation=file://${profileDir}/profile`, '--headless',
    ...(infilter ? [`--infilter=${infilter}`] : []), '--convert-to', to, '--outdir', outdir, ...files];
  return new Promise((res) => {
    const p = spawn('soffice', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), 180e3);
    p.on('close', (status) => { clearTimeout(timer); res({ status, stderr }); });
  });
}

/** The last year of China's holiday table as the build generated it: the newest date of the
 * npm package chinese-days that tools/gen_holidays.sh reads. */
export function nationalHolidaysUntil() {
  const j = JSON.parse(readFileSync(new URL('../../web/node_modules/chinese-days/dist/chinese-days.json', import.meta.url), 'utf8'));
  return Math.max(...[...Object.keys(j.holidays), ...Object.keys(j.workdays)].map((d) => Number(d.slice(0, 4))));
}
