# pcapkit's dpkt engine: reads frames from stdin (link type u32 LE, length u32 LE,
# bytes), answers each with one JSON line {"layers": {...}, "protocols": "..."}:
# dpkt's object tree from the link layer down.
import json
import socket
import struct
import sys

try:
    import dpkt
except ImportError as e:
    sys.stderr.write("pcapkit: cannot import dpkt: %s\n" % e)
    sys.exit(3)


def mac(b):
    return ":".join("%02x" % x for x in b)


def ipv4(b):
    return socket.inet_ntoa(b)


def ipv6(b):
    return socket.inet_ntop(socket.AF_INET6, b)


ADDRESSES = {
    ("Ethernet", "src"): mac,
    ("Ethernet", "dst"): mac,
    ("IP", "src"): ipv4,
    ("IP", "dst"): ipv4,
    ("IP6", "src"): ipv6,
    ("IP6", "dst"): ipv6,
    ("ARP", "sha"): mac,
    ("ARP", "tha"): mac,
    ("ARP", "spa"): ipv4,
    ("ARP", "tpa"): ipv4,
}


def link_class(lt, data):
    if lt == 1:
        return dpkt.ethernet.Ethernet
    if lt in (0, 108):
        return dpkt.loopback.Loopback
    if lt in (101, 228, 229, 12, 14):
        if data[:1] and data[0] >> 4 == 6:
            return dpkt.ip6.IP6
        return dpkt.ip.IP
    if lt == 113:
        return dpkt.sll.SLL
    if lt == 276 and hasattr(dpkt, "sll2"):
        return dpkt.sll2.SLL2
    if lt == 105:
        return dpkt.ieee80211.IEEE80211
    if lt == 127:
        return dpkt.radiotap.Radiotap
    if lt == 9:
        return dpkt.ppp.PPP
    return None


def value(cls, name, v):
    f = ADDRESSES.get((cls, name))
    if f is not None and isinstance(v, bytes):
        try:
            return f(v)
        except (ValueError, OSError):
            pass
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, dpkt.Packet):
        return layer(v, [])[1]
    if isinstance(v, (list, tuple)):
        return [value(cls, name, x) for x in v]
    if isinstance(v, dict):
        return {str(k): value(cls, name, x) for k, x in v.items()}
    return repr(v)


def layer(p, chain):
    cls = type(p).__name__
    chain.append(cls)
    d = {}
    for name in p.__hdr_fields__:
        d[name] = value(cls, name, getattr(p, name, None))
    opts = getattr(p, "opts", None)
    if opts and "opts" not in d:
        d["opts"] = value(cls, "opts", opts)
    data = p.data
    if isinstance(data, dpkt.Packet):
        k, v = layer(data, chain)
        d[k] = v
    elif data:
        d["data"] = value(cls, "data", data)
    return cls, d


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
        cls = link_class(lt, data)
        chain = []
        layers = {}
        if cls is None:
            layers["error"] = "dpkt has no decoder for link type %d" % lt
        else:
            try:
                k, v = layer(cls(data), chain)
                layers[k] = v
            except Exception as e:  # dpkt raises NeedData, UnpackError, struct.error...
                layers = {"error": "%s: %s" % (type(e).__name__, e)}
                chain = []
        out.write(json.dumps({"layers": layers, "protocols": ":".join(chain)}))
        out.write("\n")
        out.flush()


main()
