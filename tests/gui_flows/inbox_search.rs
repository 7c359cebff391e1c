//! Searching and naming senders in the Inbox: verified senders that are not
//! contacts show their graph alias, a search finds them by it, an empty
//! filtered view says nothing matches and offers to clear the filters, and a
//! search of punctuation says it searched nothing.

use satchel::gui::Message;
use satchel::gui::screen::inbox::Message as InboxMessage;
use satchel::gui::session::Message as SessionMessage;
use satchel::store::ContactBook;

use super::gui_support::Harness;

fn search(h: &mut Harness, text: &str) {
    h.update(Message::Session(SessionMessage::Inbox(
        InboxMessage::SearchChanged(text.to_owned()),
    )));
}

#[test]
fn verified_senders_are_named_by_alias_and_found_by_it() {
    let mut h = Harness::start(40, Harness::quiet_settings(), ContactBook::new());
    let alice = h.node("alice");
    let all = h.app.session().unwrap().inbox().total();
    let listed_alice = h
        .app
        .session()
        .unwrap()
        .inbox()
        .loaded_rows()
        .iter()
        .any(|r| r.sender_pubkey == Some(alice) && r.verification.is_some_and(|v| v.is_verified()));
    assert!(
        listed_alice,
        "a verified tip from alice among the first rows"
    );
    assert!(
        h.shows("Alice's node"),
        "named by its graph alias, not its key"
    );

    search(&mut h, "alice");
    let inbox = h.app.session().unwrap().inbox();
    assert!(
        inbox.total() > 0 && inbox.total() < all,
        "{} of {all}",
        inbox.total()
    );
    assert!(
        inbox
            .loaded_rows()
            .iter()
            .all(|r| r.sender_pubkey == Some(alice)),
        "only alice's tips"
    );

    search(&mut h, "zzzqqq");
    assert_eq!(h.app.session().unwrap().inbox().total(), 0);
    assert!(h.shows("Nothing matches"));
    assert!(!h.shows("No tips yet"));
    h.interact(|ui| {
        let _ = ui.click("Clear filters").expect("offered");
    });
    assert_eq!(h.app.session().unwrap().inbox().total(), all);

    search(&mut h, "*");
    assert_eq!(h.app.session().unwrap().inbox().total(), all);
    assert!(
        h.shows("Nothing to search for in “*” (search ignores punctuation): showing every tip.")
    );
}
