//! How a sender is presented: decided once, here, from the signature check,
//! the name and key the sender gives, our contact book and the node's graph
//! alias. The GUI (list, detail pane), the CLI (text and JSON) and desktop
//! notifications only render a [`ShownSender`].
//!
//! "Verified" is about the node, never the name: a verified sender is shown
//! by our contact name, else its graph alias, else its short key; the name
//! it gives itself (never signed) only as "calls itself ...". A ThunderHub
//! signature names no recipient and no time: it proves only that the node
//! signed the text, so it is never called "signed for your node".

use crate::keysend::NodeId;
use crate::keysend::incoming::{MessageSource, NAME_CHARS, Scheme, Unverified};
use crate::keysend::text::display_safe;
use crate::store::ContactBook;

use super::Verification;

/// What the index knows about a sender, before presentation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderFacts<'a> {
    /// `None` until the signature was checked.
    pub verification: Option<Verification>,
    /// The node id the sender claims.
    pub pubkey: Option<NodeId>,
    /// The name the sender gives itself (34349340, else a boostagram's
    /// `sender_name`).
    pub claimed_name: Option<&'a str>,
    /// The record the shown message came from; `None` without a message.
    pub message_source: Option<MessageSource>,
}

/// Who sent a keysend, as every frontend shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownSender {
    pub who: Who,
    /// The sender's node is verified but the message shown comes from a
    /// record its signature does not cover (a boostagram or a tip note).
    pub text_not_signed: bool,
}

/// The sender, by what a signature proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A signature by `id` checked out (what it proves depends on `scheme`).
    Verified {
        id: NodeId,
        scheme: Scheme,
        /// Our contact with this node id.
        contact: Option<String>,
        /// The node's alias in the graph.
        alias: Option<String>,
        /// The name it gives itself (a claim, never signed).
        claimed: Option<String>,
    },
    /// A signature is present and proves the claim false.
    Forged {
        id: Option<NodeId>,
        /// The claimed name, else our contact's name for the claimed key.
        name: Option<String>,
        problem: Unverified,
    },
    /// A name or key is given, nothing proves it.
    Claimed {
        id: Option<NodeId>,
        /// The claimed name, else our contact's name for the claimed key.
        name: Option<String>,
        /// Why it is not verified; `None` while not checked yet.
        why: Option<Unverified>,
    },
    /// No name, no key.
    Anonymous,
}

/// How much a [`Badge`] vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// The node is proven to have sent it to us.
    Proven,
    /// Something is proven, less than it may seem.
    Partial,
    /// A signature proves the claim false.
    Forged,
}

/// The short label beside a sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Badge {
    pub label: &'static str,
    pub trust: Trust,
}

/// A display-safe, non-empty name.
fn clean(name: Option<&str>) -> Option<String> {
    name.map(|n| display_safe(n, NAME_CHARS))
        .filter(|n| !n.trim().is_empty())
}

impl ShownSender {
    /// The presentation of a sender: `facts` from the index, our `contacts`,
    /// and the graph `alias` of the claimed node (used only when verified).
    pub fn new(facts: SenderFacts<'_>, contacts: &ContactBook, alias: Option<&str>) -> Self {
        let contact = facts
            .pubkey
            .and_then(|id| contacts.by_pubkey(&id))
            .map(|c| display_safe(&c.name, NAME_CHARS));
        let claimed = clean(facts.claimed_name);
        let who = match (facts.verification, facts.pubkey) {
            (Some(Verification::Verified(scheme)), Some(id)) => Who::Verified {
                id,
                scheme,
                contact,
                alias: clean(alias),
                claimed,
            },
            (Some(Verification::Claimed(problem)), id) if problem.is_forgery() => Who::Forged {
                id,
                name: contact.or(claimed),
                problem,
            },
            (Some(Verification::Claimed(problem)), id) => Who::Claimed {
                id,
                name: contact.or(claimed),
                why: Some(problem),
            },
            (_, None) if claimed.is_none() => Who::Anonymous,
            // A name without a key to check (a boostagram's sender_name), a
            // key not checked yet, or "verified" without a key (never stored).
            (verification, id) => Who::Claimed {
                id,
                name: contact.or(claimed),
                why: match verification {
                    None if id.is_some() => None,
                    _ => Some(Unverified::NoSignature),
                },
            },
        };
        let text_not_signed = matches!(who, Who::Verified { .. })
            && facts.message_source.is_some_and(|s| !s.signable());
        Self {
            who,
            text_not_signed,
        }
    }

    /// The node id given, verified or not.
    pub fn id(&self) -> Option<NodeId> {
        match &self.who {
            Who::Verified { id, .. } => Some(*id),
            Who::Forged { id, .. } | Who::Claimed { id, .. } => *id,
            Who::Anonymous => None,
        }
    }

    /// Whether a signature proves the claim false.
    pub fn is_forged(&self) -> bool {
        matches!(self.who, Who::Forged { .. })
    }

    /// `verified`, `signed_text` (ThunderHub), `forged`, `claimed` or
    /// `anonymous` (the CLI's JSON `status`).
    pub fn status(&self) -> &'static str {
        match &self.who {
            Who::Verified {
                scheme: Scheme::Whatsat,
                ..
            } => "verified",
            Who::Verified {
                scheme: Scheme::ThunderHub,
                ..
            } => "signed_text",
            Who::Forged { .. } => "forged",
            Who::Claimed { .. } => "claimed",
            Who::Anonymous => "anonymous",
        }
    }

    /// The main line: a verified node by contact, alias or short key; any
    /// other sender as `claims to be ...`, or `anonymous`.
    pub fn headline(&self) -> String {
        match &self.who {
            Who::Verified {
                id, contact, alias, ..
            } => contact
                .clone()
                .or_else(|| alias.clone())
                .unwrap_or_else(|| id.short()),
            Who::Forged { id, name, .. } | Who::Claimed { id, name, .. } => {
                format!("claims to be {}", claim(name.as_deref(), id.as_ref()))
            }
            Who::Anonymous => "anonymous".to_owned(),
        }
    }

    /// The label beside the headline, if any.
    pub fn badge(&self) -> Option<Badge> {
        let (label, trust) = match &self.who {
            Who::Verified {
                scheme: Scheme::Whatsat,
                ..
            } => ("verified", Trust::Proven),
            Who::Verified {
                scheme: Scheme::ThunderHub,
                ..
            } => ("signed text only", Trust::Partial),
            Who::Forged { .. } => ("forged signature", Trust::Forged),
            Who::Claimed { .. } | Who::Anonymous => return None,
        };
        Some(Badge { label, trust })
    }

    /// Beside a verified node not shown by that name: the name it gives
    /// itself, as a claim (`calls itself “Alice”`).
    pub fn calls_itself(&self) -> Option<String> {
        let Who::Verified { claimed, .. } = &self.who else {
            return None;
        };
        let name = claimed.as_deref()?;
        (name != self.headline()).then(|| format!("calls itself “{name}”"))
    }

    /// What the signature proves, in a sentence (detail pane, CLI).
    pub fn explanation(&self) -> String {
        match &self.who {
            Who::Verified {
                scheme: Scheme::ThunderHub,
                ..
            } => "This node signed the text, nothing more: the signature names no recipient \
                  and no time, so anyone who has the text can send it again."
                .to_owned(),
            Who::Verified { .. } if self.text_not_signed => {
                "Verified: this node sent it to your node, but its signature does not cover \
                 the message shown."
                    .to_owned()
            }
            Who::Verified { .. } => {
                "Verified: this node signed this message for your node.".to_owned()
            }
            Who::Forged { problem, .. } => format!("Forged: {problem}. Treat the name as false."),
            Who::Claimed { why: None, .. } => "Not checked yet: anyone can claim a name.".into(),
            Who::Claimed { why: Some(why), .. } => format!(
                "Not signed in a way Satchel can check ({why}): anyone can claim this name."
            ),
            Who::Anonymous => "The sender did not say who they are.".to_owned(),
        }
    }

    /// One line for a terminal: headline, key, badge, the claimed name and
    /// whether the message is signed.
    pub fn summary(&self) -> String {
        let headline = self.headline();
        let mut parts = vec![match self.id().map(|id| id.short()) {
            Some(key) if !headline.contains(&key) => format!("{headline} ({key})"),
            _ => headline,
        }];
        match &self.who {
            Who::Verified { .. } | Who::Forged { .. } => {
                parts.extend(self.badge().map(|b| b.label.to_owned()));
            }
            Who::Claimed { why: Some(why), .. } => parts.push(format!("unverified: {why}")),
            Who::Claimed { why: None, .. } => parts.push("not checked".to_owned()),
            Who::Anonymous => {}
        }
        parts.extend(self.calls_itself());
        if self.text_not_signed {
            parts.push("message not signed".to_owned());
        }
        parts.join(", ")
    }

    /// Who a notification says it is from: a verified node by name, anyone
    /// else as someone who claims to be it.
    pub fn from_phrase(&self) -> String {
        match &self.who {
            Who::Verified {
                scheme: Scheme::Whatsat,
                ..
            } => self.headline(),
            Who::Verified { .. } => format!("{} (signed text only)", self.headline()),
            Who::Forged { .. } => format!("someone who falsely {}", self.headline()),
            Who::Claimed { .. } => format!("someone who {}", self.headline()),
            Who::Anonymous => "an anonymous sender".to_owned(),
        }
    }
}

/// What a claim names: the name, else the short key.
fn claim(name: Option<&str>, id: Option<&NodeId>) -> String {
    match (name, id) {
        (Some(name), _) => name.to_owned(),
        (None, Some(id)) => id.short(),
        (None, None) => "someone".to_owned(),
    }
}

#[cfg(test)]
#[path = "sender_tests.rs"]
pub(crate) mod tests;
