//! Conformance rules for the protocols of issue 10's network half: ICMP, ICMPv6, IGMP,
//! ESP, GRE, VXLAN, SCTP.
//!
//! ICMP and ICMPv6 errors quote the offending datagram: its `ipv4`/`ipv6` (and transport)
//! objects sit inside the `icmp`/`icmpv6` object, where the internet and transport rules
//! find them, as tshark lists the quoted headers' fields after the outer ones.

use super::{Rule, field, hex};

/// Rules of this family.
pub const RULES: &[Rule] = &[
    Rule {
        field: "icmp.type",
        key: "icmp",
        get: |v| field(v, "type"),
    },
    Rule {
        field: "icmp.code",
        key: "icmp",
        get: |v| field(v, "code"),
    },
    Rule {
        field: "icmpv6.type",
        key: "icmpv6",
        get: |v| field(v, "type"),
    },
    Rule {
        field: "icmpv6.code",
        key: "icmpv6",
        get: |v| field(v, "code"),
    },
    Rule {
        field: "igmp.type",
        key: "igmp",
        get: |v| hex(v, "type", 2),
    },
    Rule {
        field: "esp.spi",
        key: "esp",
        get: |v| hex(v, "spi", 8),
    },
    Rule {
        field: "esp.sequence",
        key: "esp",
        get: |v| field(v, "seq"),
    },
    Rule {
        field: "gre.proto",
        key: "gre",
        get: |v| hex(v, "protocol", 4),
    },
    Rule {
        field: "sctp.srcport",
        key: "sctp",
        get: |v| field(v, "srcport.port"),
    },
    Rule {
        field: "sctp.dstport",
        key: "sctp",
        get: |v| field(v, "dstport.port"),
    },
];
