// Name search (SPEC "Finding people", issue 5): GET /api/v1/search finds people however
// the name is typed (either script, pinyin with or without spaces, initials, every
// reading of a polyphonic surname, Cantonese as Hong Kong spells it, overseas dialect
// surnames, passport names, mixed queries), ranks exact > prefix > reading > dialect
// candidate, says why, keeps to the user's org subtree and the registry permission, and
// follows creates, updates and deletes. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, mkOrg, sqlInt } from './helpers.mjs';

for (const store of STORES) {
  describe(`name search (${store})`, () => {
    // root(1) ─ A (甲县): nearly everyone    users: admin@root, astaff@A, bstaff@B, mediator@A
    //         ├ B (乙县): 陈美玲, 林志强 (a namesake)
    //         └ 丙县 … 己县: nobody
    let server, admin, astaff, bstaff, mediator, A, B;
    const p = {};
    const add = async (key, org, fields) => {
      const r = await admin.post('/api/v1/person', { org_id: org.id, ...fields });
      assert.equal(r.status, 201, r.text);
      p[key] = r.json.id;
    };
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      // more counties, so that one county is a small part of the tree (search then reads
      // the keys org by org)
      for (const n of ['丙', '丁', '戊', '己']) await mkOrg(admin, { name: `${n}县侨联`, level: 'county' });
      await add('tkk', A, { name: '陳嘉庚', name_alt: ['TAN KAH KEE'] });
      await add('cj', A, { name: '陈嘉' });
      await add('zeng', A, { name: '曾志伟' });
      await add('shan', A, { name: '单田芳' });
      await add('cheung', A, { name: '张学友', name_alt: ['Cheung Hok Yau'] });
      await add('lim', A, { name: '林志强', former_names: ['林阿强'] });
      await add('ouyang', A, { name: '欧阳娜娜' });
      await add('lv', A, { name: '吕小龙' });
      await add('tang', A, { name: '唐刚' });
      await add('wee', A, { name: '黄明志', name_alt: ['Wee Meng Chee'] });
      await add('meiling', B, { name: '陈美玲' });
      await add('limB', B, { name: '林志强' });
      server.addUser('astaff', 'staff', A.id);
      server.addUser('bstaff', 'staff', B.id);
      server.addUser('mediator', 'mediator', A.id);
      [astaff, bstaff, mediator] = await Promise.all(['astaff', 'bstaff', 'mediator'].map((u) => server.login(u)));
    });
    after(() => server?.stop());

    const search = async (q, c = admin, extra = '') => {
      const r = await c.get(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`);
      assert.equal(r.status, 200, `${q}: ${r.status} ${r.text}`);
      for (const it of r.json.items) {
        assert.ok(['person', 'association', 'enterprise'].includes(it.type), it.type);
        assert.equal(typeof it.id, 'number');
        assert.equal(typeof it.name, 'string');
        assert.equal(typeof it.match, 'string');
      }
      return r.json.items;
    };
    /** The first hit is person `key`, matched for the reason `match` (a string or RegExp). */
    const first = async (q, key, match, c = admin) => {
      const items = await search(q, c);
      assert.ok(items.length > 0, `${q}: nothing found`);
      assert.equal(items[0].id, p[key], `${q}: first is ${JSON.stringify(items[0])}`);
      if (typeof match === 'string') assert.equal(items[0].match, match, q);
      else if (match) assert.match(items[0].match, match, q);
      return items;
    };

    test('Chinese in either script, folded per character; exact before prefix', async () => {
      await first('陈嘉庚', 'tkk', '姓名 陳嘉庚');
      await first('陳嘉庚', 'tkk', '姓名 陳嘉庚');
      const items = await search('陳嘉');
      assert.deepEqual(items.map((i) => i.id), [p.cj, p.tkk]); // exact, then prefix
      assert.equal(items[1].name, '陳嘉庚'); // shown as stored
      await first('嘉庚', 'tkk', '姓名 陳嘉庚'); // the given name
    });

    test('pinyin with or without spaces or tones, the given name, initials', async () => {
      await first('chen jiageng', 'tkk', '拼音 chen jia geng');
      await first('chenjiageng', 'tkk', '拼音 chen jia geng');
      await first('Chén Jiāgēng', 'tkk', '拼音 chen jia geng');
      await first('jiageng', 'tkk', '拼音 jia geng');
      await first('cjg', 'tkk', '拼音首字母 chen jia geng (cjg)');
      await first('ouyang nana', 'ouyang', '拼音 ou yang na na');
      await first('lv xiaolong', 'lv', '拼音 lv xiao long');
      await first('lyu xiaolong', 'lv'); // as passports write 吕
    });

    test('every reading of a polyphonic surname, the surname reading first', async () => {
      await first('zeng zhiwei', 'zeng', '拼音 zeng zhi wei');
      await first('ceng zhiwei', 'zeng', '拼音 ceng zhi wei');
      await first('shan tianfang', 'shan', '拼音 shan tian fang');
      await first('dan tianfang', 'shan', '拼音 dan tian fang');
      // the surname reading is not a weaker match than the usual one
      const zeng = await search('zeng');
      const ceng = await search('ceng');
      assert.equal(zeng[0].id, p.zeng);
      assert.equal(ceng[0].id, p.zeng);
    });

    test('Cantonese as Hong Kong spells names, with the usual variants', async () => {
      await first('tsang chi wai', 'zeng', '粤语拼音 Tsang Chi Wai');
      await first('Chan Ka Kang', 'tkk', '粤语拼音 Chan Ka Kang');
      await first('chankakang', 'tkk', '粤语拼音 Chan Ka Kang');
      await first('cheong hok yau', 'cheung', /粤语拼音 Cheung Hok Yau/); // Malaysian Cheong
    });

    test('passport names by token prefix', async () => {
      await first('tan kah kee', 'tkk', '外文名/护照名 TAN KAH KEE');
      await first('TAN KAH', 'tkk', '外文名/护照名 TAN KAH KEE');
      await first('kah kee', 'tkk', '外文名/护照名 TAN KAH KEE');
      await first('meng chee', 'wee', '外文名/护照名 Wee Meng Chee');
    });

    test('overseas dialect surnames are candidates, ranked below the name itself', async () => {
      await first('lim', 'lim', '闽南话/潮州话/客家话/海南话姓氏 Lim = 林, 姓名 林志强');
      const wee = await search('wee');
      assert.equal(wee[0].id, p.wee); // the passport name first,
      assert.ok(wee.length >= 1);
      const tan = await search('tan');
      const ids = tan.map((i) => i.id);
      assert.ok(ids.includes(p.cj), 'Tan = 陈 (Hokkien) finds 陈嘉');
      assert.ok(ids.indexOf(p.tkk) < ids.indexOf(p.cj), 'the passport TAN KAH KEE first');
      const cj = tan.find((i) => i.id === p.cj);
      assert.match(cj.match, /^闽南话\/潮州话\/海南话姓氏 Tan = 陈/);
      // a dialect surname plus the given name in pinyin
      await first('tan jiageng', 'tkk', /闽南话.*姓氏 Tan = 陈, 拼音 chen jia geng/);
      assert.deepEqual(await search('goh'), []); // Goh = 吴, and nobody here is
    });

    test('mixed queries', async () => {
      await first('tan 嘉庚', 'tkk', /^闽南话.*姓氏 Tan = 陈, 姓名 陳嘉庚$/);
      await first('chen 嘉庚', 'tkk', '拼音姓氏 Chen = 陈, 姓名 陳嘉庚');
      await first('陈 jiageng', 'tkk', '拼音 chen jia geng');
      await first('曾 zhiwei', 'zeng', '拼音 zeng zhi wei');
    });

    test('former names are found and say so', async () => {
      await first('林阿强', 'lim', '曾用名 林阿强');
      await first('lin aqiang', 'lim', '曾用名 林阿强, 拼音 lin a qiang');
    });

    test('a county user finds only the county; a role without the registry cannot search', async () => {
      const a = await search('林志强', astaff);
      assert.deepEqual(a.map((i) => i.id), [p.lim]);
      const b = await search('林志强', bstaff);
      assert.deepEqual(b.map((i) => i.id), [p.limB]);
      assert.deepEqual((await search('chen meiling', astaff)).map((i) => i.id), []);
      assert.deepEqual((await search('tan', bstaff)).map((i) => i.id), [p.meiling]);
      const all = await search('林志强');
      assert.deepEqual(all.map((i) => i.id).sort((x, y) => x - y), [p.lim, p.limB].sort((x, y) => x - y));
      assertError(await mediator.get('/api/v1/search?q=lim'), 403);
      assert.equal((await server.client().get('/api/v1/search?q=lim')).status, 401);
    });

    test("the list's keyword box finds what the header search finds, in the reader's scope", async () => {
      const ids = async (q, c = admin) => {
        const r = await c.get(`/api/v1/person?q=${encodeURIComponent(q)}&per_page=50`);
        assert.equal(r.status, 200, r.text);
        return r.json.items.map((i) => i.id);
      };
      for (const q of ['陈嘉庚', 'chen jiageng', 'chenjiageng', 'cjg', 'tan kah kee', 'tan 嘉庚']) {
        assert.ok((await ids(q)).includes(p.tkk), q);
      }
      assert.ok((await ids('lim')).includes(p.lim));
      assert.ok((await ids('Wee Meng Chee')).includes(p.wee)); // the LIKE on the names still works
      assert.deepEqual(await ids('chen meiling', astaff), []); // county B's, not A's
      assert.deepEqual(await ids('chen meiling', bstaff), [p.meiling]);
      assert.deepEqual(await ids('!!!'), []);
    });

    test("other countries' spellings made from the Chinese name", async () => {
      await add('wjm', A, { name: '王建民' });
      await add('xie', A, { name: '谢明德' });
      await add('czm', A, { name: '陈志明' });
      await first('Wang Chien-min', 'wjm', /^威妥玛拼音 Wang Chien Min, 拼音 wang jian min/);
      await first('Hsieh', 'xie', /威妥玛拼音 Hsieh/);
      const tr = (await search('Tran')).find((i) => i.id === p.czm);
      assert.match(tr.match, /^越南汉越音姓氏 Tran = 陈, 姓名 陈志明$/);
      const tran = await search('Tran 志明');
      assert.equal(tran[0].id, p.czm);
      assert.match(tran[0].match, /越南汉越音/);
      const sae = await search('Sae Tang');
      assert.ok(sae.some((i) => i.id === p.czm));
      assert.match(sae.find((i) => i.id === p.czm).match, /泰国潮州话姓氏 Saetang = 陈/);
    });

    test('the results page: pages of the best 500 with their total, by org subtree and country', async () => {
      for (let i = 0; i < 7; i++) {
        const r = await admin.post('/api/v1/person', { org_id: (i % 2 ? A : B).id, name: `陈${'一二三四五六七'[i]}`, residence_country: i < 3 ? 'MY' : 'SG' });
        assert.equal(r.status, 201, r.text);
      }
      const page = async (extra, c = admin) => {
        const r = await c.get(`/api/v1/search?q=chen${extra}`);
        assert.equal(r.status, 200, r.text);
        return r.json;
      };
      const all = await page('&per_page=100');
      assert.ok(all.total >= 9, JSON.stringify(all));
      assert.equal(all.items.length, all.total);
      assert.equal(all.more, false);
      const p2 = await page('&per_page=3&page=2');
      assert.deepEqual(p2.items.map((i) => i.id), all.items.slice(3, 6).map((i) => i.id));
      assert.equal(p2.total, all.total);
      const inB = await page(`&org_id=${B.id}&per_page=100`);
      assert.ok(inB.items.length > 0);
      for (const it of inB.items) assert.equal(sqlInt(server, `SELECT org_id FROM person WHERE id = ${it.id}`), B.id);
      const my = await page('&country=MY&per_page=100');
      assert.equal(my.total, 3);
      assert.deepEqual(await page(`&org_id=${B.id}`, bstaff).then((x) => x.total), inB.total);
      assertError(await astaff.get(`/api/v1/search?q=chen&org_id=${B.id}`), 400, 'bad_request', 'org_id'); // not A's
      assertError(await admin.get('/api/v1/search?q=chen&country=XX'), 400, 'bad_request', 'country');
      assertError(await admin.get('/api/v1/search?q=chen&page=0'), 400, 'bad_request', 'page');
      assert.equal((await admin.get('/api/v1/search?q=chen&limit=2')).json.total, undefined); // the suggestions as before
    });

    test('the index follows updates and deletes', async () => {
      const r = await admin.post('/api/v1/person', { org_id: A.id, name: '马化腾' });
      assert.equal(r.status, 201, r.text);
      const id = r.json.id;
      assert.equal((await search('ma huateng'))[0].id, id);
      assert.equal((await admin.patch(`/api/v1/person/${id}`, { name: '马云', name_alt: ['Jack Ma'] })).status, 200);
      assert.deepEqual(await search('ma huateng'), []);
      assert.equal((await search('mayun'))[0].id, id);
      assert.equal((await search('jack'))[0].id, id);
      const before = sqlInt(server, `SELECT count(*) FROM search_person WHERE record_id = ${id}`);
      assert.ok(before > 0);
      // an edit that leaves the names alone keeps the keys
      assert.equal((await admin.patch(`/api/v1/person/${id}`, { occupation: '教师' })).status, 200);
      assert.equal(sqlInt(server, `SELECT count(*) FROM search_person WHERE record_id = ${id}`), before);
      assert.equal((await admin.del(`/api/v1/person/${id}`)).status, 204);
      assert.deepEqual(await search('mayun'), []);
      assert.equal(sqlInt(server, `SELECT count(*) FROM search_person WHERE record_id = ${id}`), 0);
    });

    test('associations: by a word in the middle of the name, and by types', async (t) => {
      const schema = (await admin.get('/api/v1/schema')).json.entities.map((e) => e.name);
      if (!schema.includes('association')) return t.skip('association is not declared yet');
      const r = await admin.post('/api/v1/association', {
        org_id: A.id, name: '馬來西亞福建社團聯合會', name_alt: ['Federation of Hokkien Associations of Malaysia'], type: 'hometown',
      });
      assert.equal(r.status, 201, r.text);
      const all = await search('福建社团');
      assert.deepEqual(all.map((i) => [i.type, i.id]), [['association', r.json.id]]);
      assert.equal(all[0].match, '名称 馬來西亞福建社團聯合會');
      assert.equal((await search('马来西亚福建'))[0].id, r.json.id);
      assert.equal((await search('hokkien associations'))[0].type, 'association');
      assert.deepEqual(await search('福建社团', admin, '&types=person'), []);
      assert.deepEqual(await search('福建社团', bstaff), []); // county B does not see county A's
    });

    test('namesakes are told apart by their org and country, on both pages of the search', async () => {
      const tw = (await admin.post('/api/v1/person', { org_id: B.id, name: '林志强', residence_country: 'MY' })).json;
      for (const extra of ['', '&page=1']) {
        const r = await admin.get(`/api/v1/search?q=${encodeURIComponent('林志强')}&types=person${extra}`);
        assert.equal(r.status, 200, r.text);
        const by = Object.fromEntries(r.json.items.map((i) => [i.id, [i.org_name, i.country]]));
        assert.deepEqual(by[p.lim], ['甲县侨联', null], extra);
        assert.deepEqual(by[p.limB], ['乙县侨联', null], extra);
        assert.deepEqual(by[tw.id], ['乙县侨联', 'MY'], extra);
      }
      assert.equal((await admin.del(`/api/v1/person/${tw.id}`)).status, 204);
    });

    test('limit, types and bad input', async () => {
      assert.equal((await search('chen', admin, '&limit=1')).length, 1);
      assert.ok((await search('陈', admin, '&types=person')).length >= 2);
      assert.deepEqual(await search('陈', admin, '&types=association'), []); // none, or not declared yet
      assertError(await admin.get('/api/v1/search?q='), 400, undefined, 'q');
      assertError(await admin.get('/api/v1/search'), 400, undefined, 'q');
      assertError(await admin.get(`/api/v1/search?q=${encodeURIComponent('陈'.repeat(101))}`), 400, undefined, 'q');
      assert.equal((await admin.get(`/api/v1/search?q=${encodeURIComponent('陈'.repeat(100))}`)).status, 200);
      assertError(await admin.get('/api/v1/search?q=chen&types=person,ship'), 400, undefined, 'types');
      assertError(await admin.get('/api/v1/search?q=chen&limit=0'), 400, undefined, 'limit');
      assertError(await admin.get('/api/v1/search?q=chen&limit=abc'), 400, undefined, 'limit');
      assertError(await admin.get('/api/v1/search?q=chen&sort=id'), 400, undefined, 'sort');
      assert.deepEqual(await search('!!!'), []);
      assert.deepEqual(await search("'; DROP TABLE person; --"), []);
      assert.deepEqual(await search('%_%'), []);
    });
  });

  describe(`the list's keyword takes the name search's best 200 (${store})`, () => {
    let server, admin;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      // 205 陈 and one 陳嘉庚, whom only the name search finds by "chen" (no stored text holds it)
      for (let i = 0; i < 205; i++) {
        const r = await admin.post('/api/v1/person', { name: `陈${String.fromCodePoint(0x4e00 + i)}` });
        assert.equal(r.status, 201, r.text);
      }
      assert.equal((await admin.post('/api/v1/person', { name: '陳嘉庚', employer: 'Chen & Co' })).status, 201);
    });
    after(() => server?.stop());

    test('more names than it takes: the answer says how many it took', async () => {
      const r = await admin.get('/api/v1/person?q=chen');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.names_cut, 200, 'the name search found more than the 200 listed');
      // the 200 names, and the employer's "Chen" found by the text, whoever the names are
      assert.ok(r.json.total >= 200 && r.json.total <= 201, String(r.json.total));
      const all = await admin.get('/api/v1/person?q=chen&per_page=200&page=2');
      assert.equal(all.json.names_cut, 200, 'on every page');
      // the Chinese: every 陈 by its text (206 with 陳 folded by the name search), still cut
      const han = await admin.get('/api/v1/person?q=陈');
      assert.ok(han.json.total >= 205, String(han.json.total));
      assert.equal(han.json.names_cut, 200);
      // a name the search finds few of: no names_cut (the fixed interface's members only)
      for (const q of ['chen jiageng', '嘉庚', 'nobody']) {
        const few = await admin.get(`/api/v1/person?q=${encodeURIComponent(q)}`);
        assert.equal(few.status, 200, few.text);
        assert.equal('names_cut' in few.json, false, q);
      }
      assert.equal((await admin.get('/api/v1/person?q=chen%20jiageng')).json.total, 1);
      assert.equal('names_cut' in (await admin.get('/api/v1/person')).json, false, 'no keyword');
    });
  });
}
