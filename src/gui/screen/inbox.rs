//! The Inbox: received keysends from the local index, newest first, with
//! search and filters. Only the visible rows are built and only a page
//! around them is fetched, so 100,000 tips cost the same as 10. Selecting a
//! row opens the detail pane (see `inbox_detail`). This file holds the
//! state and its updates; `inbox_view` draws it.

use std::time::{Duration, Instant};

use iced::Task;

use crate::gui::history::History;
use crate::gui::list::{self, Viewport};
use crate::gui::screen::Env;
use crate::gui::screen::inbox_detail::{self, Detail};
use crate::gui::sync;
use crate::keysend::{Msat, NodeId};
use crate::node::SharedNode;
use crate::wallet::{InboxQuery, InboxRow, Index, IndexError};

pub use crate::gui::screen::inbox_view::{
    claimed_beside, is_forgery, sender_label, unsigned_message,
};

/// Height of one inbox row, in pixels.
pub const ROW_HEIGHT: f32 = 68.0;
/// Rows fetched around the visible window.
const PAGE: u64 = 120;
/// While a backfill stores pages, the count and rows are reloaded at most
/// this often (the subtitle follows the sync without a reload per page).
pub const SYNC_REFRESH: Duration = Duration::from_millis(500);

/// A loaded slice of the filtered inbox.
#[derive(Debug, Clone, Default)]
pub struct Page {
    offset: u64,
    rows: Vec<InboxRow>,
}

impl Page {
    pub(super) fn get(&self, index: usize) -> Option<&InboxRow> {
        let at = (index as u64).checked_sub(self.offset)?;
        self.rows.get(at as usize)
    }

    fn covers(&self, window: &list::Window, total: u64) -> bool {
        let end = (window.end as u64).min(total);
        window.start as u64 >= self.offset && end <= self.offset + self.rows.len() as u64
    }
}

/// The Inbox screen.
pub struct Inbox {
    index: Index,
    me: NodeId,
    /// Where a verified sender's graph alias is looked up (detail pane).
    graph: Option<SharedNode>,
    pub(super) search: String,
    pub(super) contact: Option<(String, NodeId)>,
    pub(super) podcast: Option<String>,
    pub(super) podcasts: Vec<String>,
    pub(super) show_small: bool,
    pub(super) total: u64,
    pub(super) page: Page,
    generation: u64,
    /// The query of the newest reload, and whether one is running.
    asked: Option<InboxQuery>,
    loading: bool,
    /// Another reload was asked for while one ran: run it once that ends.
    again: bool,
    pub(super) viewport: Viewport,
    pub(super) detail: Option<Detail>,
    pub(super) history: History,
    pub(super) error: Option<String>,
    /// When a backfill page last caused a reload (see [`SYNC_REFRESH`]).
    synced_at: Option<Instant>,
}

/// Inbox events.
#[derive(Debug, Clone)]
pub enum Message {
    SearchChanged(String),
    ContactFilter(Option<(String, NodeId)>),
    PodcastFilter(Option<String>),
    ShowSmallToggled(bool),
    ClearFilters,
    Scrolled(Viewport),
    Loaded(u64, Result<(u64, Page, Vec<String>), IndexError>),
    Verified(Result<usize, IndexError>),
    Select(i64),
    Detail(inbox_detail::Message),
    /// A new keysend arrived (from the live follow).
    Arrived,
}

/// What the parent must do.
pub enum Action {
    None,
    Run(Task<Message>),
    /// Save this sender as a contact (opens the contact form).
    SaveContact(NodeId, String),
    /// The unread count may have changed.
    UnreadChanged,
}

impl Inbox {
    /// An inbox over `index` for our node `me`.
    pub fn new(index: Index, me: NodeId) -> Self {
        Self {
            index,
            me,
            graph: None,
            search: String::new(),
            contact: None,
            podcast: None,
            podcasts: Vec::new(),
            show_small: false,
            total: 0,
            page: Page::default(),
            generation: 0,
            asked: None,
            loading: false,
            again: false,
            viewport: Viewport::default(),
            detail: None,
            history: History::Quiet,
            error: None,
            synced_at: None,
        }
    }

    /// Look verified senders up in `node`'s graph (their alias, for the
    /// detail pane).
    pub fn with_graph(mut self, node: SharedNode) -> Self {
        self.graph = Some(node);
        self
    }

    /// Rows matching the filters.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The loaded rows (for tests and the title).
    pub fn loaded_rows(&self) -> &[InboxRow] {
        &self.page.rows
    }

    /// Reload the visible page (filters changed, new tips, settings changed).
    /// At most one reload runs at a time: asked for while one runs, it runs
    /// once after it (with the state of then), however often it was asked.
    pub fn reload(&mut self, env: &Env<'_>) -> Task<Message> {
        let query = self.query(env.settings.spam_threshold, self.page_offset());
        if self.asked.as_ref() != Some(&query) {
            // A different query: whatever is running now answers an old one.
            self.generation += 1;
            self.asked = Some(query.clone());
        }
        if self.loading {
            self.again = true;
            return Task::none();
        }
        self.loading = true;
        self.again = false;
        let (index, generation) = (self.index.clone(), self.generation);
        Task::perform(
            async move { index.call(move |index| load(index, query)).await },
            move |result| Message::Loaded(generation, result),
        )
    }

    /// What the history line says about the backfill.
    pub fn history(&self) -> History {
        self.history
    }

    /// Follow the backfill. Called from the session's `update` as each
    /// event arrives (never through a task of its own: tasks may deliver
    /// out of order, and a late "progress" would outlive the "finished").
    pub fn sync_event(&mut self, event: &sync::Event) {
        self.history = self.history.next(event);
    }

    /// A backfill stored another page (at `now`): reload the count and rows
    /// so the subtitle follows the sync, at once for the first rows, then at
    /// most every [`SYNC_REFRESH`].
    pub fn stored_more(&mut self, env: &Env<'_>, now: Instant) -> Task<Message> {
        let recent = self
            .synced_at
            .is_some_and(|at| now.saturating_duration_since(at) < SYNC_REFRESH);
        if self.total > 0 && recent {
            return Task::none();
        }
        self.synced_at = Some(now);
        self.reload(env)
    }

    /// Whether a reload is running (tests).
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    fn page_offset(&self) -> u64 {
        let window = list::window(self.total as usize, ROW_HEIGHT, self.viewport);
        (window.start as u64).saturating_sub(PAGE / 4)
    }

    fn query(&self, threshold: Msat, offset: u64) -> InboxQuery {
        let text = self.search.trim();
        InboxQuery {
            text: (!text.is_empty()).then(|| text.to_owned()),
            sender: self.contact.as_ref().map(|(_, id)| *id),
            min_amount: if self.show_small {
                Msat::ZERO
            } else {
                threshold
            },
            podcast: self.podcast.clone(),
            unread_only: false,
            offset,
            limit: PAGE,
        }
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message, env: &Env<'_>) -> Action {
        match message {
            Message::SearchChanged(value) => self.refilter(env, |s| s.search = value),
            Message::ContactFilter(value) => self.refilter(env, |s| s.contact = value),
            Message::PodcastFilter(value) => self.refilter(env, |s| s.podcast = value),
            Message::ShowSmallToggled(value) => self.refilter(env, |s| s.show_small = value),
            Message::ClearFilters => self.refilter(env, Self::clear_filters),
            Message::Scrolled(viewport) => self.scrolled(viewport, env),
            Message::Loaded(generation, result) => self.finished(generation, result, env),
            Message::Verified(result) => self.verified(result, env),
            Message::Select(id) => self.select(id),
            Message::Detail(message) => self.detail_update(message),
            Message::Arrived => Action::Run(self.reload(env)),
        }
    }

    fn clear_filters(&mut self) {
        self.search.clear();
        self.contact = None;
        self.podcast = None;
        self.show_small = false;
    }

    fn refilter(&mut self, env: &Env<'_>, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        self.viewport.offset = 0.0;
        self.page = Page::default();
        Action::Run(self.reload(env))
    }

    fn scrolled(&mut self, viewport: Viewport, env: &Env<'_>) -> Action {
        self.viewport = viewport;
        let window = list::window(self.total as usize, ROW_HEIGHT, viewport);
        if self.page.covers(&window, self.total) {
            return Action::None;
        }
        Action::Run(self.reload(env))
    }

    /// A reload ended: show it if it answers the current query, then run
    /// the one asked for meanwhile, if any.
    fn finished(
        &mut self,
        generation: u64,
        result: Result<(u64, Page, Vec<String>), IndexError>,
        env: &Env<'_>,
    ) -> Action {
        self.loading = false;
        let shown = self.loaded(generation, result);
        if !self.again {
            return shown;
        }
        let next = self.reload(env);
        match shown {
            Action::Run(task) => Action::Run(Task::batch([task, next])),
            _ => Action::Run(next),
        }
    }

    fn loaded(
        &mut self,
        generation: u64,
        result: Result<(u64, Page, Vec<String>), IndexError>,
    ) -> Action {
        if generation != self.generation {
            return Action::None;
        }
        match result {
            Ok((total, page, podcasts)) => {
                let unchecked = unverified_ids(&page.rows);
                (self.total, self.page, self.podcasts, self.error) = (total, page, podcasts, None);
                if unchecked.is_empty() {
                    return Action::None;
                }
                let (index, me) = (self.index.clone(), self.me);
                Action::Run(Task::perform(
                    async move {
                        index
                            .call(move |index| verify_all(index, &unchecked, &me))
                            .await
                    },
                    Message::Verified,
                ))
            }
            Err(error) => {
                self.error = Some(error.to_string());
                Action::None
            }
        }
    }

    fn verified(&mut self, result: Result<usize, IndexError>, env: &Env<'_>) -> Action {
        match result {
            Ok(0) => Action::None,
            Ok(_) => Action::Run(self.reload(env)),
            Err(error) => {
                self.error = Some(error.to_string());
                Action::None
            }
        }
    }

    fn select(&mut self, id: i64) -> Action {
        let (detail, task) = Detail::open(self.index.clone(), self.graph.clone(), self.me, id);
        self.detail = Some(detail);
        Action::Run(task.map(Message::Detail))
    }

    fn detail_update(&mut self, message: inbox_detail::Message) -> Action {
        let Some(detail) = &mut self.detail else {
            return Action::None;
        };
        match detail.update(message) {
            inbox_detail::Action::None => Action::None,
            inbox_detail::Action::Close => {
                self.detail = None;
                Action::None
            }
            inbox_detail::Action::MarkedRead(id) => {
                if let Some(row) = self.page.rows.iter_mut().find(|r| r.id == id) {
                    row.unread = false;
                }
                Action::UnreadChanged
            }
            inbox_detail::Action::SaveContact(id, name) => Action::SaveContact(id, name),
            inbox_detail::Action::Run(task) => Action::Run(task.map(Message::Detail)),
        }
    }

    /// Close the detail pane (Esc).
    pub fn close_detail(&mut self) -> bool {
        self.detail.take().is_some()
    }
}

/// The count, page and podcast menu for `query`, in one index call.
fn load(index: &Index, query: InboxQuery) -> Result<(u64, Page, Vec<String>), IndexError> {
    let total = index.count(&query)?;
    let rows = index.inbox(&query)?;
    let podcasts = index.podcasts(50)?;
    let page = Page {
        offset: query.offset,
        rows,
    };
    Ok((total, page, podcasts))
}

fn unverified_ids(rows: &[InboxRow]) -> Vec<i64> {
    rows.iter()
        .filter(|r| r.verification.is_none() && r.sender_pubkey.is_some())
        .map(|r| r.id)
        .collect()
}

/// Check the signatures of `ids` once (the index caches the results).
fn verify_all(index: &Index, ids: &[i64], me: &NodeId) -> Result<usize, IndexError> {
    for id in ids {
        let _ = index.verify(*id, me)?;
    }
    Ok(ids.len())
}
