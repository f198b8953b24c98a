// regions.js - GB/T 2260 administrative divisions from the server (GET /api/v1/regions):
// children for the cascader, and the full name of a code ("湖南省 / 邵阳市 / 新邵县"),
// each fetched once and cached for the session.
import { api } from './api.js'

const children = new Map()
const names = new Map()

// [{code, name, leaf}] under parent ('' or null: the provinces).
export function regionChildren(parent) {
  const key = parent || ''
  if (!children.has(key)) {
    const p = api.get('regions' + (key ? `?parent=${key}` : '')).then((r) => r.items)
    p.catch(() => children.delete(key))
    children.set(key, p)
  }
  return children.get(key)
}

// "湖南省 / 邵阳市 / 新邵县" for a code; the code itself when it is unknown.
export function regionName(code) {
  if (!code) return Promise.resolve('')
  if (!names.has(code)) {
    names.set(code, api.get(`regions/${code}`).then((r) => r.path.join(' / ')).catch(() => code))
  }
  return names.get(code)
}

// The cascader's path of codes for a code: 430522 → [430000, 430500, 430522].
export function regionPath(code) {
  if (!code || !/^\d{6}$/.test(code)) return []
  const path = [code.slice(0, 2) + '0000']
  if (code.slice(2, 4) !== '00') path.push(code.slice(0, 4) + '00')
  if (code.slice(4) !== '00') path.push(code)
  return path
}
