# pcapkit's scapy engine: reads frames from stdin (link type u32 LE, length u32 LE,
# bytes), answers each with one JSON line {"layers": {...}, "protocols": "..."}:
# scapy's layers (scapy.all loaded, so every layer is registered) and their fields.
import json
import struct
import sys

try:
    import logging

    logging.getLogger("scapy").setLevel(logging.ERROR)
    import scapy.all as S
except ImportError as e:
    sys.stderr.write("pcapkit: cannot import scapy: %s\n" % e)
    sys.exit(3)

S.conf.verb = 0


def link_class(lt, data):
    if lt in (101, 228, 229, 12, 14):
        return S.IPv6 if data[:1] and data[0] >> 4 == 6 else S.IP
    cls = S.conf.l2types.num2layer.get(lt)
    return cls if cls is not None else S.conf.raw_layer


def value(v):
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if v is None or isinstance(v, (bool, str, float)):
        return v
    if isinstance(v, int):
        if type(v) is not int and type(v) is not bool:
            return str(v)  # FlagValue and other int-likes: their text ("SA", "DF")
        return v
    if isinstance(v, S.Packet):
        return {f.name: value(v.getfieldval(f.name)) for f in v.fields_desc}
    if isinstance(v, (list, tuple)):
        return [value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): value(x) for k, x in v.items()}
    return str(v)


def main():
    inp = sys.stdin.buffer
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    while True:
        head = inp.read(8)
        if len(head) < 8:
            return
        lt, n = struct.unpack("<II", head)
        data = inp.read(n)
        layers = {}
        chain = []
        try:
            pkt = link_class(lt, data)(data)
            for l in pkt.iterpayloads():
                name = type(l).__name__
                chain.append(name)
                key = name
                k = 2
                while key in layers:
                    key = "%s_%d" % (name, k)
                    k += 1
                fields = {}
                for f in l.fields_desc:
                    fields[f.name] = value(l.getfieldval(f.name))
                layers[key] = fields
        except Exception as e:
            layers = {"error": "%s: %s" % (type(e).__name__, e)}
            chain = []
        out.write(json.dumps({"layers": layers, "protocols": ":".join(chain)}))
        out.write("\n")
        out.flush()


main()
