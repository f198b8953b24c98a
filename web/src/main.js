// main.js - start the app: Vue, Element Plus, vue-i18n, the router.
import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import './style.css'
import App from './App.vue'
import router from './router.js'
import { i18n, setLang } from './i18n/index.js'

setLang(i18n.global.locale.value) // sets <html lang> and the title
createApp(App).use(ElementPlus).use(i18n).use(router).mount('#app')
