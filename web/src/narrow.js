// narrow.js - useNarrow(): true while the window is phone-width (< 768px). One listener for all.
import { ref } from 'vue'

const narrow = ref(window.innerWidth < 768)
window.addEventListener('resize', () => {
  narrow.value = window.innerWidth < 768
})

export function useNarrow() {
  return narrow
}
