// funds.js - what the funds pages share (the programme's ledger, the 待审批 list, the wish
// board, the visit log, a record's 捐赠与帮扶 card): money in 元, labels in three scripts,
// the review of a pending disbursement, and the count of those waiting for the menu badge.
import { reactive } from 'vue'
import { ElMessage, ElMessageBox } from 'element-plus'
import { api } from './api.js'
import { entityDef, label, can } from './session.js'
import { moneyText } from './fields.js'

export const L = (hans, hant, en) => label({ 'zh-Hans': hans, 'zh-Hant': hant, en })

// fen → "¥1,234.56" (a reversal's negative amount as "-¥1,234.56"); null → "—"
export const yuan = (fen) => (fen == null ? '—' : moneyText(fen))

// The label of an enum value of an entity's field, from the schema.
export const valueLabel = (entity, name, v) =>
  label(entityDef(entity)?.fields.find((f) => f.name === name)?.values?.find((x) => x.value === v)?.label) || v || ''

// Disbursements waiting for a second person (the menu's badge): refreshed after a review.
export const pending = reactive({ count: 0 })
export async function loadPending() {
  if (!entityDef('disbursement') || !can('funds', 'approve')) return (pending.count = 0)
  try {
    pending.count = (await api.get('disbursement', { status: 'pending', per_page: 1 })).total
  } catch (e) {
    pending.count = 0
  }
}

// Approve or reject (how) the pending disbursement x after asking for a note; true when done.
export async function review(x, how) {
  const approve = how === 'approve'
  const amt = yuan(x.amount)
  let note = ''
  try {
    ({ value: note } = await ElMessageBox.prompt(
      approve ? L(`批准支出 ${amt} (${x.purpose})? 审批意见:`, `批准支出 ${amt} (${x.purpose})? 審批意見:`, `Approve ${amt}? Note:`)
        : L(`驳回支出 ${amt} (${x.purpose})? 驳回理由:`, `駁回支出 ${amt} (${x.purpose})? 駁回理由:`, `Reject ${amt}? Why:`),
      approve ? L('审批', '審批', 'Approve') : L('驳回', '駁回', 'Reject'),
      { confirmButtonText: approve ? L('批准', '批准', 'Approve') : L('驳回', '駁回', 'Reject'), cancelButtonText: L('取消', '取消', 'Cancel') }))
  } catch (e) {
    return false
  }
  try {
    await api.post(`disbursement/${x.id}/${how}`, note ? { note } : {})
    ElMessage.success(approve ? L('已批准', '已批准', 'Approved') : L('已驳回', '已駁回', 'Rejected'))
    loadPending()
    return true
  } catch (e) {
    ElMessage.error(e.message)
    return false
  }
}
