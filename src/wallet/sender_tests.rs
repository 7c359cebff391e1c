//! The one table of sender presentation: every string below is what the GUI
//! (list row, detail pane), the CLI (text and JSON `status`) and desktop
//! notifications show, since they all render a [`ShownSender`]. The GUI's
//! and the CLI's tests run the same [`cases`] through their renderers.

use super::*;
use crate::store::NewContact;

const KEY: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const SHORT: &str = "0279be66…f81798";

/// One case: what goes in, and what every frontend shows.
#[derive(Clone, Copy)]
pub(crate) struct Case {
    pub what: &'static str,
    verification: Option<Verification>,
    pubkey: bool,
    claimed: Option<&'static str>,
    source: Option<MessageSource>,
    contact: bool,
    alias: Option<&'static str>,
    // Shown:
    pub status: &'static str,
    pub headline: &'static str,
    pub badge: Option<&'static str>,
    pub calls_itself: Option<&'static str>,
    pub summary: &'static str,
    pub from: &'static str,
}

impl Case {
    /// The facts of the case (with the node id it names, if any).
    pub fn facts(&self) -> SenderFacts<'static> {
        SenderFacts {
            verification: self.verification,
            pubkey: self.pubkey.then(|| KEY.parse().unwrap()),
            claimed_name: self.claimed,
            message_source: self.source,
        }
    }

    /// The contact book of the case: "Bob (saved)" for its key, or empty.
    pub fn contacts(&self) -> ContactBook {
        let mut book = ContactBook::new();
        if self.contact {
            let _ = book
                .add(NewContact::new("Bob (saved)", KEY.parse().unwrap()))
                .unwrap();
        }
        book
    }

    /// An inbox row of the case (21 sat, message "hi").
    pub fn row(&self) -> crate::wallet::InboxRow {
        let facts = self.facts();
        crate::wallet::InboxRow {
            sender_name: facts.claimed_name.map(str::to_owned),
            sender_pubkey: facts.pubkey,
            verification: facts.verification,
            message_source: facts.message_source,
            alias: self.alias.map(str::to_owned),
            preview: "hi".into(),
            ..crate::wallet::InboxRow::sample(1)
        }
    }

    /// The presentation of the case.
    pub fn shown(&self) -> ShownSender {
        ShownSender::new(self.facts(), &self.contacts(), self.alias)
    }
}

const WHATSAT: Option<Verification> = Some(Verification::Verified(Scheme::Whatsat));
const THUNDERHUB: Option<Verification> = Some(Verification::Verified(Scheme::ThunderHub));
const CHAT: Option<MessageSource> = Some(MessageSource::Chat);

/// Every case of the table.
pub(crate) fn cases() -> Vec<Case> {
    let base = Case {
        what: "",
        verification: None,
        pubkey: true,
        claimed: None,
        source: CHAT,
        contact: false,
        alias: None,
        status: "",
        headline: "",
        badge: None,
        calls_itself: None,
        summary: "",
        from: "",
    };
    vec![
        Case {
            what: "verified, no name: the short key",
            verification: WHATSAT,
            status: "verified",
            headline: SHORT,
            badge: Some("verified"),
            summary: "0279be66…f81798, verified",
            from: SHORT,
            ..base
        },
        Case {
            what: "verified with a claimed name: the name is only a claim",
            verification: WHATSAT,
            claimed: Some("Alice"),
            status: "verified",
            headline: SHORT,
            badge: Some("verified"),
            calls_itself: Some("calls itself “Alice”"),
            summary: "0279be66…f81798, verified, calls itself “Alice”",
            from: SHORT,
            ..base
        },
        Case {
            what: "verified, known in the graph",
            verification: WHATSAT,
            claimed: Some("Alice"),
            alias: Some("Alice's node"),
            status: "verified",
            headline: "Alice's node",
            badge: Some("verified"),
            calls_itself: Some("calls itself “Alice”"),
            summary: "Alice's node (0279be66…f81798), verified, calls itself “Alice”",
            from: "Alice's node",
            ..base
        },
        Case {
            what: "verified contact: our name wins over the alias",
            verification: WHATSAT,
            claimed: Some("Bob (saved)"),
            contact: true,
            alias: Some("Alice's node"),
            status: "verified",
            headline: "Bob (saved)",
            badge: Some("verified"),
            summary: "Bob (saved) (0279be66…f81798), verified",
            from: "Bob (saved)",
            ..base
        },
        Case {
            what: "forged: a signature that proves the claim false",
            verification: Some(Verification::Claimed(Unverified::BadSignature)),
            claimed: Some("Alice"),
            alias: Some("Alice's node"),
            status: "forged",
            headline: "claims to be Alice",
            badge: Some("forged signature"),
            summary: "claims to be Alice (0279be66…f81798), forged signature",
            from: "someone who falsely claims to be Alice",
            ..base
        },
        Case {
            what: "claimed: no signature",
            verification: Some(Verification::Claimed(Unverified::NoSignature)),
            claimed: Some("Alice"),
            status: "claimed",
            headline: "claims to be Alice",
            summary: "claims to be Alice (0279be66…f81798), unverified: no signature",
            from: "someone who claims to be Alice",
            ..base
        },
        Case {
            what: "claimed key of a contact, not checked yet",
            contact: true,
            status: "claimed",
            headline: "claims to be Bob (saved)",
            summary: "claims to be Bob (saved) (0279be66…f81798), not checked",
            from: "someone who claims to be Bob (saved)",
            ..base
        },
        Case {
            what: "ThunderHub: only the text is signed",
            verification: THUNDERHUB,
            alias: Some("Alice's node"),
            status: "signed_text",
            headline: "Alice's node",
            badge: Some("signed text only"),
            summary: "Alice's node (0279be66…f81798), signed text only",
            from: "Alice's node (signed text only)",
            ..base
        },
        Case {
            what: "anonymous",
            verification: Some(Verification::Anonymous),
            pubkey: false,
            status: "anonymous",
            headline: "anonymous",
            summary: "anonymous",
            from: "an anonymous sender",
            ..base
        },
        Case {
            what: "a boostagram's sender_name: a claim without a key",
            verification: Some(Verification::Anonymous),
            pubkey: false,
            claimed: Some("podcaster \u{202E}"),
            source: Some(MessageSource::Boostagram),
            status: "claimed",
            headline: "claims to be podcaster",
            summary: "claims to be podcaster, unverified: no signature",
            from: "someone who claims to be podcaster",
            ..base
        },
        Case {
            what: "verified sender, message from a record the signature does not cover",
            verification: WHATSAT,
            source: Some(MessageSource::TipNote),
            status: "verified",
            headline: SHORT,
            badge: Some("verified"),
            summary: "0279be66…f81798, verified, message not signed",
            from: SHORT,
            ..base
        },
    ]
}

#[test]
fn every_frontend_shows_a_sender_the_same_way() {
    for case in cases() {
        let shown = case.shown();
        let what = case.what;
        assert_eq!(shown.status(), case.status, "{what}");
        assert_eq!(shown.headline(), case.headline, "{what}");
        assert_eq!(shown.badge().map(|b| b.label), case.badge, "{what}");
        assert_eq!(shown.calls_itself().as_deref(), case.calls_itself, "{what}");
        assert_eq!(shown.summary(), case.summary, "{what}");
        assert_eq!(shown.from_phrase(), case.from, "{what}");
        assert_eq!(
            shown.text_not_signed,
            case.summary.ends_with("message not signed"),
            "{what}"
        );
        let explanation = shown.explanation();
        assert!(
            !explanation.contains("for your node") || case.status == "verified",
            "{what}: {explanation}"
        );
    }
}

#[test]
fn thunderhub_proves_only_that_the_node_signed_the_text() {
    let shown = ShownSender::new(
        SenderFacts {
            verification: THUNDERHUB,
            pubkey: Some(KEY.parse().unwrap()),
            claimed_name: None,
            message_source: CHAT,
        },
        &ContactBook::new(),
        None,
    );
    let explanation = shown.explanation();
    assert!(
        explanation.starts_with("This node signed the text"),
        "{explanation}"
    );
    assert!(!explanation.contains("your node"), "{explanation}");
    assert_eq!(shown.badge().map(|b| b.trust), Some(Trust::Partial));
}
