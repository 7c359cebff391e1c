//! The Send screen beyond one keysend path (issue 17), besides AMP: a tip to
//! a contact holding route hints carries them (kept in the journal with the
//! payment, as the CLI's `--hint` and contact hints are), and "Probe first"
//! pays a random hash the receiver must reject, to learn reachability and
//! the fee without paying, as `satchel send --probe` does.

use iced::Task;

use super::{Action, Context, Message, Send};
use crate::gui::screen::Env;
use crate::keysend::NodeId;
use crate::node::OutgoingKeysend;
use crate::node::routing::{HopHint, Probe, Routing};
use crate::wallet::draft::RecipientWarning;
use crate::wallet::receiver::ReceiverWarning;
use crate::wallet::{IntentId, prepare_probed, routed};

/// What "Probe first" found, for the form as it was (`generation`).
#[derive(Debug, Clone)]
pub struct ProbeFirst {
    pub generation: u64,
    pub result: Result<Probe, String>,
}

/// The hints the contact behind `destination` holds (none for a stranger).
pub(super) fn hints_for(cx: &Context<'_>, destination: &NodeId) -> Result<Vec<HopHint>, String> {
    cx.env
        .contacts
        .by_pubkey(destination)
        .map_or(Ok(Vec::new()), routed::contact_hints)
}

/// `keysend` with its contact's route hints kept with it.
pub(super) fn with_contact_hints(
    cx: &Context<'_>,
    keysend: OutgoingKeysend,
) -> Result<OutgoingKeysend, String> {
    let hints = hints_for(cx, &keysend.destination)?;
    Ok(routed::keep_hints(keysend, hints))
}

impl Send {
    /// A receiver without bit 55, explained before sending as the CLI does
    /// (issue 17): it will likely refuse (Eclair's default), with AMP
    /// offered when it announces bit 30/31.
    pub fn receiver_explanation(&self, env: &Env<'_>) -> Option<String> {
        let probe = self.probe(env)?;
        match (probe.warning()?, &probe.graph) {
            (RecipientWarning::NoKeysend, Ok(Some(graph))) => Some(
                ReceiverWarning::NoKeysend {
                    amp: graph.accepts_amp,
                }
                .explain(),
            ),
            _ => None,
        }
    }

    /// "Probe first": prepare the tip as it would be sent, then probe its
    /// route with the contact's hints. Nothing is paid.
    pub(super) fn probe_first(&mut self, cx: &Context<'_>) -> Action {
        let Ok(draft) = self.ready(cx.env) else {
            return Action::None;
        };
        let hints = match hints_for(cx, &draft.destination) {
            Ok(hints) => hints,
            Err(reason) => return self.probed_first(self.generation, Err(reason)),
        };
        let generation = self.generation;
        let (node, info, balance) = (cx.node.clone(), cx.info.clone(), cx.balance);
        let request = draft.request(&IntentId::new());
        let probe = self.probe.clone().filter(|p| p.key == draft.probe_key());
        let routing = Routing {
            route_hints: hints.into_iter().map(|h| vec![h]).collect(),
            ..Routing::default()
        };
        self.probe_first = None;
        Action::Run(Task::perform(
            async move {
                let keysend = prepare_probed(&node, &info, request, balance, probe.as_ref())
                    .await
                    .map_err(|e| e.to_string())?;
                node.probe(keysend, routing)
                    .await
                    .map_err(|e| e.to_string())
            },
            move |result| Message::ProbedFirst(ProbeFirst { generation, result }),
        ))
    }

    pub(super) fn probed_first(
        &mut self,
        generation: u64,
        result: Result<Probe, String>,
    ) -> Action {
        self.probe_first = Some(ProbeFirst { generation, result });
        Action::None
    }

    /// What "Probe first" found, while the form is as it was probed.
    pub fn probe_first_text(&self) -> Option<String> {
        let found = self.probe_first.as_ref()?;
        if found.generation != self.generation {
            return None;
        }
        Some(match &found.result {
            Ok(probe) if probe.reachable => format!(
                "Reachable over {} hop{}; routing fee {}. Nothing was paid.",
                probe.hops,
                if probe.hops == 1 { "" } else { "s" },
                probe.fee
            ),
            Ok(probe) => format!(
                "Not reachable with one path: {} Nothing was paid.",
                probe.failure.explain()
            ),
            Err(reason) => format!("The probe could not run: {reason}"),
        })
    }
}
