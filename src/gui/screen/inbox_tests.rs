//! Tests of the Inbox's reload coalescing: one reload in flight at most,
//! one more after it when asked for meanwhile, stale answers never shown.

use super::Env;
use super::inbox::{Action, Inbox, Message};
use crate::node::{Network, NodeInfo};
use crate::store::{ContactBook, Settings};
use crate::wallet::Index;

/// A public key that parses (the generator point).
const ME: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

fn info() -> NodeInfo {
    NodeInfo {
        id: ME.parse().expect("node id"),
        alias: "me".into(),
        color: "#000000".into(),
        network: Network::Regtest,
        synced_to_chain: true,
        synced_to_graph: true,
        block_height: 1,
        version: "test".into(),
        active_channels: 0,
        accepts_keysend: true,
    }
}

fn units(action: Action) -> usize {
    match action {
        Action::Run(task) => task.units(),
        _ => 0,
    }
}

#[test]
fn reloads_coalesce_into_one_more_after_the_running_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open(&dir.path().join("index.db")).expect("index");
    let (contacts, settings, info) = (ContactBook::new(), Settings::default(), info());
    let env = Env {
        contacts: &contacts,
        settings: &settings,
        info: &info,
    };
    let mut inbox = Inbox::new(index, info.id);
    assert_eq!(
        units(inbox.update(Message::Arrived, &env)),
        1,
        "the first runs"
    );
    assert!(inbox.is_loading());
    for _ in 0..50 {
        assert_eq!(
            units(inbox.update(Message::Arrived, &env)),
            0,
            "no second in flight"
        );
    }
    // The running reload ends (same query: its answer is shown), and exactly
    // one more runs for the 50 asked for meanwhile.
    let answer = Ok((7, Default::default(), vec!["pod".to_owned()]));
    assert_eq!(units(inbox.update(Message::Loaded(1, answer), &env)), 1);
    assert_eq!(inbox.total(), 7);
    assert!(inbox.is_loading());
    let answer = Ok((8, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(1, answer), &env)), 0);
    assert_eq!(inbox.total(), 8);
    assert!(!inbox.is_loading(), "nothing more was asked for");
}

#[test]
fn an_answer_to_an_older_query_is_dropped_and_the_new_one_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open(&dir.path().join("index.db")).expect("index");
    let (contacts, settings, info) = (ContactBook::new(), Settings::default(), info());
    let env = Env {
        contacts: &contacts,
        settings: &settings,
        info: &info,
    };
    let mut inbox = Inbox::new(index, info.id);
    assert_eq!(units(inbox.update(Message::Arrived, &env)), 1);
    let typed = Message::SearchChanged("lightning".into());
    assert_eq!(
        units(inbox.update(typed, &env)),
        0,
        "waits for the running one"
    );
    let stale = Ok((99, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(1, stale), &env)), 1);
    assert_eq!(
        inbox.total(),
        0,
        "the unfiltered count is not shown for the search"
    );
    let fresh = Ok((3, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(2, fresh), &env)), 0);
    assert_eq!(inbox.total(), 3);
}

/// "verified" belongs to the node: a verified row shows our contact name or
/// the short key, and the name the sender gives itself only as a claim.
#[test]
fn verified_rows_name_the_node_and_show_the_claimed_name_as_a_claim() {
    use super::inbox::{claimed_beside, sender_label};
    use crate::gui::theme::Tone;
    use crate::keysend::incoming::{MessageSource, Scheme, Unverified};
    use crate::keysend::{Msat, NodeId, PaymentHash};
    use crate::store::NewContact;
    use crate::wallet::{InboxRow, Verification};

    let key: NodeId = ME.parse().expect("node id");
    let row = |sender: String, verification| InboxRow {
        id: 1,
        hash: PaymentHash::from_bytes([1; 32]),
        amount: Msat::from_sat(5),
        settled_at: 0,
        sender,
        sender_pubkey: Some(key),
        verification,
        preview: "hi".into(),
        message_source: Some(MessageSource::Chat),
        podcast: None,
        unread: false,
    };
    let verified = Some(Verification::Verified(Scheme::Whatsat));
    let (settings, info) = (Settings::default(), info());
    let mut contacts = ContactBook::new();
    let strangers = ContactBook::new();
    let _ = contacts
        .add(NewContact::new("Bob (saved)", key))
        .expect("contact");
    let env = |contacts| Env {
        contacts,
        settings: &settings,
        info: &info,
    };
    let claims_alice = row("Alice".into(), verified);
    let verified_badge = Some(("verified", Tone::Success));
    // (row, contacts, label, badge, claim beside it)
    let cases = [
        (
            &claims_alice,
            &strangers,
            key.short(),
            verified_badge,
            Some("calls itself Alice"),
        ),
        (
            &claims_alice,
            &contacts,
            "Bob (saved)".into(),
            verified_badge,
            None,
        ),
        (
            &row(key.short(), verified),
            &strangers,
            key.short(),
            verified_badge,
            None,
        ),
        (
            &row(
                "Alice".into(),
                Some(Verification::Claimed(Unverified::NoSignature)),
            ),
            &strangers,
            "claims to be Alice".into(),
            None,
            None,
        ),
    ];
    for (row, book, label, badge, claim) in cases {
        let env = env(book);
        assert_eq!(sender_label(row, &env), (label, badge), "{row:?}");
        assert_eq!(claimed_beside(row, &env).as_deref(), claim, "{row:?}");
    }
}

/// While the first sync stores pages the count follows it: the first page
/// reloads at once, later ones at most every `SYNC_REFRESH`.
#[test]
fn pages_stored_by_a_backfill_refresh_the_count_throttled() {
    use super::inbox::SYNC_REFRESH;
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open(&dir.path().join("index.db")).expect("index");
    let (contacts, settings, info) = (ContactBook::new(), Settings::default(), info());
    let env = Env {
        contacts: &contacts,
        settings: &settings,
        info: &info,
    };
    let mut inbox = Inbox::new(index, info.id);
    let start = Instant::now();
    let ms = |n| start + Duration::from_millis(n);
    assert_eq!(inbox.stored_more(&env, start).units(), 1, "the first rows");
    let first = Ok((2_000, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(1, first), &env)), 0);
    assert_eq!(inbox.total(), 2_000);
    for at in [1, 100, 499] {
        assert_eq!(inbox.stored_more(&env, ms(at)).units(), 0, "{at} ms");
    }
    let later = SYNC_REFRESH.as_millis() as u64;
    assert_eq!(inbox.stored_more(&env, ms(later)).units(), 1, "refreshed");
    let next = Ok((6_000, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(1, next), &env)), 0);
    assert_eq!(
        inbox.total(),
        6_000,
        "the subtitle's count follows the sync"
    );
    assert_eq!(inbox.stored_more(&env, ms(later + 10)).units(), 0);
}

/// A verified row whose message is a boostagram's or a tip note's says the
/// message is not signed; the chat record's does not.
#[test]
fn a_verified_row_flags_a_message_its_signature_does_not_cover() {
    use super::inbox::unsigned_message;
    use crate::keysend::incoming::{MessageSource, Scheme, Unverified};
    use crate::keysend::{Msat, PaymentHash};
    use crate::wallet::{InboxRow, Verification};

    let row = |verification, message_source| InboxRow {
        id: 1,
        hash: PaymentHash::from_bytes([1; 32]),
        amount: Msat::from_sat(5),
        settled_at: 0,
        sender: "Alice".into(),
        sender_pubkey: Some(ME.parse().expect("node id")),
        verification,
        preview: "hello".into(),
        message_source,
        podcast: None,
        unread: false,
    };
    let verified = Some(Verification::Verified(Scheme::Whatsat));
    let claimed = Some(Verification::Claimed(Unverified::NoSignature));
    let cases = [
        (verified, Some(MessageSource::Chat), false),
        (verified, Some(MessageSource::Boostagram), true),
        (verified, Some(MessageSource::TipNote), true),
        (verified, None, false),
        // Nothing is signed anyway: the sender line already says so.
        (claimed, Some(MessageSource::Boostagram), false),
    ];
    for (verification, source, flagged) in cases {
        assert_eq!(
            unsigned_message(&row(verification, source)),
            flagged,
            "{verification:?} {source:?}"
        );
    }
}
