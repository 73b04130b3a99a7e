//! Serialization helpers shared by every protocol: bytes, addresses, PyPCAPKit's
//! multi-dicts, and the adapter that writes a header's fields into its parent's map.

use std::fmt;

use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use smallvec::SmallVec;

/// Raw bytes in the output (`serialize_bytes`): JSON writes `{"type": "bytes", "hex": ...}`,
/// plist `<data>`, tree hex lines.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Bytes<'a>(pub &'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

impl fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl<'a> From<&'a [u8]> for Bytes<'a> {
    fn from(b: &'a [u8]) -> Self {
        Self(b)
    }
}

/// A 48-bit IEEE MAC address, printed `aa:bb:cc:dd:ee:ff` (lower case).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// The broadcast address `ff:ff:ff:ff:ff:ff`.
    pub const BROADCAST: Self = Self([0xff; 6]);
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for MacAddr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// PyPCAPKit's ordered multi-dict: `{key: [value, ...], ...}`, one list per distinct key
/// in first-seen order (used for options, parameters and HTTP headers).
///
/// Built lazily over a cloneable iterator of `(key, value)` pairs; nothing is collected
/// but the distinct keys.
pub struct MultiDict<I>(pub I);

impl<I, K, V> Serialize for MultiDict<I>
where
    I: Iterator<Item = (K, V)> + Clone,
    K: Serialize + PartialEq,
    V: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut keys: SmallVec<[K; 8]> = SmallVec::new();
        for (k, _) in self.0.clone() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        let mut map = serializer.serialize_map(Some(keys.len()))?;
        for key in &keys {
            map.serialize_entry(
                key,
                &ValuesOf {
                    items: self.0.clone(),
                    key,
                },
            )?;
        }
        map.end()
    }
}

struct ValuesOf<'k, I, K> {
    items: I,
    key: &'k K,
}

impl<I, K, V> Serialize for ValuesOf<'_, I, K>
where
    I: Iterator<Item = (K, V)> + Clone,
    K: PartialEq,
    V: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for (k, v) in self.items.clone() {
            if k == *self.key {
                seq.serialize_element(&v)?;
            }
        }
        seq.end()
    }
}

/// A list serialized from a cloneable iterator, without collecting it.
pub struct SeqOf<I>(pub I);

impl<I> Serialize for SeqOf<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for item in self.0.clone() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

/// PyPCAPKit's tuple form `{"type": "tuple", "value": [...]}` for a cloneable iterator.
pub struct Tuple<I>(pub I);

impl<I> Serialize for Tuple<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut st = serializer.serialize_struct("tuple", 2)?;
        st.serialize_field("type", "tuple")?;
        st.serialize_field("value", &SeqOf(self.0.clone()))?;
        st.end()
    }
}

/// A serializer that writes the fields of a struct (or the entries of a map) into an
/// already open map: how a layer's own fields, its child layer and its `packet` end
/// up side by side in one object, as in PyPCAPKit's output.
///
/// Headers derive `Serialize` as plain structs; the chain serializer calls
/// `header.serialize(FieldsOf(&mut map))`. Only structs, maps and unit values can be
/// flattened; anything else is an error.
pub struct FieldsOf<'m, M>(pub &'m mut M);

fn not_flat<E: ser::Error>(what: &str) -> E {
    E::custom(format_args!(
        "a layer header must serialize as a struct or map, not {what}"
    ))
}

impl<'m, M: SerializeMap> Serializer for FieldsOf<'m, M> {
    type Ok = ();
    type Error = M::Error;
    type SerializeSeq = ser::Impossible<(), M::Error>;
    type SerializeTuple = ser::Impossible<(), M::Error>;
    type SerializeTupleStruct = ser::Impossible<(), M::Error>;
    type SerializeTupleVariant = ser::Impossible<(), M::Error>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = ser::Impossible<(), M::Error>;

    fn serialize_bool(self, _: bool) -> Result<(), M::Error> {
        Err(not_flat("a bool"))
    }
    fn serialize_i8(self, _: i8) -> Result<(), M::Error> {
        Err(not_flat("an integer"))
    }
    fn serialize_i16(self, _: i16) -> Result<(), M::Error> {
        Err(not_flat("an integer"))
    }
    fn serialize_i32(self, _: i32) -> Result<(), M::Error> {
        Err(not_flat("an integer"))
    }
    fn serialize_i64(self, _: i64) -> Result<(), M::Error> {
        Err(not_flat("an integer"))
    }
    fn serialize_u8(self, _: u8) -> Result<(), M::Error> {
        Err(not_flat("an integer"))
    }
    fn serialize_u16(self, _: u16) -> Result<(), M::Error> {
        Err(not_flat("an integer"))
    }
    fn serialize_u32(self, _: u32) -> Result<(), M::Error> {
        Err(not_flat("an integer"))
    }
    fn serialize_u64(self, _: u64) -> Result<(), M::Error> {
        Err(not_flat("an integer"))
    }
    fn serialize_f32(self, _: f32) -> Result<(), M::Error> {
        Err(not_flat("a float"))
    }
    fn serialize_f64(self, _: f64) -> Result<(), M::Error> {
        Err(not_flat("a float"))
    }
    fn serialize_char(self, _: char) -> Result<(), M::Error> {
        Err(not_flat("a char"))
    }
    fn serialize_str(self, _: &str) -> Result<(), M::Error> {
        Err(not_flat("a string"))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), M::Error> {
        Err(not_flat("bytes"))
    }
    fn serialize_none(self) -> Result<(), M::Error> {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), M::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), M::Error> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), M::Error> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), M::Error> {
        Err(not_flat("a unit variant"))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, M::Error> {
        Err(not_flat("a sequence"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, M::Error> {
        Err(not_flat("a tuple"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, M::Error> {
        Err(not_flat("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, M::Error> {
        Err(not_flat("a tuple variant"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, M::Error> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, M::Error> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, M::Error> {
        Err(not_flat("a struct variant"))
    }
}

impl<M: SerializeMap> SerializeStruct for FieldsOf<'_, M> {
    type Ok = ();
    type Error = M::Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        self.0.serialize_entry(key, value)
    }

    fn end(self) -> Result<(), M::Error> {
        Ok(())
    }
}

impl<M: SerializeMap> SerializeMap for FieldsOf<'_, M> {
    type Ok = ();
    type Error = M::Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), M::Error> {
        self.0.serialize_key(key)
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), M::Error> {
        self.0.serialize_value(value)
    }

    fn serialize_entry<K: ?Sized + Serialize, V: ?Sized + Serialize>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), M::Error> {
        self.0.serialize_entry(key, value)
    }

    fn end(self) -> Result<(), M::Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Inner {
        a: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<u8>,
    }

    struct Outer(Inner);

    impl Serialize for Outer {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(None)?;
            self.0.serialize(FieldsOf(&mut map))?;
            map.serialize_entry("packet", &Bytes(b"\x01\xff"))?;
            map.end()
        }
    }

    #[test]
    fn fields_are_flattened_into_the_parent_map() {
        let json = serde_json::to_string(&Outer(Inner { a: 1, b: None })).unwrap();
        assert_eq!(json, r#"{"a":1,"packet":[1,255]}"#);
        let json = serde_json::to_string(&Outer(Inner { a: 1, b: Some(2) })).unwrap();
        assert_eq!(json, r#"{"a":1,"b":2,"packet":[1,255]}"#);
    }

    #[test]
    fn multidict_groups_in_first_seen_order() {
        let items = [("x", 1), ("y", 2), ("x", 3)];
        let json = serde_json::to_string(&MultiDict(items.iter().copied())).unwrap();
        assert_eq!(json, r#"{"x":[1,3],"y":[2]}"#);
    }

    #[test]
    fn tuple_and_mac_forms() {
        let json = serde_json::to_string(&Tuple([1u8, 2].iter())).unwrap();
        assert_eq!(json, r#"{"type":"tuple","value":[1,2]}"#);
        let mac = MacAddr([0x40, 0x33, 0x1a, 0xd1, 0x85, 0x1c]);
        assert_eq!(
            serde_json::to_string(&mac).unwrap(),
            r#""40:33:1a:d1:85:1c""#
        );
    }
}
