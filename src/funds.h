/* funds.h - the funds ledger (捐赠台账 and aid): programmes, donations, disbursements,
 * visits, micro-wishes. See funds.c. What is declared here is the arithmetic the unit
 * tests reach. */
#ifndef QIAO_FUNDS_H
#define QIAO_FUNDS_H

#include "util.h"

#include <stdint.h>

/* Parse a rate "7.1234" (CNY per unit of a currency: digits, an optional point and at
 * most 8 decimals, greater than zero) into *num / 10^*dec. 1 on success, 0 otherwise. */
int funds_rate(const char *s, int64_t *num, int *dec);

/* amount (minor units of a currency with `exp` decimals: 2 for USD, 0 for JPY) times the
 * rate num / 10^dec, in fen, rounded half-up (half away from zero for a negative amount,
 * so that a reversal is exactly the negated entry), with integer arithmetic only. 1 and
 * *fen on success, 0 when the result does not fit in 10^15 fen. */
int funds_cny(int64_t amount, int exp, int64_t num, int dec, int64_t *fen);

/* The amount fen in Chinese capital numerals as receipts write it, appended to b:
 * 1234500 -> "壹万贰仟叁佰肆拾伍元整", 2345678 -> "贰万叁仟肆佰伍拾陆元柒角捌分", 5 -> "伍分",
 * a negative amount with 负 in front. |fen| must be below 10^14 (a trillion 元). */
void funds_capital(buf *b, int64_t fen);

#endif
