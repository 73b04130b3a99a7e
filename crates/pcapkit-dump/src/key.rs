//! Map keys rendered as text (plist `<key>`, tree entry names).

use std::fmt::{self, Write as _};

use serde::Serialize;
use serde::ser::{self, Impossible};

use crate::error::{DumpError, Result};

/// Renders a map key as escaped text: strings, numbers, booleans, chars, unit variants.
pub(crate) struct KeySer<'b> {
    out: &'b mut Vec<u8>,
    escape: fn(&mut Vec<u8>, &str),
}

impl<'b> KeySer<'b> {
    /// Appends keys to `out`, escaped by `escape`.
    pub(crate) fn new(out: &'b mut Vec<u8>, escape: fn(&mut Vec<u8>, &str)) -> Self {
        Self { out, escape }
    }
}

/// `fmt::Write` adapter applying an escape function.
struct Escaping<'b> {
    out: &'b mut Vec<u8>,
    escape: fn(&mut Vec<u8>, &str),
}

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        (self.escape)(self.out, s);
        Ok(())
    }
}

fn key_error() -> DumpError {
    DumpError::Serialize("a map key must be a string, number, boolean or unit variant".into())
}

impl ser::Serializer for KeySer<'_> {
    type Ok = ();
    type Error = DumpError;
    type SerializeSeq = Impossible<(), DumpError>;
    type SerializeTuple = Impossible<(), DumpError>;
    type SerializeTupleStruct = Impossible<(), DumpError>;
    type SerializeTupleVariant = Impossible<(), DumpError>;
    type SerializeMap = Impossible<(), DumpError>;
    type SerializeStruct = Impossible<(), DumpError>;
    type SerializeStructVariant = Impossible<(), DumpError>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.collect_str(&v)
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        (self.escape)(self.out, v);
        Ok(())
    }
    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<()> {
        let _ = write!(
            Escaping {
                out: self.out,
                escape: self.escape,
            },
            "{value}"
        );
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<()> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<()> {
        Err(key_error())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<()> {
        Err(key_error())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<()> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<()> {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_error())
    }
}
