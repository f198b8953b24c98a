// bench/funds_load.mjs - the funds ledger's HTTP side of bench/funds.sh (not a test).
//
//   node bench/funds_load.mjs URL USER PASSWORD PROGRAMMES COUNTIES K
//
// Logs in, then measures, one request (or one page) at a time over keep-alive:
//   page    a programme's page: GET /api/v1/programme/ID (its balance, computed from the
//           ledger) and the first page of its ledger (GET /api/v1/donation and
//           /disbursement?programme_id=ID&sort=-date&per_page=20) at once, as the web app
//           asks; K times, a random programme of PROGRAMMES (comma-separated ids)
//   session GET /api/v1/session (who am I): the floor, HTTP and the session check alone
//   county  the totals of all the programmes of a county (the ledger spans the five years
//           2021-2025): GET /api/v1/programme?org_id=C&per_page=20, each programme with its
//           balance; K times, a random county of COUNTIES
// and prints "HTTP name p50_ms p99_ms n errors" lines for bench/funds.sh.
const [url, user, password, progList, countyList, kArg] = process.argv.slice(2);
const progs = progList.split(',').map(Number);
const counties = countyList.split(',').map(Number);
const K = Number(kArg);

const login = await fetch(`${url}/api/v1/session`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password }),
});
if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
const cookie = login.headers.get('set-cookie').split(';')[0];
await login.text();

let errors = 0;
async function get(path) {
  const r = await fetch(url + path, { headers: { Cookie: cookie } });
  const body = await r.text();
  if (r.status !== 200) {
    errors++;
    if (errors < 5) console.error(`GET ${path}: ${r.status} ${body.slice(0, 200)}`);
  }
  return body;
}
const pick = (a) => a[Math.floor(Math.random() * a.length)];
const pct = (t, p) => t.sort((a, b) => a - b)[Math.min(t.length - 1, Math.floor(t.length * p))];
function report(name, t) {
  console.log(`HTTP ${name} ${pct(t, 0.5).toFixed(3)} ${pct(t, 0.99).toFixed(3)} ${t.length} ${errors}`);
  errors = 0;
}
async function measure(name, k, fn) {
  for (let i = 0; i < Math.min(20, k); i++) await fn(); // warm-up
  errors = 0;
  const t = [];
  for (let i = 0; i < k; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  report(name, t);
}

// The floor: the cheapest request that passes the same session check (who am I).
await measure('session', K, () => get('/api/v1/session'));
await measure('balance', K, () => get(`/api/v1/programme/${pick(progs)}`));
await measure('page', K, () => {
  const p = pick(progs);
  return Promise.all([
    get(`/api/v1/programme/${p}`),
    get(`/api/v1/donation?programme_id=${p}&sort=-received_on&per_page=20`),
    get(`/api/v1/disbursement?programme_id=${p}&sort=-paid_on&per_page=20`),
  ]);
});
await measure('county-programmes', K, () => get(`/api/v1/programme?org_id=${pick(counties)}&per_page=20`));
