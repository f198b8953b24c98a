// cursor.js - keyset paging for a list page (issue 16). The server answers each page of a
// list with `next` and `prev` cursors (the position of its last and first row); a step to
// the next or the previous page asks for the rows after or before that position
// (`after=` / `before=`), which costs the same on page 2 as on page 20,000 and neither
// repeats nor skips a row when others write meanwhile. Any other page (a jump, a reload,
// another search or sort, the first page) is asked by number (`page=`). The page number still goes with
// a cursor, so the answer carries it for the pager.
export function listCursor() {
  let last = null // {key, page, next, prev}: the page shown and the query it belongs to
  return {
    // The paging arguments for page of the list whose other arguments are key (a string).
    args(key, page) {
      if (last && last.key === key && page > 1) {
        if (page === last.page + 1 && last.next) return { page, after: last.next }
        if (page === last.page - 1 && last.prev) return { page, before: last.prev }
      }
      return { page }
    },
    // The answer of page shown: its cursors for the next step.
    shown(key, page, answer) {
      last = { key, page, next: answer.next || null, prev: answer.prev || null }
    },
    forget() {
      last = null
    },
  }
}
