//! The `videosdk-token` command line.

fn main() {}
