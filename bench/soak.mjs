// bench/soak.mjs - a soak of `qiao serve` on the demo federation: 64 connections for
// SOAK_SECONDS (60) of mixed reads and writes (logins, name searches, lists, creates of
// people) while census imports of 20,000 invented rows run one after another. It counts
// every answer; any error other than a 503 (which asks the client to retry) fails the run.
// It samples the server's RSS every 2 s (flat: the last third's mean against the middle
// third's, once the caches and the first import are warm), verifies the audit chain afterwards, and prints the request rate beside the
// rate of the same mix with no import running (a 10 s run first): the obvious alternative.
// Usage: node bench/soak.mjs   (needs build/qiao; writes into build/bench-soak/)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, freePort } from '../tests/lib/server.mjs';
import { census } from '../tests/api/helpers.mjs';

const root = resolve(import.meta.dirname, '..');
const BIN = join(root, 'build/qiao');
const dir = join(root, 'build/bench-soak');
const SECONDS = Number(process.env.SOAK_SECONDS || 60);
const CONNS = 64;
const PW = 'qiao-demo-2024';
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const db = join(dir, 'soak.db');
const run = (args) => {
  const r = spawnSync(BIN, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qiao ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
run(['init', '--db', db, '--org-name', '清江市归国华侨联合会']);
run(['demo', '--db', db]);
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const proc = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--access-log', 'off'], { stdio: ['ignore', 'ignore', 'inherit'] });
for (let i = 0; ; i++) {
  try { await fetch(url + '/api/v1/session'); break; } catch { if (i > 200) throw new Error('no server'); await sleep(50); }
}

const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))[1]) / 1024;
const users = ['staff', 'jiangkou', 'yunxi', 'shimen', 'meiling', 'qingshan', 'admin'];
const names = ['陈', '林', '黄', '吴', '王', '张', 'Tan', 'Lim', '李', '梁'];
let seq = 0;

async function phase(seconds, withImport) {
  const stats = { ok: 0, busy: 0, errors: 0, byKind: {}, imports: 0, firstErrors: [] };
  const end = Date.now() + seconds * 1000;
  const note = (kind, r) => {
    const k = (stats.byKind[kind] ??= { n: 0, ms: 0 });
    k.n++;
    if (r.status === 503) stats.busy++;
    else if (r.status >= 400 || r.status === 0) {
      stats.errors++;
      if (stats.firstErrors.length < 5) stats.firstErrors.push(`${kind} ${r.status} ${String(r.text).slice(0, 160)}`);
    } else stats.ok++;
  };
  const call = async (kind, fn) => {
    const t0 = performance.now();
    let r;
    try { r = await fn(); } catch (e) { r = { status: 0, text: String(e) }; }
    (stats.byKind[kind] ??= { n: 0, ms: 0 }).ms += performance.now() - t0;
    note(kind, r);
    return r;
  };
  const worker = async (w) => {
    let c = new Client(url);
    let i = 0;
    while (Date.now() < end) {
      if (i % 40 === 0) { // a fresh login now and then
        c = new Client(url);
        const r = await call('login', () => c.login(users[w % users.length], PW));
        if (r.status !== 200) { await sleep(200); continue; }
      }
      const pick = i++ % 10;
      if (pick < 4) await call('search', () => c.get(`/api/v1/search?q=${encodeURIComponent(names[(w + i) % names.length])}`));
      else if (pick < 7) await call('list', () => c.get(`/api/v1/person?page=${1 + (i % 5)}&sort=-updated_at`));
      else if (pick < 8) await call('read', () => c.get('/api/v1/association?per_page=20'));
      else await call('create', () => c.post('/api/v1/person', { name: `浸泡${w}号${seq++}`, categories: ['returnee'] }));
    }
  };
  const importer = async () => {
    const c = new Client(url);
    await c.login('admin', PW);
    const csv = census(20000);
    while (Date.now() < end) {
      const r = await call('import', () => c.req('POST', '/api/v1/import/person', csv, { headers: { 'Content-Type': 'application/octet-stream' } }));
      if (r.status === 200) stats.imports++;
    }
  };
  const samples = [];
  const sampler = (async () => { while (Date.now() < end) { samples.push(rss()); await sleep(2000); } })();
  const t0 = Date.now();
  await Promise.all([...Array.from({ length: CONNS - (withImport ? 1 : 0) }, (_, w) => worker(w)), ...(withImport ? [importer()] : []), sampler]);
  stats.seconds = (Date.now() - t0) / 1000;
  stats.samples = samples;
  return stats;
}

const base = await phase(10, false);
const soak = await phase(SECONDS, true);
proc.kill('SIGTERM');
const code = await new Promise((ok) => proc.on('exit', ok));
const verify = spawnSync(BIN, ['audit', 'verify', '--db', db], { encoding: 'utf8' });

const rate = (s) => (s.ok + s.busy) / s.seconds;
const third = Math.max(1, Math.floor(soak.samples.length / 3));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const early = mean(soak.samples.slice(third, 2 * third)), late = mean(soak.samples.slice(-third));
console.log(`soak: ${CONNS} connections, ${soak.seconds.toFixed(0)} s, demo federation, imports of 20,000 rows running throughout`);
for (const [k, v] of Object.entries(soak.byKind))
  console.log(`  ${k.padEnd(7)} ${String(v.n).padStart(7)} requests  mean ${(v.ms / v.n).toFixed(1).padStart(7)} ms`);
console.log(`  answered ${soak.ok} ok, ${soak.busy} busy (503), ${soak.errors} other errors; ${soak.imports} imports committed`);
console.log(`  rate ${rate(soak).toFixed(0)} requests/s; the same mix without imports ${rate(base).toFixed(0)}/s (${base.errors} errors): ratio ${(rate(soak) / rate(base)).toFixed(2)}`);
console.log(`  RSS MiB every 2 s: ${soak.samples.map((x) => x.toFixed(0)).join(' ')}`);
console.log(`  RSS last third / middle third: ${(late / early).toFixed(2)} (${late.toFixed(0)} / ${early.toFixed(0)} MiB)`);
console.log(`  audit chain: ${verify.status === 0 ? 'intact' : 'BROKEN ' + verify.stdout + verify.stderr}; server exit ${code}`);
for (const e of [...base.firstErrors, ...soak.firstErrors]) console.log(`  error: ${e}`);
const failed = soak.errors + base.errors > 0 || verify.status !== 0 || code !== 0 || late / early > 1.5;
process.exit(failed ? 1 : 0);
