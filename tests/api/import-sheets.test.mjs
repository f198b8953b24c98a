// Census sheets as federations make them (issue 13, tests/data/make_sheets.py): a title
// merged across the table above a header on row 3, blank rows, trailing full-width spaces,
// full-width digits, ID numbers and phones Excel stored as numbers, masked values from an
// export, headers as people write them (身份证号码, 联系电话, 祖籍, 居住国, 手机号码, 籍贯,
// 所在国家), money in 元 and 万元. Each import is checked against its expected report: the
// header row, every column mapped and ignored, every problem of every row, counts that add
// up; and what was stored.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, STORES, startServer } from '../lib/server.mjs';
import { CJK, sql, sqlInt } from './helpers.mjs';

const DATA = resolve(import.meta.dirname, '../data');
const sheet = (name) => readFileSync(join(DATA, name));

async function upload(c, entity, body, query = '') {
  return c.req('POST', `/api/v1/import/${entity}${query}`, new Uint8Array(body),
    { headers: { 'Content-Type': 'application/octet-stream' } });
}

const CENSUS_FIELDS = [null, 'name', 'gender', 'birth_date', 'id_number', 'phone', 'ancestral_region_code',
  'residence_country', 'notes'];

/** The report's errors as [row, column, code], in order. */
const problems = (rep) => rep.errors.map((e) => [e.row, e.column, e.code]);

for (const store of STORES) {
  describe(`census sheets (${store})`, () => {
    let server, admin;
    before(async () => {
      server = await startServer({ store, users: { admin: { role: 'admin' } } });
      admin = await server.login('admin');
    });
    after(() => server?.stop());

    test('a good sheet: header on row 3 under a merged title, columns mapped and ignored, every row read as meant', async () => {
      const dry = await upload(admin, 'person', sheet('census-good.xlsx'), '?dry_run=1');
      assert.equal(dry.status, 200, dry.text);
      const r = dry.json;
      assert.equal(r.header_row, 3);
      assert.deepEqual(r.headers.map((h) => h.field), CENSUS_FIELDS);
      assert.deepEqual(r.ignored.map((h) => [h.column, h.header]), [['A', '序号']]);
      assert.match(r.ignored[0].reason, CJK);
      assert.deepEqual(r.errors, []);
      assert.deepEqual([r.rows, r.ok, r.error_rows], [5, 5, 0]);
      const c = await upload(admin, 'person', sheet('census-good.xlsx'));
      assert.equal(c.status, 200, c.text);
      const rows = sql(server, 'SELECT name, birth_date, id_number, phone, ancestral_region_code, ancestral_place, ' +
        'residence_country, notes FROM person ORDER BY id').split('\n').map((l) => l.split('|'));
      assert.deepEqual(rows, [
        ['陈嘉庚', '1966-07-31', '440781196607311231', '+86 138 1234 5678', '440781', '浮石村', 'MY', '老归侨'],
        ['林文庆', '1989-07-07', '', '+86 750 5523456', '440700', '', 'ID', ''],
        ['黄 二', '1939-03-11', '', '+60 12 345 6789', '350200', '', 'SG', ''],
        ['吴三', '1931-05-18', '', '+86 20 12345678', '', '某某村', 'US', ''],
        ['李四', '1985-03-12', '', '+86 139 1234 5678', '440781', '', 'TH', ''],
      ]);
    });

    test('a bad sheet: numbers that lost digits, masked values, every problem of a row in one pass; nothing written', async () => {
      const n0 = sqlInt(server, 'SELECT count(*) FROM person');
      for (const q of ['?dry_run=1', '']) {
        const res = await upload(admin, 'person', sheet('census-bad.xlsx'), q);
        assert.equal(res.status, q ? 200 : 422, res.text);
        const r = res.json;
        assert.deepEqual(problems(r), [
          [4, 'E', 'number_lost'],
          [5, 'E', 'number_lost'], [5, 'F', 'number_lost'],
          [6, 'E', 'masked'], [6, 'F', 'masked'],
          [7, 'C', 'invalid'], [7, 'D', 'invalid'], [7, 'F', 'invalid'], [7, 'H', 'invalid'], [7, 'B', 'invalid'],
        ]);
        const e4 = r.errors[0];
        assert.equal(e4.header, '身份证号码');
        assert.equal(e4.value, '4.40784197407014E+17');
        assert.match(e4.message, /身份证号码被存成了数字.*后几位已丢失, 请把该列设为文本后重新填写/);
        assert.match(r.errors[3].message, /A5\*\*\*\*57.*是导出时遮盖的值, 不能导入/);
        assert.equal(r.errors.find((e) => e.row === 7 && e.column === 'B').field, 'name');
        assert.deepEqual([r.rows, r.ok, r.error_rows], [5, 1, 4]);
        assert.equal(r.rows, r.ok + r.error_rows, 'the counts add up');
        assert.equal(r.committed, false);
      }
      assert.equal(sqlInt(server, 'SELECT count(*) FROM person'), n0);
    });

    test('GBK CSV from old Excel: full-width digits, mobiles and landlines without +86, 籍贯 and 所在国家 by name', async () => {
      const c = await upload(admin, 'person', sheet('census-gbk.csv'));
      assert.equal(c.status, 200, c.text);
      assert.deepEqual(c.json.headers.map((h) => h.field),
        ['name', 'gender', 'birth_date', 'phone', 'ancestral_region_code', 'residence_country']);
      const rows = sql(server, "SELECT name, birth_date, phone, ancestral_region_code, residence_country FROM person " +
        "WHERE name IN ('周五', '郑六') ORDER BY id").split('\n');
      assert.deepEqual(rows, ['周五|1989-07-07|+86 138 1234 5678|440781|MY', '郑六|1966-07-31|+86 20 12345678|440700|TH']);
    });

    test('money in 元 (numbers, separators, ¥) and 万元 is stored as fen; three decimals and a numeric credit code are refused', async () => {
      const bad = await upload(admin, 'enterprise', sheet('enterprise-bad.xlsx'), '?dry_run=1');
      assert.equal(bad.status, 200, bad.text);
      assert.deepEqual(problems(bad.json), [[6, 'D', 'invalid'], [7, 'C', 'number_lost']]);
      assert.match(bad.json.errors[0].message, /两位小数/);
      assert.equal(bad.json.header_row, 2);
      for (const f of ['enterprise.xlsx', 'enterprise-wan.csv']) {
        const c = await upload(admin, 'enterprise', sheet(f));
        assert.equal(c.status, 200, c.text);
      }
      const caps = sql(server, 'SELECT name, registered_capital, phone FROM enterprise ORDER BY id').split('\n');
      assert.deepEqual(caps, ['江门侨兴实业有限公司|1234567800|+86 750 5523456', '台山侨乡食品厂|1234567|',
        '新会陈皮有限公司|234567|', '侨联大厦公司|12500000|']);
      const one = await admin.get('/api/v1/enterprise?q=' + encodeURIComponent('江门侨兴'));
      assert.equal(one.json.items[0].registered_capital, 1234567800, 'JSON stays integer fen');
    });

    test('`qiao import` prints the header row, each column mapped and each ignored before the rows', async () => {
      const r = spawnSync(BIN, ['import', 'person', join(DATA, 'census-good.xlsx'), '--db', server.db, '--dry-run'],
        { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /表头在第 3 行/);
      assert.match(r.stdout, /E 列 “身份证号码” → 证件号码 \(id_number\)/);
      assert.match(r.stdout, /G 列 “祖籍” → 祖籍地 \(ancestral_region_code\)/);
      assert.match(r.stdout, /A 列 “序号” 不导入/);
      assert.match(r.stdout, /有 1 列未导入/);
      const b = spawnSync(BIN, ['import', 'person', join(DATA, 'census-bad.xlsx'), '--db', server.db, '--dry-run'],
        { encoding: 'utf8' });
      assert.notEqual(b.status, 0);
      assert.match(b.stdout, /第 5 行 F: 联系电话被存成了数字/);
      assert.match(b.stdout, /5 行中有 4 行未通过检查/);
    });
  });
}
