//! The Podcasts screen: the profile's feeds (added by URL or file, kept in
//! `podcasts.json`), the show with its latest episodes and the value block
//! that applies, and boosting it: presets or a custom amount, message and
//! sender name, the per-leg preview (fee legs marked, 0-sat legs warned with
//! the smallest amount that pays everyone, what the ledger carries), one
//! confirmation, live per-leg progress, "Retry failed legs" with the same
//! boost id. What earlier boosts owe is shown with a Settle button, and
//! boosts left unfinished (a crash, a lost node) are offered for retry.
//!
//! Every use case is the wallet's ([`crate::wallet::boost`],
//! [`crate::wallet::owed`]); this file only keeps the screen's state.

use std::path::PathBuf;

use iced::Task;

use crate::gui::context::Context;
use crate::keysend::Msat;
use crate::node::{NodeInfo, SharedNode};
use crate::podcast::load::Loaded;
use crate::podcast::{DEMO_FEED_NAME, Episode, Selected, Split};
use crate::store::FeeLimit;
use crate::wallet::Journal;
use crate::wallet::boost::{self, BoostEvent, PreparedBoost};
use crate::wallet::boost_store::{BoostRecord, BoostStore};
use crate::wallet::owed::Owed;

mod boosting;
mod feeds;
mod view;

/// The boost amounts offered as one click, in sats.
pub const PRESETS: [u64; 4] = [100, 1_000, 5_000, 10_000];
/// The id of the screen's scroll area.
pub(super) const SCROLL: &str = "podcasts";
/// Episodes listed, newest first.
pub const EPISODES: usize = 5;

/// Where the boost form is.
#[derive(Debug, Clone)]
pub enum Stage {
    /// Filling in the form.
    Compose,
    /// The legs are being built and checked.
    Preparing,
    /// Waiting for the one confirmation.
    Confirm(Box<PreparedBoost>),
    /// The legs are out; each leg's state as reported.
    Sending(BoostRecord),
    /// Every leg ended.
    Done(BoostRecord),
}

/// The screen.
pub struct Podcasts {
    node: SharedNode,
    info: NodeInfo,
    journal: Journal,
    store: Result<BoostStore, String>,
    list_file: PathBuf,
    cache: PathBuf,
    demo: bool,
    /// How feeds are fetched: through the node's proxy when it has one.
    web: crate::web::Web,
    feeds: Vec<String>,
    url: String,
    current: Option<usize>,
    generation: u64,
    loading: bool,
    loaded: Option<Loaded>,
    /// The episode boosted: its guid, or `None` for the show.
    episode: Option<String>,
    selected: Option<Selected>,
    preset: Option<u64>,
    custom: String,
    message: String,
    sender: String,
    preview: Option<Split>,
    stage: Stage,
    owed: Vec<Owed>,
    unfinished: Vec<BoostRecord>,
    error: Option<String>,
}

/// Screen events.
#[derive(Debug, Clone)]
pub enum Message {
    UrlChanged(String),
    AddUrl,
    /// Ask for a feed file (the native dialog).
    PickFile,
    FilePicked(Option<PathBuf>),
    Remove(usize),
    Open(usize),
    Loaded {
        generation: u64,
        result: Result<Loaded, String>,
    },
    /// An episode by guid, or the show (`None`).
    EpisodePicked(Option<String>),
    Preset(u64),
    AmountChanged(String),
    MessageChanged(String),
    SenderChanged(String),
    Boost,
    Settle,
    /// Retry the legs of this boost that did not go through.
    Retry(String),
    Prepared(Result<Option<PreparedBoost>, String>),
    Confirm,
    Cancel,
    Event(BoostEvent),
    Refreshed(Result<(Vec<Owed>, Vec<BoostRecord>), String>),
    Saved(Result<(), String>),
    /// Back to the form after a boost ended.
    Dismiss,
}

/// What the session must do.
pub enum Action {
    None,
    Run(Task<Message>),
}

impl Podcasts {
    /// The screen for a session on `node`; reads the feed list and opens
    /// the node's boost records (adopting a profile-level one).
    pub fn new(node: SharedNode, info: NodeInfo, journal: Journal, context: &Context) -> Self {
        let paths = &context.paths;
        let list_file = paths.podcasts_file();
        let (mut feeds, warning) = feeds::load(&list_file, &paths.quarantine_dir());
        if context.demo && !feeds.iter().any(|f| f == DEMO_FEED_NAME) {
            feeds.insert(0, DEMO_FEED_NAME.to_owned());
        }
        let store = BoostStore::open_node(paths, &info.id).map_err(|e| e.to_string());
        Self {
            node,
            info,
            journal,
            store,
            list_file,
            cache: paths.feeds_cache_dir(),
            demo: context.demo,
            web: context.web.clone(),
            feeds,
            url: String::new(),
            current: None,
            generation: 0,
            loading: false,
            loaded: None,
            episode: None,
            selected: None,
            preset: Some(PRESETS[0]),
            custom: String::new(),
            message: String::new(),
            sender: String::new(),
            preview: None,
            stage: Stage::Compose,
            owed: Vec::new(),
            unfinished: Vec::new(),
            error: warning,
        }
    }

    /// The screen is shown: read the ledger, open the first feed once.
    pub fn shown(&mut self) -> Task<Message> {
        let open = match (self.current, self.feeds.is_empty()) {
            (None, false) => self.open(0),
            _ => Task::none(),
        };
        Task::batch([self.refresh(), open])
    }

    /// Handle an event; `fee_limit` is the user's default.
    pub fn update(&mut self, message: Message, fee_limit: FeeLimit) -> Action {
        let task = match message {
            Message::UrlChanged(url) => return self.set(|s| s.url = url),
            Message::AddUrl => self.add(self.url.trim().to_owned()),
            Message::PickFile => pick_file(),
            Message::FilePicked(path) => {
                path.map_or_else(Task::none, |p| self.add(p.display().to_string()))
            }
            Message::Remove(index) => self.remove(index),
            Message::Open(index) => self.open(index),
            Message::Loaded { generation, result } => self.loaded(generation, result),
            Message::EpisodePicked(guid) => return self.set(|s| s.pick_episode(guid)),
            Message::Preset(sats) => return self.set(|s| s.amount(Some(sats), String::new())),
            Message::AmountChanged(text) => return self.set(|s| s.amount(None, text)),
            Message::MessageChanged(text) => return self.set(|s| s.message = text),
            Message::SenderChanged(text) => return self.set(|s| s.sender = text),
            Message::Boost => self.boost(fee_limit),
            Message::Settle => self.settle(fee_limit),
            Message::Retry(id) => self.retry(id, fee_limit),
            Message::Prepared(result) => self.prepared(result),
            Message::Confirm => self.confirm(),
            Message::Cancel => return self.set(|s| s.stage = Stage::Compose),
            Message::Event(event) => self.event(event),
            Message::Refreshed(result) => return self.set(|s| s.refreshed(result)),
            Message::Saved(result) => return self.set(|s| s.error = result.err()),
            Message::Dismiss => return self.set(|s| s.stage = Stage::Compose),
        };
        Action::Run(task)
    }

    fn set(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        Action::None
    }

    // --- the feed list -------------------------------------------------

    fn add(&mut self, feed: String) -> Task<Message> {
        if feed.is_empty() {
            self.error = Some("give a feed address (http or https) or pick a file".into());
            return Task::none();
        }
        let index = match self.feeds.iter().position(|f| *f == feed) {
            Some(index) => index,
            None => {
                self.feeds.push(feed);
                self.feeds.len() - 1
            }
        };
        self.url.clear();
        Task::batch([self.save(), self.open(index)])
    }

    fn remove(&mut self, index: usize) -> Task<Message> {
        if index >= self.feeds.len() {
            return Task::none();
        }
        let _removed = self.feeds.remove(index);
        if self.current == Some(index) {
            self.current = None;
            self.loaded = None;
            self.selected = None;
            self.preview = None;
            self.generation += 1;
        } else if let Some(current) = self.current.filter(|c| *c > index) {
            self.current = Some(current - 1);
        }
        self.save()
    }

    fn save(&self) -> Task<Message> {
        let (path, list) = (self.list_file.clone(), self.saved_feeds());
        Task::perform(async move { feeds::save(&path, &list) }, Message::Saved)
    }

    /// The list as saved: the demo feed is the demo's, never saved.
    fn saved_feeds(&self) -> Vec<String> {
        self.feeds
            .iter()
            .filter(|f| !(self.demo && *f == DEMO_FEED_NAME))
            .cloned()
            .collect()
    }

    /// Fetch feeds as `web` says (the session's proxy).
    #[must_use]
    pub fn with_web(self, web: crate::web::Web) -> Self {
        Self { web, ..self }
    }

    fn open(&mut self, index: usize) -> Task<Message> {
        let Some(feed) = self.feeds.get(index).cloned() else {
            return Task::none();
        };
        self.current = Some(index);
        self.generation += 1;
        self.loading = true;
        self.error = None;
        let (generation, cache, demo) = (self.generation, self.cache.clone(), self.demo);
        let web = self.web.clone();
        Task::perform(
            async move {
                let result = crate::podcast::load::load(Some(cache), demo, &feed, &web)
                    .await
                    .map_err(|e| e.to_string());
                Message::Loaded { generation, result }
            },
            std::convert::identity,
        )
    }

    fn loaded(&mut self, generation: u64, result: Result<Loaded, String>) -> Task<Message> {
        if generation != self.generation {
            return Task::none();
        }
        self.loading = false;
        match result {
            Ok(loaded) => {
                let latest = loaded.feed.latest().and_then(|i| i.guid.clone());
                self.loaded = Some(loaded);
                self.pick_episode(latest);
            }
            Err(error) => {
                self.loaded = None;
                self.selected = None;
                self.preview = None;
                self.error = Some(error);
            }
        }
        Task::none()
    }

    fn pick_episode(&mut self, guid: Option<String>) {
        let Some(loaded) = &self.loaded else {
            return;
        };
        let episode = guid.clone().map_or(Episode::Show, Episode::Guid);
        match crate::podcast::select(loaded.feed.clone(), loaded.url.clone(), &episode) {
            Ok(selected) => {
                self.episode = guid;
                self.selected = Some(selected);
                self.error = None;
            }
            Err(error) => self.error = Some(error.to_string()),
        }
        self.repreview();
    }

    // --- the form ------------------------------------------------------

    fn amount(&mut self, preset: Option<u64>, custom: String) {
        self.preset = preset;
        self.custom = custom;
        self.repreview();
    }

    /// The amount in sats, or why it is not one.
    pub fn sats(&self) -> Result<u64, String> {
        if let Some(sats) = self.preset {
            return Ok(sats);
        }
        let sats = Msat::parse_sats(&self.custom)
            .map_err(|e| e.to_string())?
            .sats();
        match sats {
            0 => Err("the amount must be at least 1 sat".into()),
            sats => Ok(sats),
        }
    }

    /// Split again with what the ledger carries now.
    fn repreview(&mut self) {
        self.preview = None;
        let (
            Ok(store),
            Some(Selected {
                block: Ok(block), ..
            }),
            Ok(sats),
        ) = (&self.store, &self.selected, self.sats())
        else {
            return;
        };
        match boost::split_with_ledger(store, block, sats) {
            Ok(split) => self.preview = Some(split),
            Err(error) => self.error = Some(error.to_string()),
        }
    }

    /// Back out of a dialog (Escape); true when something closed.
    pub fn close_dialog(&mut self) -> bool {
        match self.stage {
            Stage::Confirm(_) | Stage::Done(_) => {
                self.stage = Stage::Compose;
                true
            }
            _ => false,
        }
    }

    // --- for tests -----------------------------------------------------

    /// The feeds listed.
    pub fn feeds(&self) -> &[String] {
        &self.feeds
    }

    /// The feed and episode shown.
    pub fn selected(&self) -> Option<&Selected> {
        self.selected.as_ref()
    }

    /// The legs a boost of the current amount would send.
    pub fn preview(&self) -> Option<&Split> {
        self.preview.as_ref()
    }

    /// Where the boost form is.
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// What earlier boosts owe, per recipient.
    pub fn owed(&self) -> &[Owed] {
        &self.owed
    }

    /// Boosts with legs not paid.
    pub fn unfinished(&self) -> &[BoostRecord] {
        &self.unfinished
    }

    /// The problem shown, if any.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// The native file dialog for a feed file.
fn pick_file() -> Task<Message> {
    let kind = crate::desktop::dialogs::FileKind {
        title: "Add a podcast feed",
        filter_name: "RSS feed",
        extensions: &["xml", "rss"],
    };
    Task::perform(
        crate::desktop::dialogs::open_file(kind),
        Message::FilePicked,
    )
}
