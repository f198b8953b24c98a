// 繁體中文.
export default {
  app: { short: '僑聯信息平台', title: '僑聯信息平台', language: '語言' },
  common: {
    yes: '是', no: '否', cancel: '取消', save: '儲存', ok: '確定', search: '查詢', reset: '重設',
    create: '新增', refresh: '重新整理', actions: '操作', view: '查看', edit: '編輯', delete: '刪除',
    back: '返回', noData: '暫無資料', confirmTitle: '提示',
  },
  form: {
    searchToChoose: '輸入名稱搜尋', choose: '請選擇{name}', enter: '請輸入{name}',
    phoneHint: '如 +86 138 0000 0000', regionHint: '6 位行政區劃代碼', listHint: '輸入後按 Enter 新增',
    ownOrg: '預設：{org}',
    yuan: '元', createTitle: '新增{name}', editTitle: '編輯{name}：{title}', unchanged: '沒有修改',
    updated: '已儲存', created: '已新增', maskedHint: '已隱藏（{value}），留空則不修改', all: '全部',
    start: '開始', end: '結束', to: '至', min: '最小', max: '最大',
  },
  list: {
    noSuchEntity: '沒有這個頁面', keyword: '關鍵詞', keywordHint: '名稱、拼音等', expand: '展開', collapse: '收起',
    export: '匯出', columns: '欄位設定', confirmDelete: '確定刪除「{name}」嗎？', deleted: '已刪除',
    namesCut: '按姓名的讀音和寫法找到的多於 {n} 個，這裡只列出最相近的 {n} 個；字面含有「{q}」的記錄都已列出。輸入更完整的名字可以找得更準。',
    searchLabelWidth: '90px',
  },
  detail: { children: '下級{name}', unmask: '顯示敏感資訊', mask: '隱藏敏感資訊', show: '顯示', related: '關聯記錄' },
  registry: {
    relations: '關係', contacts: '聯絡記錄', addRelation: '新增關係', addContact: '新增聯絡記錄', noRelations: '暫無關係',
    noContacts: '暫無聯絡記錄', open: '詳情', now: '至今', saved: '已儲存', followUp: '後續跟進', direction: '本記錄是',
    thisIsFrom: '關係的一方 (本記錄是對方的…)', thisIsTo: '關係的對方 (對方是本記錄的…)', otherType: '對方類型', other: '對方',
    alsoPresent: '其他聯絡對象',
    groups: { leader: '負責人', member: '成員', family: '家庭成員', association: '所在僑團', enterprise: '相關企業', appointment: '僑聯任職' },
  },
  tree: {
    title: '組織樹', asList: '列表檢視', count: '下屬 {n}', countTitle: '直屬下級 {children} 個，全部下屬 {all} 個',
    addChild: '新增下級', more: '更多', move: '移動', close: '撤銷', reopen: '恢復', star: '{n} 星',
    chooseParent: '請選擇新的上級組織', moved: '已移動', confirmClose: '確定撤銷「{name}」嗎？', closed: '已撤銷',
    reopened: '已恢復', refused: '操作未完成', selected: '組織資訊', details: '詳情', pickHint: '點擊左側組織查看資訊',
    children: '直屬下級', descendants: '全部下屬', moveTitle: '移動「{name}」', newParent: '新的上級組織',
  },
  audit: {
    title: '稽核日誌', adminsOnly: '僅管理員可查看稽核日誌', user: '使用者', userId: '使用者 ID', entity: '物件類型',
    entityId: '記錄 ID', time: '時間', action: '操作', client: '來源', field: '欄位', before: '修改前', after: '修改後',
    showAll: '顯示全部欄位',
    meta: { format: '檔案格式', lang: '語言', rows: '行數', ok: '通過的行', created: '新增', updated: '更新', ids: '新增的編號', updated_ids: '更新的編號', unmask: '敏感資訊明文', q: '關鍵詞', sort: '排序' },
    noValues: '無欄位變化',
    actions: {
      login_failed: '登入失敗', login_locked: '鎖定中登入', set_password: '重設密碼', change_password: '修改密碼', unlock: '解除鎖定',
      create: '新增', update: '修改', delete: '刪除', login: '登入', logout: '登出', unmask: '查看敏感資訊',
      export: '匯出', import: '匯入', merge: '合併', move: '移動', password: '改密碼', transition: '流轉',
    },
  },
  password: {
    title: '修改密碼', forced: '首次登入或密碼已重設，請先修改密碼', old: '原密碼', new: '新密碼', again: '確認新密碼',
    enterOld: '請輸入原密碼', enterNew: '請輸入新密碼', enterAgain: '請再次輸入新密碼', tooShort: '密碼至少 {n} 位',
    mismatch: '兩次輸入的密碼不一致', changed: '密碼已修改',
  },
  login: {
    title: '使用者登入', subtitle: '歸國華僑聯合會 · 業務工作平台', motto: '凝聚僑心 · 匯集僑智 · 發揮僑力 · 維護僑益',
    username: '使用者名稱', password: '密碼', enterUsername: '請輸入使用者名稱', enterPassword: '請輸入密碼', submit: '登入',
    foot: '連續多次輸錯密碼，帳號將被暫時鎖定',
  },
  menu: { home: '首頁', system: '系統管理', listSuffix: '列表' },
  search: {
    title: '搜尋結果', hint: '姓名、拼音、方言或外文拼法', kind: '類別', allKinds: '全部', org: '組織', country: '國家和地區',
    anyCountry: '不限', go: '搜尋', name: '名稱', why: '符合原因', typeSomething: '請輸入要找的名字',
    more: '只列出最相近的 500 筆，請加上篩選條件縮小範圍', crumb: '搜尋', enterHint: '按 Enter 查看全部結果',
  },
  header: {
    toggleMenu: '展開/收起選單', searchHint: '搜尋{what}', listSep: '、', noMatch: '沒有找到符合的記錄',
    searchUnavailable: '搜尋暫不可用',
  },
  users: { setPassword: '重設密碼', newPassword: '新的初始密碼', passwordHint: '使用者下次登入時須修改此密碼', passwordSet: '密碼已重設', unlock: '解除鎖定', unlocked: '已解除鎖定' },
  user: { changePassword: '修改密碼', logout: '登出', loggedOut: '已登出' },
  roles: { admin: '管理員', leader: '領導', staff: '業務員', finance: '財務', mediator: '調解員', viewer: '唯讀使用者' },
  modules: {
    org: '組織管理', registry: '僑情四庫', registries: '僑情四庫', people: '僑界人士', service: '為僑服務',
    case: '為僑服務', cases: '為僑服務', funds: '捐贈幫扶', fund: '捐贈幫扶', finance: '捐贈幫扶', event: '活動管理',
    events: '活動管理', project: '招商引資', projects: '招商引資', submission: '信息報送', submissions: '信息報送',
    honor: '表彰榮譽', honors: '表彰榮譽', admin: '系統管理', system: '系統管理', user: '系統管理', users: '系統管理',
  },
  home: {
    overview: '業務概覽',
    morning: '上午好', afternoon: '下午好', evening: '晚上好', night: '夜深了', dateLocale: 'zh-TW',
    nothing: '您的帳號還沒有可查看的模組，請聯絡管理員', treeHint: '查看和調整組織架構',
  },
  error: {
    network: '無法連線伺服器，請檢查網路', status: '伺服器錯誤（{status}）', forbiddenTitle: '無權存取',
    forbidden: '您沒有查看此頁面的權限', notFoundTitle: '頁面不存在', notFound: '您存取的頁面不存在',
  },
}
