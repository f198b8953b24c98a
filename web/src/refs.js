// refs.js - the titles of records that other records point to (org_id → "松溪县侨联").
//
// refTitle(entity, id) resolves to the record's title_field, fetching GET /api/v1/{entity}/{id}
// once per record and caching the answer for the session; a record the user may not read
// shows as "#id". primeRef() records titles already at hand (search results, lists).
import { api } from './api.js'
import { entityDef } from './session.js'
import { recordTitle } from './fields.js'

const cache = new Map()

export function primeRef(entity, rec) {
  const def = entityDef(entity)
  if (def && rec && rec.id != null) cache.set(`${entity}:${rec.id}`, Promise.resolve(recordTitle(def, rec)))
}

export function refTitle(entity, id) {
  if (id === null || id === undefined || id === '') return Promise.resolve('')
  const key = `${entity}:${id}`
  if (!cache.has(key)) {
    const def = entityDef(entity)
    const p = api
      .get(`${entity}/${id}`)
      .then((rec) => (def ? recordTitle(def, rec) : `#${id}`))
      .catch(() => `#${id}`)
    cache.set(key, p)
  }
  return cache.get(key)
}

export function forgetRef(entity, id) {
  cache.delete(`${entity}:${id}`)
}

export function clearRefs() {
  cache.clear()
}
