// Census import (POST /api/v1/import/{entity}, `qiao import`) and the XLSX export (issue 5):
// CSV in UTF-8 with and without BOM and in GB18030, XLSX written here by a tiny zip writer
// (shared strings, inline strings, date serials, merged cells), the row-by-row report,
// all-or-nothing commits, refusals of wrong encodings and of zips that are not workbooks,
// export round trips, scope and masking, formula neutralisation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { BIN, STORES, startServer } from '../lib/server.mjs';
import { CJK, assertError, getBytes, mkOrg, parseCsv, qiaoRun, sql, sqlInt } from './helpers.mjs';

// ---- files ------------------------------------------------------------------------------

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(b) {
  let c = -1;
  for (const x of b) c = CRC[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** A zip archive of {name: text} (deflated). */
export function zip(files) {
  const parts = [], central = [];
  let off = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text), comp = deflateRawSync(data), nm = Buffer.from(name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(0x800, 6); h.writeUInt16LE(8, 8);
    h.writeUInt32LE(crc32(data), 14); h.writeUInt32LE(comp.length, 18); h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(nm.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(0x800, 8);
    c.writeUInt16LE(8, 10); c.writeUInt32LE(crc32(data), 16); c.writeUInt32LE(comp.length, 20);
    c.writeUInt32LE(data.length, 24); c.writeUInt16LE(nm.length, 28); c.writeUInt32LE(off, 42);
    parts.push(h, nm, comp);
    central.push(c, nm);
    off += 30 + nm.length + comp.length;
  }
  const cd = Buffer.concat(central), end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(central.length / 2, 8); end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(off, 16);
  return Buffer.concat([...parts, cd, end]);
}

/** The entries of a zip archive as {name: text} (read through the central directory). */
export function unzip(buf) {
  const out = {};
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const n = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < n; i++) {
    const method = buf.readUInt16LE(p + 10), csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28), xlen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32);
    const off = buf.readUInt32LE(p + 42), name = buf.subarray(p + 46, p + 46 + nlen).toString();
    const start = off + 30 + buf.readUInt16LE(off + 26) + buf.readUInt16LE(off + 28);
    const data = buf.subarray(start, start + csize);
    out[name] = (method === 8 ? inflateRawSync(data) : data).toString();
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const colName = (i) => (i >= 26 ? String.fromCharCode(64 + Math.floor(i / 26)) : '') + String.fromCharCode(65 + (i % 26));

/**
 * An XLSX workbook of rows. A cell is a string (a shared string), {inline: s}, {num: n},
 * {date: serial} (a number with a date style). merges: ["A2:A3"].
 */
export function xlsx(rows, { merges = [] } = {}) {
  const sst = [];
  const sheetRows = rows.map((row, r) => `<row r="${r + 1}">` + row.map((v, c) => {
    const ref = colName(c) + (r + 1);
    if (v === null || v === undefined || v === '') return '';
    if (typeof v === 'string') { sst.push(v); return `<c r="${ref}" t="s"><v>${sst.length - 1}</v></c>`; }
    if (v.inline !== undefined) return `<c r="${ref}" t="inlineStr"><is><t>${esc(v.inline)}</t></is></c>`;
    if (v.date !== undefined) return `<c r="${ref}" s="1"><v>${v.date}</v></c>`;
    return `<c r="${ref}"><v>${v.num}</v></c>`;
  }).join('') + '</row>').join('');
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
  const rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
  return zip({
    '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    'xl/workbook.xml': `<?xml version="1.0"?><workbook ${ns} ${rel}><sheets><sheet name="普查" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/data.xml"/></Relationships>',
    'xl/styles.xml': `<?xml version="1.0"?><styleSheet ${ns}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>`,
    'xl/sharedStrings.xml': `<?xml version="1.0"?><sst ${ns}>` + sst.map((s) => `<si><t>${esc(s)}</t></si>`).join('') + '</sst>',
    'xl/worksheets/data.xml': `<?xml version="1.0"?><worksheet ${ns}><sheetData>${sheetRows}</sheetData>` +
      (merges.length ? `<mergeCells>${merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>` : '') + '</worksheet>',
  });
}

const gb18030 = (text) => {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
  assert.equal(r.status, 0, 'iconv');
  return r.stdout;
};

const BOM = '\ufeff';

async function upload(c, entity, body, query = '') {
  return c.req('POST', `/api/v1/import/${entity}${query}`, typeof body === 'string' ? body : new Uint8Array(body),
    { headers: { 'Content-Type': 'application/octet-stream' } });
}

const people = (server) => sqlInt(server, 'SELECT count(*) FROM person');
const audits = (server) => sqlInt(server, 'SELECT count(*) FROM audit_log');

for (const store of STORES) {
  describe(`import (${store})`, () => {
    let server, admin;
    before(async () => {
      server = await startServer({ store, users: { admin: { role: 'admin' }, viewer: { role: 'viewer' } } });
      admin = await server.login('admin');
    });
    after(() => server?.stop());

    test('a dry run of a UTF-8 CSV with BOM: headers mapped by Chinese labels, nothing written', async () => {
      const csv = BOM + '姓名,性别,出生日期,国籍,方言,证件号码\r\n陈嘉庚,男,1874-10-21,SG,闽南语;粤语,G1234567\r\n"林""文庆""",female,1869-10-18,SG,,\r\n';
      const keys = () => sqlInt(server, 'SELECT count(*) FROM search_person');
      const before = [people(server), audits(server), keys()];
      const r = await upload(admin, 'person', csv, '?dry_run=1');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.rows, 2);
      assert.equal(r.json.ok, 2);
      assert.deepEqual(r.json.errors, []);
      assert.equal(r.json.committed, false);
      assert.deepEqual(r.json.headers.map((h) => h.field), ['name', 'gender', 'birth_date', 'nationality', 'dialects', 'id_number']);
      assert.deepEqual([people(server), audits(server), keys()], before, 'a dry run changed the database');
    });

    test('a commit writes every row, an audit entry per record with its values, and one for the import naming every created id', async () => {
      const csv = 'name,gender,birth_date,nationality,dialects\n甲一,male,1950-01-01,MY,hokkien;teochew\n甲二,female,1951-02-03,TH,\n';
      const n0 = people(server), a0 = audits(server);
      const r = await upload(admin, 'person', csv);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.committed, true);
      assert.equal(r.json.created, 2);
      assert.equal(people(server), n0 + 2);
      assert.equal(audits(server), a0 + 3, 'two creates and the import');
      assert.equal(sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'import'"), 1);
      const ids = sql(server, 'SELECT id FROM person ORDER BY id DESC LIMIT 2').split('\n').map(Number).reverse();
      const created = JSON.parse(sql(server, `SELECT after_json FROM audit_log WHERE action = 'create' AND entity = 'person' AND entity_id = ${ids[0]}`));
      assert.equal(created.name, '甲一');
      assert.deepEqual(created.dialects, ['hokkien', 'teochew']);
      assert.equal(created.id, ids[0]);
      const entry = JSON.parse(sql(server, "SELECT after_json FROM audit_log WHERE action = 'import'"));
      assert.deepEqual(entry.ids, [[ids[0], ids[1]]]);
      assert.equal(entry.created, 2);
      const l = await admin.get('/api/v1/person?name=' + encodeURIComponent('甲一'));
      assert.deepEqual(l.json.items[0].dialects, ['hokkien', 'teochew']);
    });

    test('GB18030 CSV is read as such', async () => {
      const r = await upload(admin, 'person', gb18030('姓名,出生日期,祖籍(村)\n乙鎔,1960-05-06,龍溪村\n'));
      assert.equal(r.status, 200, r.text);
      const l = await admin.get('/api/v1/person?name=' + encodeURIComponent('乙鎔'));
      assert.equal(l.json.items.length, 1);
      assert.equal(l.json.items[0].ancestral_place, '龍溪村');
    });

    test('bad values get a row-by-row report naming row, column and field; a bad last row leaves the DB unchanged', async () => {
      const csv = '姓名,出生日期,国籍,性别\n丙一,1970-01-01,SG,男\n,1970-02-30,ZZ,男\n丙三,1971-01-01,CN,火星人\n丙四,1972-01-01,US,女\n丙五,1973-13-01,SG,男\n';
      const before = [people(server), audits(server)];
      for (const q of ['?dry_run=1', '']) {
        const r = await upload(admin, 'person', csv, q);
        assert.equal(r.status, q ? 200 : 422, r.text);
        const byRow = (n) => r.json.errors.filter((e) => e.row === n);
        assert.ok(byRow(3).some((e) => e.field === 'birth_date' && e.column === 'B'), JSON.stringify(r.json.errors));
        assert.ok(byRow(3).some((e) => e.field === 'nationality' && e.column === 'C'));
        assert.ok(byRow(4).some((e) => e.field === 'gender' && e.column === 'D'));
        assert.ok(byRow(6).some((e) => e.field === 'birth_date'));
        assert.equal(byRow(2).length, 0);
        assert.equal(r.json.error_rows, 3);
        for (const e of r.json.errors) assert.match(e.message, CJK);
        assert.equal(r.json.committed, false);
      }
      // the empty name alone, row 2 fine otherwise
      const r = await upload(admin, 'person', '姓名,出生日期\n丁一,1980-01-01\n ,1980-01-02\n');
      assert.equal(r.status, 422);
      assert.ok(r.json.errors.some((e) => e.row === 3 && e.field === 'name'), r.text);
      assert.deepEqual([people(server), audits(server)], before, 'a refused import changed the database');
    });

    test('a row shorter than the header, failing on a column it has no cell in, is reported by that column', async () => {
      const before = [people(server), audits(server)];
      const r = await upload(admin, 'person', '性别,出生日期,姓名\n男,1980-01-01,丁二\n女\n');
      assert.equal(r.status, 422, r.text);
      const e = r.json.errors.find((x) => x.row === 3 && x.field === 'name');
      assert.ok(e, r.text);
      assert.equal(e.column, 'C');
      assert.match(e.message, CJK);
      assert.equal(r.json.error_rows, 1);
      assert.deepEqual([people(server), audits(server)], before, 'a refused import changed the database');
    });

    test('`qiao import` prints the report and exits non-zero having changed nothing', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'qiao-imp-'));
      try {
        writeFileSync(join(dir, 'bad.csv'), '姓名,出生日期\n戊一,1990-01-01\n戊二,1990-02-31\n');
        writeFileSync(join(dir, 'good.csv'), '姓名,出生日期\n戊一,1990-01-01\n戊二,1990-02-28\n');
        const n0 = people(server);
        let r = spawnSync(BIN, ['import', 'person', join(dir, 'bad.csv'), '--db', server.db], { encoding: 'utf8' });
        assert.notEqual(r.status, 0);
        assert.match(r.stdout, /第 3 行 B/);
        assert.equal(people(server), n0);
        r = spawnSync(BIN, ['import', 'person', join(dir, 'good.csv'), '--db', server.db, '--dry-run'], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.equal(people(server), n0);
        r = spawnSync(BIN, ['import', 'person', join(dir, 'good.csv'), '--db', server.db], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.equal(people(server), n0 + 2);
        // records that name no org belong to the root of the tree, or to --org
        const root = sqlInt(server, 'SELECT id FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1');
        assert.equal(sqlInt(server, `SELECT count(*) FROM person WHERE name IN ('戊一', '戊二') AND org_id = ${root}`), 2);
        const W = await mkOrg(admin, { name: '戊县侨联', kind: 'federation' });
        writeFileSync(join(dir, 'more.csv'), '姓名\n戊三\n');
        r = spawnSync(BIN, ['import', 'person', join(dir, 'more.csv'), '--db', server.db, '--org', String(W.id)], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.equal(sqlInt(server, `SELECT org_id FROM person WHERE name = '戊三'`), W.id);
        assert.equal((await admin.get('/api/v1/search?q=wusan')).json.items[0]?.id,
          sqlInt(server, `SELECT id FROM person WHERE name = '戊三'`), 'an imported person is found');
        for (const bad of ['99999', 'x']) {
          r = spawnSync(BIN, ['import', 'person', join(dir, 'more.csv'), '--db', server.db, '--org', bad], { encoding: 'utf8' });
          assert.equal(r.status, 2, r.stdout + r.stderr);
          assert.match(r.stderr, /组织|--org/);
        }
        assert.equal(people(server), n0 + 3);
      } finally { rmSync(dir, { recursive: true, force: true }); }
    });

    test('XLSX: shared and inline strings, numbers, date serials; merged cells reported', async () => {
      const rows = [['姓名', 'Date of birth', '迁出年份', '備註'],
        ['己一', { date: 25569 }, { num: 1985 }, { inline: '自 XLSX' }],
        [{ inline: '己二' }, { num: 36526 }, null, '']];
      const r = await upload(admin, 'person', xlsx(rows), '?dry_run=1');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.errors, []);
      assert.equal(r.json.rows, 2);
      const c = await upload(admin, 'person', xlsx(rows));
      assert.equal(c.status, 200, c.text);
      const l = await admin.get('/api/v1/person?name=' + encodeURIComponent('己一'));
      assert.equal(l.json.items[0].birth_date, '1970-01-01');
      const m = await upload(admin, 'person', xlsx([['姓名', '出生日期'], ['己三', '2000-01-01'], [null, '2000-01-02']], { merges: ['A2:A3'] }), '?dry_run=1');
      assert.equal(m.status, 200);
      assert.ok(m.json.errors.some((e) => e.row === 2 && /合并单元格 A2:A3/.test(e.message)), m.text);
    });

    test('a sheet with more merged ranges than a census list has is refused whole, in a short answer', async () => {
      const merges = Array.from({ length: 10001 }, (_, i) => `B${i + 2}:C${i + 2}`);
      const r = await upload(admin, 'person', xlsx([['姓名', '出生日期'], ['辛一', '2000-01-01']], { merges }), '?dry_run=1');
      assert.equal(r.status, 422, r.text.slice(0, 300));
      assert.equal(r.json.error.code, 'bad_file');
      assert.match(r.json.error.message, /合并单元格太多/);
      assert.ok(r.text.length < 65536, `the answer echoes the sheet: ${r.text.length} bytes`);
      assert.ok(server.alive);
    });

    test('an explicit mapping overrides the headers; unknown fields in it are refused', async () => {
      const csv = '名字,生日,乱七八糟\n庚一,1999-09-09,x\n';
      let r = await upload(admin, 'person', csv, '?dry_run=1');
      assert.equal(r.status, 422);
      r = await upload(admin, 'person', csv, '?dry_run=1&mapping=' + encodeURIComponent(JSON.stringify({ 名字: 'name', B: 'birth_date', 乱七八糟: null })));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.headers.map((h) => h.field), ['name', 'birth_date', null]);
      assertError(await upload(admin, 'person', csv, '?mapping=' + encodeURIComponent(JSON.stringify({ 名字: 'password_hash' }))), 400, 'bad_mapping');
      assertError(await upload(admin, 'person', csv, '?mapping=nope'), 400, 'bad_mapping');
    });

    test('refusals: a wrong encoding, a zip that is not XLSX, a broken zip, an old .xls, an empty file, a huge body', async () => {
      const before = [people(server), audits(server)];
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('姓名\n陈\n', 'utf16le')]);
      assertError(await upload(admin, 'person', utf16), 415, 'bad_encoding');
      assertError(await upload(admin, 'person', Buffer.from([0x81, 0x30, 0xff, 0xff, 0x0a])), 415, 'bad_encoding');
      assertError(await upload(admin, 'person', zip({ 'readme.txt': 'hello' })), 415, 'not_xlsx');
      assertError(await upload(admin, 'person', Buffer.from('PK\x03\x04garbage')), 415, 'not_xlsx');
      assertError(await upload(admin, 'person', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])), 415, 'not_xlsx');
      assertError(await upload(admin, 'person', ''), 422, 'empty');
      assertError(await upload(admin, 'person', '"姓名\n陈'), 422, 'bad_file');
      const huge = Buffer.alloc(65 * 1024 * 1024, 0x41);
      const r = await upload(admin, 'person', huge);
      assert.equal(r.status, 413);
      assert.deepEqual([people(server), audits(server)], before);
    });

    test('likely duplicates are reported: same ID number, same folded name and birth date', async () => {
      await upload(admin, 'person', '姓名,出生日期,证件号码\n陳大文,1960-01-01,P0001\n');
      const r = await upload(admin, 'person', '姓名,出生日期,证件号码\n陈大文,1960-01-01,\n李四,1961-01-01,P0001\n李四,1961-01-01,\n', '?dry_run=1');
      assert.equal(r.status, 200, r.text);
      const d = r.json.duplicates;
      assert.ok(d.some((x) => x.row === 2 && x.existing_id > 0), JSON.stringify(d));
      assert.ok(d.some((x) => x.row === 3 && x.existing_id > 0 && /证件/.test(x.reason)));
      assert.ok(d.some((x) => x.row === 4 && x.other_row === 3));
    });

    test('progress of a job is readable by its owner only', async () => {
      const job = Math.floor(Math.random() * 1e9) + 1;
      const r = await upload(admin, 'person', '姓名\n辛一\n', `?dry_run=1&job=${job}`);
      assert.equal(r.status, 200);
      const j = await admin.get(`/api/v1/import/jobs/${job}`);
      assert.equal(j.status, 200, j.text);
      assert.equal(j.json.finished, true);
      const v = await server.login('viewer');
      assertError(await v.get(`/api/v1/import/jobs/${job}`), 404);
    });

    test('user accounts are not importable', async () => {
      assertError(await upload(admin, 'user', 'username\nbob\n'), 400, 'not_importable');
    });

    test('a viewer may not import', async () => {
      const v = await server.login('viewer');
      assertError(await upload(v, 'person', '姓名\n壬一\n'), 403, 'forbidden');
    });

    test('XLSX export: scope, masking, audit; it imports back', async () => {
      await upload(admin, 'person', '姓名,证件号码,备注\n癸一,44010119900101123X,=1+2\n');
      const a0 = sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'export'");
      const x = await getBytes(admin, '/api/v1/export/person.xlsx?name=' + encodeURIComponent('癸一'));
      assert.equal(x.status, 200);
      assert.match(x.headers.get('content-type'), /spreadsheetml/);
      assert.equal(x.bytes.subarray(0, 2).toString(), 'PK');
      assert.equal(sqlInt(server, "SELECT count(*) FROM audit_log WHERE action = 'export'"), a0 + 1);
      // the ID number is masked in the workbook; the formula-looking note is a string
      const sheet = Object.entries(unzip(x.bytes)).find(([n]) => /worksheets\/sheet1\.xml$/.test(n))[1];
      assert.ok(!sheet.includes('44010119900101123X'), 'an unmasked ID number in the export');
      assert.match(sheet, /4401\*+23X|440\*+3X|\*{6,}/, 'the masked ID number');
      assert.ok(!/<f>/.test(sheet), 'a formula in the export');
      assert.ok(sheet.includes('=1+2'));
      const v = await server.login('viewer');
      const vx = await getBytes(v, '/api/v1/export/person.xlsx');
      assert.equal(vx.status, 403, 'viewer has no export permission here');
      // read it back through the importer's dry run (the export's own headers map back)
      const back = await upload(admin, 'person', x.bytes, '?dry_run=1');
      assert.equal(back.status, 200, back.text);
      assert.equal(back.json.rows, 1);
      assert.ok(back.json.headers.some((h) => h.field === 'name'));
      // CSV export neutralises formulas
      const csv = (await getBytes(admin, '/api/v1/export/person.csv?name=' + encodeURIComponent('癸一'))).bytes.toString();
      const rows = parseCsv(csv.replace(/^\ufeff/, ''));
      assert.ok(rows[1].includes("'=1+2"), rows[1].join('|'));
    });

    test('an export within a county only holds its people', async () => {
      const A = await mkOrg(admin, { name: '甲县侨联', kind: 'federation' });
      server.addUser('staffA', 'staff', A.id);
      const s = await server.login('staffA');
      const r = await upload(s, 'person', '姓名\n子县一\n');
      assert.equal(r.status, 200, r.text);
      const x = await getBytes(s, '/api/v1/export/person.xlsx');
      assert.equal(x.status, 200);
      const back = await upload(admin, 'person', x.bytes, '?dry_run=1');
      assert.equal(back.json.rows, 1, 'the county export holds only its own person');
      assert.equal(sql(server, `SELECT count(*) FROM person WHERE org_id = ${A.id}`), '1');
    });

    test('100,000 rows: three bad ones reported by row, nothing written; then all committed and found', async () => {
      const lines = ['姓名,性别,出生日期,国籍'];
      for (let i = 0; i < 100000; i++) lines.push(`大${i},${i % 2 ? '男' : '女'},19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10},SG`);
      lines[100000] = '司徒末行,男,1960-01-01,SG'; // the last row, to be found by search
      const bad = [...lines];
      bad[20000] = '大坏一,男,1960-02-30,SG'; // spreadsheet row 20001
      bad[54321] = ',女,1960-01-01,SG';
      bad[99999] = '大坏三,男,1960-01-01,XX';
      const n0 = people(server), a0 = audits(server);
      let t = Date.now();
      const r = await upload(admin, 'person', bad.join('\n') + '\n');
      assert.equal(r.status, 422, r.text.slice(0, 300));
      assert.equal(r.json.rows, 100000);
      assert.deepEqual(r.json.errors.map((e) => [e.row, e.field]), [[20001, 'birth_date'], [54322, 'name'], [100000, 'nationality']]);
      assert.deepEqual([people(server), audits(server)], [n0, a0], 'a refused import changed the database');
      console.log(`# ${store} 100k refused: ${Date.now() - t} ms`);
      t = Date.now();
      const c = await upload(admin, 'person', lines.join('\n') + '\n');
      assert.equal(c.status, 200, c.text.slice(0, 300));
      console.log(`# ${store} 100k commit: ${Date.now() - t} ms`);
      assert.equal(people(server), n0 + 100000);
      assert.equal(audits(server), a0 + 100001, 'an entry per record and one for the import');
      const v = qiaoRun(['audit', 'verify', '--db', server.db]);
      assert.equal(v.status, 0, `the chain after a bulk import: ${v.stdout} ${v.stderr}`);
      const found = await admin.get('/api/v1/search?q=situ%20moxing');
      assert.equal(found.json.items[0]?.name, '司徒末行', 'the last row is searchable');
    });
  });
}
