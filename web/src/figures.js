// figures.js - money as the reports write it (SPEC "Figures as the reports write them",
// rule 4 with rules 1-3 for the number of 万): below 1万 in 元; from 1万 in 万元, the
// number of 万 exact under 10, 近 and a word just under a power of ten (近百万元), else one
// significant digit below 100 and two from 100 up with 余 when anything was dropped
// (40余万元, 260余万元, 800万元); from 1亿 in 亿元 with two decimals, truncated, trailing
// zeros dropped (2.28亿元). fen: an integer of fen.
const WORDS = { 10: '十', 100: '百', 1000: '千', 10000: '亿' }

function wan(n) {
  // n: the number of 万 (1 <= n < 10000), maybe with a fraction
  if (n < 10) return `${Math.floor(n * 100) / 100}万元`
  for (const p of [100, 1000, 10000]) if (n < p && n >= 0.95 * p) return p === 10000 ? '近亿元' : `近${WORDS[p]}万元`
  const whole = Math.floor(n)
  const digits = String(whole).length
  const keep = whole < 100 ? 1 : 2
  const unit = 10 ** (digits - keep)
  const kept = Math.floor(whole / unit) * unit
  return `${kept}${kept !== n ? '余' : ''}万元`
}

export function phraseMoney(fen) {
  const yuan = Math.floor(Number(fen || 0) / 100)
  if (yuan < 10000) return `${yuan.toLocaleString('zh-CN')}元`
  if (yuan < 100000000) return wan(Number(fen) / 1000000)
  const yi = Math.floor(Number(fen) / 100 / 1000000) / 100 // 亿, two decimals truncated
  return `${String(yi)}亿元`
}
