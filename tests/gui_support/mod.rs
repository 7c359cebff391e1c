//! Shared harness for the GUI tests: an in-process simulator, the app booted
//! on it, and `settle`, which runs the tasks `update` returns (the iced_test
//! Simulator does not) and feeds their messages back, as the runtime would.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use iced::Task;
use iced_test::runtime::Action;
use iced_test::runtime::task::into_stream;
use iced_test::simulator::Simulator;
use satchel::gui::{App, Boot, Init, Message};
use satchel::keysend::NodeId;
use satchel::lnd::ConnectSpec;
use satchel::sim::{SimConfig, SimHandle};
use satchel::store::{ContactBook, MemorySecrets, Paths, Settings};
use satchel::web::Web;
use tempfile::TempDir;

/// The simulated window: the app's default size, a little taller.
const WINDOW: iced::Size = iced::Size::new(1200.0, 1000.0);

/// Longest a single task may run before the test gives up on it.
const TASK_DEADLINE: Duration = Duration::from_secs(20);

/// What a test may use before the app boots.
pub struct Before<'a> {
    pub sim: &'a SimHandle,
    pub profile: &'a Paths,
    pub runtime: &'a tokio::runtime::Runtime,
}

/// The app running against a simulated network.
pub struct Harness {
    pub app: App,
    pub sim: SimHandle,
    pub runtime: tokio::runtime::Runtime,
    pub profile: Paths,
    _dirs: (TempDir, TempDir),
}

impl Harness {
    /// Start a sim (with `seed` historical tips), boot the app on it and connect.
    pub fn start(seed: usize, settings: Settings, contacts: ContactBook) -> Self {
        let harness = Self::launch(seed, settings, contacts, |_| {});
        assert!(
            harness.app.session().is_some(),
            "the app connected to the sim"
        );
        harness
    }

    /// Like [`Harness::start`], with the connection spec changed by `edit`
    /// first; the app may stay on the Connect screen.
    pub fn launch(
        seed: usize,
        settings: Settings,
        contacts: ContactBook,
        edit: impl FnOnce(&mut ConnectSpec),
    ) -> Self {
        Self::settled(Self::boot(
            seed,
            settings,
            contacts,
            edit,
            |_| {},
            Web::direct(),
        ))
    }

    /// Like [`Harness::start`], reaching the web as `web` says (a local
    /// HTTPS server's root, a proxy).
    pub fn start_web(seed: usize, settings: Settings, contacts: ContactBook, web: Web) -> Self {
        Self::start_web_edited(seed, settings, contacts, web, |_| {})
    }

    /// Like [`Harness::start_web`], with the connection spec changed by
    /// `edit` first (e.g. a SOCKS proxy).
    pub fn start_web_edited(
        seed: usize,
        settings: Settings,
        contacts: ContactBook,
        web: Web,
        edit: impl FnOnce(&mut ConnectSpec),
    ) -> Self {
        let harness = Self::settled(Self::boot(seed, settings, contacts, edit, |_| {}, web));
        assert!(
            harness.app.session().is_some(),
            "the app connected to the sim"
        );
        harness
    }

    /// Like [`Harness::start`], after `prepare` has run against the sim and
    /// the (still closed) profile: e.g. a journal entry left by a crash.
    pub fn start_after(
        seed: usize,
        settings: Settings,
        contacts: ContactBook,
        prepare: impl FnOnce(&Before<'_>),
    ) -> Self {
        let harness = Self::settled(Self::boot(
            seed,
            settings,
            contacts,
            |_| {},
            prepare,
            Web::direct(),
        ));
        assert!(
            harness.app.session().is_some(),
            "the app connected to the sim"
        );
        harness
    }

    /// A booted harness with its boot's task run.
    fn settled((mut harness, task): (Self, Task<Message>)) -> Self {
        harness.settle(task);
        harness
    }

    /// Boot the app on a sim with `seed` historical tips and return the
    /// boot's task unrun (the test drives it, e.g. to look at a first sync
    /// halfway).
    pub fn boot_unsettled(seed: usize, settings: Settings) -> (Self, Task<Message>) {
        Self::boot(
            seed,
            settings,
            ContactBook::default(),
            |_| {},
            |_| {},
            Web::direct(),
        )
    }

    fn boot(
        seed: usize,
        settings: Settings,
        contacts: ContactBook,
        edit: impl FnOnce(&mut ConnectSpec),
        prepare: impl FnOnce(&Before<'_>),
        web: Web,
    ) -> (Self, Task<Message>) {
        satchel::install_crypto_provider();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (sim_dir, profile_dir) = (TempDir::new().unwrap(), TempDir::new().unwrap());
        let mut config = SimConfig::new(sim_dir.path());
        config.seed_history = seed;
        config.payment_latency = Duration::from_millis(50);
        let sim = runtime
            .block_on(satchel::sim::start(config))
            .expect("sim starts");
        let mut spec = ConnectSpec::from_files(
            &sim.addr().to_string(),
            sim.tls_cert_path(),
            sim.admin_macaroon_path(),
        )
        .unwrap();
        edit(&mut spec);
        let profile = Paths::at(profile_dir.path());
        prepare(&Before {
            sim: &sim,
            profile: &profile,
            runtime: &runtime,
        });
        let boot = Boot {
            paths: profile.clone(),
            demo: false,
            connect: Some(spec),
            warnings: Vec::new(),
        };
        let init = Init {
            boot,
            settings,
            contacts,
            secrets: Arc::new(MemorySecrets::new()),
            web,
        };
        let (app, task) = App::new(init);
        let harness = Self {
            app,
            sim,
            runtime,
            profile,
            _dirs: (sim_dir, profile_dir),
        };
        (harness, task)
    }

    /// Default settings with notifications off (no desktop bus in tests).
    pub fn quiet_settings() -> Settings {
        Settings {
            notifications: false,
            ..Settings::default()
        }
    }

    /// A sim node's id.
    pub fn node(&self, name: &str) -> NodeId {
        self.sim
            .node_id(name)
            .unwrap_or_else(|| panic!("sim has {name}"))
    }

    /// Send a message through `update` and run everything it starts.
    pub fn update(&mut self, message: Message) {
        let task = {
            // iced runs `update` inside its tokio runtime; do the same.
            let _context = self.runtime.enter();
            self.app.update(message)
        };
        self.settle(task);
    }

    /// Run `task` and every task its messages produce, until none are left.
    /// Tasks started together run concurrently, as in the real runtime (a
    /// debounce per keystroke must not add up).
    pub fn settle(&mut self, task: Task<Message>) {
        let _ = self.settle_recording(task);
    }

    /// The messages a set of tasks produce, in arrival order (non-output
    /// actions such as window or system queries are dropped: there is no
    /// window here).
    fn outputs(&self, tasks: Vec<Task<Message>>) -> Vec<Message> {
        let streams: Vec<_> = tasks.into_iter().filter_map(into_stream).collect();
        if streams.is_empty() {
            return Vec::new();
        }
        let mut all = futures::stream::select_all(streams);
        self.runtime.block_on(async move {
            let mut out = Vec::new();
            let deadline = Instant::now() + TASK_DEADLINE;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, all.next()).await {
                    Ok(Some(Action::Output(message))) => out.push(message),
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(_) => panic!("tasks ran for more than {TASK_DEADLINE:?}"),
                }
            }
            out
        })
    }

    /// A headless view of the current state.
    pub fn ui(&self) -> Simulator<'_, Message> {
        Simulator::with_size(iced::Settings::default(), WINDOW, self.app.view())
    }

    /// A headless view of the current state in a window of `size`, laid
    /// out with the app's fonts (where things fall on screen).
    pub fn ui_at(&self, size: iced::Size) -> Simulator<'_, Message> {
        let settings = iced::Settings {
            fonts: satchel::gui::theme::FONT_FILES
                .iter()
                .map(|f| std::borrow::Cow::Borrowed(*f))
                .collect(),
            default_font: satchel::gui::theme::FONT,
            ..iced::Settings::default()
        };
        Simulator::with_size(settings, size, self.app.view())
    }

    /// Render the current view to `<dir>/<name>-<renderer>.png` with the
    /// app's fonts (for looking at it; not compared against anything).
    pub fn render(&self, dir: &std::path::Path, name: &str) {
        let mut ui = self.ui_at(iced::Size::new(1200.0, 780.0));
        let snapshot = ui.snapshot(&self.app.theme()).expect("snapshot");
        let path = dir.join(name);
        // iced_test writes `<name>-<renderer>.png` and only compares when
        // that file exists: remove the old picture so it is written anew.
        for renderer in ["tiny-skia", "wgpu"] {
            let _ = std::fs::remove_file(dir.join(format!("{name}-{renderer}.png")));
        }
        let _ = snapshot.matches_image(&path).expect("png written");
    }

    /// Interact with the view, then apply the messages it produced.
    pub fn interact(&mut self, act: impl FnOnce(&mut Simulator<'_, Message>)) {
        let _ = self.interact_counting(act);
    }

    /// Like [`Harness::interact`]; returns how many of the messages the
    /// view produced started any work (a task), before running it all.
    pub fn interact_counting(&mut self, act: impl FnOnce(&mut Simulator<'_, Message>)) -> usize {
        let messages: Vec<Message> = {
            let mut ui = self.ui();
            act(&mut ui);
            ui.into_messages().collect()
        };
        let tasks: Vec<Task<Message>> = messages
            .into_iter()
            .map(|message| {
                let _context = self.runtime.enter();
                self.app.update(message)
            })
            .collect();
        let started = tasks.iter().filter(|t| t.units() > 0).count();
        self.settle(Task::batch(tasks));
        started
    }

    /// A fresh client of the sim (to look at the node's side of things).
    pub fn client(&self) -> satchel::node::SharedNode {
        client(&self.sim, &self.runtime)
    }

    /// Run the app's subscriptions as the iced runtime does (a stream per
    /// recipe, started when it appears, dropped when it goes; the set is read
    /// again after every message) and apply what they send, with the tasks
    /// it starts, until `done` holds. Returns the desktop notifications the
    /// app showed meanwhile. Panics after `TASK_DEADLINE` without progress.
    pub fn run_subscriptions_until(
        &mut self,
        what: &str,
        done: impl Fn(&Self) -> bool,
    ) -> Vec<satchel::gui::notify::Notice> {
        use iced::advanced::subscription::{Hasher, into_recipes};
        use std::collections::HashMap;
        use std::hash::Hasher as _;

        type Running = futures::stream::BoxStream<'static, Message>;
        let mut running: HashMap<u64, Running> = HashMap::new();
        let mut notices = Vec::new();
        while !done(self) {
            let recipes = into_recipes(self.app.subscription());
            let mut wanted = HashMap::new();
            for recipe in recipes {
                let mut hasher = Hasher::default();
                recipe.hash(&mut hasher);
                let _ = wanted.insert(hasher.finish(), recipe);
            }
            running.retain(|id, _| wanted.contains_key(id));
            for (id, recipe) in wanted {
                if let std::collections::hash_map::Entry::Vacant(slot) = running.entry(id) {
                    let _context = self.runtime.enter();
                    let _ = slot.insert(recipe.stream(futures::stream::pending().boxed()));
                }
            }
            let next = self.runtime.block_on(async {
                let waiting = running.values_mut().map(|s| s.next());
                let any = futures::future::select_all(waiting);
                tokio::time::timeout(TASK_DEADLINE, any).await
            });
            let message = match next {
                Ok((Some(message), _, _)) => message,
                Ok((None, _, _)) => continue,
                Err(_) => {
                    panic!("no subscription message for {TASK_DEADLINE:?} waiting for {what}")
                }
            };
            let task = {
                let _context = self.runtime.enter();
                self.app.update(message)
            };
            notices.extend(self.settle_recording(task));
        }
        notices
    }

    /// [`Harness::settle`], returning the notifications shown.
    fn settle_recording(&mut self, task: Task<Message>) -> Vec<satchel::gui::notify::Notice> {
        use satchel::gui::session::Message as SessionMessage;
        let mut notices = Vec::new();
        let mut wave = vec![task];
        while !wave.is_empty() {
            let messages = self.outputs(std::mem::take(&mut wave));
            for message in messages {
                if let Message::Session(SessionMessage::Notified(notice)) = &message {
                    notices.push(notice.clone());
                }
                let _context = self.runtime.enter();
                wave.push(self.app.update(message));
            }
        }
        notices
    }

    /// Whether the current view shows exactly `text` somewhere.
    pub fn shows(&self, text: &str) -> bool {
        let mut ui = self.ui();
        ui.find(text).is_ok()
    }
}

/// Connect the real LND adapter to `sim` with its admin macaroon.
pub fn client(sim: &SimHandle, runtime: &tokio::runtime::Runtime) -> satchel::node::SharedNode {
    let spec = ConnectSpec::from_files(
        &sim.addr().to_string(),
        sim.tls_cert_path(),
        sim.admin_macaroon_path(),
    )
    .expect("the sim's files are valid");
    let lnd = runtime
        .block_on(satchel::lnd::connect(&spec))
        .expect("connects to the sim");
    Arc::new(lnd)
}

impl Before<'_> {
    /// Pay `to` a keysend of `sat` with `records` from our own node, to its
    /// final state (so the app starts with it in Sent).
    pub fn pay(&self, to: &str, sat: u64, records: satchel::keysend::Records) {
        let node = client(self.sim, self.runtime);
        let keysend = satchel::node::OutgoingKeysend {
            destination: self.sim.node_id(to).expect("sim node"),
            amount: satchel::keysend::Msat::from_sat(sat),
            preimage: satchel::keysend::Preimage::random(),
            records,
            fee_limit: satchel::keysend::Msat::from_sat(10),
            timeout: Duration::from_secs(30),
        };
        self.runtime.block_on(async {
            let mut updates = node.send(keysend);
            while let Some(update) = updates.next().await {
                if update.expect("no stream error").status.is_final() {
                    break;
                }
            }
        });
    }
}
