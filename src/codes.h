/* codes.h - check characters of Chinese identity codes: the resident ID number
 * (GB 11643-1999) and the unified social credit code (GB 32100-2015). Pure functions,
 * no allocation. */
#ifndef QIAO_CODES_H
#define QIAO_CODES_H

/* The GB 11643 check character ('0'..'9' or 'X') of the first 17 digits of d17, which
 * must be digits. */
char resident_id_check(const char *d17);

/* Is id an 18-character resident ID number: 17 digits, the right check character (upper
 * case 'X'), and a real calendar date in positions 7-14? On success birth (at least 11
 * bytes) gets that date as "YYYY-MM-DD". 1 valid, 0 otherwise, with *why (static text
 * in Chinese) saying what is wrong. */
int resident_id_valid(const char *id, char *birth, const char **why);

/* The GB 32100 check character of the first 17 characters of c17 (from the code's
 * alphabet 0-9 A-H J-N P-R T U W-Y), or 0 when one of them is outside it. */
char credit_code_check(const char *c17);

/* Is code an 18-character unified social credit code with the right check character
 * (upper case)? 1 valid, 0 otherwise, with *why saying what is wrong. */
int credit_code_valid(const char *code, const char **why);

#endif
