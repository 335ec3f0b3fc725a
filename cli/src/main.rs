//! The `iamspec` command line.
fn main() {}
