//! Issue 10 item 22: a Sent row opens its details (hash, the preimage that
//! proves payment, records, fee, route), and an answer for a payment that
//! is no longer open is dropped.

use satchel::gui::screen::sent::Message as SentMessage;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::record::MESSAGE;
use satchel::keysend::{Msat, Records};
use satchel::store::ContactBook;

use super::gui_support::Harness;

/// Pay `name` from the sim (as another app would), then show Sent.
pub(super) fn paid(h: &mut Harness, names: &[&str]) {
    let client = h.client();
    for name in names {
        let keysend = satchel::node::OutgoingKeysend {
            destination: h.node(name),
            amount: Msat::from_sat(21),
            preimage: satchel::keysend::Preimage::random(),
            records: Records::from([(MESSAGE, format!("thanks {name}").into_bytes())]),
            fee_limit: Msat::from_sat(50),
            timeout: satchel::wallet::SEND_TIMEOUT,
        };
        h.runtime.block_on(async {
            use futures::StreamExt;
            let mut updates = client.send(keysend);
            while let Some(update) = updates.next().await {
                if update.expect("update").status.is_final() {
                    break;
                }
            }
        });
    }
    h.update(Message::Session(SessionMessage::Resync));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Sent)));
}

#[test]
fn a_sent_row_opens_its_details_with_the_proof_of_payment() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    paid(&mut h, &["alice"]);
    h.interact(|ui| {
        let _ = ui.click("thanks alice").expect("the sent row");
    });
    let detail = h
        .app
        .session()
        .unwrap()
        .sent()
        .detail()
        .cloned()
        .expect("the details opened");
    let preimage = detail
        .row
        .preimage
        .expect("a succeeded payment has its proof");
    assert_eq!(preimage.hash(), detail.row.hash);
    assert!(h.shows("Preimage (proof of payment)"));
    assert!(h.shows(&preimage.to_hex()), "the preimage is on screen");
    assert!(h.shows(&detail.row.hash.to_hex()), "the hash too");
    assert!(h.shows("message (34349334)"), "the records are listed");
    let route = (1..=4).any(|hops| {
        let hops = if hops == 1 {
            "1 hop".to_owned()
        } else {
            format!("{hops} hops")
        };
        h.shows(&format!("{hops}, 1 attempt"))
    });
    assert!(route, "the route the node took is shown");
    h.update(Message::Session(SessionMessage::Escape));
    assert!(
        h.app.session().unwrap().sent().detail().is_none(),
        "Esc closes"
    );
}

#[test]
fn a_late_answer_for_another_payment_is_dropped() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    paid(&mut h, &["alice", "bob"]);
    let rows = h.app.session().unwrap().sent().rows().to_vec();
    let (bob, alice) = (rows[0].hash, rows[1].hash);
    h.update(Message::Session(SessionMessage::Sent(SentMessage::Open(
        alice,
    ))));
    let alice_detail = h.app.session().unwrap().sent().detail().cloned().unwrap();
    h.update(Message::Session(SessionMessage::Sent(SentMessage::Open(
        bob,
    ))));
    // Alice's answer arrives after Bob's row was opened: it must not show.
    h.update(Message::Session(SessionMessage::Sent(
        SentMessage::DetailLoaded {
            hash: alice,
            result: Ok(Some(alice_detail)),
        },
    )));
    let shown = h.app.session().unwrap().sent().detail().unwrap();
    assert_eq!(shown.row.hash, bob);
    assert_eq!(shown.message, "thanks bob");
}
