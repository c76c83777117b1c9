//! Test and benchmark harness of the workspace (not published). Its crate docs are the
//! README, so the README's Rust examples run as doctests; [`vectors`] reads the golden vectors
//! that Node's `jsonwebtoken` made.
#![doc = include_str!("../README.md")]

pub mod binary;
pub mod c;
pub mod example;
pub mod qemu;
pub mod reference;
pub mod strategies;
pub mod vectors;
