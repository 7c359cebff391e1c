//! The Inbox: received keysends from the local index, newest first, with
//! search and filters. Only the visible rows are built and only a page
//! around them is fetched, so 100,000 tips cost the same as 10. Selecting a
//! row opens the detail pane (see `detail`). This file holds the state and
//! its updates; its children `view` and `detail` draw it and see its
//! private fields.

mod boosts;
mod detail;

pub(crate) use boosts::heading as boost_heading;
#[cfg(test)]
mod tests;
mod threads;
mod view;

use std::time::{Duration, Instant};

use iced::Task;
use iced::widget::scrollable::{AbsoluteOffset, RelativeOffset};

use crate::gui::coalesce::Coalesced;
use crate::gui::export::{self, Export, Rows};
use crate::gui::history::History;
use crate::gui::list::{self, Viewport};
use crate::gui::screen::Env;
use crate::gui::sync;
use crate::keysend::{Msat, NodeId};
use crate::node::SharedNode;
use crate::wallet::{
    BoostFilter, InboxQuery, InboxRow, InboxSort, Index, IndexError, Seek, ThreadMessage,
    ThreadSummary, Verification, day_range, refresh_aliases, senders_named,
};
use detail::Detail;

/// Height of one inbox row, in pixels.
pub const ROW_HEIGHT: f32 = 68.0;
/// The list's scrollable (kept still under the selected row).
const LIST_ID: &str = "inbox-list";
/// The search field (focused by `/` and Ctrl+F).
const SEARCH_ID: &str = "inbox-search";
/// Senders checked before a search, at most (see `load`).
const SEARCH_CHECKS: u64 = 5_000;
/// Entries, newest first, among which a search checks senders.
const SEARCH_WINDOW: u64 = 50_000;
/// Rows fetched around the visible window.
const PAGE: u64 = 120;
/// While a backfill stores pages, the count and rows are reloaded at most
/// this often (the subtitle follows the sync without a reload per page).
pub const SYNC_REFRESH: Duration = Duration::from_millis(500);

/// A loaded slice of the filtered inbox, with what the whole filtered
/// list adds up to.
#[derive(Debug, Clone, Default)]
pub struct Page {
    offset: u64,
    rows: Vec<InboxRow>,
    amount: Msat,
    /// Which request to count again this load answers (see
    /// [`Inbox::recount`]); 0: read while scrolling, the count, totals and
    /// menu were not read again.
    counted: u64,
}

impl Page {
    fn get(&self, index: usize) -> Option<&InboxRow> {
        let at = (index as u64).checked_sub(self.offset)?;
        self.rows.get(at as usize)
    }

    fn covers(&self, window: &list::Window, total: u64) -> bool {
        let end = (window.end as u64).min(total);
        window.start as u64 >= self.offset && end <= self.offset + self.rows.len() as u64
    }

    /// How to read rows `at..at + limit` of a `total`-row list in `sort`
    /// order: from its start, from its end, or next to a row of this page
    /// (keyset paging), whichever skips the fewest rows. Returns where to
    /// start, how many rows to skip from there and how many to read.
    fn seek(&self, sort: InboxSort, at: u64, limit: u64, total: u64) -> (Seek, u64, u64) {
        let end = at.saturating_add(limit).min(total).max(at);
        let mut best = (Seek::Start, at);
        if let Some(skip) = total.checked_sub(end).filter(|&skip| skip < best.1) {
            best = (Seek::End, skip);
        }
        let loaded_end = self.offset + self.rows.len() as u64;
        let key = |position: u64| sort.key(&self.rows[(position - self.offset) as usize]);
        if !self.rows.is_empty() {
            // The nearest loaded row above `at`: read on after it.
            if at > self.offset {
                let above = (at - 1).min(loaded_end - 1);
                let skip = at - 1 - above;
                if skip < best.1 {
                    best = (Seek::After(key(above)), skip);
                }
            }
            // The nearest loaded row below the rows wanted: read up to it.
            let below = end.max(self.offset);
            if below < loaded_end && below - end < best.1 {
                best = (Seek::Before(key(below)), below - end);
            }
        }
        (best.0, best.1, end - at)
    }
}

/// What the Inbox shows below its filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxView {
    Tips,
    Boosts,
    Conversations,
}

impl InboxView {
    /// Every view, as the menu offers them.
    pub const ALL: [Self; 3] = [Self::Tips, Self::Boosts, Self::Conversations];
}

impl std::fmt::Display for InboxView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Tips => "All tips",
            Self::Boosts => "Boosts",
            Self::Conversations => "Conversations",
        })
    }
}

/// The Inbox screen.
pub struct Inbox {
    index: Index,
    me: NodeId,
    /// Where a verified sender's graph alias is looked up.
    graph: Option<SharedNode>,
    search: String,
    contact: Option<(String, NodeId)>,
    podcast: Option<String>,
    podcasts: Vec<String>,
    show_small: bool,
    unread_only: bool,
    sort: InboxSort,
    /// The From and To days as typed, what they mean once valid, and why not.
    from_text: String,
    to_text: String,
    range: (Option<i64>, Option<i64>),
    date_error: Option<String>,
    export: Export,
    /// The Boosts view, when shown instead of the list.
    boosts: Option<boosts::Boosts>,
    /// The Conversations view, when shown instead of the list.
    threads: Option<threads::Threads>,
    /// The row the arrow keys and j/k are on (an index in the filtered list).
    cursor: Option<usize>,
    total: u64,
    page: Page,
    generation: u64,
    /// The query of the newest reload.
    asked: Option<InboxQuery>,
    /// Reloads: one running, one more after.
    loading: Coalesced,
    viewport: Viewport,
    detail: Option<Detail>,
    history: History,
    error: Option<IndexError>,
    /// When a backfill page last caused a reload (see [`SYNC_REFRESH`]).
    synced_at: Option<Instant>,
    /// Requests to read the count and totals again (the filters or the
    /// data changed), numbered, and the last one answered: until it is, a
    /// load reads them again rather than only moving the page (scrolling).
    recount: u64,
    recounted: u64,
}

/// Inbox events.
#[derive(Debug, Clone)]
pub enum Message {
    SearchChanged(String),
    ContactFilter(Option<(String, NodeId)>),
    PodcastFilter(Option<String>),
    ShowSmallToggled(bool),
    UnreadOnlyToggled(bool),
    SortChanged(InboxSort),
    FromChanged(String),
    ToChanged(String),
    /// Move the keyboard cursor down (positive) or up by rows.
    MoveCursor(i64),
    /// Open the row under the keyboard cursor (Enter).
    OpenCursor,
    /// Put the caret in the search field (`/`, Ctrl+F).
    FocusSearch,
    Export(export::Message),
    /// Show the list, the Boosts view or the Conversations view.
    ViewChanged(InboxView),
    /// Show the Boosts view (or the list again).
    ShowBoosts(bool),
    BoostsLoaded(u64, Result<boosts::Loaded, IndexError>),
    /// Show the Conversations view (or the list again).
    ShowThreads(bool),
    ThreadsLoaded(u64, Result<Vec<ThreadSummary>, IndexError>),
    OpenThread(NodeId),
    ThreadLoaded(NodeId, Result<Vec<ThreadMessage>, IndexError>),
    /// "Pay…" on a payment request in a thread.
    PayRequest(String),
    ClearFilters,
    Scrolled(Viewport),
    Loaded(u64, Result<(u64, Page, Vec<String>), IndexError>),
    /// Graph aliases of verified senders were looked up (how many).
    Named(Result<usize, IndexError>),
    Select(i64),
    Detail(detail::Message),
    /// A new keysend arrived (from the live follow).
    Arrived,
    MarkAllRead,
    MarkedAllRead(Result<usize, IndexError>),
}

/// What the parent must do.
pub enum Action {
    None,
    Run(Task<Message>),
    /// Save this sender as a contact (opens the contact form).
    SaveContact(NodeId, String),
    /// The unread count may have changed.
    UnreadChanged,
    /// Open the Send screen with this invoice in "To" (it shows what the
    /// invoice asks before anything is paid).
    PayRequest(String),
    /// Reply / Tip back: open the Send screen for this sender.
    TipBack {
        to: NodeId,
        reply_to: crate::keysend::PaymentHash,
        warning: Option<String>,
    },
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
            unread_only: false,
            sort: InboxSort::NewestFirst,
            from_text: String::new(),
            to_text: String::new(),
            range: (None, None),
            date_error: None,
            export: Export::default(),
            boosts: None,
            threads: None,
            cursor: None,
            total: 0,
            page: Page::default(),
            generation: 0,
            asked: None,
            loading: Coalesced::default(),
            viewport: Viewport::default(),
            detail: None,
            history: History::Quiet,
            error: None,
            synced_at: None,
            recount: 1,
            recounted: 0,
        }
    }

    /// Look verified senders up in `node`'s graph (their alias, for the list,
    /// the detail pane and search).
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
        self.recount += 1;
        self.load_page(env)
    }

    /// Load the page around the visible window. After a scroll (nothing
    /// changed but the window) only the page is read, next to the rows
    /// already loaded ([`Page::seek`]); otherwise the count, totals and
    /// podcast menu are read too, and the page by its position.
    fn load_page(&mut self, env: &Env<'_>) -> Task<Message> {
        let mut query = self.query(env, self.page_offset());
        let counting = self.recounted < self.recount;
        let known = (!counting).then(|| (self.total, self.page.amount, self.podcasts.clone()));
        if known.is_some() {
            let (seek, skip, limit) =
                self.page
                    .seek(self.sort, query.offset, query.limit, self.total);
            (query.seek, query.offset, query.limit) = (seek, skip, limit);
        }
        let at = self.page_offset();
        if self.asked.as_ref() != Some(&query) {
            // A different query: whatever is running now answers an old one.
            self.generation += 1;
            self.asked = Some(query.clone());
        }
        if !self.loading.start() {
            return Task::none();
        }
        let (index, generation, me) = (self.index.clone(), self.generation, self.me);
        let counted = if counting { self.recount } else { 0 };
        Task::perform(
            async move {
                let answer = index.call(move |index| load(index, query, at, known, &me));
                answer
                    .await
                    .map(|(total, page, menu)| (total, Page { counted, ..page }, menu))
            },
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
    /// most every [`SYNC_REFRESH`]. `None` while throttled; otherwise the
    /// reload (which does nothing yet if one is running: it runs again after).
    pub fn stored_more(&mut self, env: &Env<'_>, now: Instant) -> Option<Task<Message>> {
        let recent = self
            .synced_at
            .is_some_and(|at| now.saturating_duration_since(at) < SYNC_REFRESH);
        if self.total > 0 && recent {
            return None;
        }
        self.synced_at = Some(now);
        Some(self.reload(env))
    }

    /// Whether a reload is running (tests).
    pub fn is_loading(&self) -> bool {
        self.loading.is_running()
    }

    fn page_offset(&self) -> u64 {
        let window = list::window(self.total as usize, ROW_HEIGHT, self.viewport);
        (window.start as u64).saturating_sub(PAGE / 4)
    }

    /// Whether a search or filter narrows the list.
    fn is_filtered(&self) -> bool {
        !self.search.trim().is_empty()
            || self.contact.is_some()
            || self.podcast.is_some()
            || self.unread_only
            || self.range != (None, None)
    }

    /// What the filtered list adds up to.
    pub fn filtered_amount(&self) -> Msat {
        self.page.amount
    }

    /// The export (tests).
    pub fn export(&self) -> &Export {
        &self.export
    }

    /// The keyboard cursor's row (tests).
    pub fn cursor(&self) -> Option<usize> {
        self.cursor
    }

    /// The open row's id (tests).
    pub fn opened(&self) -> Option<i64> {
        self.detail.as_ref().map(Detail::id)
    }

    fn query(&self, env: &Env<'_>, offset: u64) -> InboxQuery {
        let threshold = env.settings.spam_threshold;
        let text = self.search.trim();
        InboxQuery {
            text: (!text.is_empty()).then(|| text.to_owned()),
            senders_named: senders_named(env.contacts, text),
            sender: self.contact.as_ref().map(|(_, id)| *id),
            min_amount: if self.show_small {
                Msat::ZERO
            } else {
                threshold
            },
            podcast: self.podcast.clone(),
            unread_only: self.unread_only,
            from: self.range.0,
            until: self.range.1,
            sort: self.sort,
            seek: Seek::Start,
            offset,
            limit: PAGE,
        }
    }

    /// The whole list as shown (every page), for "Export shown…".
    fn export_query(&self, env: &Env<'_>) -> InboxQuery {
        InboxQuery {
            limit: u64::MAX,
            ..self.query(env, 0)
        }
    }

    /// Whether an export of what is shown leaves rows out or reorders them.
    fn narrows_export(&self) -> bool {
        self.is_filtered() || self.sort != InboxSort::NewestFirst
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message, env: &Env<'_>) -> Action {
        match message {
            Message::SearchChanged(value) => self.refilter(env, |s| s.search = value),
            Message::ContactFilter(value) => self.refilter(env, |s| s.contact = value),
            Message::PodcastFilter(value) => self.refilter(env, |s| s.podcast = value),
            Message::ShowSmallToggled(value) => self.refilter(env, |s| s.show_small = value),
            Message::UnreadOnlyToggled(value) => self.refilter(env, |s| s.unread_only = value),
            Message::SortChanged(sort) => self.refilter(env, |s| s.sort = sort),
            Message::FromChanged(text) => self.dates_typed(env, |s| s.from_text = text),
            Message::ToChanged(text) => self.dates_typed(env, |s| s.to_text = text),
            Message::MoveCursor(by) => self.move_cursor(by, env),
            Message::OpenCursor => self.open_cursor(),
            Message::FocusSearch => Action::Run(iced::widget::operation::focus(SEARCH_ID)),
            Message::ViewChanged(InboxView::Tips) => self.show_threads(false),
            Message::ViewChanged(InboxView::Boosts) => self.show_boosts(true),
            Message::ViewChanged(InboxView::Conversations) => self.show_threads(true),
            Message::ShowBoosts(show) => self.show_boosts(show),
            Message::BoostsLoaded(generation, result) => {
                if let Some(boosts) = &mut self.boosts {
                    boosts.loaded(generation, result);
                }
                Action::None
            }
            Message::ShowThreads(show) => self.show_threads(show),
            Message::ThreadsLoaded(generation, result) => {
                if let Some(threads) = &mut self.threads {
                    threads.listed(generation, result);
                }
                Action::None
            }
            Message::OpenThread(peer) => match &mut self.threads {
                Some(threads) => Action::Run(threads.open(self.index.clone(), self.me, peer)),
                None => Action::None,
            },
            Message::PayRequest(invoice) => Action::PayRequest(invoice),
            Message::ThreadLoaded(peer, result) => match &mut self.threads {
                Some(threads) => {
                    threads.opened(peer, result);
                    Action::UnreadChanged
                }
                None => Action::None,
            },
            Message::Export(message) => {
                let shown = Rows::Received(self.export_query(env));
                let task = self
                    .export
                    .update(message, shown, &self.index, env.contacts);
                Action::Run(task.map(Message::Export))
            }
            Message::ClearFilters => self.refilter(env, Self::clear_filters),
            Message::Scrolled(viewport) => self.scrolled(viewport, env),
            Message::Loaded(generation, result) => self.finished(generation, result, env),
            Message::Named(result) => self.named(result, env),
            Message::Select(id) => self.select(id),
            Message::Detail(message) => self.detail_update(message),
            Message::Arrived => {
                let threads = match &mut self.threads {
                    Some(threads) => threads.load(self.index.clone()),
                    None => Task::none(),
                };
                Action::Run(Task::batch([self.reload(env), threads]))
            }
            Message::MarkAllRead => {
                let index = self.index.clone();
                Action::Run(Task::perform(
                    async move { index.call(|index| index.mark_all_read()).await },
                    Message::MarkedAllRead,
                ))
            }
            Message::MarkedAllRead(Ok(_)) => {
                for row in &mut self.page.rows {
                    row.unread = false;
                }
                Action::UnreadChanged
            }
            Message::MarkedAllRead(Err(_)) => Action::None,
        }
    }

    fn clear_filters(&mut self) {
        self.search.clear();
        self.contact = None;
        self.podcast = None;
        self.show_small = false;
        self.unread_only = false;
        (self.from_text, self.to_text) = (String::new(), String::new());
        (self.range, self.date_error) = ((None, None), None);
    }

    fn refilter(&mut self, env: &Env<'_>, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        self.viewport.offset = 0.0;
        self.page = Page::default();
        self.cursor = None;
        let boosts = self.load_boosts();
        Action::Run(Task::batch([self.reload(env), boosts]))
    }

    fn show_boosts(&mut self, show: bool) -> Action {
        self.boosts = show.then(boosts::Boosts::default);
        self.threads = None;
        Action::Run(self.load_boosts())
    }

    fn show_threads(&mut self, show: bool) -> Action {
        self.boosts = None;
        self.threads = None;
        if !show {
            return Action::None;
        }
        let mut threads = threads::Threads::default();
        let task = threads.load(self.index.clone());
        self.threads = Some(threads);
        Action::Run(task)
    }

    /// Which view is shown.
    pub fn shown_view(&self) -> InboxView {
        match (&self.boosts, &self.threads) {
            (Some(_), _) => InboxView::Boosts,
            (_, Some(_)) => InboxView::Conversations,
            _ => InboxView::Tips,
        }
    }

    /// The Conversations view, when shown (tests).
    pub fn threads(&self) -> Option<&threads::Threads> {
        self.threads.as_ref()
    }

    /// Reload the Boosts view, if shown, for the podcast and date filters.
    fn load_boosts(&mut self) -> Task<Message> {
        let filter = BoostFilter {
            podcast: self.podcast.clone(),
            since: self.range.0.unwrap_or(i64::MIN),
            until: self.range.1.unwrap_or(i64::MAX),
            limit: boosts::LEGS,
        };
        match &mut self.boosts {
            Some(boosts) => boosts.load(self.index.clone(), filter),
            None => Task::none(),
        }
    }

    /// The Boosts view, when shown (tests).
    pub fn boosts(&self) -> Option<&boosts::Loaded> {
        self.boosts.as_ref().and_then(boosts::Boosts::shown)
    }

    /// A date was typed: filter by the range once both fields read as
    /// dates; until then say what is wrong and keep the last valid range.
    fn dates_typed(&mut self, env: &Env<'_>, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        match day_range(&self.from_text, &self.to_text) {
            Ok(range) if range == self.range => self.set_date_error(None),
            Ok(range) => {
                self.date_error = None;
                self.refilter(env, |s| s.range = range)
            }
            Err(error) => self.set_date_error(Some(error)),
        }
    }

    fn set_date_error(&mut self, error: Option<String>) -> Action {
        self.date_error = error;
        Action::None
    }

    /// Arrow keys and j/k: move the cursor `by` rows (clamped to the
    /// list), scroll it into view and load its page if needed.
    fn move_cursor(&mut self, by: i64, env: &Env<'_>) -> Action {
        let total = self.total as usize;
        let Some((at, offset)) =
            list::move_cursor(self.cursor, by, total, ROW_HEIGHT, self.viewport)
        else {
            return Action::None;
        };
        self.cursor = Some(at);
        let Some(offset) = offset else {
            return Action::None;
        };
        self.viewport.offset = offset;
        let scroll = iced::widget::operation::scroll_to(
            LIST_ID,
            AbsoluteOffset {
                x: None,
                y: Some(offset),
            },
        );
        let window = list::window(total, ROW_HEIGHT, self.viewport);
        if self.page.covers(&window, self.total) {
            return Action::Run(scroll);
        }
        Action::Run(Task::batch([scroll, self.load_page(env)]))
    }

    /// Enter: open the row under the cursor, once loaded.
    fn open_cursor(&mut self) -> Action {
        match self.cursor.and_then(|at| self.page.get(at)) {
            Some(row) => self.select(row.id),
            None => Action::None,
        }
    }

    fn scrolled(&mut self, viewport: Viewport, env: &Env<'_>) -> Action {
        self.viewport = viewport;
        let window = list::window(self.total as usize, ROW_HEIGHT, viewport);
        if self.page.covers(&window, self.total) {
            return Action::None;
        }
        Action::Run(self.load_page(env))
    }

    /// A reload ended: show it if it answers the current query, then run
    /// the one asked for meanwhile, if any.
    fn finished(
        &mut self,
        generation: u64,
        result: Result<(u64, Page, Vec<String>), IndexError>,
        env: &Env<'_>,
    ) -> Action {
        let shown = self.loaded(generation, result);
        if !self.loading.finish() {
            return shown;
        }
        let next = self.load_page(env);
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
                log::debug!("inbox: {} rows loaded of {total}", page.rows.len());
                self.recounted = self.recounted.max(page.counted);
                let tasks = [self.keep_selected(&page), self.name_senders(&page.rows)];
                (self.total, self.page, self.podcasts, self.error) = (total, page, podcasts, None);
                let tasks: Vec<_> = tasks.into_iter().flatten().collect();
                match tasks.is_empty() {
                    true => Action::None,
                    false => Action::Run(Task::batch(tasks)),
                }
            }
            Err(error) => {
                self.error = Some(error);
                Action::None
            }
        }
    }

    /// Look up the graph aliases of verified senders on `rows` never
    /// looked up (shown once found: see [`Message::Named`]).
    fn name_senders(&self, rows: &[InboxRow]) -> Option<Task<Message>> {
        let unnamed = unnamed_verified(rows);
        let graph = self.graph.clone().filter(|_| !unnamed.is_empty())?;
        let index = self.index.clone();
        Some(Task::perform(
            async move { refresh_aliases(&graph, &index, unnamed).await },
            Message::Named,
        ))
    }

    /// New rows above the selected one (a tip arrived): scroll by as many
    /// rows, so the selected row stays where it was under the pointer.
    fn keep_selected(&mut self, new: &Page) -> Option<Task<Message>> {
        let id = self.detail.as_ref()?.id();
        let at = |page: &Page| {
            let pos = page.rows.iter().position(|r| r.id == id)?;
            Some(page.offset + pos as u64)
        };
        let (before, after) = (at(&self.page)?, at(new)?);
        if before == after {
            return None;
        }
        let moved = (after as f32 - before as f32) * ROW_HEIGHT;
        self.viewport.offset = (self.viewport.offset + moved).max(0.0);
        Some(iced::widget::operation::scroll_to(
            LIST_ID,
            AbsoluteOffset {
                x: None,
                y: Some(self.viewport.offset),
            },
        ))
    }

    /// Aliases were looked up: show them (a reload) if any were new.
    fn named(&mut self, result: Result<usize, IndexError>, env: &Env<'_>) -> Action {
        match result {
            Ok(0) => Action::None,
            Ok(_) => Action::Run(self.reload(env)),
            Err(error) => {
                self.error = Some(error);
                Action::None
            }
        }
    }

    fn select(&mut self, id: i64) -> Action {
        if let Some(at) = self.page.rows.iter().position(|r| r.id == id) {
            self.cursor = Some(self.page.offset as usize + at);
        }
        let (detail, task) = Detail::open(self.index.clone(), self.graph.clone(), self.me, id);
        self.detail = Some(detail);
        // Another message starts at its top, not where the last one was read.
        let top = iced::widget::operation::snap_to(detail::SCROLL_ID, RelativeOffset::START);
        Action::Run(Task::batch([task.map(Message::Detail), top]))
    }

    fn detail_update(&mut self, message: detail::Message) -> Action {
        let Some(detail) = &mut self.detail else {
            return Action::None;
        };
        match detail.update(message) {
            detail::Action::None => Action::None,
            detail::Action::Close => {
                self.detail = None;
                Action::None
            }
            detail::Action::MarkedRead(id) => {
                if let Some(row) = self.page.rows.iter_mut().find(|r| r.id == id) {
                    row.unread = false;
                }
                Action::UnreadChanged
            }
            detail::Action::SaveContact(id, name) => Action::SaveContact(id, name),
            detail::Action::Copy(text) => Action::Run(iced::clipboard::write(text)),
            detail::Action::TipBack {
                to,
                reply_to,
                warning,
            } => Action::TipBack {
                to,
                reply_to,
                warning,
            },
        }
    }

    /// Close the detail pane (Esc).
    pub fn close_detail(&mut self) -> bool {
        self.detail.take().is_some()
    }
}

/// The count, totals and podcast menu already shown, when a load only
/// moves the page.
type Known = (u64, Msat, Vec<String>);

/// The count, page (at list position `at`) and podcast menu for `query`,
/// in one index call (the count and menu are `known` after a scroll); the
/// senders of the page not checked yet are verified in the same call (the
/// index caches the result), so a signed tip costs one load.
fn load(
    index: &Index,
    query: InboxQuery,
    at: u64,
    known: Option<Known>,
    me: &NodeId,
) -> Result<(u64, Page, Vec<String>), IndexError> {
    let (total, amount, podcasts) = match known {
        Some(known) => known,
        None => {
            if query.text.is_some() {
                // A search matches verified senders by name: check those not
                // checked yet (cached: a later search finds none left).
                let _ = index.verify_pending_within(me, SEARCH_CHECKS, SEARCH_WINDOW)?;
            }
            let (total, amount) = index.count_and_sum(&query)?;
            (total, amount, index.podcasts(50)?)
        }
    };
    let mut rows = index.inbox(&query)?;
    for row in rows
        .iter_mut()
        .filter(|r| r.verification.is_none() && r.sender_pubkey.is_some())
    {
        row.verification = Some(Verification::of(&index.verify(row.id, me)?));
    }
    let page = Page {
        offset: at,
        rows,
        amount,
        counted: 0,
    };
    Ok((total, page, podcasts))
}

/// Verified senders on `rows` whose graph alias was never looked up.
fn unnamed_verified(rows: &[InboxRow]) -> Vec<NodeId> {
    rows.iter()
        .filter(|r| r.verification.is_some_and(Verification::is_verified) && r.alias.is_none())
        .filter_map(|r| r.sender_pubkey)
        .collect()
}
