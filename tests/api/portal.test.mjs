// The public portal (SPEC "The public portal" and "The fixed interface"): a request for help
// without login or CSRF token becomes a normal case on the service desk (channel online, in
// the portal's org, timeline and audit entries, a due date in working days); its status by
// tracking number and lookup code shows nothing private; a wrong code and a wrong number
// answer the same 404; bad input names the field in the reader's language and saves nothing;
// too many requests answer 429 with Retry-After; published news, orgs and 侨胞之家 are public,
// drafts are not.
//
// The server trusts 127.0.0.1 as its proxy, so each test speaks from addresses of its own
// (X-Forwarded-For) and the per-address limits of one test do not reach another.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, created, mkOrg, sql } from './helpers.mjs';

const REQUEST = {
  category: 'legal',
  name: '陈美玲',
  contact: '+60 12 345 6789',
  country: 'MY',
  summary: '祖屋被人占用, 请求协助',
  details: '我家在台山的祖屋被亲戚占用多年, 希望侨联帮助调解。',
};
const PUBLIC_STATUS_KEYS = ['category', 'category_label', 'due_on', 'handled_by', 'next_step', 'received_at',
  'resolved_at', 'status', 'status_label', 'tracking_number', 'updated_at'];

// A tiny PNG (w × h, one colour), made here so that the test needs no file.
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, 0x80)]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

for (const store of STORES) {
  describe(`public portal (${store})`, () => {
    let server, admin, staff, anon, addr = 0;
    // a fresh client address for each use: X-Forwarded-For through the trusted proxy
    const from = (ip = `198.51.100.${++addr}`, lang) => ({ headers: { 'X-Forwarded-For': ip, ...(lang && { 'Accept-Language': lang }) } });
    const submit = (body, o = from()) => anon.post('/api/v1/public/request', body, o);
    before(async () => {
      server = await startServer({ store, serveArgs: ['--trusted-proxy', '127.0.0.1'], users: { admin: { role: 'admin' }, staff: { role: 'staff' } } });
      admin = await server.login('admin');
      staff = await server.login('staff');
      anon = server.client();
    });
    after(() => server?.stop());

    test('a request without login or CSRF token is a normal case on the desk (201)', async () => {
      const r = await submit(REQUEST);
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(Object.keys(r.json).sort(), ['lookup_code', 'tracking_number']);
      assert.match(r.json.tracking_number, /^[1-9]\d{11}$/);
      assert.match(r.json.lookup_code, /^[A-HJKMNP-Z2-9]{8}$/);
      const list = await staff.get(`/api/v1/case?q=${r.json.tracking_number}`);
      assert.equal(list.json.total, 1, list.text);
      const c = list.json.items[0];
      const full = (await staff.get(`/api/v1/case/${c.id}`)).json;
      assert.equal(full.channel, 'online');
      assert.equal(full.org_id, 1);
      assert.equal(full.status, 'received');
      assert.equal(full.category, 'legal');
      assert.equal(full.applicant_name, REQUEST.name);
      assert.equal(full.applicant_country, 'MY');
      assert.equal(full.summary, REQUEST.summary);
      assert.equal(full.details, REQUEST.details);
      assert.equal(full.tracking_number, r.json.tracking_number);
      assert.match(full.number, /^\d{4}-\d{6}$/);
      assert.match(full.due_on, /^\d{4}-\d{2}-\d{2}$/, 'a due date in working days, as other intakes');
      assert.equal(full.lookup_hash, undefined, 'the hash is never in JSON');
      const tl = await staff.get(`/api/v1/case/${c.id}/timeline`);
      assert.equal(tl.status, 200, tl.text);
      assert.ok(tl.json.items.some((s) => s.action === 'create'), tl.text);
      const audit = await admin.get(`/api/v1/audit?entity=case&entity_id=${c.id}`);
      assert.ok(audit.json.items.some((e) => e.action === 'create' && e.username === 'portal'), audit.text);
      // only a hash of the code is stored
      const stored = sql(server, `SELECT lookup_hash FROM "case" WHERE id = ${c.id}`);
      assert.match(stored, /^[0-9a-f]{64}$/);
      assert.ok(!sql(server, `SELECT * FROM "case" WHERE id = ${c.id}`).includes(r.json.lookup_code));
      assert.ok(!sql(server, 'SELECT after_json FROM audit_log').includes(r.json.lookup_code));
    });

    test('the status shows where the case is and nothing private', async () => {
      const r = await submit({ ...REQUEST, category: 'labor', summary: '欠薪' });
      const { tracking_number: n, lookup_code: code } = r.json;
      // the code as people copy it: lower case, with a dash
      const s = await anon.get(`/api/v1/public/request/${n}?code=${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`, from());
      assert.equal(s.status, 200, s.text);
      assert.deepEqual(Object.keys(s.json).sort(), PUBLIC_STATUS_KEYS);
      assert.equal(s.json.status, 'received');
      assert.equal(s.json.status_label, '受理');
      assert.equal(s.json.category_label, '劳务');
      assert.match(s.json.next_step, /承办人/);
      assert.match(s.json.due_on, /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(s.json.handled_by, '测试市归国华侨联合会');
      for (const secret of [REQUEST.name, REQUEST.contact, '欠薪', REQUEST.details, 'MY'])
        assert.ok(!s.text.includes(secret), `status shows ${secret}: ${s.text}`);
      // the desk assigns it: the status says so, the assignee stays private
      const id = (await staff.get(`/api/v1/case?q=${n}`)).json.items[0].id;
      const staffId = (await staff.get('/api/v1/session')).json.user.id;
      const mv = await staff.post(`/api/v1/case/${id}/transition`, { to: 'assigned', assignee_id: staffId, note: '请王律师跟进, 电话 13912345678' });
      assert.equal(mv.status, 200, mv.text);
      const s2 = await anon.get(`/api/v1/public/request/${n}?code=${code}`, from(undefined, 'zh-Hant'));
      assert.equal(s2.status, 200, s2.text);
      assert.equal(s2.json.status, 'assigned');
      assert.equal(s2.json.status_label, '分派');
      assert.match(s2.json.next_step, /承辦人/, 'in the reader\'s language');
      for (const secret of ['staff', '王律师', '13912345678'])
        assert.ok(!s2.text.includes(secret), `status shows ${secret}: ${s2.text}`);
    });

    test('a wrong code and a wrong number answer the same 404', async () => {
      const { tracking_number: n, lookup_code: code } = (await submit(REQUEST)).json;
      const other = code[0] === 'A' ? `B${code.slice(1)}` : `A${code.slice(1)}`;
      const wrongNumber = String((BigInt(n) % 999999999999n) + 1n).padStart(12, '1');
      const answers = [
        await anon.get(`/api/v1/public/request/${n}?code=${other}`, from()),
        await anon.get(`/api/v1/public/request/${wrongNumber}?code=${code}`, from()),
        await anon.get(`/api/v1/public/request/${n}`, from()),
        await anon.get(`/api/v1/public/request/not-a-number?code=${code}`, from()),
        await anon.get(`/api/v1/public/request/${n}?code=${code}${code}`, from()),
      ];
      for (const a of answers) {
        assertError(a, 404, 'not_found');
        assert.equal(a.text, answers[0].text);
      }
      assert.equal((await anon.get(`/api/v1/public/request/${n}?code=${code}`, from())).status, 200);
    });

    test('bad input names the field in the reader\'s language, and nothing is saved', async () => {
      const before = sql(server, ['SELECT count(*) FROM "case"', 'SELECT count(*) FROM audit_log']);
      const bad = [
        [{ ...REQUEST, name: '' }, 422, 'name', /姓名/],
        [{ ...REQUEST, name: undefined }, 422, 'name', /姓名/],
        [{ ...REQUEST, contact: '  ' }, 422, 'contact', /联系方式/],
        [{ ...REQUEST, contact: '123' }, 422, 'contact', /联系方式.*太短/],
        [{ ...REQUEST, category: 'visa' }, 422, 'category', /求助类别/],
        [{ ...REQUEST, category: undefined }, 422, 'category', /求助类别/],
        [{ ...REQUEST, country: 'XX' }, 422, 'country', /所在国家或地区/],
        [{ ...REQUEST, country: undefined }, 422, 'country', /所在国家或地区/],
        [{ ...REQUEST, summary: '长'.repeat(201) }, 422, 'summary', /诉求摘要/],
        [{ ...REQUEST, details: 5 }, 422, 'details', /详细情况/],
        [{ ...REQUEST, org_id: 1 }, 400, 'org_id', /org_id/],
        [{ ...REQUEST, channel: 'walk_in' }, 400, 'channel', /channel/],
      ];
      for (const [body, status, field, message] of bad) {
        const r = await submit(body, from(`203.0.113.${++addr}`));
        const e = assertError(r, status, undefined, field);
        assert.match(e.message, message, r.text);
      }
      const hant = await submit({ ...REQUEST, name: '' }, from(undefined, 'zh-Hant'));
      assert.equal(assertError(hant, 422, 'invalid', 'name').message, '請填寫「姓名」');
      const notJson = await anon.post('/api/v1/public/request', '{"name": ', from());
      assertError(notJson, 400);
      assert.equal(sql(server, ['SELECT count(*) FROM "case"', 'SELECT count(*) FROM audit_log']), before);
    });

    test('too many requests answer 429 with Retry-After, per address and overall', async () => {
      const put = async (body) => {
        const r = await admin.req('PUT', '/api/v1/portal/settings', body);
        assert.equal(r.status, 200, r.text);
      };
      await put({ requests_per_address: 2 });
      // a window may turn over between two requests: six from one address pass at most four
      const me = from('192.0.2.7');
      const codes = [];
      let limited;
      for (let i = 0; i < 6; i++) {
        const r = await submit(REQUEST, me);
        codes.push(r.status);
        if (r.status === 429) limited = r;
      }
      assert.ok(codes.filter((c) => c === 201).length <= 4, codes.join(' '));
      assert.ok(limited, `no 429 in ${codes.join(' ')}`);
      assert.equal(codes.filter((c) => c !== 201 && c !== 429).length, 0, codes.join(' '));
      assertError(limited, 429, 'too_many_requests');
      assert.match(limited.json.error.message, /每小时最多提交 2 次/);
      assert.match(limited.headers.get('retry-after'), /^\d+$/);
      assert.ok(Number(limited.headers.get('retry-after')) <= 3600);
      // another address still gets through
      assert.equal((await submit(REQUEST, from('192.0.2.8'))).status, 201);
      // overall: one in all, and this hour has had more
      await put({ requests_total: 1 });
      const all = [];
      for (let i = 0; i < 3; i++) all.push(await submit(REQUEST, from()));
      const over = all.find((r) => r.status === 429);
      assert.ok(over, all.map((r) => r.status).join(' '));
      assert.match(over.json.error.message, /提交的人太多/);
      // reads are limited per minute, per address
      await put({ reads_per_address: 3 });
      const reads = [];
      for (let i = 0; i < 8; i++) reads.push((await anon.get('/api/v1/public/org', from('192.0.2.9'))).status);
      assert.ok(reads.includes(429) && reads.filter((c) => c === 200).length <= 6, reads.join(' '));
      await put({ requests_per_address: 5 });
      await put({ requests_total: 200 });
      await put({ reads_per_address: 120 });
      assert.deepEqual((await admin.get('/api/v1/portal/settings')).json,
        { org_id: 1, requests_per_address: 5, requests_total: 200, reads_per_address: 120, reads_total: 6000 });
    });

    test('the settings: the admin chooses the org the portal serves, others may not', async () => {
      const county = await mkOrg(admin, { name: '云溪县归国华侨联合会', level: 'county' });
      assertError(await staff.req('PUT', '/api/v1/portal/settings', { org_id: county.id }), 403, 'forbidden');
      assertError(await admin.req('PUT', '/api/v1/portal/settings', { org_id: 99999 }), 422, 'invalid', 'org_id');
      assertError(await admin.req('PUT', '/api/v1/portal/settings', { org_id: county.id, reads_total: 5 }), 400);
      assert.equal((await admin.req('PUT', '/api/v1/portal/settings', { org_id: county.id })).status, 200);
      const r = await submit(REQUEST);
      assert.equal(r.status, 201, r.text);
      const c = (await admin.get(`/api/v1/case?q=${r.json.tracking_number}`)).json.items[0];
      assert.equal(c.org_id, county.id);
      const info = await anon.get('/api/v1/public/info', from());
      assert.equal(info.json.org.name, '云溪县归国华侨联合会');
      assert.deepEqual(info.json.categories.map((x) => x.value), ['government', 'legal', 'business', 'affairs', 'labor']);
      const hant = await anon.get('/api/v1/public/info', from(undefined, 'zh-Hant'));
      assert.equal(hant.json.categories[1].label, '法務');
      assert.equal(hant.json.countries.find((x) => x.code === 'MY').name, '馬來西亞');
      const audit = await admin.get('/api/v1/audit?entity=portal_settings');
      assert.ok(audit.json.total >= 1, audit.text);
      assert.equal((await admin.req('PUT', '/api/v1/portal/settings', { org_id: 1 })).status, 200);
    });

    test('published news is public, drafts and withdrawn articles are not', async () => {
      const a = await created(staff, '/api/v1/article', { title: '市侨联举办新春联谊会', summary: '百余名侨胞欢聚一堂', body: '第一段。\n\n第二段。' });
      assert.equal(a.status, 'draft');
      const pic = await staff.post(`/api/v1/article/${a.id}/photo`, { name: '联谊会.png', data: png(64, 48).toString('base64') });
      assert.equal(pic.status, 200, pic.text);
      assert.equal(pic.json.photo_name, '联谊会.png');
      assertError(await staff.post(`/api/v1/article/${a.id}/photo`, { name: 'x.png', data: Buffer.from('not a picture').toString('base64') }), 422, 'invalid', 'data');
      // a draft: not listed, 404, its picture too
      assert.equal((await anon.get('/api/v1/public/article', from())).json.total, 0);
      assertError(await anon.get(`/api/v1/public/article/${a.id}`, from()), 404, 'not_found');
      assert.equal((await anon.get(`/api/v1/public/article/${a.id}/thumb`, from(), { raw: true })).status, 404);
      const pub = await staff.post(`/api/v1/article/${a.id}/transition`, { to: 'published' });
      assert.equal(pub.status, 200, pub.text);
      assert.match(pub.json.published_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      const list = await anon.get('/api/v1/public/article?page=1&per_page=5', from());
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.json.items, [{ id: a.id, title: a.title, summary: a.summary, published_at: pub.json.published_at, photo: true }]);
      assert.equal(list.json.per_page, 5);
      const one = await anon.get(`/api/v1/public/article/${a.id}`, from());
      assert.deepEqual(Object.keys(one.json).sort(), ['body', 'id', 'photo', 'published_at', 'summary', 'title']);
      assert.equal(one.json.body, '第一段。\n\n第二段。');
      const thumb = await fetch(`${server.url}/api/v1/public/article/${a.id}/thumb`, from());
      assert.equal(thumb.status, 200);
      assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
      const image = await fetch(`${server.url}/api/v1/public/article/${a.id}/image`, from());
      assert.equal(image.headers.get('content-type'), 'image/png');
      assertError(await anon.get('/api/v1/public/article?per_page=1000', from()), 400, 'bad_request', 'per_page');
      // withdrawn: gone from the portal
      assert.equal((await staff.post(`/api/v1/article/${a.id}/transition`, { to: 'draft' })).status, 200);
      assertError(await anon.get(`/api/v1/public/article/${a.id}`, from()), 404, 'not_found');
      assert.equal((await anon.get('/api/v1/public/article', from())).json.total, 0);
      // writing news needs a login
      assertError(await anon.post('/api/v1/article', { title: 'x', body: 'y' }, from()), 401);
    });

    test('orgs and 侨胞之家: name, address and phone only, active ones', async () => {
      const home = await mkOrg(admin, { name: '东湖社区侨胞之家', kind: 'home', address: '东湖路 8 号', phone: '+86 731 8888 0000', notes: '内部备注', star: 4 });
      const closed = await mkOrg(admin, { name: '已撤销侨胞之家', kind: 'home' });
      assert.equal((await admin.patch(`/api/v1/org/${closed.id}`, { status: 'closed' })).status, 200);
      const r = await anon.get('/api/v1/public/org?kind=home', from());
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items, [{ id: home.id, name: '东湖社区侨胞之家', kind: 'home', kind_label: '侨胞之家', address: '东湖路 8 号', phone: '+86 731 8888 0000' }]);
      assert.ok(!r.text.includes('内部备注'));
      const all = await anon.get('/api/v1/public/org?page=1&per_page=50', from());
      assert.ok(all.json.items.some((o) => o.id === 1 && o.kind === 'federation'));
      assert.ok(!all.json.items.some((o) => o.id === closed.id));
      assertError(await anon.get('/api/v1/public/org?kind=castle', from()), 400);
    });

    test('the portal page is served at /portal/ and /portal/?lang=zh-Hant', async () => {
      for (const path of ['/portal/', '/portal/?lang=zh-Hant', '/portal']) {
        const r = await fetch(server.url + path);
        assert.equal(r.status, 200, path);
        const html = await r.text();
        assert.match(html, /assets\/portal-[\w-]+\.js/, path);
        assert.doesNotMatch(html, /id="app"/, `${path} is not the staff app`);
      }
    });
  });
}
