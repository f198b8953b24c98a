// menu.js - the side menu: the schema's entities grouped by module, in schema order, keeping
// only the modules the user may view (user.permissions[module] includes "view").
import {
  OfficeBuilding, User, UserFilled, Service, Money, Calendar, Suitcase, Document, Trophy, Setting, Folder, Connection,
  List, Avatar, Link, ChatDotRound, Wallet, Coin, Present, Star, Tickets, Flag, Collection, Reading,
} from '@element-plus/icons-vue'
import { session, can, label } from './session.js'
import { i18n } from './i18n/index.js'

const ICONS = {
  org: OfficeBuilding, registry: User, registries: User, people: User, person: User,
  association: Connection, enterprise: Suitcase,
  service: Service, case: Service, cases: Service,
  funds: Money, fund: Money, finance: Money,
  event: Calendar, events: Calendar, project: Suitcase, projects: Suitcase,
  submission: Document, submissions: Document, honor: Trophy, honors: Trophy,
  user: Setting, users: Setting, admin: Setting, system: Setting, article: Reading,
}

export function moduleIcon(name) {
  return ICONS[name] || Folder
}

// Icons of entities inside a module's group (names from SPEC.md's glossary).
const ENTITY_ICONS = {
  org: List, user: UserFilled, person: Avatar, association: Connection, enterprise: Suitcase, relation: Link,
  contact: ChatDotRound, case: Service, programme: Collection, donation: Coin, disbursement: Wallet,
  visit: Present, wish: Star, event: Calendar, participant: User, project: Flag, submission: Tickets,
  honor: Trophy, article: Reading,
}
export function entityIcon(name) {
  return ENTITY_ICONS[name] || Document
}

// The module's label: from the schema's `modules` when the server sends them, else our own
// messages (modules.*), else the label of its first entity.
export function moduleLabel(name) {
  const m = session.schema?.modules?.find?.((x) => x.name === name)
  if (m?.label) return label(m.label)
  const key = `modules.${name}`
  if (i18n.global.te(key)) return i18n.global.t(key)
  const e = session.schema?.entities.find((x) => x.module === name)
  return e ? label(e.label) : name
}

const SYSTEM_MODULES = ['admin', 'system', 'user', 'users']

// [{name, label, icon, entities: [entity def, …]}]
export function menuModules() {
  const out = []
  for (const e of session.schema?.entities || []) {
    if (!can(e.module, 'view')) continue
    let m = out.find((x) => x.name === e.module)
    if (!m) out.push((m = { name: e.module, entities: [] }))
    m.entities.push(e)
  }
  // System administration goes last, after the federation's own work.
  const sys = out.filter((m) => SYSTEM_MODULES.includes(m.name))
  return [...out.filter((m) => !sys.includes(m)), ...sys].map((m) => ({ ...m, label: moduleLabel(m.name), icon: moduleIcon(m.name) }))
}

// The module that holds system administration (users …), where the audit page goes; when the
// schema has none, the menu makes a 系统管理 group of its own.
export function systemModule(modules) {
  return modules.find((m) => SYSTEM_MODULES.includes(m.name))
}
