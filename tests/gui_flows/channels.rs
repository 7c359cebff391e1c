//! The Channels screen (issue 17): balances per channel, then a rebalance
//! picked with clicks that moves exactly the amount within its fee limit.

use satchel::gui::screen::channels::{Message as ChannelsMessage, Status};
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::Msat;
use satchel::store::ContactBook;

use super::gui_support::Harness;

fn local_with(h: &Harness, peer: satchel::keysend::NodeId) -> Msat {
    let session = h.app.session().expect("connected");
    let channels = session.channels().channels().expect("channels read");
    channels
        .iter()
        .find(|c| c.id == peer)
        .expect("a channel")
        .local
}

#[test]
fn a_rebalance_picked_on_the_channels_screen_moves_the_amount() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.interact(|ui| {
        let _ = ui.click("Channels").expect("the sidebar entry");
    });
    assert_eq!(h.app.session().unwrap().screen(), Screen::Channels);
    let (alice, bob) = (h.node("alice"), h.node("bob"));
    let alice_before = local_with(&h, alice);
    assert!(h.shows("local 2,000,000 sat"), "balances are shown");
    let bob_chan = {
        let session = h.app.session().unwrap();
        let channels = session.channels().channels().unwrap();
        channels.iter().find(|c| c.id == bob).unwrap().chan_id
    };
    for message in [
        ChannelsMessage::OutPicked(bob_chan),
        ChannelsMessage::InPicked(alice),
        ChannelsMessage::AmountChanged("100000".into()),
        ChannelsMessage::MaxFeeChanged("1000".into()),
    ] {
        h.update(Message::Session(SessionMessage::Channels(message)));
    }
    h.interact(|ui| {
        let _ = ui.click("Rebalance").expect("the button");
    });
    let status = h.app.session().unwrap().channels().status().clone();
    let Status::Done(done) = status else {
        panic!("expected a rebalance, got {status:?}");
    };
    assert!(
        done.fee <= Msat::from_sat(100),
        "within 1000 ppm: {}",
        done.fee
    );
    assert_eq!(local_with(&h, alice).0 - alice_before.0, 100_000_000);
    assert!(h.shows("Rebalanced"), "the result is shown");
}

#[test]
fn an_impossible_rebalance_is_refused_with_its_reason() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.update(Message::Session(SessionMessage::Navigate(Screen::Channels)));
    h.update(Message::Session(SessionMessage::Channels(
        ChannelsMessage::AmountChanged("1000".into()),
    )));
    h.interact(|ui| {
        let _ = ui.click("Rebalance").expect("the button");
    });
    assert!(h.shows("Pick the channel to send out through."));
}
