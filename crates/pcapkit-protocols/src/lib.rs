//! placeholder

pub mod consts;
