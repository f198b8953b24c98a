// holidays.js - how far the holiday table reaches (GET /api/v1/case/settings:
// holidays_until, the national table's last year; local_holidays_until, the admin's), and
// the warnings that say so: due dates past both count weekends only. The national table
// comes from the npm package chinese-days, which has no year after 2026 yet.
import { ref } from 'vue'
import { api } from './api.js'
import { label } from './session.js'

export const coverage = ref(null) // {holidays_until, local_holidays_until}

// Ask afresh (each page that warns asks when it opens: the admin may have added days off);
// stays null when the user may not read the case settings.
export async function loadCoverage() {
  try {
    const x = await api.get('case/settings')
    coverage.value = { holidays_until: x.holidays_until, local_holidays_until: x.local_holidays_until }
  } catch {
    /* no warning then */
  }
}

const L = (hans, hant, en) => label({ 'zh-Hans': hans, 'zh-Hant': hant, en })

// The holiday page's warning: the national table's last year, and what the admin must add.
export function tableWarning(c = coverage.value) {
  if (!c?.holidays_until) return ''
  const y = c.holidays_until, n = y + 1
  return L(`国家节假日数据只到${y}年, ${n}年起的节假日请在“节假日”中补充`,
    `國家節假日資料只到${y}年, ${n}年起的節假日請在「節假日」中補充`,
    `The national holiday table ends in ${y}: add the holidays from ${n} on here, under “Holiday”`)
}

// The case page's warning when a due date (YYYY-MM-DD) falls past every holiday table:
// it was counted with weekends only. '' otherwise.
export function dueWarning(due, c = coverage.value) {
  if (!due || !c?.holidays_until) return ''
  const year = Number(due.slice(0, 4))
  const last = Math.max(c.holidays_until, c.local_holidays_until || 0)
  if (!(year > last)) return ''
  const y = c.holidays_until, n = y + 1
  return L(`办理期限 ${due} 已超出节假日数据: 国家节假日数据只到${y}年, 期限只扣除了周末; ${n}年起的节假日请管理员在“节假日”中补充`,
    `辦理期限 ${due} 已超出節假日資料: 國家節假日資料只到${y}年, 期限只扣除了週末; ${n}年起的節假日請管理員在「節假日」中補充`,
    `The due date ${due} is past the holiday table: the national holidays end in ${y}, so only weekends were counted; an admin should add the holidays from ${n} on under “Holiday”`)
}
