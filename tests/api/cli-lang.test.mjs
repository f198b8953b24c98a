// The command line in the environment's language (issue 14): LC_ALL, then LC_MESSAGES,
// then LANG; zh_TW / zh_HK → zh-Hant, en… → English, anything else (zh_CN, C) → zh-Hans.
// What it prints comes from the same catalog as the server's messages: the help, init,
// import's row-by-row report, export's refusals, report's narrative, backup, audit verify,
// user add.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PASSWORD, STORES, startServer, qiao } from '../lib/server.mjs';
import { CJK } from './helpers.mjs';

const EN = { LC_ALL: 'en_US.UTF-8' };
const HANT = { LC_ALL: '', LC_MESSAGES: 'zh_TW.UTF-8', LANG: 'C.UTF-8' };
const HK = { LC_ALL: '', LC_MESSAGES: '', LANG: 'zh_HK.UTF-8' };
const HANS = { LC_ALL: '', LC_MESSAGES: '', LANG: 'zh_CN.UTF-8' };
/** English, but for what people typed or the data holds, which is quoted (“甲县侨联”) or named. */
const english = (s, allowed = []) => {
  let t = s.replace(/“[^”]*”/g, '');
  for (const a of allowed) t = t.split(a).join('');
  assert.doesNotMatch(t, CJK, s);
};

for (const store of STORES) {
  describe(`the command line's language (${store})`, () => {
    let server, dir;
    before(async () => {
      server = await startServer({ store });
      dir = mkdtempSync(join(tmpdir(), 'qiao-cli-lang-'));
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await server?.stop();
    });

    test('the help and a refused command follow LC_ALL, LC_MESSAGES and LANG', () => {
      const help = (env) => qiao(['help'], { env }).stdout;
      assert.match(help(EN), /^qiao - the information platform/);
      english(help(EN), ['“系统繁忙”']);
      assert.match(help(HANT), /^qiao - 僑聯資訊平臺/);
      assert.match(help(HK), /校驗審計鏈/);
      assert.match(help(HANS), /^qiao - 侨联信息平台/);
      assert.match(help({ LC_ALL: 'C.UTF-8' }), /^qiao - 侨联信息平台/);
      // LC_ALL wins over LANG
      assert.match(help({ LC_ALL: 'en_GB.UTF-8', LANG: 'zh_TW.UTF-8' }), /^qiao - the information/);
      const bad = qiao(['nonsense'], { env: EN, allowFail: true });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^qiao: unknown command nonsense/);
      assert.match(qiao(['nonsense'], { env: HANT, allowFail: true }).stderr, /^qiao: 不認識的命令 nonsense/);
    });

    test('init, user add, audit verify and backup in English and zh-Hant', () => {
      const again = qiao(['init', '--db', server.db, '--org-name', '某侨联'], { env: EN }).stdout;
      assert.match(again, /is already initialised: its root org was not changed; its structure is up to date/);
      english(again, [server.db]);
      assert.match(qiao(['init', '--db', server.db, '--org-name', '某侨联'], { env: HANT }).stdout, /已初始化: 根組織未做改動, 資料庫結構已是最新/);
      const add = qiao(['user', 'add', 'cli-en', '--role', 'staff', '--org', '1', '--db', server.db], { env: EN, input: PASSWORD + '\n' });
      assert.match(add.stdout, /^Added the user cli-en \(ID \d+, role staff, org 1\)/);
      const weak = qiao(['user', 'add', 'cli-weak', '--role', 'staff', '--org', '1', '--db', server.db], { env: EN, input: 'short\n', allowFail: true });
      assert.notEqual(weak.status, 0);
      assert.match(weak.stderr, /^qiao: the user could not be added: A password should have 8 to 128 characters/, 'a server message in the same language');
      const v = qiao(['audit', 'verify', '--db', server.db], { env: EN }).stdout;
      assert.match(v, /^the audit chain is whole: \d+ entries/);
      assert.match(qiao(['audit', 'verify', '--db', server.db], { env: HANT }).stdout, /^審計鏈完整, 共 \d+ 條/);
      if (store === 'sqlite') {
        const b = qiao(['backup', '--db', server.db, join(dir, 'copy.db')], { env: EN }).stdout;
        assert.match(b, /^Backed up to .*copy\.db \(the audit chain is whole: \d+ entries\)/);
        const twice = qiao(['backup', '--db', server.db, join(dir, 'copy.db')], { env: EN, allowFail: true });
        assert.equal(twice.status, 1);
        assert.match(twice.stderr, /exists already and is not overwritten/);
      }
    });

    test('import: the row-by-row report and its summary in the environment\'s language', () => {
      const f = join(dir, 'p.csv');
      writeFileSync(f, '姓名,性别,出生日期\n陈一,男,1980-02-30\n林二,女,1985-03-12\n');
      const en = qiao(['import', 'person', f, '--db', server.db, '--dry-run'], { env: EN, allowFail: true });
      assert.equal(en.status, 1);
      assert.match(en.stdout, /^The header is on row 1\n/);
      assert.match(en.stdout, /column A “姓名” → Name \(name\)/);
      assert.match(en.stdout, /Row 2 C: /);
      assert.match(en.stdout, /Of 2 rows, 1 did not pass the checks: nothing was imported/);
      english(en.stdout, ['出生日期', '1980-02-30']);
      const tw = qiao(['import', 'person', f, '--db', server.db, '--dry-run'], { env: HANT, allowFail: true });
      assert.match(tw.stdout, /^表頭在第 1 行/);
      assert.match(tw.stdout, /2 行中有 1 行未通過檢查, 全部未匯入/);
      const good = join(dir, 'g.csv');
      writeFileSync(good, '姓名,性别\n林二,女\n');
      const ok = qiao(['import', 'person', good, '--db', server.db], { env: EN });
      assert.match(ok.stdout, /Imported 1 rows: 1 new, 0 changed, 0 unchanged/);
      const nobody = qiao(['import', 'nobody', good, '--db', server.db], { env: EN, allowFail: true });
      assert.match(nobody.stderr, /^qiao: there is no importable entity “nobody”/);
    });

    test('export\'s refusals and report\'s narrative in the environment\'s language', () => {
      const x = qiao(['export', 'person', join(dir, 'x.txt'), '--db', server.db], { env: EN, allowFail: true });
      assert.equal(x.status, 2);
      assert.match(x.stderr, /^qiao: the export file's name should end in \.xlsx or \.csv/);
      const ok = qiao(['export', 'person', join(dir, 'p.csv.xlsx'), '--db', server.db], { env: EN });
      assert.match(ok.stderr, /^Exported to /);
      const y = new Date().getUTCFullYear();
      const en = qiao(['report', '--db', server.db, '--from', `${y}-01-01`, '--to', `${y}-12-31`], { env: EN }).stdout;
      assert.match(en, new RegExp(`^From ${y}-01-01 to ${y}-12-31, .* and the organisations under it`));
      english(en, ['测试市归国华侨联合会']);
      const hans = qiao(['report', '--db', server.db, '--from', `${y}-01-01`, '--to', `${y}-12-31`], { env: HANS }).stdout;
      assert.match(hans, new RegExp(`^${y}年1月1日至${y}年12月31日`));
      const bad = qiao(['report', '--db', server.db, '--from', 'yesterday'], { env: EN, allowFail: true });
      assert.notEqual(bad.status, 0);
      english(bad.stderr, ['yesterday']);
    });
  });
}
