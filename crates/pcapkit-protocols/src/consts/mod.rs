//! TEMPORARY stand-in for the generated registries (replaced by `cargo xtask gen-consts`).
#![allow(missing_docs)]

pub mod reg {
    use std::fmt;

    pub use pcapkit_core::LinkType;

    macro_rules! shim {
        ($name:ident, $int:ty) => {
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub struct $name(pub $int);
            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    write!(f, concat!(stringify!($name), "::Unknown [{}]"), self.0)
                }
            }
            impl serde::Serialize for $name {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.collect_str(self)
                }
            }
        };
    }
    shim!(EtherType, u16);
    shim!(TransType, u8);
}
