//! Zero-copy protocol dissection for pcapkit.
//!
//! [`dissect`] turns one frame into a [`Packet`]: a chain of typed headers, each a struct
//! with PyPCAPKit's field names that serializes through serde, plus byte ranges for the
//! payloads (nothing is copied). A malformed layer ends the chain with a `raw` layer
//! that carries a [`DissectError`] (layer, absolute offset, what); all layers before it
//! stay.
//!
//! ```
//! use pcapkit_core::LinkType;
//! use pcapkit_protocols::{dissect, DissectOptions, link::Ethernet};
//!
//! let frame = [
//!     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // dst
//!     0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42, // src
//!     0x88, 0xb5, 0xde, 0xad, // local experimental EtherType + 2 bytes
//! ];
//! let packet = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
//! let eth = packet.get::<Ethernet>().unwrap();
//! assert_eq!(eth.src.to_string(), "00:0b:82:01:fc:42");
//! assert_eq!(packet.payload(&packet.layers()[0]), &[0xde, 0xad]);
//! ```
#![warn(missing_docs)]

pub mod application;
pub mod consts;
mod dissect;
pub mod error;
pub mod internet;
pub mod link;
pub mod misc;
mod packet;
mod protocol;
mod registry;
pub mod ser;
pub mod transport;
pub mod wire;

pub use dissect::{DEFAULT_MAX_DEPTH, DissectOptions, Stop, dissect, dissect_next};
pub use error::{DissectError, ErrorKind};
pub use packet::{Chain, Layer, LayersView, Packet, SerOptions};
pub use protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto, Transport, UnknownLevel};
pub use registry::{Extract, ProtoId, Protocol};
