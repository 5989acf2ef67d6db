//! atajo: one folder, served to the browser as a terminal, a file explorer and an assistant,
//! kept in sync. See DESIGN.md in the shared folder and docs/protocol.md.
//!
//! The pipeline: `assistant` (natural language → command) → `policy` (judge) → `exec` (run
//! confined) → `history` (record); `workspace` watches the root and `server` broadcasts.

pub mod action;
pub mod assistant;
pub mod cli;
pub mod clock;
pub mod cluster;
pub mod complete;
pub mod config;
#[cfg(feature = "desktop")]
pub mod desktop;
pub mod evaluate;
pub mod exec;
pub mod feed;
pub mod fold;
pub mod history;
pub mod lang;
pub mod metrics;
pub mod policy;
pub mod protocol;
pub mod server;
pub mod session;
pub mod terminal;
pub mod text;
pub mod trim;
pub mod users;
pub mod workspace;
