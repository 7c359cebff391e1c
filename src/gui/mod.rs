//! The iced desktop app (being integrated; see the full module list in the
//! report). Every node call and file write runs in a `Task` or a
//! `Subscription`; `update` and `view` never do I/O.

pub mod list;
pub mod theme;
pub mod widget;
