//! The Inbox: received keysends from the local index, newest first, with
//! search and filters. Only the visible rows are built and only a page
//! around them is fetched, so 100,000 tips cost the same as 10. Selecting a
//! row opens the detail pane (see `inbox_detail`).

use iced::widget::{
    button, column, container, pick_list, progress_bar, row, space, text, text_input, toggler,
};
use iced::{Alignment, Element, Length, Task};

use crate::gui::list::{self, Viewport};
use crate::gui::screen::Env;
use crate::gui::screen::inbox_detail::{self, Detail};
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::incoming::Unverified;
use crate::keysend::{Msat, NodeId};
use crate::wallet::{InboxQuery, InboxRow, Index, IndexError, Verification};

/// Height of one inbox row, in pixels.
pub const ROW_HEIGHT: f32 = 68.0;
/// Rows fetched around the visible window.
const PAGE: u64 = 120;

/// A loaded slice of the filtered inbox.
#[derive(Debug, Clone, Default)]
pub struct Page {
    offset: u64,
    rows: Vec<InboxRow>,
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
}

/// The Inbox screen.
pub struct Inbox {
    index: Index,
    me: NodeId,
    search: String,
    contact: Option<(String, NodeId)>,
    podcast: Option<String>,
    podcasts: Vec<String>,
    show_small: bool,
    total: u64,
    page: Page,
    generation: u64,
    viewport: Viewport,
    detail: Option<Detail>,
    sync: Option<(u64, u64)>,
    error: Option<String>,
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
    /// History sync progress (records read, keysends stored); `None` when done.
    Progress(Option<(u64, u64)>),
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
            search: String::new(),
            contact: None,
            podcast: None,
            podcasts: Vec::new(),
            show_small: false,
            total: 0,
            page: Page::default(),
            generation: 0,
            viewport: Viewport::default(),
            detail: None,
            sync: None,
            error: None,
        }
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
    pub fn reload(&mut self, env: &Env<'_>) -> Task<Message> {
        self.generation += 1;
        let query = self.query(env.settings.spam_threshold, self.page_offset());
        let (index, generation) = (self.index.clone(), self.generation);
        Task::perform(
            async move {
                index
                    .call(move |index| {
                        let total = index.count(&query)?;
                        let rows = index.inbox(&query)?;
                        let podcasts = index.podcasts(50)?;
                        Ok((
                            total,
                            Page {
                                offset: query.offset,
                                rows,
                            },
                            podcasts,
                        ))
                    })
                    .await
            },
            move |result| Message::Loaded(generation, result),
        )
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
            Message::Loaded(generation, result) => self.loaded(generation, result),
            Message::Verified(result) => self.verified(result, env),
            Message::Select(id) => self.select(id),
            Message::Detail(message) => self.detail_update(message),
            Message::Arrived => Action::Run(self.reload(env)),
            Message::Progress(progress) => {
                self.sync = progress;
                Action::None
            }
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
        let (detail, task) = Detail::open(self.index.clone(), self.me, id);
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

    /// Show the screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let mut body = column![self.filters(env)].spacing(gap::M);
        if let Some((scanned, stored)) = self.sync {
            body = body.push(sync_bar(scanned, stored));
        }
        if let Some(error) = &self.error {
            body = body.push(widget::error_notice(
                error,
                "The list will retry when new tips arrive.",
            ));
        }
        let list = widget::card(self.list(env)).padding(0).height(Length::Fill);
        let content: Element<'a, Message> = match &self.detail {
            Some(detail) => row![
                container(list).width(Length::FillPortion(5)),
                container(detail.view(env).map(Message::Detail)).width(Length::FillPortion(4))
            ]
            .spacing(gap::M)
            .into(),
            None => list.into(),
        };
        let subtitle = format!("{} tips{}", self.total, self.hidden_note(env));
        widget::page("Inbox", Some(subtitle), body.push(content))
    }

    fn hidden_note(&self, env: &Env<'_>) -> String {
        if self.show_small || env.settings.spam_threshold == Msat::ZERO {
            return String::new();
        }
        format!(
            " · below {} hidden",
            format::amount(env.settings.spam_threshold, env.settings.unit)
        )
    }

    fn filters<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let search = text_input("Search messages, names, podcasts…", &self.search)
            .id("inbox-search")
            .on_input(Message::SearchChanged)
            .padding(9)
            .style(theme::input(false));
        let contacts: Vec<ContactChoice> = env
            .contacts
            .contacts()
            .iter()
            .map(|c| ContactChoice(c.name.clone(), c.pubkey))
            .collect();
        let selected = self.contact.clone().map(|(n, id)| ContactChoice(n, id));
        let contact = pick_list(contacts, selected, |c| {
            Message::ContactFilter(Some((c.0, c.1)))
        })
        .placeholder("Any sender")
        .style(theme::pick)
        .padding(8);
        let podcast = pick_list(self.podcasts.clone(), self.podcast.clone(), |p| {
            Message::PodcastFilter(Some(p))
        })
        .placeholder("Any podcast")
        .style(theme::pick)
        .padding(8);
        let small = toggler(self.show_small)
            .label("Show tiny tips")
            .on_toggle(Message::ShowSmallToggled)
            .size(18);
        row![
            container(search).width(Length::FillPortion(3)),
            contact,
            podcast,
            small,
            widget::link("Clear", Message::ClearFilters)
        ]
        .spacing(gap::M)
        .align_y(Alignment::Center)
        .into()
    }

    fn list<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        if self.total == 0 {
            return widget::empty_state(
                "No tips yet",
                "Keysends your node receives appear here as they arrive.",
            );
        }
        let selected = self.detail.as_ref().map(Detail::id);
        let now = chrono::Local::now();
        list::virtual_list(
            self.total as usize,
            ROW_HEIGHT,
            self.viewport,
            move |i| match self.page.get(i) {
                Some(r) => row_view(r, env, selected == Some(r.id), now),
                None => placeholder_row(),
            },
            Message::Scrolled,
        )
    }
}

/// A contact in the sender filter.
#[derive(Debug, Clone, PartialEq)]
struct ContactChoice(String, NodeId);

impl std::fmt::Display for ContactChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a row's sender is shown: contact name, claimed identity or anonymous.
pub fn sender_label(row: &InboxRow, env: &Env<'_>) -> (String, Option<(&'static str, Tone)>) {
    let contact = row
        .sender_pubkey
        .and_then(|id| env.contacts.by_pubkey(&id))
        .map(|c| c.name.clone());
    let claimed = || {
        format!(
            "claims to be {}",
            contact.clone().unwrap_or_else(|| row.sender.clone())
        )
    };
    match row.verification {
        Some(Verification::Verified(_)) => (
            contact.clone().unwrap_or_else(|| row.sender.clone()),
            Some(("verified", Tone::Success)),
        ),
        Some(Verification::Claimed(problem)) if is_forgery(problem) => {
            (claimed(), Some(("bad signature", Tone::Danger)))
        }
        Some(Verification::Anonymous) => ("anonymous".into(), None),
        _ if row.sender_pubkey.is_some() || row.sender != ANONYMOUS_ROW => (claimed(), None),
        _ => ("anonymous".into(), None),
    }
}

/// What the index calls a sender that gave no name or key.
const ANONYMOUS_ROW: &str = "Unknown sender";

/// A signature that is present but proves the claim false.
pub fn is_forgery(problem: Unverified) -> bool {
    matches!(
        problem,
        Unverified::BadSignature | Unverified::OtherRecipient
    )
}

fn row_view<'a>(
    row: &'a InboxRow,
    env: &Env<'a>,
    selected: bool,
    now: chrono::DateTime<chrono::Local>,
) -> Element<'a, Message> {
    let (sender, badge) = sender_label(row, env);
    let mut top = row![].spacing(gap::S).align_y(Alignment::Center);
    if row.unread {
        top = top.push(widget::accent_dot(8.0));
    }
    top = top.push(
        text(sender)
            .font(if row.unread { theme::BOLD } else { theme::FONT })
            .size(size::BODY)
            .wrapping(text::Wrapping::None),
    );
    if let Some((label, tone)) = badge {
        top = top.push(widget::pill(label, tone));
    }
    if let Some(podcast) = &row.podcast {
        top = top.push(widget::pill(podcast.as_str(), Tone::Accent));
    }
    top = top.push(space::horizontal());
    top = top.push(
        text(format::amount(row.amount, env.settings.unit))
            .font(theme::BOLD)
            .wrapping(text::Wrapping::None),
    );
    let preview = if row.preview.is_empty() {
        "(no message)"
    } else {
        row.preview.as_str()
    };
    let bottom = row![
        text(preview)
            .size(size::BODY)
            .style(theme::muted)
            .wrapping(text::Wrapping::None),
        space::horizontal(),
        widget::caption(format::when(row.settled_at, now))
    ]
    .spacing(gap::S);
    button(column![top, bottom].spacing(gap::XS))
        .padding([10, 16])
        .width(Length::Fill)
        .height(ROW_HEIGHT)
        .clip(true)
        .style(theme::row_button(selected))
        .on_press(Message::Select(row.id))
        .into()
}

fn placeholder_row<'a, M: 'a>() -> Element<'a, M> {
    container(text("…").style(theme::muted))
        .padding([10, 16])
        .into()
}

fn sync_bar<'a>(scanned: u64, stored: u64) -> Element<'a, Message> {
    // The node does not say how long its history is: each page read moves the
    // bar closer to full, and it disappears when the last page is in.
    let page = crate::gui::sync::PAGE as f32;
    column![
        widget::caption(format!(
            "Reading your node's history… {scanned} records read, {stored} keysends found"
        )),
        progress_bar(0.0..=1.0, scanned as f32 / (scanned as f32 + page))
            .girth(6)
            .style(theme::progress)
    ]
    .spacing(gap::XS)
    .into()
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
