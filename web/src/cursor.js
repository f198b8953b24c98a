// cursor.js - keyset paging for a list page (issue 16). The server answers each page of a
// list with `next` and `prev` cursors (the position of its last and first row); a step to
// the next or the previous page asks for the rows after or before that position
// (`after=` / `before=`), which costs the same on page 2 as on page 20,000 and neither
// repeats nor skips a row when others write meanwhile. Any other page (a jump, a reload,
// another search or sort, the first page) is asked by number (`page=`). The page number
// still goes with a cursor, so the answer carries it for the pager.
import { api } from './api.js'

export function listCursor() {
  let last = null // {key, page, next, prev}: the page shown and the query it belongs to
  return {
    // GET page of the list at path whose other arguments are query (filters, sort,
    // per_page): by a cursor of the page shown when page is the one after or before it,
    // else by number. Answers the list, or throws as api.get does.
    async get(path, query, page) {
      const key = path + JSON.stringify(query)
      let paging = { page }
      if (last && last.key === key && page > 1) {
        if (page === last.page + 1 && last.next) paging = { page, after: last.next }
        else if (page === last.page - 1 && last.prev) paging = { page, before: last.prev }
      }
      last = null
      let ans = await api.get(path, { ...query, ...paging })
      // rows deleted since: nothing on the cursor's side; ask for the page by number
      if (!ans.items?.length && (paging.after || paging.before)) ans = await api.get(path, { ...query, page })
      last = { key, page, next: ans.next || null, prev: ans.prev || null }
      return ans
    },
  }
}
