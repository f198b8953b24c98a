#!/usr/bin/env python3
"""Writes the census sheets of tests/data/ the way federations make them (issue 13).

The workbooks are written as a spreadsheet program stores them (LibreOffice Calc and
Excel alike): shared strings, numbers as numbers in <v> (an 18-digit ID typed into a
General cell is kept as a double: 4.40784197407014E+17), date cells as day serials with a
date style, a title row merged across the table, the header on row 3, blank rows, trailing
full-width spaces, full-width digits. The CSV is GBK, as old Excel saves it. Run it again
after changing it: `python3 tests/data/make_sheets.py`; the files are checked in.
"""
import os
import zipfile
from datetime import date

HERE = os.path.dirname(os.path.abspath(__file__))
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def resident_id(prefix6, birth):
    """A resident ID number with its GB 11643 check character."""
    body = prefix6 + birth + '123'
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * k for c, k in zip(body, w))
    return body + '10X98765432'[s % 11]


def serial(y, m, d):
    return (date(y, m, d) - date(1899, 12, 30)).days


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def col(i):
    s = ''
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx(path, rows, merges=()):
    """rows: lists of cells; a cell is None, a str (shared string), ('n', '123') a number
    as stored, ('d', serial) a date cell."""
    sst, index = [], {}
    out = []
    for r, row in enumerate(rows, 1):
        if row is None:
            continue
        cells = []
        for c, v in enumerate(row):
            ref = f'{col(c)}{r}'
            if v is None:
                continue
            if isinstance(v, str):
                if v not in index:
                    index[v] = len(sst)
                    sst.append(v)
                cells.append(f'<c r="{ref}" t="s"><v>{index[v]}</v></c>')
            elif v[0] == 'n':
                cells.append(f'<c r="{ref}"><v>{v[1]}</v></c>')
            else:
                cells.append(f'<c r="{ref}" s="1"><v>{v[1]}</v></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    mc = ''
    if merges:
        mc = f'<mergeCells count="{len(merges)}">' + ''.join(
            f'<mergeCell ref="{m}"/>' for m in merges) + '</mergeCells>'
    files = {
        '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        '_rels/.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        'xl/workbook.xml': f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {REL}><sheets><sheet name="Sheet1" sheetId="1" state="visible" r:id="rId2"/></sheets></workbook>',
        'xl/_rels/workbook.xml.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        'xl/styles.xml': f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="YYYY/M/D"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="true"/></cellXfs></styleSheet>',
        'xl/sharedStrings.xml': f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{len(sst)}" uniqueCount="{len(sst)}">' + ''.join(
            f'<si><t xml:space="preserve">{esc(s)}</t></si>' for s in sst) + '</sst>',
        'xl/worksheets/sheet1.xml': f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS} {REL}><sheetData>{"".join(out)}</sheetData>{mc}</worksheet>',
    }
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():  # fixed times: the same file every run
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)


HEAD = ['序号', '姓　名', '性别', '出生年月', '身份证号码', '联系电话', '祖籍', '居住国', '备注']
TITLE = ['云溪县2024年侨情普查登记表'] + [None] * 8

# A sheet a township sends in, clean but for how people type: every row imports.
ID1 = resident_id('440781', '19660731')
good = [
    TITLE,
    None,  # a blank row between the title and the header
    HEAD,
    [('n', '1'), '陈嘉庚　', '男', ('d', serial(1966, 7, 31)), ID1, '13812345678', '广东省江门市台山市浮石村', '马来西亚', '老归侨 '],
    [('n', '2'), ' 林文庆', '女', '１９８９－０７－０７', None, '0750-5523456', '广东江门', '印尼', None],
    None,  # a blank row inside the table
    [('n', '3'), '黄\u00a0二', '男', '1939年3月11日', None, '+60 12 345 6789', '福建省厦门市', '新加坡', None],
    [('n', '4'), '吴三', '女', '19310518', None, '(020)12345678', '某某村', '美国', None],
    [('n', '5'), '李四', '男', '1985.3.12', None, '１３９ １２３４ ５６７８', '台山', 'Thailand', None],
]
xlsx(os.path.join(HERE, 'census-good.xlsx'), good, merges=['A1:I1'])

# The same sheet as Excel leaves it when the ID and phone columns were numbers, after a
# masked export was pasted in, with several problems on one row: nothing imports.
bad = [
    TITLE,
    None,
    HEAD,
    [('n', '1'), '陈嘉庚', '男', ('d', serial(1966, 7, 31)), ('n', '4.40784197407014E+17'), '13812345678', '广东省江门市', '马来西亚', None],
    [('n', '2'), '林文庆', '女', '1989-07-07', ('n', '440784197407014000'), ('n', '13812345678'), '广东江门', '印尼', None],
    [('n', '3'), '黄二', '男', '1939-03-11', 'A5****57', '+86***********001', '福建', '新加坡', None],
    [('n', '4'), None, '火星人', '1931-02-30', ID1, '12345', None, '火星', None],
    None,
    [('n', '5'), '吴三', '女', '1990-01-01', None, None, None, 'SG', None],
]
xlsx(os.path.join(HERE, 'census-bad.xlsx'), bad, merges=['A1:I1'])

# 侨资企业: registered capital in 元 as numbers and as text with separators and ¥.
ent = [
    ['侨资企业名录', None, None, None, None],
    ['企业名称', '类别', '统一社会信用代码', '注册资本(元)', '联系电话'],
    ['江门侨兴实业有限公司', '侨资企业', None, ('n', '12345678'), '0750-5523456'],
    ['台山侨乡食品厂', '侨资企业', None, '12,345.67', None],
    ['新会陈皮有限公司', '侨资企业', None, '¥2,345.67', None],
]
xlsx(os.path.join(HERE, 'enterprise.xlsx'), ent, merges=['A1:E1'])
# ... and two rows it must refuse: three decimals of 元, a credit code typed as a number.
ent_bad = ent + [
    ['开平碉楼文旅公司', '侨资企业', None, '2345.678', None],
    ['恩平温泉公司', '侨资企业', ('n', '9.14407007E+17'), ('n', '1000000'), None],
]
xlsx(os.path.join(HERE, 'enterprise-bad.xlsx'), ent_bad, merges=['A1:E1'])

# Old Excel's CSV: GBK, full-width digits, headers as people write them, capital in 万元.
csv = ('姓名,性别,出生日期,手机号码,籍贯,所在国家\r\n'
       '周五,男,１９８９－０７－０７,１３８１２３４５６７８,广东省台山市,马来西亚\r\n'
       '郑六　,女,1966/7/31,020-12345678,江门市,泰国\r\n')
with open(os.path.join(HERE, 'census-gbk.csv'), 'wb') as f:
    f.write(csv.encode('gbk'))
ecsv = '企业名称,类别,注册资本（万元）\r\n侨联大厦公司,侨资企业,12.5\r\n'
with open(os.path.join(HERE, 'enterprise-wan.csv'), 'wb') as f:
    f.write(ecsv.encode('gbk'))
