// Excel in and out as federation staff use it (issue 13): a sheet with 编号 updates those
// records (field by field in the dry run, in scope, all or nothing), links by name, the
// 捐赠台账 with receipts in row order, sheets written by LibreOffice Calc (tests/data/calc,
// made by tests/data/make_calc_sheets.sh: .xlsx and .xls read alike, .ods refused), the
// template, the refused rows, exports for people, and the round trip: export → re-saved by
// LibreOffice headless → import dry run → no problems and no changes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { CJK, getBytes, mkOrg, parseCsv, soffice, sql, sqlInt } from './helpers.mjs';

const DATA = resolve(import.meta.dirname, '../data');
const file = (name) => readFileSync(join(DATA, name));

async function upload(c, path, body) {
  return c.req('POST', path, new Uint8Array(body), { headers: { 'Content-Type': 'application/octet-stream' } });
}
/** POST a file, the answer as bytes (a workbook). */
async function postBytes(c, path, body) {
  const res = await fetch(c.url + path, { method: 'POST', body: new Uint8Array(body),
    headers: { Cookie: c.cookie, 'X-CSRF-Token': c.csrf, 'Content-Type': 'application/octet-stream' } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}
const dryRun = (c, entity, body) => upload(c, `/api/v1/import/${entity}?dry_run=1`, body);
const csv = (rows) => Buffer.from(rows.map((r) => r.join(',')).join('\n') + '\n');
const problems = (rep) => rep.errors.map((e) => [e.row, e.column, e.code]);

/** One part of a workbook (a zip) as text, read by Python's zipfile. */
function part(bytes, name) {
  const dir = mkdtempSync(join(tmpdir(), 'qiao-xlsx-'));
  try {
    writeFileSync(join(dir, 'f.xlsx'), bytes);
    const r = spawnSync('python3', ['-c', 'import sys,zipfile;sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())',
      join(dir, 'f.xlsx'), name], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The cells of a worksheet's XML (libxlsxwriter's: inline strings and numbers) as rows of
 * texts by column letter: [{A: '编号', B: ...}, ...] from row 1. */
function sheetRows(xml) {
  const unesc = (t) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return [...xml.matchAll(/<row r="(\d+)"[^>]*>(.*?)<\/row>/gs)].map((m) => Object.fromEntries(
    [...m[2].matchAll(/<c r="([A-Z]+)\d+"[^>]*?(?:\/>|>(.*?)<\/c>)/gs)].map((c) => {
      const t = /<t[^>]*>(.*?)<\/t>/s.exec(c[2] || ''), v = /<v>(.*?)<\/v>/.exec(c[2] || '');
      return [c[1], t ? unesc(t[1]) : v ? v[1] : ''];
    })));
}
/** A workbook's first sheet as rows of objects by header (sheetRows' first row). */
function sheetObjects(bytes) {
  const [head, ...rest] = sheetRows(part(bytes, 'xl/worksheets/sheet1.xml'));
  return rest.map((r) => Object.fromEntries(Object.entries(head).map(([k, h]) => [h, r[k] ?? ''])));
}

/** The CSV export as rows of cells (BOM dropped). */
async function exportCsv(c, entity, query = '') {
  const r = await getBytes(c, `/api/v1/export/${entity}.csv${query}`);
  assert.equal(r.status, 200, r.bytes.toString());
  return parseCsv(r.bytes.toString('utf8').replace(/^\uFEFF/, ''));
}

for (const store of STORES) {
  describe(`Excel in and out (${store})`, () => {
    let server, admin, A, B, C;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', parent_id: 1, kind: 'federation', level: 'county' });
      B = await mkOrg(admin, { name: '同名侨联', parent_id: 1, kind: 'branch' });
      C = await mkOrg(admin, { name: '同名侨联', parent_id: A.id, kind: 'branch' });
      server.addUser('astaff', 'staff', A.id);
    });
    after(() => server?.stop());

    test('编号 updates: the dry run shows each change and each unchanged row, the commit writes them through the audited path', async () => {
      const p1 = (await admin.post('/api/v1/person', { name: '甲一', gender: 'male', notes: '旧备注' })).json;
      const p2 = (await admin.post('/api/v1/person', { name: '甲二', gender: 'female' })).json;
      const sheet = csv([['编号', '姓名', '性别', '备注'], [p1.id, '甲一', '女', ''], [p2.id, '甲二', '女', ''], ['', '丙三', '男', '']]);
      const before = sqlInt(server, 'SELECT count(*) FROM person');
      const dry = await dryRun(admin, 'person', sheet);
      assert.equal(dry.status, 200, dry.text);
      const r = dry.json;
      assert.deepEqual(r.errors, []);
      assert.deepEqual([r.rows, r.ok, r.new, r.to_update, r.unchanged, r.created, r.updated], [3, 3, 1, 1, 1, 0, 0]);
      assert.deepEqual(r.updates.map((u) => [u.row, u.id, u.changed]), [[2, p1.id, true], [3, p2.id, false]]);
      assert.deepEqual(r.updates[0].changes.map((c) => [c.field, c.from, c.to]),
        [['gender', 'male', 'female'], ['notes', '旧备注', null]]);
      assert.match(r.updates[0].changes[0].label, CJK);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM person'), before, 'a dry run writes nothing');
      assert.equal(sql(server, `SELECT gender FROM person WHERE id = ${p1.id}`), 'male');

      const done = await upload(admin, '/api/v1/import/person', sheet);
      assert.equal(done.status, 200, done.text);
      assert.deepEqual([done.json.created, done.json.updated, done.json.unchanged], [1, 1, 1]);
      assert.equal(sql(server, `SELECT gender || '|' || coalesce(notes, '') FROM person WHERE id = ${p1.id}`), 'female|');
      assert.equal(sqlInt(server, `SELECT count(*) FROM audit_log WHERE action = 'update' AND entity = 'person' AND entity_id = ${p1.id}`), 1);
      assert.equal(sqlInt(server, `SELECT count(*) FROM audit_log WHERE action = 'update' AND entity = 'person' AND entity_id = ${p2.id}`), 0,
        'an unchanged row writes nothing');

      // all or nothing: a row naming a record that does not exist refuses the whole sheet
      const bad = await upload(admin, '/api/v1/import/person', csv([['编号', '姓名', '性别'], [p1.id, '甲一', '男'], [999999, '某', '男'], [p1.id, '甲一', '男']]));
      assert.equal(bad.status, 422, bad.text);
      assert.deepEqual(problems(bad.json), [[3, 'A', 'not_found'], [4, 'A', 'invalid']]);
      assert.match(bad.json.errors[1].message, /重复/);
      assert.equal(sql(server, `SELECT gender FROM person WHERE id = ${p1.id}`), 'female');

      // in scope only: a staff member of 甲县 cannot update the root's record, nor tell it exists
      const astaff = await server.login('astaff');
      const out = await dryRun(astaff, 'person', csv([['编号', '姓名'], [p1.id, '改名']]));
      assert.equal(out.status, 200, out.text);
      assert.deepEqual(problems(out.json), [[2, 'A', 'not_found']]);
    });

    test('links by name: 所属组织 by the one org of that name in scope, else the candidates; a party by name or a bare name', async () => {
      const r = (await dryRun(admin, 'person', csv([['姓名', '所属组织'], ['乙一', '甲县侨联'], ['乙二', '同名侨联'], ['乙三', '没有这个组织']]))).json;
      assert.deepEqual(problems(r), [[3, 'B', 'ambiguous'], [4, 'B', 'invalid']]);
      assert.match(r.errors[0].message, new RegExp(`编号 ${B.id}、编号 ${C.id}`));
      const done = await upload(admin, '/api/v1/import/person', csv([['姓名', '所属组织'], ['乙一', '甲县侨联']]));
      assert.equal(done.status, 200, done.text);
      assert.equal(sqlInt(server, "SELECT org_id FROM person WHERE name = '乙一'"), A.id);
      // within 甲县's subtree the name is unique
      const astaff = await server.login('astaff');
      const mine = await upload(astaff, '/api/v1/import/person', csv([['姓名', '所属组织'], ['乙四', '同名侨联']]));
      assert.equal(mine.status, 200, mine.text);
      assert.equal(sqlInt(server, "SELECT org_id FROM person WHERE name = '乙四'"), C.id);
    });

    test('lists of links by name: a contact\'s 联络对象 and a visit\'s 走访对象 import by names, export as names (with the id where a name is borne twice), and read back unchanged', async () => {
      const p1 = (await admin.post('/api/v1/person', { name: '联络甲' })).json;
      const as = (await admin.post('/api/v1/association', { name: '联络甲会', country: 'SG', type: 'clan' })).json;
      const d1 = (await admin.post('/api/v1/person', { name: '联络重名' })).json;
      const d2 = (await admin.post('/api/v1/person', { name: '联络重名' })).json;
      const sheet = csv([['联络日期', '联络方式', '联络对象', '联络内容'],
        ['2024-03-01', '走访', '联络甲、联络甲会', '甲一'],
        ['2024-03-02', '电话', `联络甲；person:${d1.id}`, '甲二'],
        ['2024-03-03', '电话', '联络重名', '甲三'],
        ['2024-03-04', '电话', '联络甲;没有此人', '甲四']]);
      const dry = (await dryRun(admin, 'contact', sheet)).json;
      assert.deepEqual(problems(dry), [[4, 'C', 'ambiguous'], [5, 'C', 'invalid']]);
      assert.match(dry.errors[0].message, new RegExp(`联络重名.*编号 ${d1.id}、编号 ${d2.id}.*person:12`));
      assert.match(dry.errors[1].message, /没有此人/);
      const done = await upload(admin, '/api/v1/import/contact', csv([['联络日期', '联络方式', '联络对象', '联络内容'],
        ['2024-03-01', '走访', '联络甲、联络甲会', '甲一'], ['2024-03-02', '电话', `联络甲；person:${d1.id}`, '甲二']]));
      assert.equal(done.status, 200, done.text);
      const stored = sql(server, "SELECT parties FROM contact WHERE summary IN ('甲一', '甲二') ORDER BY id").split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(stored, [[`person:${p1.id}`, `association:${as.id}`], [`person:${p1.id}`, `person:${d1.id}`]]);

      const v = await upload(admin, '/api/v1/import/visit', csv([['走访日期', '走访类别', '走访对象'], ['2024-02-01', '春节', `联络甲、${d2.id}`], ['2024-02-02', '春节', '联络重名']]));
      assert.equal(v.status, 422, v.text);
      assert.deepEqual(problems(v.json), [[3, 'C', 'ambiguous']]);
      const v2 = await upload(admin, '/api/v1/import/visit', csv([['走访日期', '走访类别', '走访对象'], ['2024-02-01', '春节', `联络甲、${d2.id}`]]));
      assert.equal(v2.status, 200, v2.text);
      assert.deepEqual(JSON.parse(sql(server, "SELECT person_ids FROM visit WHERE visited_on = '2024-02-01'")), [String(p1.id), String(d2.id)]);

      // the export writes names, and the id where the name is borne twice; the dry run of it changes nothing
      const t = await exportCsv(admin, 'contact', '?sort=id');
      const col = t[0].indexOf('联络对象');
      assert.deepEqual(t.slice(1).map((r) => r[col]), ['联络甲;联络甲会', `联络甲;联络重名(person:${d1.id})`]);
      const vt = await exportCsv(admin, 'visit');
      assert.equal(vt[1][vt[0].indexOf('走访对象')], `联络甲;联络重名(${d2.id})`);
      // a name with its id in brackets must be that record's name
      const named = (await dryRun(admin, 'contact', csv([['联络日期', '联络方式', '联络对象', '联络内容'],
        ['2024-03-05', '电话', `联络重名（person:${d2.id}）`, '甲五'], ['2024-03-06', '电话', `联络甲(person:${d1.id})`, '甲六']]))).json;
      assert.deepEqual(problems(named), [[3, 'C', 'invalid']]);
      assert.match(named.errors[0].message, new RegExp(`person:${d1.id} 是“联络重名”, 不是“联络甲”`));
      for (const e of ['contact', 'visit']) {
        const x = await getBytes(admin, `/api/v1/export/${e}.xlsx`);
        const r = (await dryRun(admin, e, x.bytes)).json;
        assert.deepEqual([r.error_count, r.new, r.to_update, r.unchanged], [0, 0, 0, e === 'contact' ? 2 : 1], e);
      }
    });

    test('export column widths come from the data: a long value widens its column, short ones stay narrow; header frozen, autofilter', async () => {
      const long = '长'.repeat(30);
      await admin.post('/api/v1/person', { name: '宽甲', notes: long, org_id: C.id });
      const x = await getBytes(admin, '/api/v1/export/person.xlsx?name=宽甲');
      const sheet = part(x.bytes, 'xl/worksheets/sheet1.xml');
      const widths = Object.fromEntries([...sheet.matchAll(/<col min="(\d+)" max="\d+" width="([\d.]+)"/g)].map((m) => [+m[1], +m[2]]));
      const head = (await exportCsv(admin, 'person', '?name=宽甲'))[0];
      const w = (h) => widths[head.indexOf(h) + 1];
      assert.ok(w('备注') >= 60, `备注: ${w('备注')}`); // 30 CJK characters, at most 60
      assert.ok(w('所属组织名称') >= 16 && w('所属组织名称') < 20, `所属组织名称: ${w('所属组织名称')}`); // the header's width
      assert.ok(w('姓名') < 10, `姓名: ${w('姓名')}`); // 宽甲 and its header are narrow
      assert.ok(w('创建时间') >= 20, `创建时间: ${w('创建时间')}`); // 2024-01-01 12:00:00
      assert.match(sheet, /state="frozen"/);
      assert.match(sheet, /<autoFilter ref="A1:[A-Z]+2"\/>/);
    });

    test('the audit log as Excel: the list\'s filters, the admin\'s subtree only, labels, Beijing times, what changed, masked unless unmasked (audited)', async () => {
      server.addUser('aadmin', 'admin', A.id);
      const aadmin = await server.login('aadmin');
      const idn = '110101199003071234';
      const p = (await aadmin.post('/api/v1/person', { name: '审计甲', gender: 'male', id_number: idn, org_id: A.id })).json;
      // an earlier second, as when the edit comes later: updated_at changes, and is not "what changed"
      sql(server, `UPDATE person SET updated_at = '2024-01-01T00:00:00Z' WHERE id = ${p.id}`);
      assert.equal((await aadmin.patch(`/api/v1/person/${p.id}`, { gender: 'female' })).status, 200);
      await admin.post('/api/v1/person', { name: '审计乙', org_id: 1 }); // by the root's admin: not in 甲县's export
      const x = await getBytes(aadmin, '/api/v1/audit.xlsx?entity=person');
      assert.equal(x.status, 200, x.bytes.toString());
      const all = sheetObjects(x.bytes);
      assert.ok(all.length >= 2 && all.every((r) => ['aadmin', 'astaff'].includes(r['用户'])), 'users of 甲县 only: ' + all.map((r) => r['用户']));
      assert.ok(all.every((r) => r['对象类型'] === '侨界人士'), 'the list\'s filter');
      const rows = all.filter((r) => r['记录编号'] === String(p.id));
      assert.deepEqual(rows.map((r) => [r['操作'], r['用户']]), [['修改', 'aadmin'], ['新增', 'aadmin']], 'newest first');
      assert.equal(rows[0]['变更内容'], '性别: 男 → 女', 'an update: what changed, as labels');
      assert.match(rows[1]['变更内容'], /^姓名: 审计甲$/m);
      assert.match(rows[1]['变更内容'], /^证件号码: 110\*+234$/m, 'masked');
      const at = sql(server, `SELECT at FROM audit_log WHERE entity = 'person' AND entity_id = ${p.id} AND action = 'create'`);
      const serial = (Date.parse(at) + 8 * 3600e3) / 864e5 + 25569;
      assert.ok(Math.abs(+rows[1]['时间'] - serial) < 1e-5, `a date cell in Beijing time: ${rows[1]['时间']} vs ${serial}`);
      const unmasks = sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'");
      const clear = sheetObjects((await getBytes(aadmin, `/api/v1/audit.xlsx?entity=person&entity_id=${p.id}&action=create&unmask=1`)).bytes);
      assert.equal(clear.length, 1);
      assert.match(clear[0]['变更内容'], new RegExp(`^证件号码: ${idn}$`, 'm'));
      assert.equal(sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'"), unmasks + 1);
      const en = sheetObjects((await getBytes(aadmin, '/api/v1/audit.xlsx?entity=person&lang=en')).bytes);
      assert.deepEqual([en[0].Action, en[0].Entity], ['Update', 'Person']);
      assert.equal((await getBytes(aadmin, '/api/v1/audit.xlsx?foo=1')).status, 400);
      const astaff = await server.login('astaff');
      assert.equal((await getBytes(astaff, '/api/v1/audit.xlsx')).status, 403);
      assert.ok(sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'export' AND entity = 'audit'") >= 3, 'the export is audited');
    });

    test('the duplicate pairs as Excel: both people and the reasons, in the reader\'s scope, masked unless unmasked', async () => {
      const idn = '110101199003071234';
      const a1 = (await admin.post('/api/v1/person', { name: '重复丙', birth_date: '1950-01-02', id_number: idn, org_id: A.id })).json;
      const a2 = (await admin.post('/api/v1/person', { name: '重複丙', birth_date: '1950-01-02', org_id: C.id })).json;
      const b1 = (await admin.post('/api/v1/person', { name: '重复丁', birth_date: '1950-01-03', org_id: B.id })).json;
      const b2 = (await admin.post('/api/v1/person', { name: '重复丁', birth_date: '1950-01-03', org_id: B.id })).json;
      const astaff = await server.login('astaff');
      const list = (await astaff.get('/api/v1/dedup/person?per_page=200')).json;
      const x = await getBytes(astaff, '/api/v1/dedup/person.xlsx');
      assert.equal(x.status, 200, x.bytes.toString());
      const rows = sheetObjects(x.bytes);
      assert.equal(rows.length, list.total, 'every pair of the list');
      const mine = rows.find((r) => r['记录甲 编号'] === String(a1.id) && r['记录乙 编号'] === String(a2.id));
      assert.ok(mine, JSON.stringify(rows));
      assert.deepEqual([mine['记录甲 姓名'], mine['记录乙 姓名'], mine['记录甲 所属组织名称'], mine['记录乙 所属组织名称']], ['重复丙', '重複丙', '甲县侨联', '同名侨联']);
      assert.match(mine['记录甲 证件号码'], /^110\*+234$/);
      assert.match(mine['疑似重复的原因'], /出生日期/);
      assert.ok(!rows.some((r) => r['记录甲 编号'] === String(b1.id) || r['记录乙 编号'] === String(b2.id)), 'another county\'s pair is not shown');
      const all = sheetObjects((await getBytes(admin, '/api/v1/dedup/person.xlsx?unmask=1')).bytes);
      assert.ok(all.some((r) => r['记录甲 编号'] === String(b1.id) && r['记录乙 编号'] === String(b2.id)));
      assert.equal(all.find((r) => r['记录甲 编号'] === String(a1.id) && r['记录乙 编号'] === String(a2.id))['记录甲 证件号码'], idn);
      assert.equal((await getBytes(admin, '/api/v1/dedup/person.xlsx?dismissed=2')).status, 400);
    });

    test('捐赠台账 written by LibreOffice (.xlsx and .xls): donors and programme by name, all or nothing, receipts in row order; the export shows reversals and totals', async () => {
      const prog = (await admin.post('/api/v1/programme', { name: '侨爱心助学', kind: 'education' })).json;
      const lin = (await admin.post('/api/v1/person', { name: '林秀兰' })).json;
      for (const f of ['donations-calc.xlsx', 'donations-calc.xls']) {
        const r = await dryRun(admin, 'donation', file(`calc/${f}`));
        assert.equal(r.status, 200, r.text);
        assert.deepEqual([r.json.header_row, r.json.rows, r.json.ok, r.json.error_count], [2, 3, 3, 0], f);
      }
      // a bad amount refuses the ledger whole
      const bad = await upload(admin, '/api/v1/import/donation', csv([['日期', '捐赠人', '金额(元)', '项目'], ['2024/3/1', '甲', '100', '侨爱心助学'], ['2024/3/2', '乙', '一百', '侨爱心助学']]));
      assert.equal(bad.status, 422, bad.text);
      assert.deepEqual(problems(bad.json), [[3, 'C', 'invalid']]);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM donation'), 0);
      const done = await upload(admin, '/api/v1/import/donation', file('calc/donations-calc.xlsx'));
      assert.equal(done.status, 200, done.text);
      const rows = sql(server, 'SELECT receipt_number, received_on, donor_type, coalesce(donor_id, 0), donor_name, amount, programme_id FROM donation ORDER BY id')
        .split('\n').map((l) => l.split('|'));
      assert.deepEqual(rows, [
        ['2024-000001', '2024-03-05', 'person', String(lin.id), '林秀兰', '100050', String(prog.id)],
        ['2024-000002', '2024-03-06', 'name', '0', '王大爷', '20000', String(prog.id)],
        ['2024-000003', '2024-03-07', 'name', '0', '某某商会', '30000', String(prog.id)],
      ]);
      const first = sqlInt(server, "SELECT id FROM donation WHERE receipt_number = '2024-000001'");
      assert.equal((await admin.post(`/api/v1/donation/${first}/reverse`, { reason: '录入错误' })).status, 201);
      const table = await exportCsv(admin, 'donation', `?programme_id=${prog.id}&sort=id`);
      const col = (h) => table[0].indexOf(h);
      assert.ok(col('所属项目名称') > 0 && col('金额') > 0, table[0].join());
      // the name beside an id whose label says it is one: 经办人名称, not 经办人编号名称
      assert.ok(col('经办人编号') > 0 && col('经办人名称') === col('经办人编号') + 1, table[0].join());
      assert.equal(table[0].some((h) => h.includes('编号名称')), false, table[0].join());
      assert.equal(table[1][col('经办人名称')], 'admin');
      assert.deepEqual(table.slice(1).map((r) => [r[col('所属项目名称')], r[col('捐赠人类型')], r[col('金额')], r[col('冲销的记录')] ? 'R' : '']), [
        ['侨爱心助学', '侨界人士', '1000.50', ''], ['侨爱心助学', '未登记的个人或单位', '200.00', ''],
        ['侨爱心助学', '未登记的个人或单位', '300.00', ''], ['侨爱心助学', '侨界人士', '-1000.50', 'R'],
      ]);
      const x = await getBytes(admin, `/api/v1/export/donation.xlsx?programme_id=${prog.id}`);
      assert.equal(x.status, 200);
      const sheet = part(x.bytes, 'xl/worksheets/sheet1.xml');
      assert.match(sheet, /<c r="A6"[^>]*><is><t>合计<\/t>/);
      assert.match(sheet, /<f>SUBTOTAL\(109,[A-Z]+2:[A-Z]+5\)<\/f><v>500<\/v>/, 'the totals row: reversal included');
      assert.match(sheet, /state="frozen"/);
      assert.match(sheet, /<autoFilter ref="A1:[A-Z]+5"\/>/);
    });

    test('sheets written by LibreOffice: .xlsx and .xls read alike (numbers that lost digits refused); .ods and a WPS file refused naming the format', async () => {
      for (const f of ['census-calc.xlsx', 'census-calc.xls']) {
        const r = (await dryRun(admin, 'person', file(`calc/${f}`))).json;
        assert.equal(r.header_row, 3, f);
        assert.deepEqual(problems(r), [[4, 'E', 'number_lost'], [4, 'F', 'number_lost']], f);
        assert.deepEqual([r.rows, r.ok, r.error_rows], [3, 2, 1], f);
      }
      const ods = await dryRun(admin, 'person', file('calc/census-calc.ods'));
      assert.equal(ods.status, 415, ods.text);
      assert.match(ods.json.error.message, /\.ods.*\.xlsx/);
      const cfbf = Buffer.alloc(2048);
      Buffer.from('D0CF11E0A1B11AE1', 'hex').copy(cfbf);
      const et = await dryRun(admin, 'person', cfbf);
      assert.equal(et.status, 415, et.text);
      assert.match(et.json.error.message, /WPS.*\.xlsx/);
    });

    test('the template: Chinese headers, required marked, ID and phone columns as text, a sheet of allowed values with dropdowns', async () => {
      const t = await getBytes(admin, '/api/v1/import/person/template.xlsx');
      assert.equal(t.status, 200);
      assert.match(part(t.bytes, 'xl/workbook.xml'), /name="可选值"/);
      const strings = part(t.bytes, 'xl/sharedStrings.xml');
      for (const h of ['姓名*', '证件号码', '性别', '男', '侨眷']) assert.ok(strings.includes(`<t>${h}</t>`), h);
      const sheet = part(t.bytes, 'xl/worksheets/sheet1.xml');
      assert.match(sheet, /<dataValidation type="list"[^>]*>[^]*?<formula1>"男,女"<\/formula1>/);
      const styles = part(t.bytes, 'xl/styles.xml');
      assert.match(styles, /numFmtId="49"/, 'a text (@) format');
      // the empty template imports as a sheet without rows, every header known
      const r = (await dryRun(admin, 'person', t.bytes)).json;
      assert.deepEqual(r.ignored, []);
      assert.deepEqual(problems(r), [[2, null, 'empty']]);
      assert.equal((await getBytes(admin, '/api/v1/import/user/template.xlsx')).status, 400);
    });

    test('the template and the refused rows in the reader\'s language (zh-Hant, en): headers, hints, allowed values, sheet names, 问题; filled in, they import back', async () => {
      const langs = {
        'zh-Hant': { values: '可選值', name: '姓名*', gender: '性別', male: '男', rel: '僑眷', hint: '可選值見「可選值」工作表', refused: '未通過的行', problems: '問題' },
        en: { values: 'Allowed values', name: 'Name*', gender: 'Gender', male: 'Male', rel: 'Relative of overseas Chinese', hint: 'the allowed values are on the sheet “Allowed values”', refused: 'Refused rows', problems: 'Problems' },
      };
      for (const [lang, w] of Object.entries(langs)) {
        const t = await getBytes(admin, `/api/v1/import/person/template.xlsx?lang=${lang}`);
        assert.equal(t.status, 200);
        assert.match(part(t.bytes, 'xl/workbook.xml'), new RegExp(`name="${w.values}"`), lang);
        const strings = part(t.bytes, 'xl/sharedStrings.xml');
        for (const h of [w.name, w.gender, w.male, w.rel]) assert.ok(strings.includes(`<t>${h}</t>`), `${lang}: ${h}`);
        const sheet = part(t.bytes, 'xl/worksheets/sheet1.xml');
        assert.ok(sheet.includes(w.hint), `${lang}: the hint of a set column`);
        if (lang === 'en') assert.doesNotMatch(strings + sheet.replace(/“[^”]*”/g, ''), CJK, 'no Chinese in the English template');
        // the empty template imports as a sheet without rows, every header known
        const r = (await dryRun(admin, 'person', t.bytes)).json;
        assert.deepEqual(r.ignored, [], lang);
        assert.deepEqual(problems(r), [[2, null, 'empty']]);
        // filled in with its own headers and values (a set with both separators): it imports
        const shared = [...strings.matchAll(/<si>(?:<t[^>]*>(.*?)<\/t>)?<\/si>/gs)].map((m) => m[1] ?? '');
        const head = Object.values(sheetRows(sheet)[0]).map((i) => shared[+i]);
        const cell = { [w.name]: `甲${lang}`, [w.gender]: w.male, [head.find((h) => /^(身份類別|Categories)$/.test(h))]: `${w.rel};${lang === 'en' ? 'Returned overseas Chinese' : '歸僑'}` };
        const filled = (await dryRun(admin, 'person', csv([head, head.map((h) => cell[h] ?? '')]))).json;
        assert.equal(filled.error_count, 0, JSON.stringify(filled.errors));
        assert.equal(filled.rows, 1);
        // the refused rows in that language: sheet name and 问题, which imports again ignored
        const x = await postBytes(admin, `/api/v1/import/person/refused.xlsx?lang=${lang}`, file('census-bad.xlsx'));
        assert.equal(x.status, 200, x.bytes.toString());
        assert.match(part(x.bytes, 'xl/workbook.xml'), new RegExp(`name="${w.refused}"`), lang);
        const rows = sheetRows(part(x.bytes, 'xl/worksheets/sheet1.xml'));
        const pcol = Object.keys(rows[0]).find((k) => rows[0][k] === w.problems);
        assert.ok(pcol, `${lang}: ${JSON.stringify(rows[0])}`);
        // the problems in that language too (the file's own headers quoted as they are)
        if (lang === 'en') assert.match(rows[1][pcol], /\b(was|is|should|not)\b/, rows[1][pcol]);
        else assert.match(rows[1][pcol], /應為|錯誤|無法|不是|丟失|數字/, rows[1][pcol]);
        const again = (await dryRun(admin, 'person', x.bytes)).json;
        assert.ok(again.ignored.some((i) => i.header === w.problems && /问题说明/.test(i.reason)), JSON.stringify(again.ignored));
      }
    });

    test('the refused rows: the dry run\'s rows with problems as a sheet with 问题, which imports again to the same problems', async () => {
      const orig = (await dryRun(admin, 'person', file('census-bad.xlsx'))).json;
      assert.ok(orig.error_rows > 0);
      const x = await postBytes(admin, '/api/v1/import/person/refused.xlsx', file('census-bad.xlsx'));
      assert.equal(x.status, 200, x.bytes.toString());
      const again = (await dryRun(admin, 'person', x.bytes)).json;
      assert.equal(again.rows, orig.error_rows);
      assert.equal(again.error_count, orig.error_count);
      assert.deepEqual(again.errors.map((e) => [e.code, e.header]), orig.errors.map((e) => [e.code, e.header]));
      assert.ok(again.ignored.some((i) => i.header === '问题' && /问题说明/.test(i.reason)), JSON.stringify(again.ignored));
      // its columns as wide as what they hold, as the export's
      const xml = part(x.bytes, 'xl/worksheets/sheet1.xml');
      const head = sheetRows(xml)[0];
      const widths = Object.fromEntries([...xml.matchAll(/<col min="(\d+)" max="\d+" width="([\d.]+)"/g)].map((m) => [+m[1], +m[2]]));
      const w = (h) => widths[Object.keys(head).find((k) => head[k] === h).charCodeAt(0) - 64];
      assert.ok(w('身份证号码') >= 20, `身份证号码: ${w('身份证号码')}`); // 4.40784197407014E+17
      assert.ok(w('序号') < 10, `序号: ${w('序号')}`);
      assert.ok(w('问题') >= 60 && w('问题') < 61, `问题: ${w('问题')}`);
    });

    test('exports for people: labels in the reader\'s language, names beside ids, Beijing times, 元, masking unless unmasked (audited)', async () => {
      const p = (await admin.post('/api/v1/person', { name: '丁一', gender: 'male', org_id: A.id, id_number: '110101199003071234', phone: '+86 750 5512345' })).json;
      let t = await exportCsv(admin, 'person', `?name=丁一`);
      const col = (h) => t[0].indexOf(h);
      assert.deepEqual(t[0].slice(0, 3), ['编号', '所属组织', '所属组织名称']);
      const row = t[1];
      assert.deepEqual([row[col('所属组织')], row[col('所属组织名称')], row[col('性别')]], [String(A.id), '甲县侨联', '男']);
      assert.match(row[col('电话')], /^'\+86\*+345$/, 'masked, and neutralised as a formula');
      assert.match(row[col('证件号码')], /^\d{3}\*+\d{3}$/);
      const utc = sql(server, `SELECT created_at FROM person WHERE id = ${p.id}`);
      const bj = new Date(Date.parse(utc) + 8 * 3600e3).toISOString().slice(0, 19).replace('T', ' ');
      assert.equal(row[col('创建时间')], bj);
      const en = await exportCsv(admin, 'person', '?name=丁一&lang=en');
      assert.deepEqual(en[0].slice(0, 3), ['ID', 'Organisation', 'Organisation name']);
      assert.equal(en[1][en[0].indexOf('Gender')], 'Male');
      const tw = await fetch(server.url + '/api/v1/export/person.csv?name=丁一', { headers: { Cookie: admin.cookie, 'Accept-Language': 'zh-TW,zh;q=0.9' } });
      assert.match((await tw.text()).split('\n')[0], /所屬組織名稱/);
      const unmasks = sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'");
      t = await exportCsv(admin, 'person', '?name=丁一&unmask=1');
      assert.equal(t[1][col('证件号码')], '110101199003071234');
      assert.equal(sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'unmask'"), unmasks + 1);
      // the sort and filters of the list
      const sorted = await exportCsv(admin, 'person', '?sort=-id&per_page=1');
      assert.equal(sorted[1][0], String(sqlInt(server, 'SELECT max(id) FROM person WHERE deleted_at IS NULL')));
      const x = await getBytes(admin, '/api/v1/export/person.xlsx?name=丁一&lang=zh-Hant');
      assert.match(part(x.bytes, 'xl/workbook.xml'), /name="侨界人士"|name="僑界人士"/);
    });
  });

  describe(`the round trip through LibreOffice (${store})`, () => {
    let server, admin, dir;
    const ENTITIES = ['person', 'org', 'case', 'enterprise', 'enterprise_year'];
    before(async () => {
      server = await startServer({ store, demo: true, users: {} });
      admin = await server.login('admin', 'qiao-demo-2024');
      dir = mkdtempSync(join(tmpdir(), 'qiao-roundtrip-'));
    });
    after(async () => {
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('export → re-saved by LibreOffice → import dry run: no problems, no changes (people, orgs, cases, enterprises, yearly figures)', async () => {
      for (const e of ENTITIES) {
        const x = await getBytes(admin, `/api/v1/export/${e}.xlsx`);
        assert.equal(x.status, 200, e);
        writeFileSync(join(dir, `${e}.xlsx`), x.bytes);
      }
      // one soffice for all of them (its start is slow)
      const lo = await soffice({ profileDir: dir, to: 'xlsx', outdir: join(dir, 'calc'), files: ENTITIES.map((e) => join(dir, `${e}.xlsx`)) });
      assert.equal(lo.status, 0, lo.stderr);
      for (const e of ENTITIES) {
        const saved = readFileSync(join(dir, 'calc', `${e}.xlsx`));
        assert.notDeepEqual(saved, readFileSync(join(dir, `${e}.xlsx`)), `${e}: LibreOffice wrote its own file`);
        const r = await dryRun(admin, e, saved);
        assert.equal(r.status, 200, `${e}: ${r.text.slice(0, 500)}`);
        const rep = r.json;
        const n = sqlInt(server, `SELECT count(*) FROM "${e}" WHERE deleted_at IS NULL`);
        assert.ok(n > 0, e);
        assert.deepEqual(rep.errors.slice(0, 3), [], e);
        assert.deepEqual([rep.rows, rep.new, rep.to_update, rep.unchanged], [n, 0, 0, n], e);
      }
      // and the CSV, with its apostrophes before + and =
      const c = await getBytes(admin, '/api/v1/export/person.csv');
      const r = (await dryRun(admin, 'person', c.bytes)).json;
      assert.deepEqual([r.error_count, r.new, r.to_update], [0, 0, 0]);
    });

    test('the case list\'s filters hold for its export', async () => {
      const list = await admin.get('/api/v1/case?overdue=1&per_page=1');
      assert.equal(list.status, 200, list.text);
      const t = await exportCsv(admin, 'case', '?overdue=1');
      assert.equal(t.length - 1, list.json.total);
      assert.ok(list.json.total > 0);
      assert.equal((await getBytes(admin, '/api/v1/export/case.csv?overdue=2')).status, 400);
    });
  });
}
