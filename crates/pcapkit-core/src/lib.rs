//! Capture files for pcapkit: PCAP and PCAPNG reading and writing.
//!
//! The reader hands out borrowed [`RawFrame`]s (no payload copies) from a memory map,
//! stdin or any [`std::io::Read`]; every malformed record ends the stream with a typed
//! [`Error`] that says what went wrong and at which absolute byte offset, after all
//! good frames were delivered.
//!
//! ```
//! use pcapkit_core::{LinkType, Timestamp};
//!
//! let ts = Timestamp::new(1_511_106_545, 471_719_000);
//! assert_eq!(ts.epoch_string(), "1511106545.471719");
//! assert_eq!(LinkType::ETHERNET.0, 1);
//! ```

pub mod consts;
mod frame;

pub use consts::LinkType;
pub use frame::{RawFrame, Timestamp};
