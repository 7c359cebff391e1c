//! Crash recovery in the app: journal entries a previous run left
//! unfinished are reconciled with the node on connect; "not sent" ones wait
//! for the user ("Send now" with the same hash, or "Discard"), finished ones
//! are recorded and shown in Sent. Never a silent resend.

use satchel::gui::recovery::Status;
use satchel::gui::{Message, Screen};
use satchel::keysend::{Msat, PaymentHash, Preimage, Records, record};
use satchel::node::{OutgoingKeysend, PaymentStatus, SharedNode};
use satchel::store::{ContactBook, NewContact};
use satchel::wallet::{Journal, JournalState, SentStatus};

use super::gui_support::{Before, Harness};
use super::{go, stage};

/// A tip to the sim's alice with a message, as the Send screen journals it.
fn tip_to_alice(before: &Before<'_>, sats: u64, text: &str) -> OutgoingKeysend {
    let records = Records::from([(record::MESSAGE, text.as_bytes().to_vec())]);
    OutgoingKeysend {
        destination: before.sim.node_id("alice").expect("sim has alice"),
        amount: Msat::from_sat(sats),
        preimage: Preimage::random(),
        records,
        fee_limit: Msat::from_sat(50),
        timeout: satchel::wallet::SEND_TIMEOUT,
    }
}

/// The sim's nodes as contacts ("Alice's node" ...).
fn demo_book() -> ContactBook {
    let mut book = ContactBook::new();
    for (name, id, _) in satchel::sim::demo_contacts() {
        let _ = book.add(NewContact::new(name, id)).expect("demo contact");
    }
    book
}

/// Payments the node has with `hash`.
pub(super) fn payments_with(h: &Harness, node: &SharedNode, hash: PaymentHash) -> usize {
    let page = h
        .runtime
        .block_on(node.sent_page(0, 1_000))
        .expect("the node lists its payments");
    page.items.iter().filter(|p| p.hash == hash).count()
}

fn journal_state(h: &Harness, intent: &str) -> JournalState {
    let journal = Journal::open_profile(&h.profile).expect("journal opens");
    journal.get(intent).unwrap().expect("entry kept").state
}

pub(super) fn statuses(h: &Harness) -> Vec<Status> {
    let session = h.app.session().expect("connected");
    session
        .recovery()
        .items()
        .iter()
        .map(|i| i.status.clone())
        .collect()
}

/// Boot with one `Pending` entry in the journal, as if Satchel had crashed
/// between writing it and calling the node.
fn boot_after_crash(sats: u64, text: &str) -> (Harness, PaymentHash) {
    let mut hash = None;
    let h = Harness::start_after(0, Harness::quiet_settings(), demo_book(), |before| {
        let keysend = tip_to_alice(before, sats, text);
        let journal = Journal::open_profile(before.profile)
            .expect("journal opens")
            .on_node(before.sim.user_node());
        let _ = journal.begin("crashed", &keysend).expect("journaled");
        hash = Some(keysend.hash());
    });
    (h, hash.expect("planted"))
}

#[test]
fn a_payment_left_pending_is_offered_then_sent_once_with_the_same_hash() {
    let (mut h, hash) = boot_after_crash(300, "crashed before dispatch");
    let node = h.client();
    assert_eq!(statuses(&h), [Status::NotSent], "reconciled on connect");
    assert_eq!(journal_state(&h, "crashed"), JournalState::NotSent);
    assert_eq!(payments_with(&h, &node, hash), 0, "never sent by itself");
    assert!(
        h.shows("1 payment from your last session was not sent"),
        "the hint is on the inbox"
    );

    go(&mut h, Screen::Send);
    for shown in [
        "1 payment from your last session was not sent",
        "Alice's node",
        "300 sat",
        "\u{201c}crashed before dispatch\u{201d}",
        "Not sent · your node never received it",
    ] {
        assert!(h.shows(shown), "the card shows {shown:?}");
    }
    // A double click: both presses reach `update` before the view changes.
    let started = h.interact_counting(|ui| {
        let _ = ui.click("Send now").expect("send now button");
        let _ = ui.click("Send now").expect("send now button");
    });
    assert_eq!(started, 1, "the second click does nothing");

    let [Status::Succeeded { fee }] = statuses(&h)[..] else {
        panic!("expected success, got {:?}", statuses(&h))
    };
    assert_eq!(payments_with(&h, &node, hash), 1, "exactly one payment");
    assert_eq!(journal_state(&h, "crashed"), JournalState::Succeeded);
    assert!(
        h.shows(&format!("Sent · fee {fee}")),
        "the card turned green"
    );
    assert!(h.shows("Payments from your last session"));
    assert!(!h.shows("Send now"), "nothing left to send");
    assert!(matches!(
        stage(&h),
        satchel::gui::screen::send::Stage::Compose
    ));

    go(&mut h, Screen::Sent);
    let sent = h.app.session().unwrap().sent().rows().to_vec();
    let row = sent
        .iter()
        .find(|r| r.hash == hash)
        .expect("listed in Sent");
    assert_eq!(
        (row.status, row.amount),
        (SentStatus::Succeeded, Msat::from_sat(300))
    );
}

#[test]
fn a_not_sent_payment_can_be_discarded_and_nothing_is_paid() {
    let (mut h, hash) = boot_after_crash(120, "changed my mind");
    go(&mut h, Screen::Send);
    h.interact(|ui| {
        let _ = ui.click("Discard").expect("discard button");
    });
    assert!(statuses(&h).is_empty(), "the card is gone");
    assert_eq!(journal_state(&h, "crashed"), JournalState::Discarded);
    assert!(!h.shows("\u{201c}changed my mind\u{201d}"));
    let node = h.client();
    assert_eq!(payments_with(&h, &node, hash), 0);
    // A later start has nothing to reconcile.
    h.update(Message::Session(satchel::gui::session::Message::Recovery(
        satchel::gui::recovery::Message::Recheck,
    )));
    assert!(statuses(&h).is_empty());
}

#[test]
fn a_payment_that_went_through_while_away_is_recorded_and_shown() {
    let mut hash = None;
    let mut h = Harness::start_after(0, Harness::quiet_settings(), demo_book(), |before| {
        let keysend = tip_to_alice(before, 42, "sent just before the crash");
        let journal = Journal::open_profile(before.profile)
            .expect("journal opens")
            .on_node(before.sim.user_node());
        let _ = journal.begin("away", &keysend).expect("journaled");
        let _ = journal
            .update("away", JournalState::Dispatched, None, None)
            .expect("dispatched");
        // The node got it; Satchel died before hearing back.
        let node = super::gui_support::client(before.sim, before.runtime);
        let last = before.runtime.block_on(async {
            use futures::StreamExt;
            let updates: Vec<_> = node.send(keysend.clone()).collect().await;
            updates.into_iter().last().expect("an update").expect("ok")
        });
        assert!(matches!(last.status, PaymentStatus::Succeeded { .. }));
        hash = Some(keysend.hash());
    });
    let hash = hash.expect("planted");
    let [Status::Succeeded { .. }] = statuses(&h)[..] else {
        panic!("expected success, got {:?}", statuses(&h))
    };
    assert_eq!(journal_state(&h, "away"), JournalState::Succeeded);
    assert!(!h.shows("1 payment from your last session was not sent"));
    go(&mut h, Screen::Sent);
    assert!(h.shows("Payments from your last session"));
    assert!(!h.shows("Send now"), "never offered again");
    let rows = h.app.session().unwrap().sent().rows().to_vec();
    assert!(rows.iter().any(|r| r.hash == hash), "in the Sent list");
    assert_eq!(payments_with(&h, &h.client(), hash), 1);
    h.interact(|ui| {
        let _ = ui.click("Dismiss").expect("dismiss link");
    });
    assert!(statuses(&h).is_empty(), "dismissed");
}
