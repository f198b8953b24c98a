// main.js - the public portal at /portal/ (SPEC "The public portal"): news, orgs, 侨胞之家,
// the request form and the status lookup, in 简体 or 繁體. Plain DOM, no framework: every
// text goes in with textContent, so nothing from the server is ever read as HTML.
//
// Routes (the hash): #/ news, #/article/ID, #/orgs, #/homes, #/request, #/status?n=&c=.
// Language: ?lang=zh-Hant or ?lang=zh-Hans, else the browser's (zh-TW, zh-HK, zh-MO and
// zh-Hant read 繁); the button switches it in place and keeps it in the address.
// API: /api/v1/public/... (docs/API.md "The public portal"), with Accept-Language.
import { TEXT } from './text.js'
import './portal.css'

const COMMON_COUNTRIES = ['MY', 'SG', 'ID', 'TH', 'PH', 'VN', 'MM', 'US', 'CA', 'AU', 'NZ', 'GB', 'FR', 'DE', 'IT', 'ES', 'NL', 'JP', 'KR', 'BR', 'PE', 'ZA', 'HK', 'MO', 'TW']

function browserLang() {
  const want = new URLSearchParams(location.search).get('lang')
  if (want === 'zh-Hant') return 'hant'
  if (want === 'zh-Hans') return 'hans'
  for (const l of navigator.languages || [navigator.language || '']) {
    const s = l.toLowerCase()
    if (/^zh-(tw|hk|mo)|^zh-hant/.test(s)) return 'hant'
    if (s.startsWith('zh')) return 'hans'
  }
  return 'hans'
}

let lang = browserLang()
let T = TEXT[lang]
let info = null // GET public/info: {org, categories, countries}, in the page's language

// ---- helpers -------------------------------------------------------------------------

/** An element: h('div', {class: 'x', onclick: f}, child, 'text', ...). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v)
    else if (k === 'class') el.className = v
    else el.setAttribute(k, v === true ? '' : v)
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c))
  return el
}

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || T.networkError)
    this.status = status
    this.field = body?.error?.field
  }
}

async function api(method, path, body) {
  const headers = { 'Accept-Language': lang === 'hant' ? 'zh-Hant' : 'zh-Hans' }
  if (body) headers['Content-Type'] = 'application/json'
  let res
  try {
    res = await fetch(`/api/v1/public/${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined })
  } catch {
    throw new ApiError(0, null)
  }
  const json = await res.json().catch(() => null)
  if (!res.ok) throw new ApiError(res.status, json)
  return json
}

const dateFmt = () => new Intl.DateTimeFormat(lang === 'hant' ? 'zh-TW' : 'zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' })
/** A UTC instant as a Beijing date. */
const day = (utc) => (utc ? dateFmt().format(new Date(utc)) : '')
/** A date (YYYY-MM-DD) as people write it. */
const date = (d) => (d ? dateFmt().format(new Date(`${d}T12:00:00+08:00`)) : '')

const main = () => document.getElementById('main')
function show(...nodes) {
  main().replaceChildren(...nodes)
  window.scrollTo(0, 0)
}
const loadingNode = () => h('p', { class: 'muted' }, T.loading)
const errorNode = (e) => h('p', { class: 'error', role: 'alert' }, e.message)

function route() {
  const [path, query] = (location.hash.slice(1) || '/').split('?')
  return { path, query: new URLSearchParams(query || '') }
}

// ---- the frame -----------------------------------------------------------------------

function frame() {
  document.documentElement.lang = lang === 'hant' ? 'zh-TW' : 'zh-CN'
  const name = info?.org?.name || ''
  document.getElementById('site-name').textContent = name || T.nav.news
  document.title = name ? `${name} · ${T.siteSuffix}` : T.siteSuffix
  const sw = document.getElementById('lang-switch')
  sw.textContent = T.switchTo
  sw.title = T.switchTitle
  const { path } = route()
  const tab = path.startsWith('/article') ? '/' : path
  const links = [['/', T.nav.news], ['/orgs', T.nav.orgs], ['/homes', T.nav.homes], ['/request', T.nav.request], ['/status', T.nav.status]]
  document.getElementById('nav').replaceChildren(
    ...links.map(([to, label]) => h('a', { href: `#${to}`, class: tab === to ? 'on' : null, 'aria-current': tab === to ? 'page' : null }, label)),
  )
  document.getElementById('foot').textContent = T.foot
}

async function switchLang() {
  lang = lang === 'hant' ? 'hans' : 'hant'
  T = TEXT[lang]
  const q = new URLSearchParams(location.search)
  q.set('lang', lang === 'hant' ? 'zh-Hant' : 'zh-Hans')
  history.replaceState(null, '', `${location.pathname}?${q}${location.hash}`)
  info = null
  await render()
}

// ---- news ----------------------------------------------------------------------------

function paged(load, item, emptyText) {
  const list = h('div', { class: 'list' })
  const more = h('button', { type: 'button', class: 'more' }, T.more)
  const box = h('div', null, list, more)
  let page = 0
  more.hidden = true
  async function next() {
    more.disabled = true
    try {
      const r = await load(++page)
      list.append(...r.items.map(item))
      if (!r.total) list.replaceChildren(h('p', { class: 'muted' }, emptyText))
      more.hidden = page * r.per_page >= r.total
    } catch (e) {
      list.append(errorNode(e))
      more.hidden = true
    }
    more.disabled = false
  }
  more.addEventListener('click', next)
  next()
  return box
}

function newsPage() {
  show(
    h('h2', null, T.nav.news),
    paged(
      (page) => api('GET', `article?page=${page}&per_page=10`),
      (a) =>
        h('a', { class: 'card news', href: `#/article/${a.id}` },
          a.photo ? h('img', { src: `/api/v1/public/article/${a.id}/thumb`, alt: '', loading: 'lazy' }) : null,
          h('div', { class: 'news-text' },
            h('h3', null, a.title),
            a.summary ? h('p', { class: 'summary' }, a.summary) : null,
            h('p', { class: 'muted' }, day(a.published_at)))),
      T.newsEmpty,
    ),
  )
}

async function articlePage(id) {
  show(loadingNode())
  try {
    const a = await api('GET', `article/${id}`)
    const paras = String(a.body || '').split(/\n\s*\n/).map((p) => h('p', null, p.trim()))
    show(
      h('article', { class: 'article' },
        h('a', { href: '#/', class: 'back' }, `‹ ${T.back}`),
        h('h2', null, a.title),
        h('p', { class: 'muted' }, `${T.published} ${day(a.published_at)}`),
        a.photo ? h('img', { class: 'picture', src: `/api/v1/public/article/${a.id}/image`, alt: a.title }) : null,
        a.summary ? h('p', { class: 'lead' }, a.summary) : null,
        ...paras),
    )
    document.title = `${a.title} · ${info?.org?.name || T.siteSuffix}`
  } catch (e) {
    show(h('a', { href: '#/', class: 'back' }, `‹ ${T.back}`), errorNode(e))
  }
}

// ---- orgs and homes ------------------------------------------------------------------

function orgsPage(home) {
  show(
    h('h2', null, home ? T.nav.homes : T.nav.orgs),
    paged(
      (page) => api('GET', `org?page=${page}&per_page=20${home ? '&kind=home' : ''}`),
      (o) =>
        h('div', { class: 'card org' },
          h('h3', null, o.name, home ? null : h('span', { class: 'tag' }, o.kind_label)),
          o.address ? h('p', null, h('span', { class: 'muted' }, `${T.address}: `), o.address) : null,
          o.phone ? h('p', null, h('span', { class: 'muted' }, `${T.phone}: `), h('a', { href: `tel:${o.phone.replace(/[^+\d]/g, '')}` }, o.phone)) : null),
      home ? T.homesEmpty : T.orgsEmpty,
    ),
  )
}

// ---- the request form ----------------------------------------------------------------

const LIMITS = { name: 50, contact: 100, summary: 200, details: 5000 }

function requestPage() {
  const F = T.fields
  const err = {}
  const row = (name, control, required = true) => {
    err[name] = h('p', { class: 'field-error', id: `err-${name}`, role: 'alert' })
    const box = h('div', { class: 'field', 'data-field': name },
      h('label', { for: `f-${name}` }, F[name], required ? h('span', { class: 'req', title: T.required }, ' *') : null),
      control, err[name])
    // a field's complaint goes once it is changed; the next try checks it again
    const clear = () => {
      err[name].textContent = ''
      box.classList.remove('invalid')
    }
    box.addEventListener('input', clear)
    box.addEventListener('change', clear)
    return box
  }
  const cats = h('div', { class: 'cats', id: 'f-category', role: 'radiogroup' },
    ...(info?.categories || []).map((c) => h('label', { class: 'cat' }, h('input', { type: 'radio', name: 'category', value: c.value }), h('span', null, c.label))))
  const byCode = Object.fromEntries((info?.countries || []).map((c) => [c.code, c.name]))
  const country = h('select', { id: 'f-country', name: 'country' },
    h('option', { value: '' }, T.chooseCountry),
    h('optgroup', { label: T.commonCountries }, ...COMMON_COUNTRIES.filter((c) => byCode[c]).map((c) => h('option', { value: c }, byCode[c]))),
    h('optgroup', { label: T.allCountries }, ...(info?.countries || []).map((c) => h('option', { value: c.code }, c.name))))
  const input = (name, ph) => h('input', { id: `f-${name}`, name, type: 'text', maxlength: LIMITS[name], placeholder: ph, autocomplete: name === 'name' ? 'name' : 'off' })
  const name = input('name', T.placeholders.name)
  const contact = input('contact', T.placeholders.contact)
  const summary = input('summary', T.placeholders.summary)
  const details = h('textarea', { id: 'f-details', name: 'details', rows: 6, maxlength: LIMITS.details, placeholder: T.placeholders.details })
  const button = h('button', { type: 'submit', class: 'primary' }, T.submit)
  const formError = h('p', { class: 'error', role: 'alert' })
  const form = h('form', { class: 'form', novalidate: true },
    row('category', cats), row('name', name), row('contact', contact), row('country', country),
    row('summary', summary), row('details', details, false),
    h('p', { class: 'muted small' }, T.privacy), formError, button)

  function check(values) {
    const bad = {}
    if (!values.category) bad.category = T.pleaseChoose(F.category)
    if (!values.country) bad.country = T.pleaseChoose(F.country)
    for (const k of ['name', 'contact', 'summary']) if (!values[k]) bad[k] = T.pleaseFill(F[k])
    for (const [k, n] of Object.entries(LIMITS)) if (values[k] && [...values[k]].length > n) bad[k] = T.tooLong(F[k], n)
    if (values.contact && !bad.contact && [...values.contact].length < 5) bad.contact = T.tooShort(F.contact)
    return bad
  }
  function mark(bad) {
    for (const [k, p] of Object.entries(err)) {
      p.textContent = bad[k] || ''
      p.closest('.field').classList.toggle('invalid', !!bad[k])
    }
    const first = Object.keys(err).find((k) => bad[k])
    if (first) form.querySelector(`[data-field="${first}"]`).scrollIntoView({ block: 'center' })
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    formError.textContent = ''
    const values = {
      category: form.querySelector('input[name="category"]:checked')?.value || '',
      name: name.value.trim(), contact: contact.value.trim(), country: country.value,
      summary: summary.value.trim(), details: details.value.trim(),
    }
    const bad = check(values)
    mark(bad)
    if (Object.keys(bad).length) return
    if (!values.details) delete values.details
    button.disabled = true
    button.textContent = T.submitting
    try {
      const r = await api('POST', 'request', values)
      donePage(r)
    } catch (e) {
      if (e.field && err[e.field]) mark({ [e.field]: e.message })
      else formError.textContent = e.message
      button.disabled = false
      button.textContent = T.submit
    }
  })
  show(h('h2', null, T.requestTitle), h('p', { class: 'intro' }, T.requestIntro), form)
}

function donePage(r) {
  show(
    h('div', { class: 'card done' },
      h('h2', null, T.doneTitle),
      h('p', null, T.doneText),
      h('dl', { class: 'secret' },
        h('dt', null, T.trackingNumber), h('dd', { id: 'tracking-number' }, r.tracking_number),
        h('dt', null, T.lookupCode), h('dd', { id: 'lookup-code' }, r.lookup_code)),
      h('a', { class: 'button primary', href: `#/status?n=${encodeURIComponent(r.tracking_number)}&c=${encodeURIComponent(r.lookup_code)}` }, T.goStatus)),
  )
}

// ---- the status lookup ---------------------------------------------------------------

function statusPage(query) {
  const number = h('input', { id: 's-number', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: query.get('n') || '' })
  const code = h('input', { id: 's-code', type: 'text', autocomplete: 'off', autocapitalize: 'characters', value: query.get('c') || '' })
  const button = h('button', { type: 'submit', class: 'primary' }, T.query)
  const result = h('div', { id: 'status-result' })
  const form = h('form', { class: 'form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 's-number' }, T.trackingNumber), number),
    h('div', { class: 'field' }, h('label', { for: 's-code' }, T.lookupCode), code),
    button)
  async function lookup() {
    const n = number.value.replace(/[\s-]/g, ''), c = code.value.trim()
    if (!n || !c) {
      result.replaceChildren(h('p', { class: 'error', role: 'alert' }, T.pleaseFill(!n ? T.trackingNumber : T.lookupCode)))
      return
    }
    button.disabled = true
    button.textContent = T.querying
    try {
      const s = await api('GET', `request/${encodeURIComponent(n)}?code=${encodeURIComponent(c)}`)
      const line = (label, value) => (value ? [h('dt', null, label), h('dd', null, value)] : [])
      result.replaceChildren(
        h('div', { class: 'card status' },
          h('p', { class: 'status-label', 'data-status': s.status }, s.status_label),
          h('p', { class: 'next' }, h('span', { class: 'muted' }, `${T.nextStep}: `), s.next_step),
          h('dl', null,
            ...line(T.category, s.category_label),
            ...line(T.receivedAt, day(s.received_at)),
            ...line(T.dueOn, date(s.due_on)),
            ...line(T.resolvedAt, day(s.resolved_at)),
            ...line(T.updatedAt, day(s.updated_at)),
            ...line(T.handledBy, s.handled_by))))
    } catch (e) {
      result.replaceChildren(errorNode(e))
    }
    button.disabled = false
    button.textContent = T.query
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault()
    lookup()
  })
  show(h('h2', null, T.statusTitle), h('p', { class: 'intro' }, T.statusIntro), form, result)
  if (number.value && code.value) lookup()
}

// ---- start ---------------------------------------------------------------------------

async function render() {
  if (!info) {
    try {
      info = await api('GET', 'info')
    } catch (e) {
      frame()
      show(errorNode(e))
      return
    }
  }
  frame()
  const { path, query } = route()
  const m = path.match(/^\/article\/(\d+)$/)
  if (m) return articlePage(m[1])
  if (path === '/orgs') return orgsPage(false)
  if (path === '/homes') return orgsPage(true)
  if (path === '/request') return requestPage()
  if (path === '/status') return statusPage(query)
  return newsPage()
}

document.getElementById('lang-switch').addEventListener('click', switchLang)
window.addEventListener('hashchange', render)
render()
