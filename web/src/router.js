// router.js - hash routes (the server serves index.html at / only):
//   #/login               log in
//   #/                    home
//   #/org/tree            the organisation tree
//   #/audit               the audit trail (admins)
//   #/case, #/case/new, #/case/{id}   the service desk: board, intake, the case page
//   #/programme/{id}      a programme's ledger: figures, entries, reversals, approvals
//   #/funds/pending       待审批: disbursements waiting for a second person (FundsPending.vue)
//   #/wish/board          the wish board: cards by state, claim, fulfil (WishBoard.vue)
//   #/visit/log           the visit log with its totals and form (VisitLog.vue)
//   #/print/{donation|disbursement}/{id}   a receipt or voucher to print (A5, no layout)
//   #/print/case/{id}     a case's 受理回执 (?notice=1: its 办结告知) to print (A5)
//   #/report/work         the work report of an org's subtree and a period (WorkReport.vue)
//   #/map                 联络图: people, associations, enterprises by country; ancestral places
//   #/print/report?org=&from=&to=   the work report to print (A4, no layout)
//   #/import/{entity}     census import: upload, mapping, dry run, commit (Import.vue)
//   #/dedup/person        duplicate people: pairs side by side, merge (Dedup.vue)
//   #/event               the events: search form, list or month calendar (EventList.vue)
//   #/event/{id}          an event: attendance, editions, participants, sign-in list (EventDetail.vue)
//   #/project             the project pipeline: a board by stage with amounts (ProjectBoard.vue)
//   #/portal/settings     the public portal's org and limits (admins; PortalSettings.vue)
//   #/{entity}            a list page, rendered from the schema
//   #/{entity}/{id}       a record
// Every route but the login needs a session; the schema is loaded once after login.
import { createRouter, createWebHashHistory } from 'vue-router'
import { ElMessage } from 'element-plus'
import { session, restoreSession, loadSchema, setUnauthenticatedHandler } from './session.js'
import Login from './views/Login.vue'
import Layout from './views/Layout.vue'

const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/login', name: 'login', component: Login, meta: { public: true } },
    { path: '/print/:kind(donation|disbursement)/:id(\\d+)', name: 'receipt', component: () => import('./views/Receipt.vue') },
    { path: '/print/case/:id(\\d+)', name: 'caseReceipt', component: () => import('./views/CaseReceipt.vue') },
    { path: '/print/report', name: 'reportPrint', props: { print: true }, component: () => import('./views/WorkReport.vue') },
    {
      path: '/',
      component: Layout,
      children: [
        { path: '', name: 'home', component: () => import('./views/Home.vue') },
        { path: 'org/tree', name: 'orgTree', component: () => import('./views/OrgTree.vue') },
        { path: 'audit', name: 'audit', component: () => import('./views/Audit.vue') },
        { path: 'report/work', name: 'workReport', component: () => import('./views/WorkReport.vue') },
        { path: 'map', name: 'liaisonMap', component: () => import('./views/LiaisonMap.vue') },
        { path: 'case', name: 'caseBoard', component: () => import('./views/CaseBoard.vue') },
        { path: 'case/new', name: 'caseIntake', component: () => import('./views/CaseIntake.vue') },
        { path: 'case/:id(\\d+)', name: 'caseDetail', component: () => import('./views/CaseDetail.vue') },
        { path: 'programme/:id(\\d+)', name: 'programmeLedger', component: () => import('./views/ProgrammeLedger.vue') },
        { path: 'funds/pending', name: 'fundsPending', component: () => import('./views/FundsPending.vue') },
        { path: 'wish/board', name: 'wishBoard', component: () => import('./views/WishBoard.vue') },
        { path: 'visit/log', name: 'visitLog', component: () => import('./views/VisitLog.vue') },
        { path: 'import/:entity([a-z_]+)', name: 'import', component: () => import('./views/Import.vue') },
        { path: 'dedup/person', name: 'dedup', component: () => import('./views/Dedup.vue') },
        { path: 'portal/settings', name: 'portalSettings', component: () => import('./views/PortalSettings.vue') },
        { path: 'search', name: 'search', component: () => import('./views/SearchResults.vue') },
        { path: 'event', name: 'eventList', meta: { entity: 'event', list: true }, component: () => import('./views/EventList.vue') },
        { path: 'project', name: 'projectBoard', meta: { entity: 'project', list: true }, component: () => import('./views/ProjectBoard.vue') },
        { path: 'event/:id(\\d+)', name: 'eventDetail', meta: { entity: 'event' }, component: () => import('./views/EventDetail.vue') },
        { path: ':entity([a-z_]+)', name: 'list', component: () => import('./views/EntityList.vue') },
        { path: ':entity([a-z_]+)/:id(\\d+)', name: 'detail', component: () => import('./views/EntityDetail.vue') },
        { path: ':pathMatch(.*)*', name: 'notFound', component: () => import('./views/NotFound.vue') },
      ],
    },
  ],
})

router.beforeEach(async (to) => {
  if (!session.checked) {
    try {
      await restoreSession()
    } catch (e) {
      ElMessage.error(e.message)
    }
  }
  if (to.meta.public) return session.user && to.name === 'login' ? '/' : true
  if (!session.user) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  try {
    await loadSchema()
  } catch (e) {
    ElMessage.error(e.message)
  }
  return true
})

setUnauthenticatedHandler(() => {
  const here = router.currentRoute.value
  if (!here.meta.public) router.replace({ name: 'login', query: { redirect: here.fullPath } })
})

export default router
