//! Boosting from the Podcasts screen: building and checking the legs
//! (nothing written or sent), the one confirmation, the live per-leg
//! progress, retries and settlements, and reading what is owed.

use futures::StreamExt;
use iced::Task;

use super::{Message, Podcasts, SCROLL, Stage};
use crate::store::FeeLimit;
use crate::wallet::SendEvent;
use crate::wallet::boost::{self, BoostEvent, BoostInput, PreparedBoost};
use crate::wallet::boost_store::{BoostRecord, LegState};
use crate::wallet::owed::{self, Owed};

impl Podcasts {
    pub(super) fn boost(&mut self, fee_limit: FeeLimit) -> Task<Message> {
        let (Stage::Compose, Some(split), Some(selected), Some(index)) =
            (&self.stage, &self.preview, &self.selected, self.current)
        else {
            return Task::none();
        };
        let (split, feed) = (split.clone(), self.feeds[index].clone());
        let mut context = selected.context.clone();
        context.message = Some(self.message.trim().to_owned()).filter(|m| !m.is_empty());
        context.sender_name = Some(self.sender.trim().to_owned()).filter(|m| !m.is_empty());
        self.prepare(fee_limit, move |input| {
            Box::pin(async move {
                boost::prepare_boost(input, feed, context, &split)
                    .await
                    .map(Some)
            })
        })
    }

    pub(super) fn settle(&mut self, fee_limit: FeeLimit) -> Task<Message> {
        if !matches!(self.stage, Stage::Compose | Stage::Done(_)) {
            return Task::none();
        }
        let sender = Some(self.sender.trim().to_owned()).filter(|m| !m.is_empty());
        self.prepare(fee_limit, move |input| {
            Box::pin(owed::prepare_settle(input, sender))
        })
    }

    pub(super) fn retry(&mut self, id: String, fee_limit: FeeLimit) -> Task<Message> {
        if !matches!(self.stage, Stage::Compose | Stage::Done(_)) {
            return Task::none();
        }
        let journal = self.journal.clone();
        self.prepare(fee_limit, move |input| {
            Box::pin(async move { boost::plan_retry(input, &journal, &id).await.map(Some) })
        })
    }

    /// Build and check the legs (nothing is written or sent), then ask.
    pub(super) fn prepare<F>(&mut self, fee_limit: FeeLimit, build: F) -> Task<Message>
    where
        F: for<'a> FnOnce(BoostInput<'a>) -> boost_future::Prepare<'a> + Send + 'static,
    {
        let store = match &self.store {
            Ok(store) => store.clone(),
            Err(error) => {
                self.error = Some(error.clone());
                return Task::none();
            }
        };
        self.stage = Stage::Preparing;
        self.error = None;
        let (node, info) = (self.node.clone(), self.info.clone());
        Task::perform(
            async move {
                let balance = node.balance().await.ok();
                let input = BoostInput {
                    node: &node,
                    info: &info,
                    balance,
                    store: &store,
                    fee_limit,
                };
                build(input).await.map_err(|e| e.to_string())
            },
            Message::Prepared,
        )
    }

    /// The legs are built: ask (scrolled to the question), or say why not.
    pub(super) fn prepared(
        &mut self,
        result: Result<Option<PreparedBoost>, String>,
    ) -> Task<Message> {
        if !matches!(self.stage, Stage::Preparing) {
            return Task::none();
        }
        self.stage = Stage::Compose;
        match result {
            Ok(Some(prepared)) if prepared.jobs.is_empty() => {
                self.error = Some("nothing is left to send for this boost".into());
            }
            Ok(Some(prepared)) => self.stage = Stage::Confirm(Box::new(prepared)),
            Ok(None) => self.error = Some("nobody is owed 1 sat or more yet".into()),
            Err(error) => self.error = Some(error),
        }
        iced::widget::operation::snap_to(SCROLL, iced::widget::operation::RelativeOffset::START)
    }

    /// The one confirmation: the stage moves on before anything is sent,
    /// so a second click finds nothing to confirm.
    pub(super) fn confirm(&mut self) -> Task<Message> {
        let Ok(store) = self.store.clone() else {
            return Task::none();
        };
        if !matches!(self.stage, Stage::Confirm(_)) {
            return Task::none();
        }
        let Stage::Confirm(prepared) = std::mem::replace(&mut self.stage, Stage::Preparing) else {
            return Task::none();
        };
        let prepared = *prepared;
        self.stage = Stage::Sending(prepared.record.clone());
        let (node, journal) = (self.node.clone(), self.journal.clone());
        let events = match prepared.record.feed == owed::SETTLE_FEED {
            true => owed::dispatch_settle(node, journal, store, prepared).boxed(),
            false => boost::dispatch(node, journal, store, prepared).boxed(),
        };
        Task::run(events, Message::Event)
    }

    pub(super) fn event(&mut self, event: BoostEvent) -> Task<Message> {
        let Stage::Sending(record) = &mut self.stage else {
            return Task::none();
        };
        match event {
            BoostEvent::Recorded { .. } => {}
            BoostEvent::Leg { leg, event } => {
                if let (Some(l), SendEvent::Started { .. }) = (record.legs.get_mut(leg), &event) {
                    l.state = LegState::Dispatched;
                }
                if let (Some(l), SendEvent::Error(error)) = (record.legs.get_mut(leg), &event) {
                    l.error = Some(error.to_string());
                }
            }
            BoostEvent::LegDone { leg, state } => {
                if let Some(l) = record.legs.get_mut(leg) {
                    l.state = state;
                }
            }
            BoostEvent::Failed(error) => {
                self.error = Some(error.to_string());
                self.stage = Stage::Compose;
                return self.refresh();
            }
            BoostEvent::Finished(record) => {
                self.stage = Stage::Done(record);
                return self.refresh();
            }
        }
        Task::none()
    }

    /// Read what is owed and which boosts are unfinished.
    pub(super) fn refresh(&self) -> Task<Message> {
        let Ok(store) = self.store.clone() else {
            return Task::none();
        };
        Task::perform(
            async move {
                store
                    .call(|s| {
                        let owed = owed::owed(s)?;
                        let unfinished = s
                            .unfinished()?
                            .iter()
                            .map(|id| s.get(id))
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok((owed, unfinished))
                    })
                    .await
                    .map_err(|e| e.to_string())
            },
            Message::Refreshed,
        )
    }

    pub(super) fn refreshed(&mut self, result: Result<(Vec<Owed>, Vec<BoostRecord>), String>) {
        match result {
            Ok((owed, unfinished)) => {
                self.owed = owed;
                self.unfinished = unfinished;
                self.repreview();
            }
            Err(error) => self.error = Some(error),
        }
    }
}

/// The future a boost is prepared by (it borrows the input's parts).
mod boost_future {
    use std::future::Future;
    use std::pin::Pin;

    use crate::wallet::boost::{BoostError, PreparedBoost};

    pub type Prepare<'a> =
        Pin<Box<dyn Future<Output = Result<Option<PreparedBoost>, BoostError>> + Send + 'a>>;
}
