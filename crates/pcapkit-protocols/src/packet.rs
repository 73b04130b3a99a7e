//! A dissected frame: the typed layer chain and its PyPCAPKit-shaped serialization.

use std::fmt;

use pcapkit_core::LinkType;
use serde::ser::{Serialize, SerializeMap, Serializer};
use smallvec::SmallVec;

use crate::registry::{Extract, Protocol};
use crate::ser::Bytes;

/// One decoded layer: its header and where it sits in the frame.
///
/// `data[start..end]` is what the parent handed over (header, payload and any trailing
/// padding), `data[header_end..end]` is the layer's `packet` in the output.
#[derive(Clone, Debug)]
pub struct Layer<'a> {
    /// The decoded header.
    pub header: Protocol<'a>,
    /// Offset of the header's first byte in the frame.
    pub start: usize,
    /// Offset just past the header.
    pub header_end: usize,
    /// Offset just past the bytes the parent handed over.
    pub end: usize,
}

/// The layer list of a packet: inline up to 8 layers (deeper encapsulations spill).
pub(crate) type Layers<'a> = SmallVec<[Layer<'a>; 8]>;

/// A dissected frame: the layers from the link layer down, borrowing the frame bytes.
#[derive(Clone, Debug)]
pub struct Packet<'a> {
    data: &'a [u8],
    link_type: LinkType,
    layers: Layers<'a>,
}

impl<'a> Packet<'a> {
    pub(crate) fn new(data: &'a [u8], link_type: LinkType) -> Self {
        Self {
            data,
            link_type,
            layers: SmallVec::new(),
        }
    }

    pub(crate) fn push(&mut self, layer: Layer<'a>) {
        self.layers.push(layer);
    }

    /// The layer list, for decoders that append in place.
    pub(crate) fn layers_mut(&mut self) -> &mut Layers<'a> {
        &mut self.layers
    }

    /// The frame bytes that were dissected.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The link type the frame was dissected as.
    pub fn link_type(&self) -> LinkType {
        self.link_type
    }

    /// The layers, outermost first. Never empty after dissection.
    pub fn layers(&self) -> &[Layer<'a>] {
        &self.layers
    }

    /// The protocol chain, displayed as PyPCAPKit's `protocols` string
    /// (`Ethernet:IPv4:TCP:HTTP/1.1`).
    pub fn protocols(&self) -> Chain<'_, 'a> {
        Chain(self)
    }

    /// The first header of type `T` (e.g. `packet.get::<Tcp>()`).
    pub fn get<T: Extract<'a>>(&self) -> Option<&T> {
        self.layers.iter().find_map(|l| T::extract(&l.header))
    }

    /// The first layer whose header is a `T`, with its offsets.
    pub fn layer_of<T: Extract<'a>>(&self) -> Option<&Layer<'a>> {
        self.layers.iter().find(|l| T::extract(&l.header).is_some())
    }

    /// Header bytes of `layer`.
    pub fn header_bytes(&self, layer: &Layer<'a>) -> &'a [u8] {
        self.data
            .get(layer.start..layer.header_end)
            .unwrap_or_default()
    }

    /// The bytes after `layer`'s header (its `packet`, including any link padding).
    pub fn payload(&self, layer: &Layer<'a>) -> &'a [u8] {
        self.data
            .get(layer.header_end..layer.end)
            .unwrap_or_default()
    }

    /// Whether some layer stopped with an error.
    pub fn error(&self) -> Option<&crate::DissectError> {
        self.layers.iter().find_map(|l| match &l.header {
            Protocol::Raw(r) => r.error.as_ref(),
            _ => None,
        })
    }

    /// Writes the outermost layer's entry (`"ethernet": {...}` with every inner layer
    /// nested, as PyPCAPKit does) into an open map.
    pub fn serialize_layers<M: SerializeMap>(
        &self,
        map: &mut M,
        options: SerOptions,
    ) -> Result<(), M::Error> {
        match self.layers.first() {
            Some(first) => map.serialize_entry(
                first.header.key(),
                &Nested {
                    packet: self,
                    index: 0,
                    options,
                },
            ),
            None => Ok(()),
        }
    }

    /// A serializable view of the layer chain (an object holding the outermost layer's
    /// entry), for callers that want the chain on its own.
    pub fn layers_view(&self, options: SerOptions) -> LayersView<'_, 'a> {
        LayersView {
            packet: self,
            options,
        }
    }
}

/// Output options for the layer chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SerOptions {
    /// Write each layer's `packet` bytes (PyPCAPKit does; they dominate output size).
    pub layer_packets: bool,
}

impl Default for SerOptions {
    fn default() -> Self {
        Self {
            layer_packets: true,
        }
    }
}

/// See [`Packet::layers_view`].
pub struct LayersView<'p, 'a> {
    packet: &'p Packet<'a>,
    options: SerOptions,
}

impl Serialize for LayersView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.packet.serialize_layers(&mut map, self.options)?;
        map.end()
    }
}

/// Layer `index` with its fields, then its child layer under the child's key, then its
/// `packet`.
struct Nested<'p, 'a> {
    packet: &'p Packet<'a>,
    index: usize,
    options: SerOptions,
}

impl Serialize for Nested<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let layers = &self.packet.layers;
        let mut map = serializer.serialize_map(None)?;
        if let Some(layer) = layers.get(self.index) {
            layer.header.serialize_fields(&mut map)?;
            if let Some(child) = layers.get(self.index + 1) {
                map.serialize_entry(
                    child.header.key(),
                    &Nested {
                        packet: self.packet,
                        index: self.index + 1,
                        options: self.options,
                    },
                )?;
            }
            if self.options.layer_packets {
                map.serialize_entry("packet", &Bytes(self.packet.payload(layer)))?;
            }
        }
        map.end()
    }
}

/// The protocol chain of a packet; `Display` gives `Ethernet:IPv4:TCP`.
pub struct Chain<'p, 'a>(&'p Packet<'a>);

impl Chain<'_, '_> {
    /// Whether the chain contains `name` (a token or an alias such as `IP`), ignoring case.
    pub fn contains(&self, name: &str) -> bool {
        self.0.layers.iter().any(|l| l.header.is_named(name))
    }
}

impl fmt::Display for Chain<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for layer in &self.0.layers {
            if matches!(layer.header, Protocol::NoPayload(_)) {
                continue;
            }
            if !first {
                f.write_str(":")?;
            }
            first = false;
            layer.header.write_token(f)?;
        }
        Ok(())
    }
}

impl Serialize for Chain<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DissectOptions, dissect};

    #[test]
    fn layers_nest_with_packet_last() {
        let frame = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x88, 0xb5, 0xaa];
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        let json = serde_json::to_string(&p.layers_view(SerOptions::default())).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"ethernet":{"dst":"01:02:03:04:05:06","src":"07:08:09:0a:0b:0c","#,
                r#""type":"EtherType::IEEE_Std_802_Local_Experimental_Ethertype_0x88B5 [34997]","#,
                r#""raw":{"protocol":"EtherType::IEEE_Std_802_Local_Experimental_Ethertype_0x88B5 [34997]","error":null,"packet":[170]},"#,
                r#""packet":[170]}}"#
            )
        );
        let json = serde_json::to_string(&p.layers_view(SerOptions {
            layer_packets: false,
        }))
        .unwrap();
        assert!(!json.contains("packet"), "{json}");
        assert_eq!(
            p.protocols().to_string(),
            "Ethernet:IEEE_Std_802_Local_Experimental_Ethertype_0x88B5"
        );
    }
}
