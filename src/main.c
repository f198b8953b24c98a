/* main.c - the program: `qiao COMMAND [options]`. Each command opens the database named
 * by --db (a SQLite file, the default, or a postgresql:// URL) and brings its schema up
 * to date before it does anything else. */
#include "audit.h"
#include "auth.h"
#include "demo.h"
#include "http.h"
#include "import.h"
#include "report.h"
#include "schema.h"

#include <libgen.h>
#include <sodium.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The help, in the environment's language where it is written (msg_cur(usage)). */
static const char *const usage = MSG_TEXT(
    "qiao - 侨联信息平台\n"
    "\n"
    "用法:\n"
    "  qiao init  --db DB --org-name 名称          建库并创建根组织 (编号 1)\n"
    "  qiao serve --db DB [--listen 127.0.0.1:8080] [--web DIR] [--access-log FILE|-|off]\n"
    "             [--trusted-proxy ADDR]  (X-Forwarded-For/-Proto only from ADDR)\n"
    "  qiao user add USERNAME --role ROLE --org ORG_ID --db DB   (从标准输入读密码)\n"
    "  qiao user passwd USERNAME --db DB                         (从标准输入读新密码)\n"
    "  qiao user lock|unlock USERNAME --db DB\n"
    "  qiao demo  --db DB                          填入虚构的示范侨联数据\n"
    "  qiao audit verify --db DB                   校验审计链\n"
    "  qiao backup --db DB FILE                    服务运行时写出一致的 SQLite 副本 "
    "(不含登录会话)\n"
    "  qiao import ENTITY FILE --db DB [--org ORG_ID] [--dry-run]\n"
    "                                              导入 CSV 或 XLSX (有一行不通过则全部不导入);\n"
    "                                              未写所属组织的记录归入 ORG_ID (默认顶层组织)\n"
    "  qiao export ENTITY FILE --db DB [--org ORG_ID] [--unmask]\n"
    "                                              导出为 FILE (.xlsx 或 .csv); 敏感信息默认遮盖,\n"
    "                                              --unmask 导出明文 (记入审计)\n"
    "  qiao report --db DB [--org ORG_ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--xlsx FILE]\n"
    "                                              打印工作报告 (默认顶层组织, 今年 1 月 1 "
    "日至今天)\n"
    "\n"
    "DB 为 SQLite 文件路径 (默认 qiao.db) 或 postgresql://用户@主机:端口/库名\n"
    "--busy-timeout 毫秒: 写入时等待 SQLite 写锁的最长时间 (默认 10000), 超时则答复“系统繁忙”\n"
    "--write-batch N: SQLite 上最多 N 个同时到达的记录写入合为一个事务提交 (默认 32; 1 "
    "为各自提交)\n"
    "角色: admin leader staff finance mediator viewer\n");

/* The whole number after the option at argv[*i], in lo..hi, into *v (and *i past it): 0, or
 * -1 with why on standard error. */
static int int_opt(int argc, char **argv, int *i, int64_t lo, int64_t hi, const char *why,
                   int64_t *v)
{
    if (*i + 1 >= argc || !parse_i64(argv[*i + 1], v) || *v < lo || *v > hi) {
        fputs(why, stderr);
        return -1;
    }
    (*i)++;
    return 0;
}

/* Options after the command words: --name value pairs and positional words. */
struct opts {
    const char *db, *org_name, *listen, *web, *access_log, *role, *org, *trusted_proxy;
    const char *from, *to, *xlsx;
    const char *pos[4];
    int npos;
    unsigned threads;
    unsigned write_batch; /* 0: WRITE_BATCH */
    int busy_ms;          /* 0: the store's default (DB_BUSY_MS) */
    int dry_run;
    int unmask;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        static const struct {
            const char *name;
            size_t off;
        } named[] = {
            {"--db", offsetof(struct opts, db)},
            {"--org-name", offsetof(struct opts, org_name)},
            {"--listen", offsetof(struct opts, listen)},
            {"--web", offsetof(struct opts, web)},
            {"--access-log", offsetof(struct opts, access_log)},
            {"--role", offsetof(struct opts, role)},
            {"--org", offsetof(struct opts, org)},
            {"--trusted-proxy", offsetof(struct opts, trusted_proxy)},
            {"--from", offsetof(struct opts, from)},
            {"--to", offsetof(struct opts, to)},
            {"--xlsx", offsetof(struct opts, xlsx)},
        };
        int done = 0;
        for (size_t k = 0; k < sizeof named / sizeof *named && !done; k++) {
            size_t n = strlen(named[k].name);
            if (strncmp(a, named[k].name, n))
                continue;
            const char **slot = (const char **)((char *)o + named[k].off);
            if (a[n] == '=') {
                *slot = a + n + 1;
                done = 1;
            } else if (!a[n]) {
                if (i + 1 >= argc) {
                    fprintf(stderr, msg_cur("qiao: %s 后面缺少值\n"), a);
                    return -1;
                }
                *slot = argv[++i];
                done = 1;
            }
        }
        if (done)
            continue;
        if (!strcmp(a, "--dry-run")) {
            o->dry_run = 1;
        } else if (!strcmp(a, "--unmask")) {
            o->unmask = 1;
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            o->threads = (unsigned)atoi(argv[++i]);
        } else if (!strcmp(a, "--write-batch")) {
            int64_t n;
            if (int_opt(argc, argv, &i, 1, 1024,
                        msg_cur("qiao: --write-batch 应为 1 到 1024 之间的整数\n"), &n))
                return -1;
            o->write_batch = (unsigned)n;
        } else if (!strcmp(a, "--busy-timeout")) {
            int64_t ms;
            if (int_opt(argc, argv, &i, 1, 600000,
                        msg_cur("qiao: --busy-timeout 应为 1 到 600000 之间的毫秒数\n"), &ms))
                return -1;
            o->busy_ms = (int)ms;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, msg_cur("qiao: 不认识的选项 %s\n\n%s"), a, msg_cur(usage));
            return -1;
        } else if (o->npos < 4) {
            o->pos[o->npos++] = a;
        } else {
            fprintf(stderr, msg_cur("qiao: 参数太多: %s\n"), a);
            return -1;
        }
    }
    if (!o->db)
        o->db = "qiao.db";
    return 0;
}

/* Open o->db with o's busy timeout and upgrade it; NULL after printing why. */
static db *open_db(const struct opts *o)
{
    char err[512];
    db *d = db_open(o->db, err, sizeof err);
    if (!d) {
        fprintf(stderr, "qiao: %s\n", err);
        return NULL;
    }
    if (o->busy_ms)
        db_busy_timeout(d, o->busy_ms);
    if (schema_upgrade(d) < 0) {
        fprintf(stderr, msg_cur("qiao: 无法升级数据库结构: %s\n"), db_errmsg(d));
        db_close(d);
        return NULL;
    }
    return d;
}

/* Read one line (the password) from standard input, without the newline. */
static int read_password(char *pw, size_t n)
{
    if (isatty(0))
        fprintf(stderr, "%s ", msg_cur("密码:"));
    if (!fgets(pw, (int)n, stdin)) {
        fputs(msg_cur("qiao: 请从标准输入提供密码\n"), stderr);
        return -1;
    }
    pw[strcspn(pw, "\r\n")] = 0;
    return 0;
}

static int cmd_init(struct opts *o)
{
    if (!o->org_name || !*o->org_name) {
        fputs(msg_cur("qiao: init 需要 --org-name 组织名称\n"), stderr);
        return 2;
    }
    db *d = open_db(o);
    if (!d)
        return 1;
    int rc = 0;
    if (db_int(d, 0, "SELECT count(*) FROM \"org\" WHERE id = 1", "")) {
        /* open_db brought the structure up to date (a new release adds columns, indexes) */
        printf(msg_cur("数据库 %s 已初始化: 根组织未做改动, 数据库结构已是最新\n"), o->db);
    } else {
        arena *a = arena_new();
        struct ent_ctx c = {.db = d, .a = a, .username = "qiao-cli", .client = "cli"};
        struct verr e;
        json_t *body = json_pack("{s:s, s:s, s:s}", "name", o->org_name, "kind", "federation",
                                 "level", "city");
        json_t *org = body ? ent_create(&c, entity_find("org"), body, &e) : NULL;
        if (!org) {
            fprintf(stderr, msg_cur("qiao: 无法创建根组织: %s\n"),
                    body ? e.msg : msg_cur("名称不是有效文字"));
            rc = 1;
        } else {
            printf(msg_cur("已创建数据库 %s 和根组织“%s”(编号 %lld)\n"), o->db, o->org_name,
                   (long long)json_integer_value(json_object_get(org, "id")));
        }
        json_decref(org);
        json_decref(body);
        arena_free(a);
    }
    db_close(d);
    return rc;
}

static int cmd_user(struct opts *o)
{
    const char *sub = o->npos > 0 ? o->pos[0] : "";
    const char *name = o->npos > 1 ? o->pos[1] : NULL;
    if (!name) {
        fprintf(stderr, msg_cur("qiao: 缺少用户名\n\n%s"), msg_cur(usage));
        return 2;
    }
    char pw[512];
    int rc = 2;
    db *d = NULL;
    if (!strcmp(sub, "add")) {
        int64_t org = 0;
        if (!o->role || !o->org || !parse_i64(o->org, &org)) {
            fputs(msg_cur("qiao: user add 需要 --role 角色 和 --org 组织编号\n"), stderr);
            return 2;
        }
        if (read_password(pw, sizeof pw) || !(d = open_db(o)))
            return 1;
        rc = user_add_cli(d, name, o->role, org, pw);
    } else if (!strcmp(sub, "passwd")) {
        if (read_password(pw, sizeof pw) || !(d = open_db(o)))
            return 1;
        rc = user_passwd_cli(d, name, pw);
    } else if (!strcmp(sub, "lock") || !strcmp(sub, "unlock")) {
        if (!(d = open_db(o)))
            return 1;
        rc = user_lock_cli(d, name, !strcmp(sub, "lock"));
    } else {
        fprintf(stderr, msg_cur("qiao: 不认识的 user 子命令 %s\n\n%s"), sub, msg_cur(usage));
    }
    sodium_memzero(pw, sizeof pw);
    db_close(d);
    return rc;
}

static int cmd_serve(struct opts *o)
{
    db *d = open_db(o);
    if (!d)
        return 1;
    db_close(d);
    db_checkpoint_behind(1); /* no request waits for a WAL checkpoint */
    char web[PATH_MAX];
    if (!o->web) {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = 0;
        snprintf(web, sizeof web, "%s/web", n > 0 ? dirname(exe) : ".");
        o->web = web;
    }
    struct server_opts so = {.db_url = o->db,
                             .listen = o->listen ? o->listen : "127.0.0.1:8080",
                             .web_dir = o->web,
                             .access_log = o->access_log,
                             .threads = o->threads,
                             .busy_ms = o->busy_ms,
                             .write_batch = o->write_batch,
                             .trusted_proxy = o->trusted_proxy};
    return http_serve(&so);
}

static int cmd_audit(struct opts *o)
{
    if (o->npos < 1 || strcmp(o->pos[0], "verify")) {
        fputs(msg_cur("qiao: 用法: qiao audit verify --db DB\n"), stderr);
        return 2;
    }
    db *d = open_db(o);
    if (!d)
        return 1;
    char msg[256];
    int64_t bad = audit_verify(d, msg, sizeof msg);
    db_close(d);
    if (bad) {
        fprintf(stderr, msg_cur("审计链已被破坏: %s\n"), msg);
        return 1;
    }
    printf("%s\n", msg);
    return 0;
}

/* qiao backup --db DB FILE: a consistent copy while the server runs; the copy holds no
 * sessions (a restore must not bring back sessions that were ended since), and its audit
 * chain is checked before it is reported good. */
static int cmd_backup(struct opts *o)
{
    if (o->npos != 1) {
        fputs(msg_cur("qiao: 用法: qiao backup --db DB FILE\n"), stderr);
        return 2;
    }
    db *d = open_db(o);
    if (!d)
        return 1;
    char err[512], msg[256];
    int rc = db_backup(d, o->pos[0], err, sizeof err);
    db_close(d);
    if (rc != DB_OK) {
        fprintf(stderr, "qiao: %s\n", err);
        return 1;
    }
    db *copy = db_open(o->pos[0], err, sizeof err);
    if (!copy || db_exec(copy, "DELETE FROM session") != DB_OK) {
        fprintf(stderr, msg_cur("qiao: 副本 %s 无法打开或清除会话: %s\n"), o->pos[0],
                copy ? db_errmsg(copy) : err);
        db_close(copy);
        unlink(o->pos[0]);
        return 1;
    }
    int64_t bad = audit_verify(copy, msg, sizeof msg);
    db_close(copy);
    if (bad) {
        fprintf(stderr, msg_cur("qiao: 副本的审计链不完整: %s\n"), msg);
        return 1;
    }
    printf(msg_cur("已备份到 %s (%s)\n"), o->pos[0], msg);
    return 0;
}

static int cmd_demo(struct opts *o)
{
    db *d = open_db(o);
    if (!d)
        return 1;
    int rc = demo_fill(d);
    db_close(d);
    return rc;
}

static int cmd_import(struct opts *o)
{
    int64_t org = 0;
    if (o->npos != 2 || (o->org && (!parse_i64(o->org, &org) || org <= 0))) {
        fputs(msg_cur("用法: qiao import ENTITY FILE --db DB [--org ORG_ID] [--dry-run]\n"),
              stderr);
        return 2;
    }
    db *d = open_db(o);
    if (!d)
        return 1;
    int rc = import_cli(d, o->pos[0], o->pos[1], org, o->dry_run);
    db_close(d);
    return rc;
}

static int cmd_export(struct opts *o)
{
    int64_t org = 0;
    if (o->npos != 2 || (o->org && (!parse_i64(o->org, &org) || org <= 0))) {
        fputs(msg_cur("用法: qiao export ENTITY FILE --db DB [--org ORG_ID] [--unmask]\n"), stderr);
        return 2;
    }
    db *d = open_db(o);
    if (!d)
        return 1;
    int rc = export_cli(d, o->pos[0], o->pos[1], org, o->unmask);
    db_close(d);
    return rc;
}

static int cmd_report(struct opts *o)
{
    int64_t org = 0;
    if (o->npos || (o->org && (!parse_i64(o->org, &org) || org <= 0))) {
        fprintf(stderr,
                msg_cur("用法: qiao report --db DB [--org ORG_ID] [--from YYYY-MM-DD] [--to "
                        "YYYY-MM-DD] [--xlsx FILE]\n"));
        return 2;
    }
    db *d = open_db(o);
    if (!d)
        return 1;
    int rc = report_cli(d, org, o->from, o->to, o->xlsx);
    db_close(d);
    return rc;
}

int main(int argc, char **argv)
{
    msg_lang_set(lang_of_env()); /* LC_ALL, LC_MESSAGES, LANG: what the program prints */
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        fputs(msg_cur(usage), argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct opts o = {0};
    if (parse_opts(argc - 2, argv + 2, &o))
        return 2;
    static const struct {
        const char *name;
        int (*fn)(struct opts *);
    } cmds[] = {{"init", cmd_init},     {"serve", cmd_serve},   {"user", cmd_user},
                {"audit", cmd_audit},   {"demo", cmd_demo},     {"import", cmd_import},
                {"backup", cmd_backup}, {"report", cmd_report}, {"export", cmd_export}};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(&o);
    fprintf(stderr, msg_cur("qiao: 不认识的命令 %s\n\n%s"), argv[1], msg_cur(usage));
    return 2;
}
