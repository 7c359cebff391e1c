//! The Sent screen: our keysends with message, recipient (contact name when
//! known), amount, fee and status, read from the local index (which is
//! rebuilt from the node's payment history by the session's sync, so nothing
//! depends on this app having sent them). Virtualised like the inbox. A
//! click opens a payment's details beside the list.
//!
//! - [`view`]: the list.
//! - [`detail`]: one payment in full: hash, preimage (proof of payment),
//!   records, fee and the route the node took.

use iced::Task;
use iced::widget::scrollable::AbsoluteOffset;

use crate::gui::export::{self, Export, Rows};

use crate::gui::list::{self, Viewport};
use crate::keysend::PaymentHash;
use crate::node::{NodeError, PaymentUpdate, SharedNode};
use crate::store::ContactBook;
use crate::wallet::{Index, IndexError, SentBoost, SentDetail, SentQuery, SentRow, senders_named};

mod boosts;
mod detail;
mod view;

use detail::Detail;

/// Rows loaded at most (newest first).
const LIMIT: u64 = 2_000;
/// Height of one row, in pixels.
const ROW_HEIGHT: f32 = 62.0;
/// The list's scrollable (kept still under the keyboard cursor).
const LIST_ID: &str = "sent-list";
/// The search field (focused by `/` and Ctrl+F).
const SEARCH_ID: &str = "sent-search";

/// The Sent screen.
pub struct Sent {
    index: Index,
    node: SharedNode,
    rows: Vec<SentRow>,
    viewport: Viewport,
    error: Option<String>,
    /// The payment whose details are open.
    detail: Option<Detail>,
    export: Export,
    /// The grouped boosts, when the Boosts view is shown (`Some(None)`: loading).
    boosts: Option<Option<Vec<SentBoost>>>,
    /// The profile, to name the apps that paid through Connected apps.
    paths: Option<crate::store::Paths>,
    /// The app (Nostr Wallet Connect connection) of a payment, by hash hex.
    apps: std::collections::HashMap<String, String>,
    /// The search as typed, and what the list shows for it.
    search: String,
    query: SentQuery,
    /// Tells the answer for the current search from older ones.
    generation: u64,
    /// The row the arrow keys and j/k are on.
    cursor: Option<usize>,
}

/// Sent events.
#[derive(Debug, Clone)]
pub enum Message {
    /// The rows for the search of this generation.
    Loaded(u64, Result<Vec<SentRow>, IndexError>),
    SearchChanged(String),
    /// Move the keyboard cursor down (positive) or up by rows.
    MoveCursor(i64),
    /// Open the row under the keyboard cursor (Enter).
    OpenCursor,
    /// Put the caret in the search field (`/`, Ctrl+F).
    FocusSearch,
    Scrolled(Viewport),
    /// A row was clicked: open its details.
    Open(PaymentHash),
    /// The index's answer for the payment `hash`.
    DetailLoaded {
        hash: PaymentHash,
        result: Result<Option<SentDetail>, IndexError>,
    },
    /// The node's answer about the payment `hash` (route and hops).
    RouteLoaded {
        hash: PaymentHash,
        result: Result<PaymentUpdate, NodeError>,
    },
    /// Copy a hash or preimage to the clipboard.
    Copy(String),
    Close,
    Export(export::Message),
    /// Show our boosts grouped (or the list again).
    ShowBoosts(bool),
    BoostsLoaded(Result<Vec<SentBoost>, IndexError>),
    /// The apps that made payments (payment hash hex -> connection name).
    AppsLoaded(std::collections::HashMap<String, String>),
}

/// What the parent must do.
pub enum Action {
    None,
    Run(Task<Message>),
}

impl Sent {
    /// The screen over `index`; details ask `node` for the route.
    pub fn new(index: Index, node: SharedNode) -> Self {
        Self {
            index,
            node,
            rows: Vec::new(),
            viewport: Viewport::default(),
            error: None,
            detail: None,
            export: Export::default(),
            boosts: None,
            paths: None,
            apps: std::collections::HashMap::new(),
            search: String::new(),
            query: SentQuery::default(),
            generation: 0,
            cursor: None,
        }
    }

    /// Name the apps that paid through Connected apps (from `paths`' connections).
    pub fn with_apps(mut self, paths: crate::store::Paths) -> Self {
        self.paths = Some(paths);
        self
    }

    /// The app that made the payment `hash`, if one did.
    pub fn app_of(&self, hash: &PaymentHash) -> Option<&str> {
        self.apps.get(&hash.to_hex()).map(String::as_str)
    }

    /// The keyboard cursor's row (tests).
    pub fn cursor(&self) -> Option<usize> {
        self.cursor
    }

    /// The export (tests).
    pub fn export(&self) -> &Export {
        &self.export
    }

    /// The grouped boosts, once the Boosts view loaded them (tests).
    pub fn boosts(&self) -> Option<&[SentBoost]> {
        self.boosts.as_ref()?.as_deref()
    }

    /// Rows loaded (tests).
    pub fn rows(&self) -> &[SentRow] {
        &self.rows
    }

    /// The open payment's details, once loaded (tests).
    pub fn detail(&self) -> Option<&SentDetail> {
        self.detail.as_ref().and_then(Detail::loaded)
    }

    /// Read the list, as searched, from the index.
    pub fn reload(&self) -> Task<Message> {
        let (index, query, generation) = (self.index.clone(), self.query.clone(), self.generation);
        let rows = Task::perform(
            async move { index.call(move |i| i.sent_matching(&query, 0, LIMIT)).await },
            move |result| Message::Loaded(generation, result),
        );
        let Some(paths) = self.paths.clone() else {
            return rows;
        };
        let apps = Task::perform(
            async move {
                tokio::task::spawn_blocking(move || crate::nwc::connection::apps_by_hash(&paths))
                    .await
                    .unwrap_or_default()
            },
            Message::AppsLoaded,
        );
        Task::batch([rows, apps])
    }

    /// Handle an event; `contacts` name recipients for the search.
    pub fn update(&mut self, message: Message, contacts: &ContactBook) -> Action {
        match message {
            Message::Loaded(generation, _) if generation != self.generation => Action::None,
            Message::Loaded(_, Ok(rows)) => self.set(|s| (s.rows, s.error) = (rows, None)),
            Message::Loaded(_, Err(error)) => self.set(|s| s.error = Some(error.to_string())),
            Message::SearchChanged(text) => self.searched(text, contacts),
            Message::MoveCursor(by) => self.move_cursor(by),
            Message::OpenCursor => match self.cursor.and_then(|at| self.rows.get(at)) {
                Some(row) => self.open(row.hash),
                None => Action::None,
            },
            Message::FocusSearch => Action::Run(iced::widget::operation::focus(SEARCH_ID)),
            Message::AppsLoaded(apps) => self.set(|s| s.apps = apps),
            Message::Scrolled(viewport) => self.set(|s| s.viewport = viewport),
            Message::Open(hash) => self.open(hash),
            Message::DetailLoaded { hash, result } => {
                self.with_detail(hash, |d| d.loaded_from_index(result))
            }
            Message::RouteLoaded { hash, result } => {
                self.with_detail(hash, |d| d.route_from_node(result))
            }
            Message::Copy(text) => {
                if let Some(detail) = &mut self.detail {
                    detail.copied(text.clone());
                }
                Action::Run(iced::clipboard::write(text))
            }
            Message::Close => self.set(|s| s.detail = None),
            Message::ShowBoosts(false) => self.set(|s| s.boosts = None),
            Message::ShowBoosts(true) => {
                self.boosts = Some(None);
                let index = self.index.clone();
                Action::Run(Task::perform(
                    async move { index.call(|i| i.sent_boosts(LIMIT)).await },
                    Message::BoostsLoaded,
                ))
            }
            Message::BoostsLoaded(Ok(boosts)) => self.set(|s| {
                if s.boosts.is_some() {
                    s.boosts = Some(Some(boosts));
                }
            }),
            Message::BoostsLoaded(Err(error)) => self.set(|s| s.error = Some(error.to_string())),
            Message::Export(message) => {
                let shown = Rows::Sent(self.query.clone());
                let task = self.export.update(message, shown, &self.index, contacts);
                Action::Run(task.map(Message::Export))
            }
        }
    }

    /// Close the details (Escape); true when they were open.
    pub fn close_detail(&mut self) -> bool {
        self.detail.take().is_some()
    }

    /// The search changed: list what matches, from the top.
    fn searched(&mut self, text: String, contacts: &ContactBook) -> Action {
        let words = text.trim();
        self.query = SentQuery {
            text: (!words.is_empty()).then(|| words.to_owned()),
            recipients_named: senders_named(contacts, words),
            ..SentQuery::default()
        };
        self.search = text;
        self.generation += 1;
        (self.cursor, self.viewport.offset) = (None, 0.0);
        Action::Run(self.reload())
    }

    /// Arrow keys and j/k: move the cursor and keep it in view.
    fn move_cursor(&mut self, by: i64) -> Action {
        let moved = list::move_cursor(self.cursor, by, self.rows.len(), ROW_HEIGHT, self.viewport);
        let Some((at, offset)) = moved else {
            return Action::None;
        };
        self.cursor = Some(at);
        let Some(offset) = offset else {
            return Action::None;
        };
        self.viewport.offset = offset;
        Action::Run(iced::widget::operation::scroll_to(
            LIST_ID,
            AbsoluteOffset {
                x: None,
                y: Some(offset),
            },
        ))
    }

    fn set(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        Action::None
    }

    /// Open `hash`: read it from the index and ask the node for its route.
    fn open(&mut self, hash: PaymentHash) -> Action {
        if let Some(at) = self.rows.iter().position(|r| r.hash == hash) {
            self.cursor = Some(at);
        }
        self.detail = Some(Detail::new(hash));
        let index = self.index.clone();
        let from_index = Task::perform(
            async move { index.call(move |i| i.sent_detail(&hash)).await },
            move |result| Message::DetailLoaded { hash, result },
        );
        let from_node = Task::perform(detail::route(self.node.clone(), hash), move |result| {
            Message::RouteLoaded { hash, result }
        });
        Action::Run(Task::batch([from_index, from_node]))
    }

    /// Apply an answer for `hash` only if that payment is still open.
    fn with_detail(&mut self, hash: PaymentHash, apply: impl FnOnce(&mut Detail)) -> Action {
        if let Some(detail) = self.detail.as_mut().filter(|d| d.hash() == hash) {
            apply(detail);
        }
        Action::None
    }
}
