//! The iced desktop app: connect to a node, then contacts, send, inbox, sent
//! and settings. Every node call and file write runs in a `Task` or a
//! `Subscription`; `update` and `view` never do I/O.

pub mod list;
pub mod theme;
pub mod widget;
