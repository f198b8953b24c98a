// 简体中文 (the default). Keys are grouped by page; entity and field labels come from the schema.
export default {
  app: { short: '侨联信息平台', title: '侨联信息平台', language: '语言' },
  common: {
    yes: '是', no: '否', cancel: '取消', save: '保存', ok: '确定', search: '查询', reset: '重置',
    create: '新增', refresh: '刷新', actions: '操作', view: '查看', edit: '编辑', delete: '删除',
    back: '返回', noData: '暂无数据', confirmTitle: '提示',
  },
  form: {
    searchToChoose: '输入名称搜索', choose: '请选择{name}', enter: '请输入{name}',
    phoneHint: '如 +86 138 0000 0000', regionHint: '6 位行政区划代码', listHint: '输入后按回车添加',
    ownOrg: '默认：{org}',
    yuan: '元', createTitle: '新增{name}', editTitle: '编辑{name}：{title}', unchanged: '没有修改',
    updated: '已保存', created: '已新增', maskedHint: '已隐藏（{value}），留空则不修改', all: '全部',
    start: '开始', end: '结束', to: '至', min: '最小', max: '最大',
  },
  list: {
    noSuchEntity: '没有这个页面', keyword: '关键词', keywordHint: '名称、拼音等', expand: '展开', collapse: '收起',
    export: '导出', columns: '列设置', confirmDelete: '确定删除“{name}”吗？', deleted: '已删除',
    namesCut: '按姓名的读音和写法找到的多于 {n} 个，这里只列出最相近的 {n} 个；字面含有“{q}”的记录都已列出。输入更完整的名字可以找得更准。',
    searchLabelWidth: '90px',
  },
  detail: { children: '下级{name}', unmask: '显示敏感信息', mask: '隐藏敏感信息', show: '显示', related: '关联记录' },
  registry: {
    relations: '关系', contacts: '联络记录', addRelation: '添加关系', addContact: '添加联络记录', noRelations: '暂无关系',
    noContacts: '暂无联络记录', open: '详情', now: '至今', saved: '已保存', followUp: '后续跟进', direction: '本记录是',
    thisIsFrom: '关系的一方 (本记录是对方的…)', thisIsTo: '关系的对方 (对方是本记录的…)', otherType: '对方类型', other: '对方',
    alsoPresent: '其他联络对象',
    groups: { leader: '负责人', member: '成员', family: '家庭成员', association: '所在侨团', enterprise: '相关企业', appointment: '侨联任职' },
  },
  tree: {
    title: '组织树', asList: '列表视图', count: '下属 {n}', countTitle: '直属下级 {children} 个，全部下属 {all} 个',
    addChild: '添加下级', more: '更多', move: '移动', close: '撤销', reopen: '恢复', star: '{n} 星',
    chooseParent: '请选择新的上级组织', moved: '已移动', confirmClose: '确定撤销“{name}”吗？', closed: '已撤销',
    reopened: '已恢复', refused: '操作未完成', selected: '组织信息', details: '详情', pickHint: '点击左侧组织查看信息',
    children: '直属下级', descendants: '全部下属', moveTitle: '移动“{name}”', newParent: '新的上级组织',
  },
  audit: {
    title: '审计日志', adminsOnly: '仅管理员可查看审计日志', user: '用户', userId: '用户 ID', entity: '对象类型',
    entityId: '记录 ID', time: '时间', action: '操作', client: '来源', field: '字段', before: '修改前', after: '修改后',
    showAll: '显示全部字段',
    meta: { format: '文件格式', lang: '语言', rows: '行数', ok: '通过的行', created: '新增', updated: '更新', ids: '新增的编号', updated_ids: '更新的编号', unmask: '敏感信息明文', q: '关键词', sort: '排序' },
    noValues: '无字段变化',
    actions: {
      login_failed: '登录失败', login_locked: '锁定中登录', set_password: '重置密码', change_password: '修改密码', unlock: '解除锁定',
      create: '新增', update: '修改', delete: '删除', login: '登录', logout: '退出', unmask: '查看敏感信息',
      export: '导出', import: '导入', merge: '合并', move: '移动', password: '改密码', transition: '流转',
    },
  },
  password: {
    title: '修改密码', forced: '首次登录或密码已重置，请先修改密码', old: '原密码', new: '新密码', again: '确认新密码',
    enterOld: '请输入原密码', enterNew: '请输入新密码', enterAgain: '请再次输入新密码', tooShort: '密码至少 {n} 位',
    mismatch: '两次输入的密码不一致', changed: '密码已修改',
  },
  login: {
    title: '用户登录', subtitle: '归国华侨联合会 · 业务工作平台', motto: '凝聚侨心 · 汇集侨智 · 发挥侨力 · 维护侨益',
    username: '用户名', password: '密码', enterUsername: '请输入用户名', enterPassword: '请输入密码', submit: '登录',
    foot: '连续多次输错密码，账号将被暂时锁定',
  },
  menu: { home: '首页', system: '系统管理', listSuffix: '列表' },
  search: {
    title: '搜索结果', hint: '姓名、拼音、方言或外文拼法', kind: '类别', allKinds: '全部', org: '组织', country: '国家和地区',
    anyCountry: '不限', go: '搜索', name: '名称', why: '匹配原因', typeSomething: '请输入要找的名字',
    more: '只列出最相近的 500 条，请加上筛选条件缩小范围', crumb: '搜索', enterHint: '按回车查看全部结果',
  },
  header: {
    toggleMenu: '展开/收起菜单', searchHint: '搜索{what}', listSep: '、', noMatch: '没有找到匹配的记录',
    searchUnavailable: '搜索暂不可用',
  },
  users: { setPassword: '重置密码', newPassword: '新的初始密码', passwordHint: '用户下次登录时须修改此密码', passwordSet: '密码已重置', unlock: '解除锁定', unlocked: '已解除锁定' },
  user: { changePassword: '修改密码', logout: '退出登录', loggedOut: '已退出登录' },
  roles: { admin: '管理员', leader: '领导', staff: '业务员', finance: '财务', mediator: '调解员', viewer: '只读用户' },
  modules: {
    org: '组织管理', registry: '侨情四库', registries: '侨情四库', people: '侨界人士', service: '为侨服务',
    case: '为侨服务', cases: '为侨服务', funds: '捐赠帮扶', fund: '捐赠帮扶', finance: '捐赠帮扶', event: '活动管理',
    events: '活动管理', project: '招商引资', projects: '招商引资', submission: '信息报送', submissions: '信息报送',
    honor: '表彰荣誉', honors: '表彰荣誉', admin: '系统管理', system: '系统管理', user: '系统管理', users: '系统管理',
  },
  home: {
    overview: '业务概览',
    morning: '上午好', afternoon: '下午好', evening: '晚上好', night: '夜深了', dateLocale: 'zh-CN',
    nothing: '您的账号还没有可查看的模块，请联系管理员', treeHint: '查看和调整组织架构',
  },
  error: {
    network: '无法连接服务器，请检查网络', status: '服务器错误（{status}）', forbiddenTitle: '无权访问',
    forbidden: '您没有查看此页面的权限', notFoundTitle: '页面不存在', notFound: '您访问的页面不存在',
  },
}
