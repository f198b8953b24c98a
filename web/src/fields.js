// fields.js - what the pages need to know about a schema field: how to show its value, what an
// empty value is, which fields a form or a search form holds.
import { i18n } from './i18n/index.js'
import { label, session } from './session.js'

// A country's name in the UI language, from the server's table (session.countries: Debian's
// iso-codes, Taiwan, Hong Kong and Macao written 中国台湾, 中国香港, 中国澳门 as SPEC says;
// never the browser's, which writes them as countries). The code itself when unknown.
export function countryName(code) {
  if (!code) return ''
  const c = session.countries?.[String(code).toUpperCase()]
  if (!c) return String(code)
  const lang = i18n.global.locale.value
  return lang === 'en' ? c.name_en : lang === 'zh-Hant' ? c.name_hant : c.name_zh
}

// [{value: 'US', label: '美国'}, ...] sorted in the UI language's collation.
export function countryOptions() {
  const lang = i18n.global.locale.value
  const opts = Object.keys(session.countries || {}).map((c) => ({ value: c, label: countryName(c) }))
  const collator = new Intl.Collator(lang === 'en' ? 'en' : lang === 'zh-Hant' ? 'zh-Hant' : 'zh')
  return opts.sort((a, b) => collator.compare(a.label, b.label))
}

export function enumLabel(field, value) {
  const v = (field.values || []).find((x) => x.value === value)
  return v ? label(v.label) : value
}

// fen (integer) → "1,234.56"
export function formatMoney(fen) {
  if (fen === null || fen === undefined || fen === '') return ''
  const n = Number(fen) / 100
  return n.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}

const pad = (n) => String(n).padStart(2, '0')

// Times are stored in UTC and shown in Beijing time (Asia/Shanghai, UTC+8, no daylight
// saving), wherever the browser is.
const BEIJING_MS = 8 * 3600 * 1000

// The Beijing wall clock of a UTC instant, as the fields of a Date read in UTC.
function beijing(iso) {
  const d = new Date(iso)
  return isNaN(d) ? null : new Date(d.getTime() + BEIJING_MS)
}

// "2024-05-01T08:00:00Z" → "2024-05-01 16:00" (Beijing time).
export function formatDateTime(iso) {
  if (!iso) return ''
  const b = beijing(iso)
  if (!b) return iso
  return (
    `${b.getUTCFullYear()}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ` +
    `${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}`
  )
}

// For date-time pickers, which work in the browser's zone: the Date whose local wall clock
// is the Beijing wall clock of iso.
export function toPickerDate(iso) {
  const b = iso ? beijing(iso) : null
  if (!b) return null
  return new Date(b.getUTCFullYear(), b.getUTCMonth(), b.getUTCDate(), b.getUTCHours(), b.getUTCMinutes(), b.getUTCSeconds())
}

// A picker's Date (its local wall clock read as Beijing time) → the API's UTC form.
export function toApiDateTime(d) {
  if (!d) return null
  const date = d instanceof Date ? d : new Date(d)
  if (isNaN(date)) return null
  const utc = Date.UTC(date.getFullYear(), date.getMonth(), date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()) - BEIJING_MS
  return new Date(utc).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function isEmpty(v) {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)
}

// The currency of a money field not always in 元 (field.currency: a code, or the name of the
// record's field holding it), or '' for 元.
export function currencyOf(field, record) {
  const c = field.currency
  if (!c) return ''
  const code = /^[A-Z]{3}$/.test(c) ? c : record?.[c]
  return code && code !== 'CNY' ? code : ''
}

// Money in fen as a person reads it: ¥1,234.56, -¥24,962.08; SGD 5,200.00 in another currency.
export function moneyText(fen, code = '') {
  const sign = Number(fen) < 0 ? '-' : ''
  return sign + (code ? `${code} ` : '¥') + formatMoney(Math.abs(Number(fen)))
}

// The value as text for a table cell or a description (refs are resolved by RefText); record:
// the rest of the row (a money field's currency).
export function formatValue(field, value, record) {
  if (isEmpty(value)) return ''
  const t = i18n.global.t
  switch (field.type) {
    case 'enum':
      return enumLabel(field, value)
    case 'set':
      return (Array.isArray(value) ? value : [value]).map((v) => enumLabel(field, v)).join('、')
    case 'list':
      return (Array.isArray(value) ? value : [value]).join('；')
    case 'bool':
      return value ? t('common.yes') : t('common.no')
    case 'money':
      return moneyText(value, currencyOf(field, record))
    case 'datetime':
      return formatDateTime(value)
    case 'country':
      return countryName(value)
    default:
      return String(value)
  }
}

// A value that holds mask characters came back masked (docs/API.md: `110************123`).
export function isMasked(field, value) {
  return field.sensitive && typeof value === 'string' && value.includes('*')
}

export function emptyValue(field) {
  if (field.type === 'set' || field.type === 'list') return []
  if (field.type === 'bool') return false
  return null
}

// Inputs that a create form needs beyond the declared fields: a new user's initial password
// (POST /api/v1/user takes it; the record never shows it).
const CREATE_EXTRAS = {
  user: [
    {
      name: 'password', type: 'text', password: true, required: true, readonly: false, max: 200,
      label: { 'zh-Hans': '初始密码', 'zh-Hant': '初始密碼', en: 'Initial password' },
    },
  ],
}

// Fields a form edits: everything but the server-managed ones (readonly), which an edit form
// shows disabled and a create form leaves out.
export function formFields(entity, editing) {
  const fields = entity.fields.filter((f) => editing || !f.readonly)
  return editing ? fields : [...fields, ...(CREATE_EXTRAS[entity.name] || [])]
}

// A title for a record: its title_field, else "#id".
export function recordTitle(entity, rec) {
  if (!rec) return ''
  const v = entity.title_field ? rec[entity.title_field] : null
  return isEmpty(v) ? `#${rec.id}` : String(v)
}

// Whether a field is shown wide (a whole row) in forms and descriptions.
export function isWide(field) {
  return field.type === 'textarea' || field.type === 'list' || field.type === 'set'
}
