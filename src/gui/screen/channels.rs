//! The Channels screen (issue 17): local and remote balance per channel,
//! and a rebalance to yourself: pick the channel the liquidity leaves by
//! and the peer it comes back through, an amount and a maximum fee in ppm.
//! The plan and the payment are `wallet::rebalance`, shared with the CLI.

use iced::Task;

use crate::keysend::{Msat, NodeId};
use crate::node::{NodeError, Peer, SharedNode};
use crate::wallet::rebalance::{self, RebalanceError, RebalanceRequest, Rebalanced};
use crate::wallet::{IntentId, Journal};

mod view;

/// The screen's state.
#[derive(Debug, Default)]
pub struct Channels {
    channels: Option<Result<Vec<Peer>, NodeError>>,
    out: Option<u64>,
    in_peer: Option<NodeId>,
    amount: String,
    max_fee_ppm: String,
    /// Bumped by every load, so an older answer is dropped.
    generation: u64,
    status: Status,
}

/// Where the rebalance stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Status {
    #[default]
    Idle,
    Running,
    Done(Rebalanced),
    Refused(String),
}

/// Screen events.
#[derive(Debug, Clone)]
pub enum Message {
    Loaded {
        generation: u64,
        result: Result<Vec<Peer>, NodeError>,
    },
    OutPicked(u64),
    InPicked(NodeId),
    AmountChanged(String),
    MaxFeeChanged(String),
    Rebalance,
    Rebalanced(Result<Rebalanced, RebalanceError>),
}

/// What the session must do.
pub enum Action {
    None,
    Run(Task<Message>),
}

impl Channels {
    /// Read the channels again (on showing the screen).
    pub fn reload(&mut self, node: &SharedNode) -> Task<Message> {
        self.generation += 1;
        let (node, generation) = (node.clone(), self.generation);
        Task::perform(async move { node.peers().await }, move |result| {
            Message::Loaded { generation, result }
        })
    }

    /// The channels as last read (tests).
    pub fn channels(&self) -> Option<&[Peer]> {
        self.channels.as_ref()?.as_ref().ok().map(Vec::as_slice)
    }

    /// The rebalance's state (tests).
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Handle an event; `node` and `own` (our node id) pay the rebalance.
    pub fn update(
        &mut self,
        message: Message,
        (node, journal): (&SharedNode, &Journal),
        own: NodeId,
    ) -> Action {
        match message {
            Message::Loaded { generation, result } => self.loaded(generation, result),
            Message::OutPicked(chan) => self.set(|s| s.out = Some(chan)),
            Message::InPicked(peer) => self.set(|s| s.in_peer = Some(peer)),
            Message::AmountChanged(text) => self.set(|s| s.amount = text),
            Message::MaxFeeChanged(text) => self.set(|s| s.max_fee_ppm = text),
            Message::Rebalance => self.rebalance(node, journal, own),
            Message::Rebalanced(result) => self.rebalanced(result),
        }
    }

    fn set(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        if self.status != Status::Running {
            self.status = Status::Idle;
        }
        Action::None
    }

    fn loaded(&mut self, generation: u64, result: Result<Vec<Peer>, NodeError>) -> Action {
        if generation == self.generation {
            self.channels = Some(result);
        }
        Action::None
    }

    /// The request the form holds, or why it is not one yet.
    fn request(&self) -> Result<RebalanceRequest, String> {
        let out_chan = self.out.ok_or("Pick the channel to send out through.")?;
        let in_peer = self
            .in_peer
            .ok_or("Pick the peer to bring it back through.")?;
        let amount = Msat::parse_sats(&self.amount).map_err(|e| format!("Amount: {e}"))?;
        let max_fee_ppm = self
            .max_fee_ppm
            .trim()
            .parse()
            .map_err(|_| "Max fee: a whole number of ppm.".to_owned())?;
        Ok(RebalanceRequest {
            out_chan,
            in_peer,
            amount,
            max_fee_ppm,
        })
    }

    fn rebalance(&mut self, node: &SharedNode, journal: &Journal, own: NodeId) -> Action {
        if self.status == Status::Running {
            return Action::None;
        }
        let channels = self.channels().unwrap_or_default();
        let plan = self
            .request()
            .and_then(|request| rebalance::plan(channels, request).map_err(|e| e.to_string()));
        let plan = match plan {
            Ok(plan) => plan,
            Err(reason) => {
                self.status = Status::Refused(reason);
                return Action::None;
            }
        };
        self.status = Status::Running;
        // One intent per click that starts a rebalance: the journal refuses
        // the same one twice.
        let (node, journal) = (node.clone(), journal.clone());
        let intent = format!("rebalance-{}", IntentId::new().as_str());
        Action::Run(Task::perform(
            async move { rebalance::run(&node, &journal, intent, own, &plan).await },
            Message::Rebalanced,
        ))
    }

    fn rebalanced(&mut self, result: Result<Rebalanced, RebalanceError>) -> Action {
        self.status = match result {
            Ok(done) => {
                self.channels = Some(Ok(done.channels.clone()));
                Status::Done(done)
            }
            Err(err) => Status::Refused(err.to_string()),
        };
        Action::None
    }
}
