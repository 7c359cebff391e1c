//! The screens. Each owns its state, `Message`, `Action`, `update` and
//! `view`; the session maps their actions.

pub mod connect;
pub mod contact_form;
pub mod contacts;
pub mod inbox;
pub mod inbox_detail;
#[cfg(test)]
mod inbox_tests;
pub mod inbox_view;
pub mod send;
pub mod send_outcome;
pub mod send_view;
pub mod sent;
pub mod settings;
pub mod settings_renderer;

use crate::node::NodeInfo;
use crate::store::{ContactBook, Settings};

/// What views read from the session: contacts, settings and our node.
pub struct Env<'a> {
    pub contacts: &'a ContactBook,
    pub settings: &'a Settings,
    pub info: &'a NodeInfo,
}
