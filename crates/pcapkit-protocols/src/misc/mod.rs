//! Payloads that are not decoded: `raw` and `nopayload`.

mod nopayload;
mod raw;

pub use nopayload::NoPayload;
pub use raw::Raw;
