/* codes.c - check characters of the resident ID number and the credit code. See codes.h. */
#include "codes.h"
#include "msg.h"

#include <string.h>

char resident_id_check(const char *d17)
{
    /* Weights 2^(17-i) mod 11; the check is the value that makes the sum 1 mod 11. */
    static const int w[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (d17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int resident_id_valid(const char *id, char *birth, const char **why)
{
    if (strlen(id) != 18) {
        *why = msg_cur("应为 18 位");
        return 0;
    }
    for (int i = 0; i < 17; i++)
        if (id[i] < '0' || id[i] > '9') {
            *why = msg_cur("前 17 位应为数字");
            return 0;
        }
    if (!((id[17] >= '0' && id[17] <= '9') || id[17] == 'X')) {
        *why = msg_cur("最后一位应为数字或 X");
        return 0;
    }
    int y = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
    int m = (id[10] - '0') * 10 + (id[11] - '0');
    int d = (id[12] - '0') * 10 + (id[13] - '0');
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 ||
        d > mdays[m - 1] + (m == 2 && is_leap(y))) {
        *why = msg_cur("第 7 至 14 位不是有效的出生日期");
        return 0;
    }
    if (resident_id_check(id) != id[17]) {
        *why = msg_cur("校验码不对 (GB 11643), 请核对号码");
        return 0;
    }
    memcpy(birth, id + 6, 4);
    birth[4] = '-';
    memcpy(birth + 5, id + 10, 2);
    birth[7] = '-';
    memcpy(birth + 8, id + 12, 2);
    birth[10] = 0;
    return 1;
}

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY"; /* 31: no I O S V Z */

char credit_code_check(const char *c17)
{
    static const int w[] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        const char *p = c17[i] ? strchr(alphabet, c17[i]) : NULL;
        if (!p)
            return 0;
        sum += (int)(p - alphabet) * w[i];
    }
    return alphabet[(31 - sum % 31) % 31];
}

int credit_code_valid(const char *code, const char **why)
{
    if (strlen(code) != 18) {
        *why = msg_cur("应为 18 位");
        return 0;
    }
    for (int i = 0; i < 18; i++)
        if (!strchr(alphabet, code[i]) || !code[i]) {
            *why = msg_cur("只能含数字和大写字母 (不含 I、O、S、V、Z)");
            return 0;
        }
    if (credit_code_check(code) != code[17]) {
        *why = msg_cur("校验码不对 (GB 32100), 请核对代码");
        return 0;
    }
    return 1;
}
