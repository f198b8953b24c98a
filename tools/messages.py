#!/usr/bin/env python3
"""messages.py - the messages the server can send, and the catalog that translates them.

Every text the server writes for a user as an error is the format given to one of the
message functions below: verr_set (5th argument), reply_error (5th), reply_db_error (2nd),
msg (2nd), msg_cur (1st: a text or a piece of one made elsewhere), MSG_TEXT (a text of a
table, given to msg_cur where it is written: TABLED names those arguments). The zh-Hans format is the key of the catalog (src/messages.txt), which gives
its English and, where OpenCC's conversion is not right, its zh-Hant.

  messages.py list SRC...                print every format found, with where it is
  messages.py check CATALOG SRC...       exit 1 naming every format without a catalog
                                         entry in all three languages (or whose English
                                         takes other arguments), every entry no source uses,
                                         and every call whose format is not a literal
  messages.py coverage CATALOG TRACE [--list]
                                         how many of the catalog's entries a test run
                                         made (TRACE: the file QIAO_MSG_TRACE named, msg.c),
                                         by the catalog's groups (the file that sends them);
                                         --list names the ones it never made
  messages.py gen CATALOG HANT OUT       write the C table (HANT: the zh-Hans keys of the
                                         catalog converted by OpenCC, one a line)

The catalog: blocks separated by blank lines, '#' lines are comments;
  zh: the zh-Hans format, exactly as the source writes it (after C escapes)
  tw: optional, the zh-Hant format when OpenCC's is not the right one
  en: the English format
A format may run over several lines: a line that starts with a space continues the one
above (the space dropped); \\n in a text is a newline (the command line's messages). The
three take the same conversions in the same order.
"""
import re
import sys

# function name -> index of its format argument (0-based)
FUNCS = {"verr_set": 4, "reply_error": 4, "reply_db_error": 1, "msg": 1, "msg_cur": 0, "MSG_TEXT": 0}
# the arguments of msg_cur that are not literals: texts of a table marked with MSG_TEXT
TABLED = {"dialect_label [ d ]", "usage"}
# macros that expand to string literals inside formats (x86_64 Linux, glibc)
MACROS = {"PRId64": "ld", "PRIu64": "lu", "PRIi64": "li"}

TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<lc>//[^\n]*)|(?P<bc>/\*.*?\*/)|(?P<pp>^[ \t]*\#[^\n]*(?:\\\n[^\n]*)*)
    |(?P<str>(?:u8|L|u|U)?"(?:\\.|[^"\\\n])*")|(?P<chr>'(?:\\.|[^'\\\n])+')
    |(?P<id>[A-Za-z_][A-Za-z_0-9]*)|(?P<num>\d[\w.]*)|(?P<op>->|\+\+|--|<<|>>|&&|\|\||[^\s])""",
    re.S | re.M | re.X,
)


def unescape(lit):
    body = lit[lit.index('"') + 1 : -1]
    out = bytearray()
    i = 0
    raw = body.encode()
    while i < len(raw):
        c = raw[i]
        if c != 0x5C:
            out.append(c)
            i += 1
            continue
        n = chr(raw[i + 1])
        simple = {"n": 10, "t": 9, "r": 13, '"': 34, "'": 39, "\\": 92, "?": 63, "a": 7, "b": 8, "f": 12, "v": 11}
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n == "x":
            m = re.match(rb"[0-9a-fA-F]+", raw[i + 2 :])
            out.append(int(m.group(0), 16))
            i += 2 + len(m.group(0))
        elif n in "01234567":
            m = re.match(rb"[0-7]{1,3}", raw[i + 1 :])
            out.append(int(m.group(0), 8))
            i += 1 + len(m.group(0))
        else:
            raise ValueError("unknown escape in " + lit)
    return out.decode()


def tokens(text):
    line = 1
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        if kind not in ("ws", "lc", "bc"):
            yield kind, m.group(kind), line
        line += m.group(0).count("\n")


def defines(paths):
    """Object-like macros whose value is a string literal (DB_FULL_MESSAGE)."""
    d = dict(MACROS)
    for p in paths:
        for m in re.finditer(r'^#define\s+([A-Z_][A-Z_0-9]*)\s+((?:"(?:\\.|[^"\\])*"\s*)+)$', open(p, encoding="utf-8").read(), re.M):
            d[m.group(1)] = "".join(unescape(s) for s in re.findall(r'"(?:\\.|[^"\\])*"', m.group(2)))
    return d


def formats(arg, macros):
    """The formats an argument can be: a literal (adjacent literals and string macros
    joined), either branch of `cond ? A : B`, else None."""
    # a top-level conditional: split at the first top-level '?' and its ':'
    depth, q = 0, None
    for i, (k, v, _) in enumerate(arg):
        if v in "([{":
            depth += 1
        elif v in ")]}":
            depth -= 1
        elif depth == 0 and v == "?" and q is None:
            q = i
        elif depth == 0 and v == ":" and q is not None:
            a, b = formats(arg[q + 1 : i], macros), formats(arg[i + 1 :], macros)
            return a + b if a is not None and b is not None else None
    if q is not None:
        return None
    s = ""
    for k, v, _ in arg:
        if k == "str":
            s += unescape(v)
        elif k == "id" and v in macros:
            s += macros[v]
        elif v in "()":
            continue
        else:
            return None
    return [s] if arg else None


def calls(path, macros):
    """(line, function, [formats] or None, argument text) of every message call in path."""
    toks = list(tokens(open(path, encoding="utf-8").read()))
    out = []
    for i, (k, v, line) in enumerate(toks):
        if k != "id" or v not in FUNCS or i + 1 >= len(toks) or toks[i + 1][1] != "(":
            continue
        if i and (toks[i - 1][1] in (".", "->", "*") or toks[i - 1][0] == "id" and toks[i - 1][1] not in ("return", "else")):
            continue  # a declaration or definition (int verr_set(...)), or a member
        args, cur, depth, j = [], [], 0, i + 2
        while j < len(toks):
            t = toks[j]
            if t[1] in "([{":
                depth += 1
            elif t[1] in ")]}":
                if depth == 0:
                    break
                depth -= 1
            if t[1] == "," and depth == 0:
                args.append(cur)
                cur = []
            else:
                cur.append(t)
            j += 1
        args.append(cur)
        n = FUNCS[v]
        if len(args) <= n:
            continue
        fa = args[n]
        out.append((line, v, formats(fa, macros), " ".join(t[1] for t in fa)))
    return out


def scan(srcs):
    macros = defines([p for p in srcs if p.endswith(".h")])
    found = {}  # format -> [where]
    bad = []
    for p in srcs:
        if not p.endswith(".c"):
            continue
        for line, fn, fmts, text in calls(p, macros):
            if fmts is None and (text in ("fmt", "hans") or fn == "msg_cur" and text in TABLED):
                continue  # a function handing on its own caller's format
            if fmts is None:
                bad.append("%s:%d: %s: the format is not a literal: %s" % (p, line, fn, text))
                continue
            for f in fmts:
                if f == "%s":
                    continue  # a message made elsewhere (reply_verr, a built text)
                found.setdefault(f, []).append("%s:%d" % (p, line))
    return found, bad


def read_catalog(path):
    entries, cur, last, errs = [], {}, None, []
    lineno = 0
    for raw in open(path, encoding="utf-8").read().split("\n") + [""]:
        lineno += 1
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if cur:
                for k in ("zh", "tw", "en"):
                    if k in cur:
                        cur[k] = cur[k].replace("\\n", "\n")
                entries.append(cur)
            cur, last = {}, None
            continue
        if raw.startswith(" ") and last:
            cur[last] += raw[1:]
            continue
        m = re.match(r"(zh|tw|en): (.*)$", raw)
        if not m or m.group(1) in cur:
            errs.append("%s:%d: not a catalog line: %s" % (path, lineno, raw))
            continue
        last = m.group(1)
        cur[last] = m.group(2)
        cur.setdefault("line", lineno)
    return entries, errs


CONV = re.compile(r"%(?:%|[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcsp])")


def convs(f):
    return [c for c in CONV.findall(f) if c != "%%"]


def check(catalog, srcs):
    found, bad = scan(srcs)
    entries, errs = read_catalog(catalog)
    errs += bad
    keys = {}
    for e in entries:
        where = "%s:%d" % (catalog, e["line"])
        if "zh" not in e or "en" not in e:
            errs.append("%s: an entry needs zh: and en:" % where)
            continue
        if e["zh"] in keys:
            errs.append("%s: “%s” is in the catalog twice" % (where, e["zh"]))
        keys[e["zh"]] = e
        for k in ("en", "tw"):
            if k in e and convs(e[k]) != convs(e["zh"]):
                errs.append("%s: the %s text takes %s, the zh-Hans %s" % (where, k, convs(e[k]), convs(e["zh"])))
        if re.search(r"[\u4e00-\u9fff]", re.sub(r"“[^”]*”", "", e["en"])):
            # Chinese only in quotes: what people type (“广东省江门市”, a header “姓名”)
            errs.append("%s: the English text has Chinese outside quotes: %s" % (where, e["en"]))
        if e["zh"] not in found:
            errs.append("%s: no source sends “%s” (delete the entry)" % (where, e["zh"]))
    for f, where in sorted(found.items()):
        if f not in keys:
            errs.append("%s: “%s” has no entry in %s (zh:, en:)" % (where[0], f, catalog))
    for e in errs:
        print(e, file=sys.stderr)
    if errs:
        print("messages: %d problems" % len(errs), file=sys.stderr)
        return 1
    print("messages: %d formats, each in zh-Hans, zh-Hant and en" % len(found))
    return 0


# Words Taiwan and Hong Kong write otherwise, which OpenCC's s2tw leaves as they are (its
# s2twp changes far too many for these texts: 代码 → 程式碼, 对象 → 物件, 项目 → 專案): the
# words of the web app's zh-Hant (匯入, 欄位, 儲存, 登入, 帳號, 伺服器).
TW_WORDS = [("數據庫", "資料庫"), ("數據", "資料"), ("文件", "檔案"), ("信息", "資訊"), ("導入", "匯入"),
            ("導出", "匯出"), ("字段", "欄位"), ("保存", "儲存"), ("登錄", "登入"), ("賬號", "帳號"),
            ("服務器", "伺服器"), ("網絡", "網路"), ("默認", "預設"), ("不支持", "不支援"), ("只支持", "只支援"),
            ("摺合", "折合"), ("磁盤", "磁碟"), ("聯繫", "聯絡")]


def cstr(s):
    return '"' + "".join("\\" + c if c in '"\\' else "\\n" if c == "\n" else c for c in s) + '"'


def gen(catalog, hant, out):
    entries, errs = read_catalog(catalog)
    if errs:
        print("\n".join(errs), file=sys.stderr)
        return 1
    conv = open(hant, encoding="utf-8").read().split("\n")
    rows = []
    for i, e in enumerate(entries):
        tw = conv[i].replace("\\n", "\n").replace("\u201c", "\u300c").replace("\u201d", "\u300d")  # “” as 「」
        for a, b in TW_WORDS:
            tw = tw.replace(a, b)
        rows.append((e["zh"], e.get("tw") or tw, e["en"]))
    rows.sort(key=lambda r: r[0].encode())
    with open(out, "w", encoding="utf-8") as f:
        f.write("/* Generated by tools/messages.py from src/messages.txt (zh-Hant by OpenCC). Do not edit. */\n")
        f.write('#include "msg.h"\n')
        f.write("const struct msg_text msg_texts[] = {\n")
        for r in rows:
            f.write("    {%s, %s, %s},\n" % tuple(cstr(x) for x in r))
        f.write("};\n")
        f.write("const size_t nmsg_texts = %d;\n" % len(rows))
    return 0


def groups(catalog):
    """zh-Hans key -> the catalog's group it is in: the last '# src/...' (or '# the command
    line') heading above the entry."""
    lines = open(catalog, encoding="utf-8").read().split("\n")
    heads = [(i + 1, m.group(1)) for i, l in enumerate(lines) for m in [re.match(r"# (src/\S+|the command line)", l)] if m]
    entries, _ = read_catalog(catalog)
    out = {}
    for e in entries:
        out[e["zh"]] = ([name for line, name in heads if line < e["line"]] or [""])[-1]
    return out


def coverage(catalog, trace, listing):
    made = set(l.replace("\\n", "\n") for l in open(trace, encoding="utf-8").read().split("\n") if l)
    by = {}
    for zh, g in groups(catalog).items():
        by.setdefault(g, []).append(zh)
    total = hit = 0
    for g, keys in by.items():
        n = sum(k in made for k in keys)
        total += len(keys)
        hit += n
        print("%-28s %4d / %4d" % (g, n, len(keys)))
        if listing:
            for k in keys:
                if k not in made:
                    print("    never: " + k.replace("\n", "\\n"))
    print("messages made by the run: %d of the catalog's %d entries (%.0f%%)" % (hit, total, 100.0 * hit / total))
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "list":
        found, bad = scan(argv[2:])
        for f, where in sorted(found.items()):
            print("%s\t%s" % (where[0], f))
        for b in bad:
            print(b)
        return 0
    if len(argv) >= 3 and argv[1] == "check":
        return check(argv[2], argv[3:])
    if len(argv) in (4, 5) and argv[1] == "coverage":
        return coverage(argv[2], argv[3], argv[4:] == ["--list"])
    if len(argv) == 5 and argv[1] == "gen":
        return gen(argv[2], argv[3], argv[4])
    if len(argv) == 3 and argv[1] == "keys":
        entries, errs = read_catalog(argv[2])
        for e in entries:
            print(e.get("zh", "").replace("\n", "\\n"))  # one a line, for OpenCC
        return 1 if errs else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
