//! The Streams screen: start a stream to a feed or a contact, and the
//! streams running in this session: rate, content time, paid, owed, each
//! recipient's status, pause/resume and stop. The engine is
//! [`crate::wallet::stream`]; this screen only starts it and shows its events.
//!
//! - [`view`]: the form and the running streams.

use std::fmt;
use std::sync::Arc;

use futures::StreamExt;
use iced::Task;
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use crate::keysend::Msat;
use crate::node::{NodeInfo, SharedNode};
use crate::podcast::Episode;
use crate::podcast::boost::BoostContext;
use crate::store::{ContactBook, FeeLimit, Paths};
use crate::wallet::Journal;
use crate::wallet::stream::{
    self, Control, DEFAULT_BATCH_MINUTES, Engine, NewStream, StreamEvent, Target,
};
use crate::wallet::stream_store::{LedgerRow, StreamRow, StreamState, StreamStore};

pub mod episodes;
mod view;

/// The Streams screen.
#[derive(Default)]
pub struct Streams {
    target: String,
    rate: String,
    cap: String,
    /// The feed's items, once read (`None`: not asked).
    episodes: Option<Vec<episodes::Choice>>,
    /// The episode chosen (`None`: the whole show).
    episode: Option<episodes::Choice>,
    error: Option<String>,
    starting: bool,
    /// The daily cap across streams and recurring tips (set in Settings),
    /// as read when the screen was shown; `None` before that.
    daily_cap: Option<Result<Option<Msat>, String>>,
    runs: Vec<Run>,
}

/// One stream started in this session.
struct Run {
    id: String,
    target: String,
    rate: Msat,
    cap: Option<Msat>,
    state: StreamState,
    reason: Option<String>,
    content_minutes: u64,
    ledger: Vec<LedgerRow>,
    note: Option<String>,
    ended: bool,
    control: mpsc::UnboundedSender<Control>,
}

/// A stream ready to run (the engine holds the node, so it is opaque).
#[derive(Clone)]
pub struct Ready(Arc<(Engine, StreamRow)>);

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ready({})", self.0.1.id)
    }
}

/// Streams events.
#[derive(Debug, Clone)]
pub enum Message {
    TargetChanged(String),
    RateChanged(String),
    CapChanged(String),
    /// Read the feed's items to choose an episode.
    LoadEpisodes,
    EpisodesLoaded(Result<Vec<episodes::Choice>, String>),
    EpisodeChosen(episodes::Choice),
    /// The daily cap was read (it is set in Settings).
    DailyCap(Result<Option<Msat>, String>),
    Start,
    Prepared(Result<Ready, String>),
    Event {
        id: String,
        event: StreamEvent,
    },
    Pause(String),
    Resume(String),
    Stop(String),
}

/// What the parent must do.
pub enum Action {
    None,
    Run(Task<Message>),
}

/// What starting a stream needs from the session.
pub struct Needs<'a> {
    pub node: &'a SharedNode,
    pub journal: &'a Journal,
    pub info: &'a NodeInfo,
    pub paths: &'a Paths,
    pub contacts: &'a ContactBook,
    pub fee_limit: FeeLimit,
    pub demo: bool,
    /// How feeds are fetched (through the node's proxy).
    pub web: &'a crate::web::Web,
}

impl Streams {
    /// Handle an event.
    pub fn update(&mut self, message: Message, needs: Needs<'_>) -> Action {
        match message {
            Message::TargetChanged(text) => {
                self.set(|s| (s.target, s.episodes, s.episode) = (text, None, None))
            }
            Message::LoadEpisodes => Action::Run(Task::perform(
                episodes::load(
                    needs.paths.clone(),
                    needs.demo,
                    self.target.trim().to_owned(),
                    needs.web.clone(),
                ),
                Message::EpisodesLoaded,
            )),
            Message::EpisodesLoaded(Ok(choices)) => self.set(|s| s.episodes = Some(choices)),
            Message::EpisodesLoaded(Err(error)) => self.fail(error),
            Message::EpisodeChosen(choice) => self.set(|s| s.episode = Some(choice)),
            Message::RateChanged(text) => self.set(|s| s.rate = text),
            Message::CapChanged(text) => self.set(|s| s.cap = text),
            Message::DailyCap(result) => self.set(|s| s.daily_cap = Some(result)),
            Message::Start => self.start(needs),
            Message::Prepared(result) => self.prepared(result),
            Message::Event { id, event } => self.event(&id, event),
            Message::Pause(id) => self.control(&id, Control::Pause),
            Message::Resume(id) => self.control(&id, Control::Resume),
            Message::Stop(id) => self.control(&id, Control::Stop),
        }
    }

    /// The screen is shown for the node whose data is in `node_data`: read
    /// the daily cap (Settings changes it).
    pub fn shown(&mut self, node_data: std::path::PathBuf) -> Task<Message> {
        Task::perform(
            crate::gui::screen::settings::caps::read(node_data),
            Message::DailyCap,
        )
    }

    /// The feed's items offered, once read (tests).
    pub fn episodes(&self) -> Option<&[episodes::Choice]> {
        self.episodes.as_deref()
    }

    /// How many streams run now (the header shows it).
    pub fn running(&self) -> usize {
        self.runs
            .iter()
            .filter(|r| !r.ended && r.state == StreamState::Running)
            .count()
    }

    fn set(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        self.error = None;
        Action::None
    }

    fn start(&mut self, needs: Needs<'_>) -> Action {
        let cap = match self.cap.trim() {
            "" => None,
            text => match Msat::parse_sats(text) {
                Ok(cap) => Some(cap),
                Err(error) => return self.fail(format!("Cap: {error}")),
            },
        };
        let rate = match stream::parse_rate(&self.rate, cap) {
            Ok(rate) => rate,
            Err(error) => return self.fail(error.to_string()),
        };
        let target = match resolve_node(needs.contacts, &self.target, needs.demo) {
            Ok(target) => target,
            Err(error) => return self.fail(error),
        };
        self.starting = true;
        self.error = None;
        let text = self.target.trim().to_owned();
        let choice = self.episode.clone().unwrap_or_else(episodes::Choice::show);
        let (node, journal, info, paths) = (
            needs.node.clone(),
            needs.journal.clone(),
            needs.info.clone(),
            needs.paths.clone(),
        );
        let (fee_limit, demo, web) = (needs.fee_limit, needs.demo, needs.web.clone());
        Action::Run(Task::perform(
            async move {
                let (target, context) = match target {
                    Some(target) => (target, BoostContext::default()),
                    None => load_feed(&paths, demo, &text, &choice.episode(), &web).await?,
                };
                let store =
                    StreamStore::open(&paths.node_data_dir(&info.id)).map_err(|e| e.to_string())?;
                let clock = crate::clock::from_env()?;
                let new = NewStream {
                    target_text: text,
                    episode: choice.guid.clone().unwrap_or_default(),
                    rate_msat_hour: rate.0 * 60,
                    batch_minutes: DEFAULT_BATCH_MINUTES,
                    cap,
                    context,
                };
                let row = stream::open_or_create(&store, &new, clock.now_ms())
                    .map_err(|e| e.to_string())?;
                let engine = Engine {
                    node,
                    journal,
                    store,
                    clock,
                    info,
                    fee_limit,
                    target,
                };
                Ok(Ready(Arc::new((engine, row))))
            },
            Message::Prepared,
        ))
    }

    fn fail(&mut self, error: String) -> Action {
        self.error = Some(error);
        Action::None
    }

    fn prepared(&mut self, result: Result<Ready, String>) -> Action {
        self.starting = false;
        let ready = match result {
            Ok(ready) => ready,
            Err(error) => return self.fail(error),
        };
        let (engine, row) = (ready.0.0.clone(), ready.0.1.clone());
        if self.runs.iter().any(|r| r.id == row.id && !r.ended) {
            return self.fail("That stream is already running.".into());
        }
        let (control, control_rx) = mpsc::unbounded_channel();
        self.runs.retain(|r| r.id != row.id);
        self.runs.push(Run {
            id: row.id.clone(),
            target: row.target.clone(),
            rate: Msat(row.rate_msat_hour / 60),
            cap: row.cap,
            state: row.state,
            reason: None,
            content_minutes: u64::try_from(row.content_ms / 60_000).unwrap_or(0),
            ledger: Vec::new(),
            note: None,
            ended: false,
            control,
        });
        let id = row.id.clone();
        let events = futures::stream::once(async move {
            let (tx, rx) = mpsc::unbounded_channel();
            drop(tokio::spawn(async move {
                let failed = tx.clone();
                if let Err(error) = engine.run(row, control_rx, None, tx).await {
                    let _ = failed.send(StreamEvent::Failed(error.to_string()));
                }
            }));
            UnboundedReceiverStream::new(rx)
        })
        .flatten();
        Action::Run(Task::run(events, move |event| Message::Event {
            id: id.clone(),
            event,
        }))
    }

    fn event(&mut self, id: &str, event: StreamEvent) -> Action {
        let Some(run) = self.runs.iter_mut().find(|r| r.id == id) else {
            return Action::None;
        };
        match event {
            StreamEvent::Accrued { minute, .. } => run.content_minutes = minute + 1,
            StreamEvent::Capped { reason } => {
                run.state = StreamState::Paused;
                run.reason = Some(reason);
            }
            StreamEvent::Paused => {
                run.state = StreamState::Paused;
                run.reason = Some("paused by you".into());
            }
            StreamEvent::Resumed => (run.state, run.reason) = (StreamState::Running, None),
            StreamEvent::Batch(report) => {
                run.ledger = report.ledger;
                run.note = report.note;
            }
            StreamEvent::Ended { state } => (run.state, run.ended) = (state, true),
            StreamEvent::Failed(reason) => (run.note, run.ended) = (Some(reason), true),
            StreamEvent::Note(note) => run.note = Some(note),
            StreamEvent::Started(_) => {}
        }
        Action::None
    }

    fn control(&mut self, id: &str, control: Control) -> Action {
        if let Some(run) = self.runs.iter().find(|r| r.id == id) {
            let _ = run.control.send(control);
        }
        Action::None
    }
}

/// A contact or pubkey as a target now; `None` when the text is a feed
/// (loaded in the task).
fn resolve_node(book: &ContactBook, text: &str, demo: bool) -> Result<Option<Target>, String> {
    if stream::is_feed(text, demo) {
        return Ok(None);
    }
    let found = book.resolve(text, false).map_err(|e| e.to_string())?;
    let name = found
        .contact
        .map_or_else(|| found.id.short(), |c| c.name.clone());
    Ok(Some(Target::Node { id: found.id, name }))
}

/// A feed's block (the episode's, else the show's) as a target.
async fn load_feed(
    paths: &Paths,
    demo: bool,
    text: &str,
    episode: &Episode,
    web: &crate::web::Web,
) -> Result<(Target, BoostContext), String> {
    let (feed, url) = episodes::read_with_url(paths, demo, text, web).await?;
    let selected = crate::podcast::select(feed, url, episode).map_err(|e| e.to_string())?;
    let windows =
        crate::wallet::stream_vts::windows_fetched(&selected, Some(paths.feeds_cache_dir()), web)
            .await;
    let block = selected.block.clone().map_err(|e| e.to_string())?;
    Ok((
        Target::Feed {
            block,
            context: selected.context.clone(),
            windows,
        },
        selected.context,
    ))
}
