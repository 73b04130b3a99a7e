#!/usr/bin/env python3
"""Extract what `cargo xtask gen-consts` needs from PyPCAPKit beyond the registry TSVs.

Run with PyPCAPKit 1.4.1 importable (the registries in ../shared/registries match
1.4.1.post2, whose `pcapkit/const` differs from 1.4.1 only in three AppType rows):

    python3 -m venv /tmp/pyenv
    /tmp/pyenv/bin/pip install 'pypcapkit==1.4.1.post2'
    /tmp/pyenv/bin/python xtask/scripts/pypcapkit_extract.py

It writes (all committed, all read by the generator or by tests; nothing at build time):

- `xtask/data/missing.tsv`: the `_missing_` rules of every enum, read from the AST of
  `pcapkit/const/**/*.py` (the classmethod that aenum calls for values that are not
  members): the accepted domain, ordered ranges with the synthesised name template, the
  catch-all template, IntFlag-ness. Template placeholders: `{d}` decimal, `{X4}` upper hex
  zero-filled to 4 digits, `{x8}` lower hex, `{b2}` binary, `{b}` binary unpadded,
  `{X8_4}` digits split in groups of 4 from the left joined by `_`.
- `xtask/data/extra/*.tsv`: member attributes PyPCAPKit prints in object forms (FTP
  Command feat/desc/type/conf, FTP ReturnCode description, HTTP Method safe/idempotent,
  HTTP StatusCode message) and small enums defined outside `pcapkit/const` (FTP/HTTP
  `Type`, PCAP-NG `PacketDirection`/`PacketReception`).
- `crates/pcapkit-protocols/tests/data/pypcapkit_texts.tsv`: reference texts
  (`registry<TAB>input<TAB>text`) printed by PyPCAPKit itself for every registry value
  plus range edges and seeded random values; `!ERR` where PyPCAPKit raises.
"""
import ast
import enum
import importlib
import inspect
import os
import pkgutil
import random
import sys

import aenum
import pcapkit.const as C

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DATA = os.path.join(ROOT, 'xtask', 'data')
TESTDATA = os.path.join(ROOT, 'crates', 'pcapkit-protocols', 'tests', 'data')


def enum_classes():
    """Map `group__Class` to the class, for every enum in pcapkit.const."""
    out = {}
    for grp in pkgutil.iter_modules(C.__path__):
        g = importlib.import_module('pcapkit.const.' + grp.name)
        for m in pkgutil.iter_modules(g.__path__):
            mod = importlib.import_module('pcapkit.const.%s.%s' % (grp.name, m.name))
            for k, v in vars(mod).items():
                if isinstance(v, type) and issubclass(v, (enum.Enum, aenum.Enum)) \
                        and v.__module__ == mod.__name__:
                    out['%s__%s' % (grp.name, k)] = v
    return out


# ---------------------------------------------------------------- _missing_ rules

def const(node):
    return ast.literal_eval(node)


def fmt_of(node, temps):
    """Translate the member-name expression of an extend_enum call to a template."""
    # 'PREFIX%d' % value and friends
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        pat = const(node.left)
        arg = node.right
        if isinstance(arg, ast.Name) and arg.id == 'value':
            for spec, rep in (('%d', '{d}'), ('%s', '{d}'), ('%08x', '{x8}'),
                              ('%04x', '{x4}'), ('%02x', '{x2}')):
                if spec in pat:
                    return pat.replace(spec, rep, 1)
            raise SystemExit('unknown pattern %r' % pat)
        assert pat.count('%s') == 1, pat
        return pat.replace('%s', digits_of(arg, temps))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == 'upper':
        return '{upper}'
    raise SystemExit('unknown name expression %s' % ast.dump(node))


def digits_of(node, temps):
    src = ast.unparse(node)
    table = {
        "hex(value)[2:].upper().zfill(%d)": 'X',
        "bin(value)[2:].zfill(%d)": 'b',
        "bin(value)[2:].upper().zfill(%d)": 'b',
    }
    for w in range(1, 33):
        for pat, r in table.items():
            if src == pat % w:
                return '{%s%d}' % (r, w)
    if src == 'bin(value)[2:]':
        return '{b}'
    if src == "temp[:4] + '_' + temp[4:]":
        t = temps['temp']
        d = digits_of(t, {})
        return d[:-1] + '_4}'
    if src == "'_'.join(__import__('textwrap').wrap('%032x' % value, 4))":
        return '{x32_4}'
    raise SystemExit('unknown digits expression %s' % src)


def extend_args(call, temps):
    assert isinstance(call, ast.Call) and ast.unparse(call.func) == 'extend_enum', ast.unparse(call)
    name = fmt_of(call.args[1], temps)
    rest = []
    for a in call.args[3:]:
        s = ast.unparse(a)
        if s.startswith("TransportProtocol.get("):
            rest.append(const(a.args[0]))
        else:
            rest.append(str(const(a)))
    return name, rest


def range_of(test):
    """`LO <= value <= HI` (possibly inside `isinstance(value, int) and ...`)."""
    if isinstance(test, ast.BoolOp):
        cmps = [v for v in test.values if isinstance(v, ast.Compare)]
        assert len(cmps) == 1, ast.unparse(test)
        test = cmps[0]
    assert isinstance(test, ast.Compare), ast.unparse(test)
    if len(test.ops) == 2:
        return const(test.left), const(test.comparators[1])
    if isinstance(test.ops[0], ast.GtE):  # value >= 0
        return const(test.comparators[0]), ''
    raise SystemExit('unknown range %s' % ast.unparse(test))


def missing_rules(key, cls):
    rows = []
    is_flag = issubclass(cls, (enum.Flag, aenum.Flag))
    if is_flag:
        zero = [n for n, m in cls.__members__.items() if m.value == 0]
        rows.append((key, 'flag', '', '', zero[0] if zero else 'None', ''))
    fn = cls.__dict__.get('_missing_')
    if fn is None:
        return rows
    src = inspect.getsource(fn.__func__ if hasattr(fn, '__func__') else fn)
    tree = ast.parse(inspect.cleandoc('\n' + src) if src.startswith(' ') else src)
    func = tree.body[0]
    temps = {}
    for st in func.body:
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant):
            continue  # docstring
        if isinstance(st, ast.If):
            t = ast.unparse(st.test)
            if t.startswith('not ') and isinstance(st.body[0], ast.Raise):
                lo, hi = range_of(st.test.operand)
                rows.append((key, 'domain', lo, hi, '', ''))
                continue
            if '__members_ns__' in t or '__members_proto__' in t:
                continue  # OptionType / AppType namespaces: handled by the generator
            lo, hi = range_of(st.test)
            body = [b for b in st.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
            if ast.unparse(body[-1]) == 'return cls(value)':
                body = body[:-1]  # extend_enum(...) then `return cls(value)`
            for b in body[:-1]:
                temps[b.targets[0].id] = b.value
            call = body[-1].value
            name, rest = extend_args(call, temps)
            rows.append((key, 'range', lo, hi, name, ','.join(rest)))
            continue
        if isinstance(st, ast.Assign):
            temps[st.targets[0].id] = st.value
            continue
        if isinstance(st, ast.Return):
            s = ast.unparse(st.value)
            if s == 'super()._missing_(value)':
                continue  # ValueError: no synthesised member
            if s == 'cls(value)':
                continue  # IntFlag composite (the flag row says so)
            name, rest = extend_args(st.value, temps)
            if name == '{upper}':
                rows.append((key, 'upper', '', '', '', ''))
            else:
                rows.append((key, 'default', '', '', name, ','.join(rest)))
            continue
        if isinstance(st, ast.Expr):  # extend_enum(...) followed by `return cls(value)`
            name, rest = extend_args(st.value, temps)
            rows.append((key, 'default', '', '', name, ','.join(rest)))
            continue
        raise SystemExit('%s: unknown statement %s' % (key, ast.unparse(st)))
    return rows


# ---------------------------------------------------------------- extra attributes

def text(m):
    if m is None:
        return ''
    return '%s::%s [%s]' % (type(m).__name__, m.name, m.value)


def write_tsv(path, header, rows):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        for h in header:
            f.write('# %s\n' % h)
        for r in rows:
            f.write('\t'.join(str(c) for c in r) + '\n')


def main():
    classes = enum_classes()
    regdir = os.path.join(ROOT, '..', 'shared', 'registries')
    registries = sorted(f[:-4] for f in os.listdir(regdir) if f.endswith('.tsv'))

    rows = []
    for key in registries:
        rows.extend(missing_rules(key, classes[key]))
    write_tsv(os.path.join(DATA, 'missing.tsv'), [
        'generated by xtask/scripts/pypcapkit_extract.py from PyPCAPKit 1.4.1.post2 pcapkit/const/**/_missing_',
        'registry, kind (flag|domain|range|default|upper), lo, hi, name template, extra member arguments',
    ], rows)

    from pcapkit.const.ftp.command import Command
    from pcapkit.const.ftp.return_code import ReturnCode
    from pcapkit.const.http.method import Method
    from pcapkit.const.http.status_code import StatusCode
    hdr = 'generated by xtask/scripts/pypcapkit_extract.py from PyPCAPKit 1.4.1.post2 %s'
    write_tsv(os.path.join(DATA, 'extra', 'ftp__Command.tsv'),
              [hdr % 'pcapkit/const/ftp/command.py', 'value, feat (FEATCode value or empty), desc, type (CommandType value), conf (ConformanceRequirement value)'],
              [(m.value, '' if m.feat is None else m.feat.value, m.desc or '', int(m.type), int(m.conf))
               for m in Command])
    write_tsv(os.path.join(DATA, 'extra', 'ftp__ReturnCode.tsv'),
              [hdr % 'pcapkit/const/ftp/return_code.py', 'value, description'],
              [(m.value, m.description or '') for m in ReturnCode])
    write_tsv(os.path.join(DATA, 'extra', 'http__Method.tsv'),
              [hdr % 'pcapkit/const/http/method.py', 'value, safe, idempotent'],
              [(m.value, int(m.safe), int(m.idempotent)) for m in Method])
    write_tsv(os.path.join(DATA, 'extra', 'http__StatusCode.tsv'),
              [hdr % 'pcapkit/const/http/status_code.py', 'value, message'],
              [(m.value, m.message or '') for m in StatusCode])

    # enums defined next to the protocols, not in pcapkit/const
    from pcapkit.protocols.application.ftp import Type as FTPType
    from pcapkit.protocols.application.httpv1 import Type as HTTPType
    from pcapkit.protocols.misc.pcapng import PacketDirection, PacketReception
    for key, cls, src in (('ftp__Type', FTPType, 'pcapkit/protocols/application/ftp.py'),
                          ('http__Type', HTTPType, 'pcapkit/protocols/application/httpv1.py'),
                          ('pcapng__PacketDirection', PacketDirection, 'pcapkit/protocols/misc/pcapng.py'),
                          ('pcapng__PacketReception', PacketReception, 'pcapkit/protocols/misc/pcapng.py')):
        write_tsv(os.path.join(DATA, 'extra', key + '.tsv'),
                  [hdr % src, 'an enum outside pcapkit/const; same layout as ../shared/registries'],
                  [('value', 'name')] + [(m.value, n) for n, m in cls.__members__.items()])
    reference_texts(classes, registries, rows)


# ---------------------------------------------------------------- reference texts

def reference_texts(classes, registries, rules):
    rnd = random.Random(20240601)
    out = []
    from pcapkit.const.reg.apptype import AppType, TransportProtocol
    from pcapkit.const.pcapng.option_type import OptionType
    widths = {}
    for key in registries:
        cls = classes[key]
        if key == 'reg__AppType':
            ports = set(range(0, 300)) | {rnd.randrange(0, 65536) for _ in range(1200)}
            for lo_hi in [(r[2], r[3]) for r in rules if r[0] == key and r[1] == 'range']:
                ports |= {lo_hi[0], lo_hi[1], lo_hi[0] - 1, lo_hi[1] + 1}
            for p in sorted(p for p in ports if 0 <= p <= 65535):
                for proto in ('tcp', 'udp'):
                    try:
                        m = AppType.get(p, proto=TransportProtocol.get(proto))
                    except TypeError:  # a range member synthesised earlier for the other proto
                        out.append((key, '%d/%s' % (p, proto), '!ERR TypeError'))
                        continue
                    out.append((key, '%d/%s' % (p, proto), '%s | %s | %d | %s' % (text(m), m.svc, m.port, text(m.proto))))
            continue
        if key == 'pcapng__OptionType':
            for ns in ('opt', 'if', 'epb', 'ns', 'isb', 'dsb', 'pack'):
                for code in list(range(0, 20)) + [2988, 2989, 19372, 19373, 65535]:
                    m = OptionType.get(code, namespace=ns)
                    out.append((key, '%s/%d' % (ns, code), '%s | %s | %d' % (text(m), m.opt_name, m.opt_value)))
            continue
        members = list(cls.__members__.values())
        if members and isinstance(members[0].value, str):
            vals = [m.value for m in members] + ['XYZ', 'foo']
        else:
            mx = max([m.value for m in members] + [0])
            dom = [r for r in rules if r[0] == key and r[1] == 'domain']
            hi = dom[0][3] if dom and dom[0][3] != '' else mx
            bits = max(8, 1 << max(0, (int(hi)).bit_length() - 1).bit_length())
            top = (1 << bits) - 1
            vals = {m.value for m in members} | {0, 1, top, top - 1}
            for r in rules:
                if r[0] == key and r[1] in ('range', 'domain'):
                    for v in (r[2], r[3]):
                        if v != '':
                            vals |= {v - 1, v, v + 1}
            vals |= {rnd.randrange(0, top + 1) for _ in range(40)}
            vals = sorted(v for v in vals if 0 <= v <= top)
        for v in vals:
            try:
                m = cls(v)
                t = text(m)
            except BaseException as e:  # noqa: BLE001 - aenum raises ValueError/TypeError/RecursionError
                t = '!ERR %s' % type(e).__name__
            out.append((key, v, t))
    os.makedirs(TESTDATA, exist_ok=True)
    write_tsv(os.path.join(TESTDATA, 'pypcapkit_texts.tsv'),
              ['generated by xtask/scripts/pypcapkit_extract.py: texts printed by PyPCAPKit 1.4.1.post2 (aenum 3.1.17)',
               'registry, input (value; port/proto for AppType; namespace/code for OptionType), text (AppType: enum | svc | port | proto; OptionType: enum | opt_name | opt_value)'],
              out)


if __name__ == '__main__':
    sys.setrecursionlimit(200)
    main()
