// The work report (SPEC "The work report", "The fixed interface"): GET /api/v1/reports/work
// answers every figure key SPEC names, computed from the records of the org's subtree when
// asked (a county's report leaves out its neighbour's, the city's holds both), year by year,
// with a narrative in the house style in the reader's language; outside the reader's scope
// it is 404; bad periods are refused naming the field; the workbook and `qiao report`
// answer the same figures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, startServer, qiao } from '../lib/server.mjs';
import { assertError, created, mkOrg } from './helpers.mjs';

const KEYS = `orgs.federation orgs.branch orgs.home orgs.platform orgs.base orgs.affiliate
homes.star1 homes.star2 homes.star3 homes.star4 homes.star5 bases.national bases.provincial
bases.city people.total people.countries talents.total associations.total associations.countries
associations.friendly associations.contacted appointments.overseas appointments.countries
events.count events.attendance events.countries cases.received cases.legal cases.resolved
cases.recovered donations.count donations.amount disbursements.amount disbursements.people_helped
visits.people visits.cash visits.packages visits.suggestions wishes.fulfilled projects.signed
projects.amount submissions.submitted submissions.adopted honours.national honours.provincial
honours.city honours.county`.split(/\s+/);

for (const store of STORES) {
  describe(`work report (${store})`, () => {
    let server, admin, astaff, A, B;
    before(async () => {
      server = await startServer({ store });
      admin = await server.login('admin');
      A = await mkOrg(admin, { name: '甲县侨联', level: 'county' });
      B = await mkOrg(admin, { name: '乙县侨联', level: 'county' });
      await mkOrg(admin, { name: '甲县一号侨胞之家', kind: 'home', parent_id: A.id });
      await mkOrg(admin, { name: '甲县侨商分会', kind: 'branch', parent_id: A.id });
      await mkOrg(admin, { name: '甲县国家级基地', kind: 'base', base_level: 'national', parent_id: A.id });
      await mkOrg(admin, { name: '甲县新基地', kind: 'base', base_level: 'city', parent_id: A.id, established_on: '2026-06-01' });
      server.addUser('astaff', 'staff', A.id);
      astaff = await server.login('astaff');
      const p1 = await created(astaff, '/api/v1/person', { name: '陈甲一', categories: ['overseas_chinese'], residence_country: 'SG' });
      await created(astaff, '/api/v1/person', { name: '林甲二', categories: ['overseas_chinese'], residence_country: 'MY' });
      await created(astaff, '/api/v1/person', { name: '黄甲三', categories: ['returnee'], residence_country: 'SG' });
      await created(admin, '/api/v1/person', { org_id: B.id, name: '吴乙一', categories: ['returnee'], residence_country: 'TH' });
      const as1 = await created(astaff, '/api/v1/association', { name: '新加坡甲县同乡会', country: 'SG', type: 'hometown', friendly_since: '2024-05-01' });
      await created(astaff, '/api/v1/association', { name: '马来西亚甲县会馆', country: 'MY', type: 'hometown', friendly_since: '2026-01-01' });
      await created(astaff, '/api/v1/contact', { date: '2025-03-02', channel: 'visit', parties: [`association:${as1.id}`], summary: '走访' });
      await created(astaff, '/api/v1/relation', { from_type: 'person', from_id: p1.id, kind: 'overseas_advisor', to_type: 'org', to_id: A.id, since: '2025-06-01' });
    });
    after(() => server?.stop());

    const report = (c, q) => c.get(`/api/v1/reports/work?${q}`);

    test('every SPEC figure key, an integer, for the subtree and the period', async () => {
      const r = await report(astaff, 'from=2025-01-01&to=2025-12-31');
      assert.equal(r.status, 200, r.text);
      const { org, from, to, figures, series, narrative } = r.json;
      assert.deepEqual(org, { id: A.id, name: '甲县侨联' });
      assert.equal(from, '2025-01-01');
      assert.equal(to, '2025-12-31');
      for (const k of KEYS) assert.ok(Number.isInteger(figures[k]), `${k}: ${figures[k]}`);
      assert.equal(figures['orgs.federation'], 1);
      assert.equal(figures['orgs.home'], 1);
      assert.equal(figures['orgs.branch'], 1);
      assert.equal(figures['orgs.base'], 1, 'the base established after `to` is not yet standing');
      assert.equal(figures['bases.national'], 1);
      assert.equal(figures['bases.city'], 0);
      assert.equal(figures['people.total'], 3);
      assert.equal(figures['people.countries'], 2);
      assert.equal(figures['associations.total'], 2);
      assert.equal(figures['associations.countries'], 2);
      assert.equal(figures['associations.friendly'], 1);
      assert.equal(figures['associations.contacted'], 1);
      assert.equal(figures['appointments.overseas'], 1);
      assert.equal(figures['appointments.countries'], 1);
      assert.deepEqual(r.json.photos, [], 'no event photos in the period');
      assert.deepEqual(series.map((y) => y.year), [2025]);
      assert.equal(series[0].figures['people.total'], 3);
      assert.match(narrative, /^2025年1月1日至2025年12月31日，甲县侨联及所属组织：现有各级侨联组织1个/);
      assert.match(narrative, /登记侨界人士3名/);
      assert.match(narrative, /期间，联络侨团1个/);
      assert.ok(!narrative.includes('0个'), narrative);
      // the city holds both counties; a year the appointment falls outside counts none
      const city = (await report(admin, 'from=2024-01-01&to=2024-12-31')).json;
      assert.equal(city.figures['people.total'], 4);
      assert.equal(city.figures['people.countries'], 3);
      assert.equal(city.figures['orgs.federation'], 3);
      assert.equal(city.figures['appointments.overseas'], 0);
      assert.equal(city.figures['associations.contacted'], 0);
      const two = (await report(admin, `org=${A.id}&from=2024-07-01&to=2026-12-31`)).json;
      assert.deepEqual(two.series.map((y) => y.year), [2024, 2025, 2026]);
      assert.equal(two.series[1].figures['appointments.overseas'], 1);
      assert.equal(two.figures['orgs.base'], 2);
    });

    test('the narrative in the reader\'s language', async () => {
      const q = 'from=2025-01-01&to=2025-12-31';
      const hant = (await astaff.get(`/api/v1/reports/work?${q}`, { headers: { 'Accept-Language': 'zh-TW' } })).json;
      assert.match(hant.narrative, /甲县侨联及所屬組織：現有各級僑聯組織1個/);
      assert.match(hant.narrative, /登記僑界人士3名/);
      const en = (await report(astaff, `${q}&lang=en`)).json;
      assert.match(en.narrative, /^From 2025-01-01 to 2025-12-31, 甲县侨联 and the organisations under it\. Standing at the end: Federations: 1/);
      assert.match(en.narrative, /People registered: 3/);
      assert.equal(en.labels['people.total'].label, 'People registered');
      assert.equal(en.phrases['people.total'], '3');
    });

    test('outside the scope, and bad periods', async () => {
      assertError(await report(astaff, 'org=1'), 404, 'not_found');
      assertError(await report(astaff, `org=${B.id}`), 404, 'not_found');
      assertError(await report(astaff, 'from=2025-12-31&to=2025-01-01'), 400, 'bad_request', 'from');
      assertError(await report(astaff, 'from=2025-13-01'), 422, 'invalid', 'from');
      assertError(await report(astaff, 'to=yesterday'), 422, 'invalid', 'to');
      assertError(await report(astaff, 'org=x'), 422, 'invalid', 'org');
      assertError(await report(astaff, 'year=2025'), 400, 'unknown_field', 'year');
      assertError(await report(astaff, 'from=1900-01-01&to=2025-12-31'), 400, 'bad_request', 'from');
    });

    test('the workbook and the command line answer the same', async () => {
      const r = await astaff.get('/api/v1/reports/work.xlsx?from=2025-01-01&to=2025-12-31', { raw: true });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /spreadsheetml/);
      const json = (await report(astaff, 'from=2025-01-01&to=2025-12-31')).json;
      const out = qiao(['report', '--db', server.db, '--org', String(A.id), '--from', '2025-01-01', '--to', '2025-12-31']);
      assert.equal(out.stdout.trim(), json.narrative);
      assert.equal(qiao(['report', '--db', server.db, '--from', '2025-02-30'], { allowFail: true }).status, 2);
    });
  });
}
