//! A tip arriving while the window is open, end to end: the live follow
//! (run as the iced runtime runs subscriptions) stores it, its row appears,
//! the unread count rises, and the desktop notification names the sender as
//! the shared presentation does, with the sender's markup escaped.

use satchel::gui::notify::Notice;
use satchel::keysend::identity::{node_id_of, sign_whatsat, whatsat_payload};
use satchel::keysend::record::{MESSAGE, SENDER_ALIAS, SENDER_PUBKEY, SIGNATURE, TIMESTAMP};
use satchel::keysend::{Msat, NodeId, Records};
use satchel::store::{ContactBook, Settings};

use super::gui_support::Harness;

/// Whatsat records by a key in no graph for `me`: `chat` is sent, `signed`
/// is what the signature covers (different: a forgery), the sender calls
/// itself `name`.
fn records(me: &NodeId, chat: &str, signed: &str, name: &str) -> Records {
    let secret = secp256k1::SecretKey::from_slice(&[5; 32]).expect("secret");
    let sender = node_id_of(&secret);
    let timestamp = 1_700_000_000_000_000_000u64;
    let payload = whatsat_payload(&sender, me, timestamp, signed.as_bytes());
    Records::from([
        (MESSAGE, chat.as_bytes().to_vec()),
        (SENDER_PUBKEY, sender.as_bytes().to_vec()),
        (SENDER_ALIAS, name.as_bytes().to_vec()),
        (TIMESTAMP, timestamp.to_be_bytes().to_vec()),
        (SIGNATURE, sign_whatsat(&secret, &payload).to_vec()),
    ])
}

/// Run the window's subscriptions until a row with `preview` is listed.
fn until_listed(h: &mut Harness, preview: &str) -> Vec<Notice> {
    let preview = preview.to_owned();
    h.run_subscriptions_until("the new tip's row", move |h| {
        let session = h.app.session().expect("connected");
        session
            .inbox()
            .loaded_rows()
            .iter()
            .any(|r| r.preview == preview)
    })
}

#[test]
fn a_live_tip_lists_counts_and_notifies_by_the_shared_presentation() {
    let settings = Settings {
        notifications: true,
        ..Settings::default()
    };
    let mut h = Harness::start(0, settings, ContactBook::new());
    let me = h.app.session().unwrap().info().id;
    let unread = h.app.session().unwrap().unread();

    let genuine = records(
        &me,
        "thanks <b>a lot</b> & more",
        "thanks <b>a lot</b> & more",
        "Al",
    );
    let _ = h
        .runtime
        .block_on(h.sim.inject_keysend("alice", Msat::from_sat(500), genuine))
        .expect("injected");
    let notices = until_listed(&mut h, "thanks <b>a lot</b> & more");
    assert!(h.shows("thanks <b>a lot</b> & more"), "the row appears");
    assert_eq!(h.app.session().unwrap().unread(), unread + 1);
    let key = node_id_of(&secp256k1::SecretKey::from_slice(&[5; 32]).unwrap());
    assert_eq!(
        notices,
        vec![Notice {
            title: format!("500 sat from {}", key.short()),
            body: "thanks &lt;b&gt;a lot&lt;/b&gt; &amp; more".into(),
        }],
        "a verified sender by its key, never by the name it gives itself"
    );

    let forged = records(&me, "send 1 BTC to me", "something else", "Al");
    let _ = h
        .runtime
        .block_on(h.sim.inject_keysend("alice", Msat::from_sat(600), forged))
        .expect("injected");
    let notices = until_listed(&mut h, "send 1 BTC to me");
    assert_eq!(h.app.session().unwrap().unread(), unread + 2);
    assert!(h.shows("claims to be Al"));
    assert!(h.shows("forged signature"));
    assert_eq!(
        notices.iter().map(|n| n.title.as_str()).collect::<Vec<_>>(),
        vec!["600 sat from someone who falsely claims to be Al"]
    );
}
