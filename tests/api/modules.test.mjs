// Modules declared once (issue 10): the schema's modules and workflows, the generic
// transition endpoint, the party type (honor's recipient: kinds, scope, title, merge) and
// the honour entity added as one file.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer } from '../lib/server.mjs';
import { assertError, mkOrg, sqlInt } from './helpers.mjs';

for (const store of STORES) {
  describe(`modules, workflows, parties (${store})`, () => {
    // root(1) ─ A (甲县) astaff, B (乙县) bstaff
    let server, admin, astaff, bstaff, A, B;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      server.addUser('astaff', 'staff', A.id);
      server.addUser('bstaff', 'staff', B.id);
      astaff = await server.login('astaff');
      bstaff = await server.login('bstaff');
    });
    after(() => server?.stop());

    test('the schema carries the modules with their labels, and the case workflow', async () => {
      const r = await astaff.get('/api/v1/schema');
      assert.equal(r.status, 200);
      const mods = r.json.modules.map((m) => m.name);
      for (const m of ['org', 'registry', 'case', 'honor']) assert.ok(mods.includes(m), `module ${m}`);
      const reg = r.json.modules.find((m) => m.name === 'registry');
      assert.deepEqual(reg.label, { 'zh-Hans': '侨情四库', 'zh-Hant': '僑情四庫', en: 'Registries' });
      const wf = r.json.entities.find((e) => e.name === 'case').workflow;
      assert.equal(wf.field, 'status');
      assert.equal(wf.args[0].name, 'note');
      const assign = wf.moves.find((m) => m.to === 'assigned');
      assert.deepEqual(assign.from, ['received', 'referred']);
      assert.deepEqual(assign.needs, ['assignee_id']);
      assert.equal(assign.label['zh-Hans'], '分派');
      const honor = r.json.entities.find((e) => e.name === 'honor');
      assert.equal(honor.module, 'honor');
      const rt = honor.fields.find((f) => f.name === 'recipient_type');
      assert.deepEqual(rt.values.map((v) => v.value), ['person', 'org'], 'only the kinds the party allows');
    });

    test('the generic transition endpoint: 404 without a workflow, the case moves on it', async () => {
      assertError(await astaff.post(`/api/v1/person/1/transition`, { to: 'x' }), 404);
      const c = await astaff.post('/api/v1/case', { category: 'legal', summary: '工资拖欠', applicant_name: '黄先生', applicant_contact: '+86 139 0739 5566' });
      assert.equal(c.status, 201, c.text);
      const me = (await astaff.get('/api/v1/session')).json.user.id;
      assertError(await astaff.post(`/api/v1/case/${c.json.id}/transition`, { to: 'closed' }), 409, 'conflict');
      const r = await astaff.post(`/api/v1/case/${c.json.id}/transition`, { to: 'assigned', assignee_id: me });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'assigned');
      assert.deepEqual(r.json.allowed_transitions, ['in_progress', 'referred', 'rejected']);
      const audit = sqlInt(server, `SELECT count(*) FROM audit_log WHERE entity = 'case' AND entity_id = ${c.json.id} AND action = 'transition'`);
      assert.equal(audit, 1, 'the move has its audit entry');
    });

    test('a party: its kind, its record in the writer\'s scope, its title as the name', async () => {
      const pa = await astaff.post('/api/v1/person', { name: '陈嘉庚', residence_country: 'SG' });
      assert.equal(pa.status, 201, pa.text);
      const pb = await bstaff.post('/api/v1/person', { name: '林文庆', residence_country: 'SG' });
      assert.equal(pb.status, 201, pb.text);
      const base = { title: '全国归侨侨眷先进个人', level: 'national', awarded_by: '中国侨联', awarded_on: '2024-06-01' };
      const h = await astaff.post('/api/v1/honor', { ...base, recipient_type: 'person', recipient_id: pa.json.id });
      assert.equal(h.status, 201, h.text);
      assert.equal(h.json.recipient_name, '陈嘉庚');
      assert.equal(h.json.org_id, A.id);
      const o = await astaff.post('/api/v1/honor', { ...base, level: 'provincial', recipient_type: 'org', recipient_id: A.id });
      assert.equal(o.status, 201, o.text);
      assert.equal(o.json.recipient_name, '甲县侨联');

      const before = sqlInt(server, 'SELECT count(*) FROM "honor"');
      assertError(await astaff.post('/api/v1/honor', { ...base, recipient_type: 'person', recipient_id: pb.json.id }), 422, 'invalid', 'recipient_id');
      assertError(await astaff.post('/api/v1/honor', { ...base, recipient_type: 'person', recipient_id: 999999 }), 422, 'invalid', 'recipient_id');
      assertError(await astaff.post('/api/v1/honor', { ...base, recipient_type: 'person' }), 422, 'invalid', 'recipient_id');
      assertError(await astaff.post('/api/v1/honor', { ...base, recipient_type: 'name', recipient_name: '某人' }), 422, 'invalid', 'recipient_type');
      assertError(await astaff.post('/api/v1/honor', { ...base, recipient_type: 'enterprise', recipient_id: 1 }), 422, 'invalid', 'recipient_type');
      assertError(await astaff.post('/api/v1/honor', { ...base }), 422, 'invalid', 'recipient_type');
      assert.equal(sqlInt(server, 'SELECT count(*) FROM "honor"'), before, 'nothing written');

      // B cannot see A's honour
      assertError(await bstaff.get(`/api/v1/honor/${h.json.id}`), 404);
      // a merge of duplicate people follows the party link, name and all
      const dup = await astaff.post('/api/v1/person', { name: '陳嘉庚', residence_country: 'SG' });
      assert.equal(dup.status, 201, dup.text);
      const h2 = await astaff.post('/api/v1/honor', { ...base, recipient_type: 'person', recipient_id: dup.json.id });
      assert.equal(h2.status, 201, h2.text);
      const m = await admin.post('/api/v1/dedup/person/merge', { keep_id: pa.json.id, drop_id: dup.json.id });
      assert.equal(m.status, 200, m.text);
      const after = (await astaff.get(`/api/v1/honor/${h2.json.id}`)).json;
      assert.equal(after.recipient_id, pa.json.id);
      assert.equal(after.recipient_name, '陈嘉庚');
    });
  });
}
