// Events, participants, projects, submissions (issue 12): create answers 201, the computed
// attendance ("114 leaders from 93 countries" comes out of the data), a person once per
// event, the scope, the series and its editions, the project and submission workflows,
// and the sign-in list (matched to the registry, new people only on confirmation, all or
// nothing). Run once per store.
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, mkOrg, sqlInt } from './helpers.mjs';

// A 64×48 JPEG (made with libgd) and PNGs made here: a real one, and one whose header
// claims 100000×100000 pixels (refused before anything is decoded).
const JPEG = '/9j/4AAQSkZJRgABAQEAYABgAAD//gA7Q1JFQVRPUjogZ2QtanBlZyB2MS4wICh1c2luZyBJSkcgSlBFRyB2NjIpLCBxdWFsaXR5ID0gNjAK/9sAQwANCQoLCggNCwoLDg4NDxMgFRMSEhMnHB4XIC4pMTAuKS0sMzpKPjM2RjcsLUBXQUZMTlJTUjI+WmFaUGBKUVJP/9sAQwEODg4TERMmFRUmTzUtNU9PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09P/8AAEQgAMABAAwEiAAIRAQMRAf/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAwDAQACEQMRAD8AwqKK6vRdH0+60qGee33yNuyd7DOGI7GvIxGIjQjzSPrKtVU1dnKUV3P/AAj+lf8APr/5Eb/Gj/hH9K/59f8AyI3+Ncf9q0ez/D/Mw+uU+zOGoruf+Ef0r/n1/wDIjf41xt9GkV/cRRjCJKyqPQAmujD4yFdtRT0NaVeNR2RBRRRXUbhXc+HP+QHbf8C/9CNcNXZaBe2kWjQRy3UCON2VaQAj5j2rzszi3RVl1/RnJjE3BW7m1RVX+0bD/n9tv+/q/wCNH9o2H/P7bf8Af1f8a8L2c+zPO5Jdi1Xnup/8hS7/AOuz/wDoRruP7RsP+f22/wC/q/41wuosr6ldOjBlaZyCDkEZNerlcZRnK66HZg01J3K9FFFeyegFFFFABRRRQAUUUUAFFFFAH//Z';
function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function png(w, h, claimW = w, claimH = h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(claimW, 0); ihdr.writeUInt32BE(claimH, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * (w * 3 + 1) + 1 + x * 3] = 255;
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]).toString('base64');
}

for (const store of STORES) {
  describe(`events, projects, submissions (${store})`, () => {
    // root(1) ─ A (甲县): astaff, aleader, aviewer; B (乙县): bstaff
    let server, admin, astaff, aleader, aviewer, bstaff, A, B;
    const people = {};
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      server.addUser('astaff', 'staff', A.id);
      server.addUser('aleader', 'leader', A.id);
      server.addUser('aviewer', 'viewer', A.id);
      server.addUser('bstaff', 'staff', B.id);
      astaff = await server.login('astaff');
      aleader = await server.login('aleader');
      aviewer = await server.login('aviewer');
      bstaff = await server.login('bstaff');
      const mk = async (c, key, body) => {
        const r = await c.post('/api/v1/person', body);
        assert.equal(r.status, 201, r.text);
        people[key] = r.json;
      };
      await mk(astaff, 'tan', { name: '陈嘉庚', residence_country: 'SG', phone: '+65 9123 4567' });
      await mk(astaff, 'lim', { name: '林文庆', residence_country: 'SG' });
      await mk(astaff, 'wong', { name: '黄乃裳', residence_country: 'MY' });
      await mk(astaff, 'sae', { name: '谢慧如', residence_country: 'TH' });
      await mk(astaff, 'lee', { name: '李政道', residence_country: 'US' });
      await mk(astaff, 'oei', { name: '黄仲涵', residence_country: 'ID' });
      await mk(bstaff, 'other', { name: '张弼士', residence_country: 'ID' });
    });
    after(() => server?.stop());

    const conf = {
      name: '海外侨领视频座谈会', kind: 'video_conference', starts_on: '2024-05-20', ends_on: '2024-05-20',
      mode: 'online', co_organisers: ['市委统战部', '市外办'], headcount: 100, online_viewers: 3000,
    };

    test('an event: create answers 201 in the user\'s org, ends_on not before starts_on', async () => {
      const r = await astaff.post('/api/v1/event', { ...conf, series: '侨领座谈', edition: 5 });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.org_id, A.id);
      assert.equal(r.json.edition, 5);
      assert.equal(r.json.edition_label, '第五届');
      assert.deepEqual(r.json.co_organisers, ['市委统战部', '市外办']);
      assert.equal(r.json.participants, 0);
      assert.equal(r.json.total_attendance, 100);
      const d = await astaff.post('/api/v1/event', { name: '培训班', kind: 'training', starts_on: '2024-03-01' });
      assert.equal(d.status, 201, d.text);
      assert.equal(d.json.mode, 'offline', 'mode defaults to offline');

      const n = sqlInt(server, 'SELECT count(*) FROM "event"');
      assertError(await astaff.post('/api/v1/event', { ...conf, starts_on: '2024-05-21', ends_on: '2024-05-20' }), 422, 'invalid', 'ends_on');
      assertError(await astaff.post('/api/v1/event', { ...conf, kind: 'party' }), 422, 'invalid', 'kind');
      assertError(await astaff.post('/api/v1/event', { ...conf, edition: 0 }), 422, 'invalid', 'edition');
      assertError(await astaff.post('/api/v1/event', { ...conf, headcount: -1 }), 422, 'invalid', 'headcount');
      assertError(await astaff.post('/api/v1/event', { ...conf, participants: 114 }), 400, undefined, 'participants');
      assertError(await astaff.patch(`/api/v1/event/${r.json.id}`, { ends_on: '2024-05-01' }), 422, 'invalid', 'ends_on');
      assert.equal(sqlInt(server, 'SELECT count(*) FROM "event"'), n, 'nothing written');
      assertError(await aleader.post('/api/v1/event', conf), 403);
      assertError(await aviewer.post('/api/v1/event', conf), 403);
      assert.equal((await aleader.get(`/api/v1/event/${r.json.id}`)).status, 200);
    });

    test('participants, countries and total attendance are computed from the data', async () => {
      const ev = (await astaff.post('/api/v1/event', conf)).json;
      const reg = async (key, extra = {}) => {
        const r = await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people[key].id, role: 'leader', ...extra });
        assert.equal(r.status, 201, r.text);
        return r.json;
      };
      const p = await reg('tan');
      assert.equal(p.org_id, A.id, 'a participant belongs to its event\'s org');
      assert.equal(p.person_name, '陈嘉庚');
      assert.equal(p.attended, true, 'attended defaults to true');
      assert.equal(p.residence_country, 'SG');
      await reg('lim');
      await reg('wong');
      await reg('sae');
      await reg('lee', { role: 'speaker' });
      await reg('oei', { attended: false });
      const r = await astaff.get(`/api/v1/event/${ev.id}`);
      assert.equal(r.status, 200);
      assert.equal(r.json.registered, 6);
      assert.equal(r.json.participants, 5, 'those who attended');
      assert.equal(r.json.countries, 4, 'SG, MY, TH, US: the absent ID does not count');
      assert.equal(r.json.total_attendance, 105, 'participants + headcount');
      const list = await astaff.get(`/api/v1/event?name=${encodeURIComponent(conf.name)}`);
      const row = list.json.items.find((x) => x.id === ev.id);
      assert.equal(row.countries, 4, 'lists carry the computed values too');

      // a person once per event: a clear 409 naming the person, nothing written
      const n = sqlInt(server, 'SELECT count(*) FROM participant');
      const dup = assertError(await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.tan.id }), 409, 'conflict', 'person_id');
      assert.match(dup.message, /陈嘉庚/);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM participant'), n);
      // marking one absent changes the figures
      const patched = await astaff.patch(`/api/v1/participant/${p.id}`, { attended: false });
      assert.equal(patched.status, 200, patched.text);
      const r2 = (await astaff.get(`/api/v1/event/${ev.id}`)).json;
      assert.equal(r2.participants, 4);
      assert.equal(r2.countries, 4, 'SG still there through 林文庆');
      assertError(await astaff.patch(`/api/v1/participant/${p.id}`, { org_id: B.id }), 400, undefined, 'org_id');
      // deleting a registration frees the place: the person may be registered again
      assert.equal((await astaff.del(`/api/v1/participant/${p.id}`)).status, 204);
      await reg('tan');
    });

    test('scope: another county cannot see the event nor register into it', async () => {
      const ev = (await astaff.post('/api/v1/event', { ...conf, name: '甲县联谊会', kind: 'gathering' })).json;
      await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.wong.id });
      assertError(await bstaff.get(`/api/v1/event/${ev.id}`), 404);
      const al = await astaff.get(`/api/v1/participant?event_id=${ev.id}`);
      assert.equal(al.json.items[0].residence_country, 'MY', 'the person\'s country, read with the row');
      const bl = await bstaff.get(`/api/v1/participant?event_id=${ev.id}`);
      assert.equal(bl.status, 200);
      assert.equal(bl.json.total, 0);
      const n = sqlInt(server, 'SELECT count(*) FROM participant');
      assertError(await bstaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.other.id }), 422, 'invalid', 'event_id');
      assertError(await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.other.id }), 422, 'invalid', 'person_id');
      assertError(await bstaff.post(`/api/v1/event/${ev.id}/signin`, { text: '张弼士\tID' }), 404);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM participant'), n, 'nothing written');
      // the city above sees it
      assert.equal((await admin.get(`/api/v1/event/${ev.id}`)).status, 200);
    });

    test('a series lists its editions by the generic list, each shown as 第N届', async () => {
      for (const ed of [12, 1, 10, 21]) {
        const r = await astaff.post('/api/v1/event', { name: `中国寻根之旅夏令营`, kind: 'camp', series: '中国寻根之旅', edition: ed, starts_on: `20${10 + ed}-07-10`, ends_on: `20${10 + ed}-07-20`, country: 'CN' });
        assert.equal(r.status, 201, r.text);
      }
      const r = await astaff.get(`/api/v1/event?series=${encodeURIComponent('中国寻根之旅')}&sort=edition`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items.map((e) => e.edition), [1, 10, 12, 21]);
      assert.deepEqual(r.json.items.map((e) => e.edition_label), ['第一届', '第十届', '第十二届', '第二十一届']);
    });

    test('a project: partner as a party, its stage on the declared workflow', async () => {
      const assoc = await astaff.post('/api/v1/association', { name: '新加坡福建会馆', country: 'SG', type: 'hometown' });
      assert.equal(assoc.status, 201, assoc.text);
      const ev = (await astaff.post('/api/v1/event', { ...conf, name: '招商推介会', kind: 'forum' })).json;
      const body = { name: '侨资食品产业园', kind: 'investment', partner_type: 'association', partner_id: assoc.json.id, amount: 120000000000, currency: 'SGD', amount_original: 2200000000, event_id: ev.id, industry: 'C' };
      const r = await astaff.post('/api/v1/project', body);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.stage, 'negotiating');
      assert.equal(r.json.partner_name, '新加坡福建会馆');
      assert.equal(r.json.org_id, A.id);
      const id = r.json.id;
      const n = sqlInt(server, 'SELECT count(*) FROM project');
      assertError(await astaff.post('/api/v1/project', { ...body, partner_type: 'org', partner_id: A.id }), 422, 'invalid', 'partner_type');
      assertError(await astaff.post('/api/v1/project', { ...body, amount: -5 }), 422, 'invalid', 'amount');
      assertError(await astaff.post('/api/v1/project', { ...body, stage: 'signed' }), 400, undefined, 'stage');
      assertError(await astaff.post('/api/v1/project', { ...body, industry: 'Z' }), 422, 'invalid', 'industry');
      assert.equal(sqlInt(server, 'SELECT count(*) FROM project'), n, 'nothing written');
      const byName = await astaff.post('/api/v1/project', { name: '侨乡教育合作', kind: 'education', partner_type: 'name', partner_name: '某海外校友会' });
      assert.equal(byName.status, 201, byName.text);

      const move = (pid, b) => astaff.post(`/api/v1/project/${pid}/transition`, b);
      assertError(await move(id, { to: 'landed' }), 409, 'conflict');
      assertError(await move(id, { to: 'signed' }), 422, 'invalid', 'signed_on');
      assertError(await move(id, { to: 'signed', signed_on: '2999-01-01' }), 422, 'invalid', 'signed_on');
      assertError(await move(id, { to: 'signed', signed_on: '2024-05-20', amount: 1 }), 400);
      assertError(await aleader.post(`/api/v1/project/${id}/transition`, { to: 'signed', signed_on: '2024-05-20' }), 403);
      assert.equal((await astaff.get(`/api/v1/project/${id}`)).json.stage, 'negotiating', 'nothing moved');
      let m = await move(id, { to: 'signed', signed_on: '2024-05-20', note: '签约仪式' });
      assert.equal(m.status, 200, m.text);
      assert.equal(m.json.stage, 'signed');
      assert.equal(m.json.signed_on, '2024-05-20');
      assert.equal((await move(id, { to: 'landed' })).status, 200);
      m = await move(id, { to: 'operating' });
      assert.equal(m.json.stage, 'operating');
      assertError(await move(id, { to: 'terminated' }), 409, 'conflict');
      assertError(await move(id, { to: 'signed', signed_on: '2024-06-01' }), 409, 'conflict');
      assertError(await astaff.patch(`/api/v1/project/${id}`, { stage: 'negotiating' }), 400, undefined, 'stage');
      const t = await move(byName.json.id, { to: 'terminated', note: '对方撤回' });
      assert.equal(t.status, 200, t.text);
      assertError(await move(byName.json.id, { to: 'signed', signed_on: '2024-06-01' }), 409, 'conflict');
      const hist = sqlInt(server, `SELECT count(*) FROM audit_log WHERE entity = 'project' AND entity_id = ${id} AND action = 'transition'`);
      assert.equal(hist, 3, 'the stage history is in the audit trail');
      const h = await astaff.get(`/api/v1/project/${id}/history`);
      assert.equal(h.status, 200, h.text);
      assert.deepEqual(h.json.items.map((x) => `${x.from}>${x.to}`), ['negotiating>signed', 'signed>landed', 'landed>operating']);
      assert.equal(h.json.items[0].note, '签约仪式');
      assert.equal(h.json.items[0].detail.signed_on, '2024-05-20');
      assert.equal(h.json.items[0].username, 'astaff');
      assertError(await bstaff.get(`/api/v1/project/${id}/history`), 404);
      const wf = (await astaff.get('/api/v1/schema')).json.entities.find((e) => e.name === 'project').workflow;
      assert.equal(wf.field, 'stage');
    });

    test('a submission: submitted → adopted / instructed / rejected', async () => {
      const body = { title: '关于新侨创业扶持的调研报告', kind: 'research', authors: ['王晓明', '陈丽'], submitted_on: '2024-03-01', submitted_to: '市委办公厅' };
      const r = await astaff.post('/api/v1/submission', body);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.status, 'submitted');
      assert.deepEqual(r.json.authors, ['王晓明', '陈丽']);
      const id = r.json.id;
      const move = (sid, b) => astaff.post(`/api/v1/submission/${sid}/transition`, b);
      const adopt = { to: 'adopted', adopted_level: 'city', adopted_by: '市委办公厅', adopted_on: '2024-04-02' };
      assertError(await move(id, { ...adopt, adopted_level: undefined }), 422, 'invalid', 'adopted_level');
      assertError(await move(id, { ...adopt, adopted_level: 'galactic' }), 422, 'invalid', 'adopted_level');
      assertError(await move(id, { ...adopt, adopted_on: '2024-02-01' }), 422, 'invalid', 'adopted_on');
      assertError(await astaff.post('/api/v1/submission', { ...body, submitted_on: '2999-01-01' }), 422, 'invalid', 'submitted_on');
      assertError(await astaff.post('/api/v1/submission', { ...body, status: 'adopted' }), 400, undefined, 'status');
      assert.equal((await astaff.get(`/api/v1/submission/${id}`)).json.status, 'submitted');
      const a = await move(id, adopt);
      assert.equal(a.status, 200, a.text);
      assert.equal(a.json.status, 'adopted');
      assert.equal(a.json.adopted_by, '市委办公厅');
      assertError(await move(id, { to: 'rejected' }), 409, 'conflict');
      const i = await move(id, { to: 'instructed', adopted_level: 'provincial', adopted_by: '省委领导', adopted_on: '2024-05-01' });
      assert.equal(i.status, 200, i.text);
      assert.equal(i.json.adopted_level, 'provincial');
      const other = (await astaff.post('/api/v1/submission', { ...body, title: '社情民意一则', kind: 'opinion' })).json;
      assert.equal((await move(other.id, { to: 'rejected', note: '未采用' })).json.status, 'rejected');
      assertError(await move(other.id, adopt), 409, 'conflict');
      const h = await astaff.get(`/api/v1/submission/${id}/history`);
      assert.deepEqual(h.json.items.map((x) => x.to), ['adopted', 'instructed']);
      assert.equal(h.json.items[0].detail.adopted_by, '市委办公厅');
    });

    test('sign-in list: matched to the registry, new people only on confirmation, all or nothing', async () => {
      const ev = (await astaff.post('/api/v1/event', { ...conf, name: '新春联谊会', kind: 'gathering' })).json;
      const text = '姓名\t国家\t电话\n陈先生\tSG\t+65 9123 4567\n黄乃裳\tMY\n李光前\tSG\t+65 8000 1111\n';
      const people0 = sqlInt(server, 'SELECT count(*) FROM person');
      const dry = await astaff.post(`/api/v1/event/${ev.id}/signin`, { text });
      assert.equal(dry.status, 200, dry.text);
      assert.equal(dry.json.committed, false);
      const rows = dry.json.rows;
      assert.equal(rows.length, 3, 'the header line is skipped');
      assert.equal(rows[0].action, 'match');
      assert.equal(rows[0].person_id, people.tan.id, 'the same phone');
      assert.equal(rows[1].action, 'match');
      assert.equal(rows[1].person_id, people.wong.id, 'the same name and country');
      assert.equal(rows[2].action, 'create');
      assert.equal(sqlInt(server, 'SELECT count(*) FROM participant WHERE event_id = ' + ev.id), 0, 'a dry run writes nothing');

      // committing without confirming the new person: refused, nothing written
      const plain = rows.map((x) => ({ name: x.name, country: x.country, phone: x.phone }));
      const e1 = assertError(await astaff.post(`/api/v1/event/${ev.id}/signin`, { rows: plain, commit: true }), 422, 'invalid', 'rows');
      assert.match(e1.message, /第3行/);
      // a bad phone in the list: refused, nothing written
      const bad = [...plain.slice(0, 2), { ...plain[2], create: true }, { name: '某某', phone: '12345' }];
      const e2 = assertError(await astaff.post(`/api/v1/event/${ev.id}/signin`, { rows: bad, commit: true }), 422, 'invalid', 'rows');
      assert.match(e2.message, /第4行/);
      // the same person twice in one list: the whole list is refused
      const twice = [...plain.slice(0, 2), { ...plain[2], create: true }, { name: '黄乃裳', country: 'MY' }];
      assertError(await astaff.post(`/api/v1/event/${ev.id}/signin`, { rows: twice, commit: true }), 409, 'conflict', 'rows');
      assert.equal(sqlInt(server, 'SELECT count(*) FROM participant WHERE event_id = ' + ev.id), 0);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM person'), people0, 'no person created');

      const ok = await astaff.post(`/api/v1/event/${ev.id}/signin`, { rows: [...plain.slice(0, 2), { ...plain[2], create: true }], role: 'guest', commit: true });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.json.created, 1);
      assert.equal(ok.json.registered, 3);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM person'), people0 + 1);
      const created = sqlInt(server, `SELECT org_id FROM person WHERE name = '李光前'`);
      assert.equal(created, A.id, 'the new person belongs to the event\'s org');
      const evr = (await astaff.get(`/api/v1/event/${ev.id}`)).json;
      assert.equal(evr.participants, 3);
      assert.equal(evr.countries, 2);

      // again: everyone is registered already and is skipped
      const again = await astaff.post(`/api/v1/event/${ev.id}/signin`, { text: '陈先生, SG, +65 9123 4567' });
      assert.equal(again.json.rows[0].action, 'already');
      // an ambiguous name: candidates to choose from
      const amb = await astaff.post(`/api/v1/event/${ev.id}/signin`, { text: '黄乃裳' });
      assert.ok(amb.json.rows[0].candidates.some((c) => c.id === people.wong.id));
      // an imported sheet: a title row, the header, names as people write them
      const csv = '新春联谊会签到表,,,\n序号,姓名,国家或地区,手机\n1,黄乃裳,马来西亚,\n2,郑  先生,中国,13812345678\n,,,\n';
      const sheet = await astaff.post(`/api/v1/event/${ev.id}/signin`, { file: { name: '签到表.csv', data: Buffer.from(csv).toString('base64') } });
      assert.equal(sheet.status, 200, sheet.text);
      assert.equal(sheet.json.rows.length, 2, 'the title row, the header and blank rows are skipped');
      assert.equal(sheet.json.rows[0].action, 'already', '黄乃裳 of MY is registered already');
      assert.equal(sheet.json.rows[1].country, 'CN');
      assert.equal(sheet.json.rows[1].phone, '+86 138 1234 5678');
      assert.equal(sheet.json.rows[1].action, 'create');
      assertError(await astaff.post(`/api/v1/event/${ev.id}/signin`, { file: { name: 'x.xlsx', data: '!!!' } }), 422, 'invalid', 'file');
      assertError(await astaff.post(`/api/v1/event/${ev.id}/signin`, { text: '' }), 422, 'invalid', 'rows');
      assertError(await astaff.post(`/api/v1/event/${ev.id}/signin`, { lines: [] }), 400);
      assertError(await aleader.post(`/api/v1/event/${ev.id}/signin`, { text: '黄乃裳' }), 403);
    });

    test('merging two people registered for one event keeps one registration', async () => {
      const a = (await astaff.post('/api/v1/person', { name: '胡文虎', residence_country: 'SG' })).json;
      const b = (await astaff.post('/api/v1/person', { name: '胡文虎', residence_country: 'SG', phone: '+65 6000 0001' })).json;
      const ev = (await astaff.post('/api/v1/event', { ...conf, name: '合并测试会', headcount: 0 })).json;
      assert.equal((await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: a.id, attended: false })).status, 201);
      assert.equal((await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: b.id })).status, 201);
      const m = await astaff.post('/api/v1/dedup/person/merge', { keep_id: a.id, drop_id: b.id });
      assert.equal(m.status, 200, m.text);
      const r = (await astaff.get(`/api/v1/event/${ev.id}`)).json;
      assert.equal(r.registered, 1);
      assert.equal(r.participants, 1, 'attended, as the dropped registration was');
      const left = await astaff.get(`/api/v1/participant?event_id=${ev.id}`);
      assert.equal(left.json.items[0].person_id, a.id);
    });

    test('photos: several at once, checked by content, thumbnails, a caption each, one cover', async () => {
      const ev = (await astaff.post('/api/v1/event', { ...conf, name: '聚侨兴湘启动仪式' })).json;
      const url = `/api/v1/event/${ev.id}/photos`;
      const n = sqlInt(server, 'SELECT count(*) FROM event_photo');
      const bad = [
        [{ photos: [{ name: 'a.jpg', data: Buffer.from('not an image at all').toString('base64') }] }, 422, 'photos[0]'],
        [{ photos: [{ name: 'a.jpg', data: JPEG }, { name: 'big.png', data: png(4, 4, 100000, 100000) }] }, 422, 'photos[1]'],
        [{ photos: [{ name: 'a.jpg', data: '@@@' }] }, 422, 'photos[0]'],
        [{ photos: [{ name: 'a.jpg', data: JPEG, caption: 'x'.repeat(300) }] }, 422, 'photos[0]'],
        [{ photos: [] }, 422, 'photos'],
        [{ photos: [{ name: 'a.jpg', data: JPEG }], cover: 3 }, 422, 'cover'],
      ];
      for (const [body, status, field] of bad) assertError(await astaff.post(url, body), status, undefined, field);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM event_photo'), n, 'nothing stored');
      assertError(await aleader.post(url, { photos: [{ name: 'a.jpg', data: JPEG }] }), 403);
      assertError(await astaff.post('/api/v1/event_photo', { event_id: ev.id, caption: 'x' }), 422, 'invalid', 'event_id');

      const up = await astaff.post(url, { photos: [
        { name: 'C:\\照片\\启动仪式.jpg', data: 'data:image/jpeg;base64,' + JPEG, caption: '2023年首届湖南省“聚侨兴湘”活动启动仪式' },
        { name: 'group.png', data: png(500, 200), caption: '合影' },
      ] });
      assert.equal(up.status, 201, up.text);
      const [a, b] = up.json.items;
      assert.equal(a.type, 'image/jpeg');
      assert.equal(a.file_name, '启动仪式.jpg');
      assert.equal(a.width, 64);
      assert.equal(a.cover, true, 'the first photo of an event is its cover');
      assert.equal(a.org_id, A.id);
      assert.equal(b.type, 'image/png');
      assert.equal(b.cover, false);
      assert.equal(a.sha256, undefined, 'the content key stays inside');
      const img = await fetch(server.url + `/api/v1/event_photo/${b.id}/image`, { headers: { Cookie: astaff.cookie } });
      assert.equal(img.status, 200);
      assert.equal(img.headers.get('content-type'), 'image/png');
      const th = await fetch(server.url + `/api/v1/event_photo/${b.id}/thumb`, { headers: { Cookie: astaff.cookie } });
      assert.equal(th.headers.get('content-type'), 'image/jpeg');
      const tb = Buffer.from(await th.arrayBuffer());
      assert.equal(tb[0], 0xff); assert.equal(tb[1], 0xd8);
      assert.equal((await astaff.get(`/api/v1/event/${ev.id}`)).json.cover_photo_id, a.id);
      // one cover: marking another unmarks the first
      const cv = await astaff.patch(`/api/v1/event_photo/${b.id}`, { cover: true, caption: '全体合影' });
      assert.equal(cv.status, 200, cv.text);
      assert.equal((await astaff.get(`/api/v1/event_photo/${a.id}`)).json.cover, false);
      assert.equal((await astaff.get(`/api/v1/event/${ev.id}`)).json.cover_photo_id, b.id);
      const evs = await astaff.get(`/api/v1/event?q=${encodeURIComponent(ev.name)}`);
      assert.equal(evs.json.items.find((r) => r.id === ev.id).cover_photo_id, b.id, 'the list shows the cover too');
      // the scope: another county sees neither the record nor the bytes
      assertError(await bstaff.get(`/api/v1/event_photo/${a.id}`), 404);
      const other = await fetch(server.url + `/api/v1/event_photo/${a.id}/image`, { headers: { Cookie: bstaff.cookie } });
      assert.equal(other.status, 404);
      assertError(await bstaff.post(url, { photos: [{ name: 'a.jpg', data: JPEG }] }), 404);
    });

    test('an event moved to another org takes its participants and photos along', async () => {
      const ev = (await astaff.post('/api/v1/event', { ...conf, name: '移交测试会' })).json;
      const p = (await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.sae.id })).json;
      const ph = (await astaff.post(`/api/v1/event/${ev.id}/photos`, { photos: [{ name: 'a.jpg', data: JPEG }] })).json.items[0];
      const m = await admin.patch(`/api/v1/event/${ev.id}`, { org_id: B.id });
      assert.equal(m.status, 200, m.text);
      assert.equal((await bstaff.get(`/api/v1/participant/${p.id}`)).json.org_id, B.id);
      assert.equal((await bstaff.get(`/api/v1/event_photo/${ph.id}`)).json.org_id, B.id);
      assertError(await astaff.get(`/api/v1/participant/${p.id}`), 404);
      assert.equal((await bstaff.get(`/api/v1/event/${ev.id}`)).json.participants, 1);
    });

    test('an event\'s countries: the attended participants by residence country, most first', async () => {
      const ev = (await astaff.post('/api/v1/event', { ...conf, name: '国别统计会' })).json;
      for (const [k, attended] of [['tan', true], ['lim', true], ['wong', true], ['oei', false]]) {
        assert.equal((await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people[k].id, attended })).status, 201);
      }
      let r = await astaff.get(`/api/v1/event/${ev.id}/countries`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items, [{ country: 'SG', people: 2 }, { country: 'MY', people: 1 }], 'the absent ID does not count');
      assert.equal((await astaff.get(`/api/v1/event/${ev.id}`)).json.countries, r.json.items.length);
      // a registration changes the chart at once (the page reloads it after each change)
      await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.lee.id });
      r = await astaff.get(`/api/v1/event/${ev.id}/countries`);
      assert.deepEqual(r.json.items.map((x) => x.country), ['SG', 'MY', 'US']);
      assertError(await bstaff.get(`/api/v1/event/${ev.id}/countries`), 404);
    });

    test('the star history of a 侨胞之家: each rating with its date, homes by star as of a date', async () => {
      const home = await mkOrg(admin, { parent_id: A.id, kind: 'home', name: '甲县某侨胞之家', star: 3, rated_on: '2022-03-01' });
      const other = await mkOrg(admin, { parent_id: B.id, kind: 'home', name: '乙县某侨胞之家', star: 4, rated_on: '2021-06-01' });
      const patch = async (body) => {
        const r = await admin.patch(`/api/v1/org/${home.id}`, body);
        assert.equal(r.status, 200, r.text);
        return r.json;
      };
      await patch({ star: 4, rated_on: '2023-05-10' });
      await patch({ notes: '换了负责人' }); // no new rating
      const now = await patch({ star: 5 }); // dated today (Beijing) when no date is given
      const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
      assert.equal(now.rated_on, today);
      const h = await astaff.get(`/api/v1/org/${home.id}/stars`);
      assert.equal(h.status, 200, h.text);
      assert.deepEqual(h.json.items.map((x) => [x.star, x.rated_on]), [[5, today], [4, '2023-05-10'], [3, '2022-03-01']]);
      assert.equal(h.json.items[0].username, 'admin');
      assertError(await bstaff.get(`/api/v1/org/${home.id}/stars`), 404);

      // how many 4-star homes at the end of 2023: the rating in force that day
      const on = async (c, q) => {
        const r = await c.get(`/api/v1/org/stars?${q}`);
        assert.equal(r.status, 200, r.text);
        return r.json;
      };
      let r = await on(astaff, 'on=2023-12-31');
      assert.equal(r.org.id, A.id, 'the reader\'s own org by default');
      assert.deepEqual(r.stars, { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 });
      assert.deepEqual((await on(astaff, 'on=2022-12-31')).stars, { 1: 0, 2: 0, 3: 1, 4: 0, 5: 0 });
      assert.deepEqual((await on(astaff, 'on=2021-12-31')).stars, { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, 'not yet rated');
      assert.deepEqual((await on(astaff, '')).stars, { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 }, 'today');
      r = await on(admin, 'on=2023-12-31&org=1');
      assert.equal(r.stars[4], sqlInt(server, `SELECT count(*) FROM "org" WHERE kind = 'home' AND deleted_at IS NULL AND star = 4 AND id <> ${home.id} AND rated_on <= '2023-12-31'`) + 1, 'both counties from the root');
      assertError(await astaff.get(`/api/v1/org/stars?org=${B.id}`), 404);
      assertError(await astaff.get('/api/v1/org/stars?on=2023-13-01'), 422, 'invalid', 'on');
      assertError(await astaff.get('/api/v1/org/stars?year=2023'), 400, undefined, 'year');
      assert.ok(other.id);

      // bad ratings: a clear message naming the field, nothing written
      const n = sqlInt(server, 'SELECT count(*) FROM org_star');
      for (const star of [0, 6]) {
        const e = assertError(await admin.patch(`/api/v1/org/${home.id}`, { star }), 422, 'invalid', 'star');
        assert.match(e.message, /星级/);
      }
      let e = assertError(await admin.patch(`/api/v1/org/${home.id}`, { star: 2, rated_on: '2999-01-01' }), 422, 'invalid', 'rated_on');
      assert.match(e.message, /评星日期/);
      e = assertError(await admin.patch(`/api/v1/org/${A.id}`, { rated_on: '2023-01-01' }), 422, 'invalid', 'rated_on');
      assert.match(e.message, /侨胞之家/);
      assert.equal(sqlInt(server, 'SELECT count(*) FROM org_star'), n, 'no rating written');
      assert.equal((await admin.get(`/api/v1/org/${home.id}`)).json.star, 5);
    });

    test('the issue\'s bad input: a Chinese message naming the field, nothing written', async () => {
      const ev = (await astaff.post('/api/v1/event', { ...conf, name: '坏输入检查会' })).json;
      await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.tan.id });
      const counts = () => ['event', 'participant', 'project', 'submission', 'org_star', 'stage_step'].map((t) => sqlInt(server, `SELECT count(*) FROM "${t}"`));
      const before = counts();
      const named = (res, status, field, label) => {
        const e = assertError(res, status, undefined, field);
        assert.match(e.message, label, `the message names the field: ${e.message}`);
      };
      // an event ending before it starts
      named(await astaff.post('/api/v1/event', { ...conf, starts_on: '2024-05-21', ends_on: '2024-05-20' }), 422, 'ends_on', /结束日期/);
      // a participant registered twice
      named(await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.tan.id }), 409, 'person_id', /陈嘉庚/);
      // a person out of scope
      named(await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.other.id }), 422, 'person_id', /人员/);
      // an adoption without a level
      const sub = (await astaff.post('/api/v1/submission', { title: '侨情信息一则', kind: 'info', submitted_on: '2024-03-01' })).json;
      const mid = counts();
      named(await astaff.post(`/api/v1/submission/${sub.id}/transition`, { to: 'adopted', adopted_by: '市委办公厅', adopted_on: '2024-04-01' }), 422, 'adopted_level', /级别/);
      // a project signed in the future
      const pr = (await astaff.post('/api/v1/project', { name: '侨商回乡投资', kind: 'investment', partner_type: 'name', partner_name: '某侨商' })).json;
      named(await astaff.post(`/api/v1/project/${pr.id}/transition`, { to: 'signed', signed_on: '2999-01-01' }), 422, 'signed_on', /签约日期/);
      // a star outside 1–5
      named(await admin.post('/api/v1/org', { parent_id: A.id, kind: 'home', name: '六星侨胞之家', star: 6 }), 422, 'star', /星级/);
      const after = counts();
      assert.equal(after[0], before[0], 'no event');
      assert.equal(after[1], before[1], 'no participant');
      assert.equal(after[2], mid[2] + 1, 'only the project made for the check');
      assert.equal(after[3], mid[3], 'the submission made for the check only');
      assert.equal(after[4], before[4], 'no rating');
      assert.equal(after[5], mid[5], 'no stage step');
      assert.equal((await astaff.get(`/api/v1/submission/${sub.id}`)).json.status, 'submitted');
      assert.equal((await astaff.get(`/api/v1/project/${pr.id}`)).json.stage, 'negotiating');
      assert.equal(sqlInt(server, `SELECT count(*) FROM "org" WHERE name = '六星侨胞之家'`), 0);
    });

    test('a person\'s events, honours and projects, an org\'s honours: lists by link, in the reader\'s scope', async () => {
      const ev = (await astaff.post('/api/v1/event', { ...conf, name: '个人页检查会' })).json;
      await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.wong.id });
      const hon = await astaff.post('/api/v1/honor', { title: '优秀侨领', level: 'city', recipient_type: 'person', recipient_id: people.wong.id, awarded_on: '2024-01-05' });
      assert.equal(hon.status, 201, hon.text);
      const ohon = await astaff.post('/api/v1/honor', { title: '先进基层侨联', level: 'provincial', recipient_type: 'org', recipient_id: A.id, awarded_on: '2023-12-01' });
      assert.equal(ohon.status, 201, ohon.text);
      const pr = await astaff.post('/api/v1/project', { name: '黄氏侨商投资', kind: 'investment', partner_type: 'person', partner_id: people.wong.id, amount: 500000000 });
      assert.equal(pr.status, 201, pr.text);
      const pid = people.wong.id;
      const evs = await astaff.get(`/api/v1/participant?person_id=${pid}&per_page=20`);
      assert.ok(evs.json.items.some((x) => x.event_id === ev.id), evs.text);
      assert.ok(evs.json.items.every((x) => x.person_id === pid));
      const hs = await astaff.get(`/api/v1/honor?recipient_type=person&recipient_id=${pid}`);
      assert.deepEqual(hs.json.items.map((x) => x.title), ['优秀侨领']);
      const ps = await astaff.get(`/api/v1/project?partner_type=person&partner_id=${pid}`);
      assert.deepEqual(ps.json.items.map((x) => x.name), ['黄氏侨商投资']);
      const os = await astaff.get(`/api/v1/honor?recipient_type=org&recipient_id=${A.id}`);
      assert.deepEqual(os.json.items.map((x) => x.title), ['先进基层侨联']);
      // another county sees none of it
      for (const q of [`participant?person_id=${pid}`, `honor?recipient_type=person&recipient_id=${pid}`, `project?partner_type=person&partner_id=${pid}`]) {
        const r = await bstaff.get(`/api/v1/${q}`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.total, 0, q);
      }
    });

    test('deleting an event deletes its registrations', async () => {
      const ev = (await astaff.post('/api/v1/event', { ...conf, name: '临时活动' })).json;
      await astaff.post('/api/v1/participant', { event_id: ev.id, person_id: people.lee.id });
      assert.equal((await astaff.del(`/api/v1/event/${ev.id}`)).status, 204);
      assert.equal(sqlInt(server, `SELECT count(*) FROM participant WHERE event_id = ${ev.id} AND deleted_at IS NULL`), 0);
    });
  });
}
