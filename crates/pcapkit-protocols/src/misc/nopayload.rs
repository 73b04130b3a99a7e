//! `nopayload`: the empty payload after a header that carries nothing.

use std::fmt;

use serde::Serialize;

use crate::protocol::Header;

/// An empty payload: shown as `"nopayload": {"packet": ...}` and absent from the chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NoPayload;

impl Header for NoPayload {
    const NAME: &'static str = "NoPayload";
    const KEY: &'static str = "nopayload";
    const LEVEL: Option<crate::Level> = None;

    fn write_token(&self, _f: &mut dyn fmt::Write) -> fmt::Result {
        Ok(())
    }
}
