// i18n/index.js - UI strings (the schema brings entity and field labels itself).
// The language is remembered in localStorage under "qiao.lang".
import { createI18n } from 'vue-i18n'
import zhHans from './zh-Hans.js'
import zhHant from './zh-Hant.js'
import en from './en.js'

export const LANGS = [
  { code: 'zh-Hans', name: '简体中文', html: 'zh-CN' },
  { code: 'zh-Hant', name: '繁體中文', html: 'zh-TW' },
  { code: 'en', name: 'English', html: 'en' },
]

function initialLang() {
  const saved = localStorage.getItem('qiao.lang')
  return LANGS.some((l) => l.code === saved) ? saved : 'zh-Hans'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLang(),
  fallbackLocale: 'zh-Hans',
  messages: { 'zh-Hans': zhHans, 'zh-Hant': zhHant, en },
})

export function setLang(code) {
  i18n.global.locale.value = code
  localStorage.setItem('qiao.lang', code)
  document.documentElement.lang = LANGS.find((l) => l.code === code)?.html || 'zh-CN'
  document.title = i18n.global.t('app.title')
}
