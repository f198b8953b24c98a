// English.
export default {
  app: { short: 'Qiaolian', title: 'Qiaolian Information Platform', language: 'Language' },
  common: {
    yes: 'Yes', no: 'No', cancel: 'Cancel', save: 'Save', ok: 'OK', search: 'Search', reset: 'Reset',
    create: 'New', refresh: 'Refresh', actions: 'Actions', view: 'View', edit: 'Edit', delete: 'Delete',
    back: 'Back', noData: 'No data', confirmTitle: 'Confirm',
  },
  form: {
    searchToChoose: 'Type to search', choose: 'Choose {name}', enter: 'Enter {name}',
    phoneHint: 'e.g. +86 138 0000 0000', regionHint: '6-digit region code', listHint: 'Type and press Enter',
    ownOrg: 'Default: {org}',
    yuan: 'CNY', createTitle: 'New {name}', editTitle: 'Edit {name}: {title}', unchanged: 'Nothing changed',
    updated: 'Saved', created: 'Created', maskedHint: 'Hidden ({value}); leave empty to keep it', all: 'All',
    start: 'From', end: 'To', to: 'to', min: 'Min', max: 'Max',
  },
  list: {
    noSuchEntity: 'No such page', keyword: 'Keyword', keywordHint: 'Name, pinyin …', expand: 'More', collapse: 'Less',
    export: 'Export', columns: 'Columns', confirmDelete: 'Delete “{name}”?', deleted: 'Deleted',
    namesCut: 'More than {n} names sound or are written like this; only the closest {n} are listed. Every record whose text holds “{q}” is listed. Type more of the name to narrow it.',
    searchLabelWidth: '120px',
  },
  detail: { children: 'Child {name}s', unmask: 'Show sensitive data', mask: 'Hide sensitive data', show: 'Show', related: 'Related records' },
  registry: {
    relations: 'Relations', contacts: 'Contact log', addRelation: 'Add relation', addContact: 'Add contact', noRelations: 'No relations',
    noContacts: 'No contacts yet', open: 'Open', now: 'now', saved: 'Saved', followUp: 'Follow-up', direction: 'This record is',
    thisIsFrom: 'the first party (this record is … of the other)', thisIsTo: 'the second party (the other is … of this record)',
    otherType: 'Other party type', other: 'Other party', alsoPresent: 'Also contacted',
    groups: { leader: 'Leaders', member: 'Members', family: 'Family', association: 'Associations', enterprise: 'Enterprises', appointment: 'Appointments' },
  },
  tree: {
    title: 'Organisation tree', asList: 'List view', count: '{n} below', countTitle: '{children} direct, {all} in all',
    addChild: 'Add child', more: 'More', move: 'Move', close: 'Close', reopen: 'Reopen', star: '{n} stars',
    chooseParent: 'Choose the new parent', moved: 'Moved', confirmClose: 'Close “{name}”?', closed: 'Closed',
    reopened: 'Reopened', refused: 'Not done', selected: 'Organisation', details: 'Details', pickHint: 'Click an organisation to see it here',
    children: 'Direct children', descendants: 'All below', moveTitle: 'Move “{name}”', newParent: 'New parent',
  },
  audit: {
    title: 'Audit log', adminsOnly: 'Only administrators can read the audit log', user: 'User', userId: 'User ID', entity: 'Entity',
    entityId: 'Record ID', time: 'Time', action: 'Action', client: 'Client', field: 'Field', before: 'Before', after: 'After',
    showAll: 'Show every field',
    noValues: 'No field changes',
    actions: {
      login_failed: 'Login failed', login_locked: 'Login while locked', set_password: 'Password reset', change_password: 'Password changed', unlock: 'Unlock',
      create: 'Create', update: 'Update', delete: 'Delete', login: 'Log in', logout: 'Log out', unmask: 'Unmask',
      export: 'Export', import: 'Import', merge: 'Merge', move: 'Move', password: 'Password', transition: 'Transition',
    },
  },
  password: {
    title: 'Change password', forced: 'Please change your password before you go on', old: 'Current password', new: 'New password',
    again: 'New password again', enterOld: 'Enter your current password', enterNew: 'Enter a new password',
    enterAgain: 'Enter the new password again', tooShort: 'At least {n} characters', mismatch: 'The passwords differ',
    changed: 'Password changed',
  },
  login: {
    title: 'Log in', subtitle: 'Federation of Returned Overseas Chinese', motto: 'Unite · Gather · Serve · Protect',
    username: 'Username', password: 'Password', enterUsername: 'Enter your username', enterPassword: 'Enter your password',
    submit: 'Log in', foot: 'Repeated wrong passwords lock the account for a while',
  },
  menu: { home: 'Home', system: 'System', listSuffix: ' list' },
  search: {
    title: 'Search results', hint: 'Name, pinyin, dialect or foreign spelling', kind: 'Kind', allKinds: 'All', org: 'Organisation',
    country: 'Country or region', anyCountry: 'Any', go: 'Search', name: 'Name', why: 'Why it matched',
    typeSomething: 'Type a name to find', more: 'Only the 500 closest are listed: add a filter to narrow them',
    crumb: 'Search', enterHint: 'Press Enter for all results',
  },
  header: {
    toggleMenu: 'Toggle menu', searchHint: 'Search {what}', listSep: ', ', noMatch: 'Nothing found',
    searchUnavailable: 'Search is not available yet',
  },
  users: { setPassword: 'Reset password', newPassword: 'New initial password', passwordHint: 'The user must change it at the next login', passwordSet: 'Password reset', unlock: 'Unlock', unlocked: 'Unlocked' },
  user: { changePassword: 'Change password', logout: 'Log out', loggedOut: 'Logged out' },
  roles: { admin: 'Administrator', leader: 'Leader', staff: 'Staff', finance: 'Finance', mediator: 'Mediator', viewer: 'Viewer' },
  modules: {
    org: 'Organisation', registry: 'Registries', registries: 'Registries', people: 'People', service: 'Service desk',
    case: 'Service desk', cases: 'Service desk', funds: 'Funds', fund: 'Funds', finance: 'Funds', event: 'Events',
    events: 'Events', project: 'Projects', projects: 'Projects', submission: 'Submissions', submissions: 'Submissions',
    honor: 'Honours', honors: 'Honours', admin: 'System', system: 'System', user: 'System', users: 'System',
  },
  home: {
    overview: 'Overview',
    morning: 'Good morning', afternoon: 'Good afternoon', evening: 'Good evening', night: 'Good evening', dateLocale: 'en-GB',
    nothing: 'Your account cannot see any module yet; ask an administrator', treeHint: 'See and arrange the organisation',
  },
  error: {
    network: 'Cannot reach the server; check the network', status: 'Server error ({status})', forbiddenTitle: 'Forbidden',
    forbidden: 'You may not see this page', notFoundTitle: 'Page not found', notFound: 'There is no such page',
  },
}
