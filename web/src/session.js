// session.js - who is logged in, what they may do, and the schema the pages render from.
//
// `session` is one reactive object shared by every component:
//   user    the USER of docs/API.md (null when logged out)
//   csrf    the token every write sends
//   schema  {entities: [...]} from GET /api/v1/schema (null until loaded)
//   countries  code -> {code, name_zh, name_hant, name_en} from GET /api/v1/countries, loaded
//           with the schema: every country's name (fields.js countryName)
import { reactive } from 'vue'
import { api } from './api.js'
import { i18n } from './i18n/index.js'

export const session = reactive({
  user: null,
  csrf: null,
  schema: null,
  countries: null,
  checked: false, // GET /session has answered once (so the router knows whether to ask)
  crumb: '', // the title of the record a detail page shows, for the breadcrumbs
})

let unauthenticatedHandler = () => {}

// Called by api.js when any request answers 401: the session has ended (expired or logged
// out elsewhere). The router's handler sends the user to the login page.
export function onUnauthenticated() {
  if (!session.user) return
  session.user = null
  session.csrf = null
  unauthenticatedHandler()
}
export function setUnauthenticatedHandler(fn) {
  unauthenticatedHandler = fn
}

function adopt(answer) {
  session.user = answer.user
  session.csrf = answer.csrf_token
}

// Ask the server who we are. Resolves to the user or null; never throws on 401.
export async function restoreSession() {
  try {
    adopt(await api.get('session'))
  } catch (e) {
    session.user = null
    session.csrf = null
    if (e.status !== 401) throw e
  } finally {
    session.checked = true
  }
  return session.user
}

export async function login(username, password) {
  adopt(await api.post('session', { username, password }))
  session.checked = true
  return session.user
}

export async function logout() {
  try {
    await api.del('session')
  } finally {
    session.user = null
    session.csrf = null
    session.schema = null
  }
}

export async function changePassword(oldPassword, newPassword) {
  await api.post('session/password', { old_password: oldPassword, new_password: newPassword })
  // The server may rotate the session on a password change: ask again.
  await restoreSession()
  if (session.user) session.user.must_change_password = false
}

export async function loadSchema() {
  if (!session.schema) {
    const [schema, countries] = await Promise.all([api.get('schema'), session.countries ? null : api.get('countries')])
    if (countries) session.countries = Object.fromEntries(countries.items.map((c) => [c.code, c]))
    session.schema = schema
  }
  return session.schema
}

// The entity declaration by name, or undefined.
export function entityDef(name) {
  return session.schema?.entities.find((e) => e.name === name)
}

// May the user do `perm` (view, edit, delete, export, view_sensitive, approve) in `module`?
export function can(module, perm) {
  const perms = session.user?.permissions?.[module]
  return Array.isArray(perms) && perms.includes(perm)
}

export function isAdmin() {
  return session.user?.role === 'admin'
}

// A {zh-Hans, zh-Hant, en} label in the current language (falls back to Simplified Chinese).
export function label(obj) {
  if (!obj) return ''
  if (typeof obj === 'string') return obj
  const lang = i18n.global.locale.value
  return obj[lang] || obj['zh-Hans'] || Object.values(obj)[0] || ''
}
