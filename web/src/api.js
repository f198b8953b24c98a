// api.js - the one way the app talks to the server (docs/API.md).
//
// api.get(path, query) / api.post(path, body) / api.patch / api.put / api.del return the decoded JSON
// (null for 204). A failed request throws an ApiError carrying the server's
// {code, message, field} and the HTTP status, so a form can put the message on the field it
// names. Every write sends the session's CSRF token; cookies go with every request.
import { session, onUnauthenticated } from './session.js'
import { i18n } from './i18n/index.js'

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message)
    this.status = status
    this.code = code
    this.field = field || null
  }
}

const t = (key, args) => i18n.global.t(key, args)

// Query object → "?a=1&b=2": undefined, null, '' and [] are left out; arrays are joined by
// commas (the API's "several values" form).
export function queryString(query) {
  const parts = []
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) {
      if (v.length === 0) continue
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v.join(','))}`)
    } else {
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    }
  }
  return parts.length ? '?' + parts.join('&') : ''
}

async function request(method, path, { query, body } = {}) {
  // the server writes what people read (timeline entries, reasons, captions, messages) in
  // the app's language
  const headers = { Accept: 'application/json', 'Accept-Language': i18n.global.locale.value }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf
  let res
  try {
    res = await fetch('/api/v1/' + path + queryString(query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (e) {
    throw new ApiError(0, 'network', t('error.network'))
  }
  if (res.status === 204) return null
  let data = null
  const text = await res.text()
  if (text) {
    try {
      data = JSON.parse(text)
    } catch (e) {
      data = null
    }
  }
  if (res.ok) return data
  const err = (data && data.error) || {}
  const message = err.message || t('error.status', { status: res.status })
  if (res.status === 401 && path !== 'session') onUnauthenticated()
  throw new ApiError(res.status, err.code || 'http_' + res.status, message, err.field)
}

/** A file chosen in an <input type=file> as a data: URL, for the upload endpoints that take
 * a file as base64 in JSON ({name, data}). */
export function readAsDataURL(f) {
  return new Promise((ok, fail) => {
    const rd = new FileReader()
    rd.onload = () => ok(String(rd.result))
    rd.onerror = () => fail(rd.error)
    rd.readAsDataURL(f)
  })
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body, query) => request('POST', path, { body: body ?? {}, query }),
  patch: (path, body) => request('PATCH', path, { body }),
  put: (path, body) => request('PUT', path, { body }),
  del: (path) => request('DELETE', path),
}
