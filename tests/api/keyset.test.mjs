// Keyset paging (issue 16): a list answers `next` and `prev` cursors beside its page, and
// `after=` / `before=` read the page after or before a row by the list's order instead of
// stepping over the rows before it. Walked by cursors a list gives the same rows in the same
// order as walked page by page, for every sort (NULLs where each engine's ORDER BY puts
// them, ties broken by id) and filter, and rows written between pages neither repeat nor
// drop a row. `page` keeps working as it always has (SPEC: the fixed interface).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, mkOrg } from './helpers.mjs';

const PER = 7;

/** Every id of a list, page by page (page=1, 2, …). */
async function byPages(c, entity, query) {
  const ids = [];
  for (let page = 1; ; page++) {
    const r = await c.get(`/api/v1/${entity}?per_page=${PER}&page=${page}${query ? '&' + query : ''}`);
    assert.equal(r.status, 200, r.text);
    ids.push(...r.json.items.map((x) => x.id));
    if (ids.length >= r.json.total) return { ids, total: r.json.total };
  }
}

/** Every id of a list by its next cursors from the first page; the pages as read. */
async function byCursors(c, entity, query, between = async () => {}) {
  const pages = [];
  let r = await c.get(`/api/v1/${entity}?per_page=${PER}${query ? '&' + query : ''}`);
  for (;;) {
    assert.equal(r.status, 200, r.text);
    pages.push(r.json);
    if (!r.json.next) break;
    assert.equal(r.json.items.length, PER, 'a page before the last is full');
    await between(pages.length);
    r = await c.get(`/api/v1/${entity}?per_page=${PER}&after=${r.json.next}${query ? '&' + query : ''}`);
  }
  return { ids: pages.flatMap((p) => p.items.map((x) => x.id)), pages };
}

/** The same list read backwards from its last page by prev cursors. */
async function backwards(c, entity, query, lastPage) {
  const ids = lastPage.items.map((x) => x.id);
  let prev = lastPage.prev;
  while (prev) {
    const r = await c.get(`/api/v1/${entity}?per_page=${PER}&before=${prev}${query ? '&' + query : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.items.length, PER, 'a page read backwards is full');
    ids.unshift(...r.json.items.map((x) => x.id));
    assert.ok(r.json.next, 'a page read backwards has a page after it');
    prev = r.json.prev;
  }
  return ids;
}

for (const store of STORES) {
  describe(`keyset paging (${store})`, () => {
    let server, admin, staff, county;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      county = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      server.addUser('staff', 'staff', county.id);
      staff = await server.login('staff');
      // 45 people: names that repeat (ties broken by id), genders and birth dates that are
      // sometimes missing (NULL), a third of them in the county
      const surnames = ['陈', '林', '黄', '张', '李'];
      for (let i = 0; i < 45; i++) {
        const body = { name: `${surnames[i % 5]}${'甲乙丙'[i % 3]}` };
        if (i % 4) body.gender = i % 3 ? 'male' : 'female';
        if (i % 5) body.birth_date = `19${50 + (i % 7) * 5}-0${1 + (i % 9)}-1${i % 10}`;
        if (i % 3 === 0) body.org_id = county.id;
        const r = await admin.post('/api/v1/person', body);
        assert.equal(r.status, 201, r.text);
      }
    });
    after(() => server?.stop());

    const cases = [
      '',
      'sort=-id',
      'sort=name',
      'sort=-name',
      'sort=birth_date',
      'sort=-birth_date',
      'sort=gender,-birth_date',
      'sort=-gender,name,birth_date',
      'gender=male&sort=-birth_date',
      'q=陈',
      'org_subtree=COUNTY&sort=name',
      'org_subtree=COUNTY', // a few rows of a range of the tree: read by their orgs, sorted
      'org_subtree=COUNTY&sort=-id',
      'birth_date_from=1960-01-01&sort=birth_date',
    ];
    for (const raw of cases) {
      test(`by cursors = page by page: ${raw || '(the default order)'}`, async () => {
        const query = raw.replace('COUNTY', county.id);
        const pages = await byPages(admin, 'person', query);
        assert.ok(pages.total > PER, `more than one page (${pages.total})`);
        const cur = await byCursors(admin, 'person', query);
        assert.deepEqual(cur.ids, pages.ids);
        assert.equal(new Set(cur.ids).size, cur.ids.length, 'no row twice');
        for (const p of cur.pages) assert.equal(p.total, pages.total);
        assert.equal(cur.pages[0].prev, null, 'nothing before the first page');
        assert.equal(cur.pages.at(-1).next, null, 'nothing after the last page');
        assert.deepEqual(await backwards(admin, 'person', query, cur.pages.at(-1)), pages.ids);
      });
    }

    test('a scoped user walks only their scope, the same by cursors', async () => {
      const pages = await byPages(staff, 'person', 'sort=-birth_date');
      assert.equal(pages.total, 15);
      assert.deepEqual((await byCursors(staff, 'person', 'sort=-birth_date')).ids, pages.ids);
    });

    test('a scoped user\'s list by id (read by the scope\'s orgs and sorted) is the whole list\'s county rows', async () => {
      for (const sort of ['', 'sort=-id']) {
        const all = await admin.get(`/api/v1/person?per_page=200${sort ? '&' + sort : ''}`);
        const want = all.json.items.filter((x) => x.org_id === county.id).map((x) => x.id);
        assert.equal(want.length, 15);
        const pages = await byPages(staff, 'person', sort);
        assert.deepEqual(pages.ids, want, sort);
        const cur = await byCursors(staff, 'person', sort);
        assert.deepEqual(cur.ids, want, sort);
        assert.deepEqual(await backwards(staff, 'person', sort, cur.pages.at(-1)), want, sort);
      }
    });

    test('page answers next and prev: a far page, then its neighbours by cursor', async () => {
      const all = (await byPages(admin, 'person', 'sort=name')).ids;
      const r = await admin.get(`/api/v1/person?per_page=${PER}&page=3&sort=name`);
      assert.equal(r.status, 200);
      assert.equal(r.json.page, 3);
      assert.deepEqual(Object.keys(r.json).sort(), ['items', 'next', 'page', 'per_page', 'prev', 'total', 'total_estimated']);
      assert.equal(r.json.total_estimated, false, 'a small list is counted exactly');
      const n = await admin.get(`/api/v1/person?per_page=${PER}&page=4&sort=name&after=${r.json.next}`);
      assert.equal(n.json.page, 4, 'the page number given with a cursor is echoed');
      assert.deepEqual(n.json.items.map((x) => x.id), all.slice(3 * PER, 4 * PER));
      const p = await admin.get(`/api/v1/person?per_page=${PER}&sort=name&before=${r.json.prev}`);
      assert.equal(p.json.page, null, 'with a cursor and no page, the server does not know it');
      assert.deepEqual(p.json.items.map((x) => x.id), all.slice(PER, 2 * PER));
    });

    test('a keyword\'s first page that holds every match is its count; a fuller one is counted', async () => {
      // 陈 is every fifth of the 45: 9 people. The first page is read before the count, and
      // when it is not full its rows are the total (a rare keyword among a million rows is
      // then read once); at 8 a page there are more, so they are counted.
      const all = await admin.get('/api/v1/person?per_page=200');
      const want = all.json.items.filter((x) => x.name.startsWith('陈')).map((x) => x.id);
      assert.equal(want.length, 9);
      for (const per of [8, 9, 10, 200]) {
        const r = await admin.get(`/api/v1/person?q=陈&per_page=${per}`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.total, 9, `per_page=${per}`);
        assert.equal(r.json.total_estimated, false);
        assert.deepEqual(r.json.items.map((x) => x.id), want.slice(0, per), `per_page=${per}`);
        assert.equal(r.json.next !== null, per < 9, `per_page=${per}: a next page only when some are left`);
      }
      // a tenth written, then deleted: each first page counts what is there now
      const made = await admin.post('/api/v1/person', { name: '陈丁' });
      assert.equal(made.status, 201, made.text);
      for (const per of [8, 10, 20]) assert.equal((await admin.get(`/api/v1/person?q=陈&per_page=${per}`)).json.total, 10);
      assert.equal((await admin.del(`/api/v1/person/${made.json.id}`)).status, 204);
      for (const per of [8, 10, 20]) assert.equal((await admin.get(`/api/v1/person?q=陈&per_page=${per}`)).json.total, 9);
      // none at all: an empty first page, a total of 0 (page 2 of nothing is refused as before)
      const none = await admin.get('/api/v1/person?q=无此人');
      assert.deepEqual([none.json.items.length, none.json.total, none.json.next, none.json.prev], [0, 0, null, null]);
      assertError(await admin.get('/api/v1/person?q=无此人&page=2'), 400, 'bad_request', 'page');
    });

    test('rows written between pages: none repeated, none missed', async () => {
      const before = (await byPages(admin, 'person', 'sort=name')).ids;
      const made = [];
      const cur = await byCursors(admin, 'person', 'sort=name', async (n) => {
        if (n !== 2) return;
        // after page 2: one row sorting first (behind the reader), one last (ahead), and
        // a row already read deleted
        for (const name of ['丁一', '龘龘']) {
          const r = await admin.post('/api/v1/person', { name });
          assert.equal(r.status, 201);
          made.push(r.json);
        }
        assert.equal((await admin.del(`/api/v1/person/${before[0]}`)).status, 204);
      });
      const first = made.find((m) => m.name === '丁一').id, last = made.find((m) => m.name === '龘龘').id;
      assert.equal(new Set(cur.ids).size, cur.ids.length, 'no row twice');
      assert.deepEqual(cur.ids.filter((id) => id !== last), before, 'every row that was there, once, in order');
      assert.equal(cur.ids.at(-1), last, 'the row written ahead of the reader is met');
      assert.ok(!cur.ids.includes(first), 'the row written behind the reader is not');
      // page by page, the same writes shift the pages (what the cursor avoids): the deleted
      // first row moves every later row one place up
      const now = (await byPages(admin, 'person', 'sort=name')).ids;
      assert.equal(now.length, before.length + 1);
    });

    test('a bad cursor is a 400 in Chinese naming it; nothing else answers', async () => {
      const ok = (await admin.get(`/api/v1/person?per_page=${PER}&sort=name`)).json.next;
      const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const bad = [
        ['after', 'garbage!'],
        ['after', b64({ v: 2, s: 'name,id', k: ['陈甲', 1] })],
        ['after', b64({ v: 1, s: 'name,id', k: ['陈甲'] })],
        ['after', b64({ v: 1, s: 'name,id', k: [5, 1] })],
        ['after', b64({ v: 1, s: 'name,id', k: ['陈甲', '1'] })],
        ['after', b64({ v: 1, s: 'name,id', k: ['陈甲', null] })],
        ['before', b64([1, 2])],
        ['after', 'x'.repeat(5000)],
      ];
      for (const [key, v] of bad)
        assertError(await admin.get(`/api/v1/person?sort=name&${key}=${encodeURIComponent(v)}`), 400, 'bad_request', key);
      // a cursor of another order
      const e = assertError(await admin.get(`/api/v1/person?sort=-name&after=${ok}`), 400, 'bad_request', 'after');
      assert.match(e.message, /排序/);
      assertError(await admin.get(`/api/v1/person?sort=name&after=${ok}&before=${ok}`), 400, 'bad_request', 'before');
      // a valid one is answered; a crafted one within the order too (it is only a position)
      assert.equal((await admin.get(`/api/v1/person?sort=name&after=${ok}`)).status, 200);
      const r = await admin.get(`/api/v1/person?sort=name&after=${b64({ v: 1, s: 'name,id', k: [null, 0] })}`);
      assert.equal(r.status, 200, r.text);
    });

    test('an export is not paged by a cursor', async () => {
      const ok = (await admin.get(`/api/v1/person?per_page=${PER}`)).json.next;
      const all = await admin.get('/api/v1/export/person.csv');
      const cur = await admin.get(`/api/v1/export/person.csv?after=${ok}`);
      assert.equal(cur.status, 200);
      assert.equal(cur.text, all.text);
    });

    // Last: it adds an org and a person to the county. A scoped user's few rows are read by
    // the ids of the scope's orgs, kept until the data changes (on every connection).
    test('an org added to the scope, and a person there, are on the scoped user\'s next page', async () => {
      const ids = async () => (await byPages(staff, 'person', '')).ids;
      const was = await ids();
      for (let i = 0; i < 4; i++) assert.deepEqual(await ids(), was); // the ids kept
      const village = await mkOrg(admin, { name: '甲县某村小组', kind: 'group', parent_id: county.id });
      const r = await admin.post('/api/v1/person', { name: '村里人', org_id: village.id });
      assert.equal(r.status, 201, r.text);
      for (let i = 0; i < 4; i++) assert.deepEqual(await ids(), [...was, r.json.id]);
      const sub = await byPages(admin, 'person', `org_subtree=${village.id}`);
      assert.deepEqual(sub.ids, [r.json.id]);
    });
  });
}
