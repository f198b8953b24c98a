// Census sheets as federations make them (issue 13, tests/data/make_sheets.py): a title
// merged across the table above a header on row 3, blank rows, trailing full-width spaces,
// full-width digits, ID numbers and phones Excel stored as numbers, masked values from an
// export, headers as people write them (身份证号码, 联系电话, 祖籍, 居住国, 手机号码, 籍贯,
// 所在国家), money in 元 and 万元. Each import is checked against its expected report: the
// header row, every column mapped and ignored, every problem of every row, counts that add
// up; and what was stored.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, STORES, startServer } from '../lib/server.mjs';
import { CJK, soffice, sql, sqlInt } from './helpers.mjs';

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

/** A resident ID number (GB 11643) of a person born on birth (YYYYMMDD), the seq'th
 * (below 24) of that day, whose check character is X when x, else a digit (so that Calc
 * reads it as text, or as a number). */
function residentId(birth, seq, x) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  for (let k = 0; k < 37; k++) {
    const body = '440781' + birth + String(100 + seq * 37 + k);
    const c = '10X98765432'[[...body].reduce((s, ch, i) => s + +ch * w[i], 0) % 11];
    if ((c === 'X') === x) return body + c;
  }
  throw new Error('no such ID number');
}

const FULL = (s) => s.replace(/[0-9-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xFEE0));
const pad = (n) => String(n).padStart(2, '0');

/** An invented census of n people typed as federations type them (a title row, a blank
 * row, the header on row 3, a blank row every 2000 rows, trailing full-width and ASCII
 * spaces, dates as 1966/7/31, 1985.3.12, 1939年3月11日, 19310518 and full-width, ID numbers
 * ending in X (text to Calc) or, in the rows bad() picks, in a digit (a number: digits
 * lost), landlines without +86, countries and 祖籍 by name), as CSV text; with the
 * problems expected of it ([row, column, code]) and, by row, what each person is stored
 * as. bad(i) = 'id' | 'date' | null. */
function bigCensus(n, bad) {
  const sur = '陈林黄吴王张许郭叶蔡李刘杨赵周徐孙马朱胡', giv = '嘉庚文庆明华国强志伟秀兰丽芳建军德福荣光耀宗祖海天';
  const lines = ['2024年侨情普查登记表（清江市）,,,,,,,', ',,,,,,,', '序号,姓名,性别,出生日期,身份证号码,联系电话,居住国,祖籍'];
  const expect = [], stored = new Map();
  const countries = [['马来西亚', 'MY'], ['新加坡', 'SG'], ['印尼', 'ID'], ['美国', 'US'], ['泰国', 'TH']];
  for (let i = 1; i <= n; i++) {
    const row = lines.length + 1;
    const name = sur[i % 20] + giv[(i / 20 | 0) % 25] + giv[(i / 500 | 0) % 25];
    const y = 1930 + i % 70, m = 1 + i % 12, d = 1 + i % 28, iso = `${y}-${pad(m)}-${pad(d)}`;
    const date = [`${y}/${m}/${d}`, `${y}.${m}.${d}`, `${y}年${m}月${d}日`, `${y}${pad(m)}${pad(d)}`, FULL(iso)][i % 5];
    const b = bad(i);
    const id = b === 'id' ? residentId(`${y}${pad(m)}${pad(d)}`, i / 420 | 0, false)
      : i % 10 === 0 && !b ? residentId(`${y}${pad(m)}${pad(d)}`, i / 420 | 0, true) : '';
    const phone = i % 3 === 0 ? `0750-${5500000 + i}` : i % 3 === 1 ? `020-${30000000 + i}` : '';
    const [cn, cc] = countries[i % 5];
    const anc = i % 4 === 0 ? '广东省江门市台山市' : '';
    const written = name + (i % 7 === 0 ? '\u3000' : i % 11 === 0 ? ' ' : '');
    lines.push([i, written, i % 2 ? '男' : '女', b === 'date' ? '1950-02-30' : date, id, phone, cn, anc].join(','));
    if (b === 'id') expect.push([row, 'E', 'number_lost']);
    if (b === 'date') expect.push([row, 'D', 'invalid']);
    stored.set(row, [name, iso, id, phone ? `+86 ${phone.slice(1, phone.indexOf('-'))} ${phone.slice(phone.indexOf('-') + 1)}` : '',
      anc ? '440781' : '', cc]);
    if (i % 2000 === 0) lines.push(',,,,,,,');
  }
  return { csv: lines.join('\n') + '\n', expect, stored };
}

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

    test('10,000 rows typed into LibreOffice Calc and saved by it as .xlsx and .xls: the expected report, then imported whole, in seconds', async (t) => {
      const bad = (i) => (i % 1000 === 500 ? 'id' : i % 2500 === 1250 ? 'date' : null);
      const withBad = bigCensus(10000, bad), good = bigCensus(10000, () => null);
      const dir = mkdtempSync(join(tmpdir(), 'qiao-10k-'));
      try {
        writeFileSync(join(dir, 'census-10k-bad.csv'), withBad.csv);
        writeFileSync(join(dir, 'census-10k.csv'), good.csv);
        let t0 = Date.now();
        // as tests/data/make_calc_sheets.sh: read as a Chinese user's Calc reads typed cells
        const lo = await soffice({ profileDir: dir, to: 'xlsx', outdir: join(dir, 'calc'), infilter: 'CSV:44,34,76,1,,2052',
          files: [join(dir, 'census-10k-bad.csv'), join(dir, 'census-10k.csv')] });
        assert.equal(lo.status, 0, lo.stderr);
        const xls = await soffice({ profileDir: dir, to: 'xls', outdir: join(dir, 'calc'), infilter: 'CSV:44,34,76,1,,2052',
          files: [join(dir, 'census-10k-bad.csv')] });
        assert.equal(xls.status, 0, xls.stderr);
        t.diagnostic(`LibreOffice wrote the three sheets in ${Date.now() - t0} ms`);
        const badX = readFileSync(join(dir, 'calc', 'census-10k-bad.xlsx'));
        const goodX = readFileSync(join(dir, 'calc', 'census-10k.xlsx'));

        const n0 = sqlInt(server, 'SELECT count(*) FROM person');
        t0 = Date.now();
        const dry = await upload(admin, 'person', badX, '?dry_run=1');
        const dryMs = Date.now() - t0;
        assert.equal(dry.status, 200, dry.text.slice(0, 500));
        const r = dry.json;
        assert.equal(r.header_row, 3);
        assert.deepEqual(r.headers.map((h) => h.field), [null, 'name', 'gender', 'birth_date', 'id_number', 'phone',
          'residence_country', 'ancestral_region_code']);
        assert.deepEqual(problems(r), withBad.expect);
        assert.equal(withBad.expect.length, 14);
        assert.match(r.errors[0].message, /身份证号码被存成了数字/);
        assert.deepEqual([r.rows, r.ok, r.error_rows], [10000, 9986, 14]);
        assert.deepEqual(r.duplicates, []);
        // the same sheet saved as Excel 97 (.xls, read by libfreexl): the same report
        t0 = Date.now();
        const dryXls = await upload(admin, 'person', readFileSync(join(dir, 'calc', 'census-10k-bad.xls')), '?dry_run=1');
        t.diagnostic(`the .xls dry run: ${Date.now() - t0} ms`);
        assert.equal(dryXls.status, 200, dryXls.text.slice(0, 500));
        assert.deepEqual(problems(dryXls.json), withBad.expect);
        assert.deepEqual([dryXls.json.header_row, dryXls.json.rows, dryXls.json.ok, dryXls.json.error_rows], [3, 10000, 9986, 14]);
        const refused = await upload(admin, 'person', badX);
        assert.equal(refused.status, 422);
        assert.equal(sqlInt(server, 'SELECT count(*) FROM person'), n0, 'nothing written');

        const last = sqlInt(server, 'SELECT coalesce(max(id), 0) FROM person');
        t0 = Date.now();
        const done = await upload(admin, 'person', goodX);
        const importMs = Date.now() - t0;
        assert.equal(done.status, 200, done.text.slice(0, 500));
        assert.deepEqual([done.json.rows, done.json.ok, done.json.created, done.json.error_count], [10000, 10000, 10000, 0]);
        t.diagnostic(`10,000 rows: dry run ${dryMs} ms, import ${importMs} ms (test build, ASan)`);
        assert.ok(dryMs < 30e3 && importMs < 30e3, `dry run ${dryMs} ms, import ${importMs} ms`);
        // every person as meant: trimmed names, dates of every form, IDs kept whole, +86, codes
        const rows = sql(server, `SELECT name, birth_date, coalesce(id_number, ''), coalesce(phone, ''),
          coalesce(ancestral_region_code, ''), residence_country FROM person WHERE id > ${last} ORDER BY id`)
          .split('\n').map((l) => l.split('|'));
        assert.deepEqual(rows, [...good.stored.values()]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('every entity by the same rules, from sheets LibreOffice wrote (dates and money as number cells): the ledger, visits, wishes, events, participants, projects, submissions, honours', async () => {
      const root = sqlInt(server, 'SELECT coalesce(max(id), 0) FROM person');
      const chen = (await admin.post('/api/v1/person', { name: '陈实体' })).json.id;
      const lin = (await admin.post('/api/v1/person', { name: '林实体' })).json.id;
      assert.ok(chen > root);
      // typed as staff type them: dates in every form, money in 元 with separators and ¥,
      // links by name, labels, short and joined forms, lists with 、
      const typed = [
        ['programme', '项目名称,类别,开始日期,筹款目标(元)\n实体助学,助学,2024/1/1,"¥100,000.50"\n实体光明,光明行,2024.2.1,5000\n'],
        ['donation', '捐赠日期,捐赠人,金额(元),所属项目\n2024/3/1,陈实体,"1,000.50",实体助学\n2024年3月2日,某某商会,200,实体助学\n'],
        ['disbursement', '支出日期,受助方,金额,用途,所属项目\n20240305,林实体,100.5,助学金,实体助学\n'],
        ['visit', '走访日期,走访类别,走访对象,慰问金(元),资金来源项目\n2024/2/1,春节,"陈实体、林实体",200,实体助学\n'],
        ['wish', '心愿,心愿人,预计费用\n一台电脑,林实体,"¥3,000"\n'],
        ['event', '活动名称,类型,开始日期,国家或地区,合办单位,形式\n实体寻根之旅,寻根之旅,2024/7/1,马来西亚,"甲会、乙会",线下\n'],
        ['participant', '活动,人员,身份,出席\n实体寻根之旅,陈实体,侨领代表,是\n实体寻根之旅,林实体,嘉宾,否\n'],
        ['project', '项目名称,类型,合作方,金额,签约活动,行业\n实体项目,投资,陈实体,"¥1,234,567.89",实体寻根之旅,制造业\n'],
        ['submission', '标题,类型,作者,报送日期,报送单位\n实体调研,调研报告,"张三、李四",2024年3月1日,市委\n'],
        ['honor', '荣誉名称,级别,获表彰者,授予日期,获表彰者类型\n实体先进个人,国家级,陈实体,2024/3/1,侨界人士\n'],
      ];
      const dir = mkdtempSync(join(tmpdir(), 'qiao-entities-'));
      try {
        for (const [e, text] of typed) writeFileSync(join(dir, `${e}.csv`), text);
        const lo = await soffice({ profileDir: dir, to: 'xlsx', outdir: join(dir, 'calc'), infilter: 'CSV:44,34,76,1,,2052',
          files: typed.map(([e]) => join(dir, `${e}.csv`)) });
        assert.equal(lo.status, 0, lo.stderr);
        for (const [e] of typed) {
          const r = await upload(admin, e, readFileSync(join(dir, 'calc', `${e}.xlsx`)));
          assert.equal(r.status, 200, `${e}: ${r.text.slice(0, 400)}`);
          assert.deepEqual([r.json.error_count, r.json.ignored], [0, []], e);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const q = (text) => sql(server, text).split('\n');
      assert.deepEqual(q("SELECT name, kind, starts_on, target FROM programme WHERE name LIKE '实体%' ORDER BY id"),
        ['实体助学|education|2024-01-01|10000050', '实体光明|sight|2024-02-01|500000']);
      const prog = sqlInt(server, "SELECT id FROM programme WHERE name = '实体助学'");
      assert.deepEqual(q(`SELECT received_on, donor_type, coalesce(donor_id, 0), donor_name, amount FROM donation WHERE programme_id = ${prog} ORDER BY id`),
        [`2024-03-01|person|${chen}|陈实体|100050`, '2024-03-02|name|0|某某商会|20000']);
      assert.equal(sql(server, `SELECT paid_on || '|' || beneficiary_id || '|' || amount FROM disbursement WHERE purpose = '助学金'`), `2024-03-05|${lin}|10050`);
      assert.equal(sql(server, `SELECT visited_on || '|' || person_ids || '|' || people_count || '|' || cash || '|' || programme_id FROM visit`),
        `2024-02-01|["${chen}","${lin}"]|2|20000|${prog}`);
      assert.equal(sql(server, "SELECT beneficiary_id || '|' || estimated_cost FROM wish WHERE wish = '一台电脑'"), `${lin}|300000`);
      assert.equal(sql(server, "SELECT kind || '|' || starts_on || '|' || country || '|' || co_organisers || '|' || mode FROM event WHERE name = '实体寻根之旅'"),
        'camp|2024-07-01|MY|["甲会","乙会"]|offline');
      assert.deepEqual(q('SELECT person_id, role, attended FROM participant ORDER BY id'), [`${chen}|leader|1`, `${lin}|guest|0`]);
      const ev = sqlInt(server, "SELECT id FROM event WHERE name = '实体寻根之旅'");
      assert.equal(sql(server, "SELECT partner_type || '|' || partner_id || '|' || amount || '|' || industry || '|' || event_id FROM project WHERE name = '实体项目'"),
        `person|${chen}|123456789|C|${ev}`);
      assert.equal(sql(server, "SELECT kind || '|' || authors || '|' || submitted_on FROM submission WHERE title = '实体调研'"), 'research|["张三","李四"]|2024-03-01');
      assert.equal(sql(server, "SELECT level || '|' || recipient_type || '|' || recipient_id || '|' || awarded_on FROM honor WHERE title = '实体先进个人'"),
        `national|person|${chen}|2024-03-01`);
    });
  });
}
