// `qiao export ENTITY FILE` (SPEC "The program"): the records of an entity written as the
// API's export writes them, .xlsx or .csv by the file's name, of an org's subtree with
// --org, masked unless --unmask (audited, as every export is); an unknown entity, another
// extension or an existing file are refused with exit 2 and nothing written.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer, qiao } from '../lib/server.mjs';
import { created, mkOrg, sqlInt } from './helpers.mjs';

const ID = '110101199003074477';

for (const store of STORES) {
  describe(`qiao export (${store})`, () => {
    let server, dir, A;
    before(async () => {
      server = await startServer({ store });
      const admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      await created(admin, '/api/v1/person', { org_id: A.id, name: '陈甲一', id_type: 'resident_id', id_number: ID, birth_date: '1990-03-07' });
      await created(admin, '/api/v1/person', { name: '林市一', categories: ['returnee'] });
      dir = mkdtempSync(join(tmpdir(), 'qiao-export-'));
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await server?.stop();
    });
    const audits = (action) => sqlInt(server, `SELECT count(*) FROM audit_log WHERE action = '${action}' AND entity = 'person'`);

    test('a CSV of a subtree, masked; in clear with --unmask, audited', async () => {
      const exports = audits('export'), unmasks = audits('unmask');
      const f = join(dir, 'a.csv');
      qiao(['export', 'person', f, '--db', server.db, '--org', String(A.id)]);
      const text = readFileSync(f, 'utf8');
      assert.ok(text.startsWith('\ufeff编号,'), text.slice(0, 40));
      assert.match(text, /陈甲一/);
      assert.doesNotMatch(text, /林市一/, 'only the subtree');
      assert.doesNotMatch(text, new RegExp(ID));
      const g = join(dir, 'b.csv');
      qiao(['export', 'person', g, '--db', server.db, '--unmask']);
      const clear = readFileSync(g, 'utf8');
      assert.match(clear, new RegExp(ID));
      assert.match(clear, /林市一/);
      assert.equal(audits('export'), exports + 2);
      assert.equal(audits('unmask'), unmasks + 1);
    });

    test('an XLSX', async () => {
      const f = join(dir, 'p.xlsx');
      qiao(['export', 'person', f, '--db', server.db]);
      assert.equal(readFileSync(f).subarray(0, 2).toString(), 'PK');
    });

    test('refused: an unknown entity, another extension, an existing file', async () => {
      for (const args of [['export', 'nobody', join(dir, 'x.csv')], ['export', 'person', join(dir, 'x.txt')], ['export', 'person', join(dir, 'p.xlsx')], ['export', 'person']]) {
        const r = qiao([...args, '--db', server.db], { allowFail: true });
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /[\u4e00-\u9fff]/, 'a Chinese message');
      }
      assert.ok(!existsSync(join(dir, 'x.csv')) && !existsSync(join(dir, 'x.txt')));
    });
  });
}
