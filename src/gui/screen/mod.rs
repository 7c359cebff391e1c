//! The screens. Each owns its state, `Message`, `Action`, `update` and
//! `view`; the session maps their actions. A screen that outgrows one file
//! is a folder: `settings.rs` holds the state and `update`, its children
//! (`settings/view.rs`, ...) see its private fields.

pub mod channels;
pub mod connect;
pub mod contacts;
pub mod inbox;
pub mod podcasts;
pub mod send;
pub mod sent;
pub mod settings;
pub mod streams;

use crate::node::NodeInfo;
use crate::store::{ContactBook, Settings};

/// What views read from the session: contacts, settings and our node.
pub struct Env<'a> {
    pub contacts: &'a ContactBook,
    pub settings: &'a Settings,
    pub info: &'a NodeInfo,
    /// The fiat rate, only when fiat amounts are on.
    pub fiat: Option<&'a crate::fiat::FiatState>,
}

impl Env<'_> {
    /// `amount` in the chosen currency with the time of its rate, when
    /// fiat amounts are on and a rate is known.
    pub fn fiat(&self, amount: crate::keysend::Msat) -> Option<String> {
        let currency = &self.settings.fiat.currency;
        self.fiat?.line(
            amount,
            currency,
            crate::fiat::now(),
            &crate::gui::format::full_time,
        )
    }
}

/// The screens of a session, in sidebar order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Inbox,
    Send,
    Contacts,
    Sent,
    Podcasts,
    /// Channel balances and rebalancing (issue 17).
    Channels,
    Streams,
    Settings,
}

impl Screen {
    /// Ctrl+1..4 order.
    pub const NUMBERED: [Self; 4] = [Self::Inbox, Self::Send, Self::Contacts, Self::Sent];

    /// Listed in the sidebar after the numbered ones, before Settings.
    pub const UNNUMBERED: [Self; 3] = [Self::Podcasts, Self::Streams, Self::Channels];

    /// The sidebar label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Inbox => "Inbox",
            Self::Send => "Send",
            Self::Contacts => "Contacts",
            Self::Sent => "Sent",
            Self::Podcasts => "Podcasts",
            Self::Channels => "Channels",
            Self::Streams => "Streams",
            Self::Settings => "Settings",
        }
    }
}
