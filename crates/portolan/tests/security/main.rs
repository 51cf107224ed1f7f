//! The security suite (issue 17): one hostile fixture per way a repository's
//! content was found to reach outside what portolan owns or to put script
//! in front of a reader. Each case builds its catalog in a temp directory
//! and runs the real binary. Cases that guard a user's files snapshot every
//! byte of them first and assert every byte is still there afterwards.
//!
//! SECURITY.md at the repository root lists the guarantees and which module
//! here tests each one.

mod docs;
mod hostile;
mod inputs;
mod output;
mod serve;
mod text;
mod theme;
