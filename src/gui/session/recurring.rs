//! Recurring tips while the window is open: what is due is paid at the start
//! of the session and then once a minute of schedule time, exactly as
//! `satchel recurring run` pays it (same claims, journal and daily cap, so
//! a cron job and the window can both run without paying a period twice).

use std::time::Duration;

use iced::{Subscription, Task};

use super::{Action, Message, Session};
use crate::gui::context::Context;
use crate::wallet::recurring::{self, Payer};
use crate::wallet::stream_store::{STREAMS_FILE, StreamStore};

/// What one run did, as the session shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ran {
    /// "21 sat to Rita" per tip paid.
    pub paid: Vec<String>,
    /// "Rita: why" per tip that could not be paid.
    pub failed: Vec<String>,
}

impl Session {
    /// Pay what is due now (nothing when a run is still going).
    pub(super) fn recurring_run(&mut self, context: &Context) -> Action {
        if self.recurring_busy {
            return Action::None;
        }
        self.recurring_busy = true;
        let (node, journal, info) = (self.node.clone(), self.journal.clone(), self.info.clone());
        let (paths, demo, web) = (context.paths.clone(), context.demo, self.web.clone());
        let fee_limit = context.settings.default_fee_limit;
        Action::Run(Task::perform(
            async move {
                let dir = paths.node_data_dir(&info.id);
                if !dir.join(STREAMS_FILE).exists() {
                    return Ok(Ran::default()); // no tip was ever added here
                }
                let store = StreamStore::open(&dir).map_err(|e| e.to_string())?;
                let now = crate::clock::from_env()?.now_ms();
                if recurring::due(&store, now)
                    .map_err(|e| e.to_string())?
                    .is_empty()
                {
                    return Ok(Ran::default());
                }
                let cache = Some(paths.feeds_cache_dir());
                let feeds = recurring::feed_blocks(&store, now, cache, demo, &web)
                    .await
                    .map_err(|e| e.to_string())?;
                let payer = Payer {
                    node: &node,
                    journal: &journal,
                    info: &info,
                    fee_limit,
                    store: &store,
                    feeds: &feeds,
                };
                let outcomes = recurring::run(&payer, now)
                    .await
                    .map_err(|e| e.to_string())?;
                let safe = |name: &str| crate::keysend::text::display_safe(name, 60);
                let mut ran = Ran::default();
                for o in outcomes {
                    let name = safe(&o.due.tip.name);
                    match (o.paid, o.error) {
                        (true, _) => ran.paid.push(format!("{} to {name}", o.due.tip.amount)),
                        (false, why) => ran
                            .failed
                            .push(format!("{name}: {}", why.as_deref().unwrap_or("not paid"))),
                    }
                }
                Ok(ran)
            },
            Message::RecurringRan,
        ))
    }

    /// A run ended: failures go to the notice bar, payments refresh the
    /// balance and Sent.
    pub(super) fn recurring_ran(&mut self, ran: Result<Ran, String>) -> Action {
        self.recurring_busy = false;
        match ran {
            Ok(ran) => {
                for paid in &ran.paid {
                    log::info!("recurring tip paid: {paid}");
                }
                if !ran.failed.is_empty() {
                    self.notice = Some(format!(
                        "Recurring tips not paid (retried at the next check): {}",
                        ran.failed.join("; ")
                    ));
                }
                self.last_recurring = Some(ran.clone());
                if ran.paid.is_empty() {
                    Action::None
                } else {
                    Action::Run(self.balance_task())
                }
            }
            Err(why) => {
                self.notice = Some(format!("Recurring tips could not be checked: {why}"));
                Action::None
            }
        }
    }

    /// What the last run did (tests, status).
    pub fn last_recurring(&self) -> Option<&Ran> {
        self.last_recurring.as_ref()
    }

    /// A check once a minute of schedule time (`SATCHEL_TIME_SCALE` makes
    /// it more often).
    pub(super) fn recurring_subscription() -> Subscription<Message> {
        let scale = crate::clock::scale_from_env()
            .ok()
            .flatten()
            .unwrap_or(1)
            .max(1);
        let every = (Duration::from_secs(60) / scale).max(Duration::from_millis(200));
        iced::time::every(every).map(|_| Message::RecurringTick)
    }
}
