//! Nostr Wallet Connect end to end: a real relay on 127.0.0.1 in this
//! process, rust-nostr's NWC client library as the app, Satchel's wallet
//! service against the simulator over real gRPC.

mod nwc_support;

use std::time::Duration;

use futures::future::join_all;
use nostr::nips::nip47::{
    ErrorCode, KeysendTLVRecord, ListTransactionsRequest, LookupInvoiceRequest, Method,
    PayKeysendRequest, TransactionType,
};
use nostr::nips::{nip04, nip44};
use nostr::{Event, EventBuilder, Filter, JsonUtil, Keys, Kind, Tag, TagKind};
use nostr_sdk::RelayPoolNotification;
use nwc_support::*;
use satchel::keysend::Msat;
use satchel::nwc::{self as wc, NewConnection, Period};

fn keysend(to: &satchel::keysend::NodeId, msat: u64) -> PayKeysendRequest {
    PayKeysendRequest {
        id: None,
        amount: msat,
        pubkey: to.to_string(),
        preimage: None,
        tlv_records: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_answers_through_a_real_relay() {
    let world = world().await;
    let uri = world.add("podcasts", Some(100), Period::Day);
    let service = world.serve().await;
    let app = app(&uri);

    let info = within(app.get_info()).await.expect("get_info");
    assert_eq!(
        info.pubkey,
        Some(world.sim.user_node().to_string()),
        "{info:?}"
    );
    assert_eq!(names(&info.methods), names(wc::DEFAULT_METHODS));
    let balance = within(app.get_balance()).await.expect("get_balance");
    let expected = within(world.node.balance()).await.unwrap().local.0;
    assert_eq!(balance, expected);

    // pay_keysend with a custom record (a boostagram-style app record).
    let mut pay = keysend(&world.alice(), 21_000);
    pay.tlv_records = vec![KeysendTLVRecord {
        tlv_type: 696_969,
        value: hex::encode("hello"),
    }];
    let paid = within(app.pay_keysend(pay)).await.expect("pay_keysend");
    let hash = hex::encode(
        satchel::keysend::Preimage::from_slice(&hex::decode(&paid.preimage).unwrap())
            .unwrap()
            .hash()
            .as_bytes(),
    );
    assert_eq!(world.paid().await, 1);

    // lookup_invoice finds it (outgoing, settled) by hash.
    let lookup = LookupInvoiceRequest {
        payment_hash: Some(hash.clone()),
        invoice: None,
    };
    let found = within(app.lookup_invoice(lookup))
        .await
        .expect("lookup_invoice");
    assert_eq!(found.transaction_type, Some(TransactionType::Outgoing));
    assert_eq!(found.amount, 21_000);
    assert_eq!(found.preimage.as_deref(), Some(paid.preimage.as_str()));

    // list_transactions: both directions from Satchel's index.
    let received = world.sim.settle_unrouted(Msat(5_000), Default::default());
    let all = within(app.list_transactions(ListTransactionsRequest::default()))
        .await
        .expect("list_transactions");
    assert!(
        all.iter().any(
            |t| t.payment_hash == hash && t.transaction_type == Some(TransactionType::Outgoing)
        )
    );
    assert!(all.iter().any(|t| t.payment_hash == received.to_hex()
        && t.transaction_type == Some(TransactionType::Incoming)));
    let only_in = ListTransactionsRequest {
        transaction_type: Some(TransactionType::Incoming),
        ..Default::default()
    };
    let incoming = within(app.list_transactions(only_in))
        .await
        .expect("incoming");
    assert!(
        incoming
            .iter()
            .all(|t| t.transaction_type == Some(TransactionType::Incoming))
    );

    // Unknown hash: NOT_FOUND. make_invoice: NOT_IMPLEMENTED.
    let missing = LookupInvoiceRequest {
        payment_hash: Some("00".repeat(32)),
        invoice: None,
    };
    assert_eq!(
        code(within(app.lookup_invoice(missing)).await)
            .unwrap()
            .code,
        ErrorCode::NotFound
    );
    let make = nostr::nips::nip47::MakeInvoiceRequest {
        amount: 1_000,
        description: None,
        description_hash: None,
        expiry: None,
    };
    assert_eq!(
        code(within(app.make_invoice(make)).await).unwrap().code,
        ErrorCode::NotImplemented
    );

    // TLV types below 65536 are refused and nothing is paid.
    let mut low = keysend(&world.alice(), 1_000);
    low.tlv_records = vec![KeysendTLVRecord {
        tlv_type: 34_349_334 % 65_536,
        value: "00".into(),
    }];
    let refused = code(within(app.pay_keysend(low)).await).unwrap();
    assert_eq!(refused.code, ErrorCode::Other);
    assert!(
        refused.message.contains("below 65536"),
        "{}",
        refused.message
    );
    assert_eq!(world.paid().await, 1);

    // Spending and last use are recorded for `nwc list`.
    let stored = wc::Connections::load(&world.paths).unwrap();
    let connection = stored.named("podcasts").unwrap();
    assert_eq!(
        connection.spent(world.now.load(std::sync::atomic::Ordering::SeqCst)),
        21_000
    );
    assert!(connection.last_used.is_some());
    // Sent names the app that paid.
    let apps = wc::connection::apps_by_hash(&world.paths);
    assert_eq!(apps.get(&hash).map(String::as_str), Some("podcasts"));
    service.stop().await;
}

/// A request built by hand, encrypted with NIP-44 v2 or NIP-04.
fn request(app: &Keys, wallet: &nostr::PublicKey, json: &str, nip44: bool) -> Event {
    let (content, tags) = match nip44 {
        true => (
            nip44::encrypt(app.secret_key(), wallet, json, nip44::Version::V2).unwrap(),
            vec![
                Tag::public_key(*wallet),
                Tag::custom(TagKind::custom("encryption"), ["nip44_v2"]),
            ],
        ),
        false => (
            nip04::encrypt(app.secret_key(), wallet, json).unwrap(),
            vec![Tag::public_key(*wallet)],
        ),
    };
    EventBuilder::new(Kind::WalletConnectRequest, content)
        .tags(tags)
        .sign_with_keys(app)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nip44_requests_get_nip44_answers_and_multi_pay_answers_each_keysend() {
    let world = world().await;
    let uri = world.add("bot", None, Period::Never);
    let service = world.serve().await;
    let client = raw_client(&world).await;
    let app_keys = Keys::new(uri.secret.clone());
    let filter = Filter::new()
        .kind(Kind::WalletConnectResponse)
        .author(uri.public_key);
    let _ = client.subscribe(filter, None).await.unwrap();
    let mut answers = client.notifications();

    // Garbage, oversized and wrongly addressed requests are ignored.
    let garbage = EventBuilder::new(Kind::WalletConnectRequest, "not encrypted at all")
        .tags([Tag::public_key(uri.public_key)])
        .sign_with_keys(&app_keys)
        .unwrap();
    let huge = request(&app_keys, &uri.public_key, &"x".repeat(60_000), true);
    let not_json = request(&app_keys, &uri.public_key, "{\"method\":", true);
    for bad in [&garbage, &huge, &not_json] {
        let _ = client.send_event(bad).await.unwrap();
    }

    let alice = world.alice().to_string();
    let json = format!(
        r#"{{"method":"multi_pay_keysend","params":{{"keysends":[{{"id":"a","pubkey":"{alice}","amount":1000}},{{"id":"b","pubkey":"{alice}","amount":2000}}]}}}}"#
    );
    let multi = request(&app_keys, &uri.public_key, &json, true);
    let _ = client.send_event(&multi).await.unwrap();
    let mut ids = Vec::new();
    while ids.len() < 2 {
        let RelayPoolNotification::Event { event, .. } = within(answers.recv()).await.unwrap()
        else {
            continue;
        };
        let replying_to: Vec<_> = event.tags.event_ids().collect();
        assert_eq!(
            replying_to,
            vec![&multi.id],
            "only the valid request is answered"
        );
        let plain = nip44::decrypt(app_keys.secret_key(), &uri.public_key, &event.content)
            .expect("the answer is NIP-44 encrypted like the request");
        let response = nostr::nips::nip47::Response::from_json(&plain).unwrap();
        assert_eq!(response.result_type, Method::MultiPayKeysend);
        assert!(response.error.is_none(), "{:?}", response.error);
        ids.push(event.tags.identifier().unwrap().to_owned());
    }
    ids.sort();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(world.paid().await, 2);

    // The same request again (a replay) pays nothing more and gets no answer;
    // a fresh NIP-04 request is still served.
    let _ = client.send_event(&multi).await.unwrap();
    let json =
        format!(r#"{{"method":"pay_keysend","params":{{"pubkey":"{alice}","amount":3000}}}}"#);
    let single = request(&app_keys, &uri.public_key, &json, false);
    let _ = client.send_event(&single).await.unwrap();
    loop {
        let RelayPoolNotification::Event { event, .. } = within(answers.recv()).await.unwrap()
        else {
            continue;
        };
        assert_eq!(
            event.tags.event_ids().next(),
            Some(&single.id),
            "the replay is not answered"
        );
        let plain = nip04::decrypt(app_keys.secret_key(), &uri.public_key, &event.content).unwrap();
        assert!(plain.contains("preimage"), "{plain}");
        break;
    }
    assert_eq!(world.paid().await, 3);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budgets_renew_per_period_and_expiry_revocation_and_keys_are_enforced() {
    let world = world().await;
    let uri = world.add("daily", Some(2), Period::Day);
    let stranger = world.add("stranger", None, Period::Never);
    let limited = world.add_with(NewConnection {
        name: "read only".into(),
        budget_sats: None,
        period: Period::Never,
        methods: vec![Method::GetInfo],
        notifications: false,
        relays: vec![world.relay_url()],
        expires_in: Some(3600),
    });
    let service = world.serve().await;
    let app = app(&uri);
    let alice = world.alice();

    // Methods outside the connection's list: RESTRICTED; after expiry: UNAUTHORIZED.
    let reader = self::app(&limited);
    let _ = within(reader.get_info()).await.expect("allowed");
    let restricted = code(within(reader.get_balance()).await).unwrap();
    assert_eq!(restricted.code, ErrorCode::Restricted);
    world.advance(3600);
    assert_eq!(
        code(within(reader.get_info()).await).unwrap().code,
        ErrorCode::Unauthorized
    );

    let _ = within(app.pay_keysend(keysend(&alice, 1_000)))
        .await
        .expect("first sat");
    let _ = within(app.pay_keysend(keysend(&alice, 1_000)))
        .await
        .expect("second sat");
    let over = code(within(app.pay_keysend(keysend(&alice, 1_000))).await).unwrap();
    assert_eq!(over.code, ErrorCode::QuotaExceeded, "{}", over.message);
    world.advance(86_400 + 1);
    let _ = within(app.pay_keysend(keysend(&alice, 2_000)))
        .await
        .expect("a new day, a new budget");
    assert_eq!(world.paid().await, 3);

    // A key that is not the connection's app: UNAUTHORIZED.
    let mut wrong = uri.clone();
    wrong.secret = stranger.secret.clone();
    let impostor = self::app(&wrong);
    assert_eq!(
        code(within(impostor.get_info()).await).unwrap().code,
        ErrorCode::Unauthorized
    );

    // Revoked: UNAUTHORIZED from then on, while the service keeps running.
    wc::connection::revoke(&world.paths, world.secrets.as_ref(), "daily").unwrap();
    assert_eq!(
        code(within(app.get_balance()).await).unwrap().code,
        ErrorCode::Unauthorized
    );
    assert_eq!(world.paid().await, 3);
    service.stop().await;
}

/// How many payments went, and how many were refused QUOTA_EXCEEDED.
fn paid_and_over_quota<T: std::fmt::Debug>(
    results: Vec<Result<T, ::nwc::Error>>,
) -> (usize, usize) {
    let paid = results.iter().filter(|r| r.is_ok()).count();
    let quota = results
        .into_iter()
        .filter(|r| r.is_err())
        .map(|r| code(r).unwrap().code)
        .filter(|c| *c == ErrorCode::QuotaExceeded)
        .count();
    (paid, quota)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_payments_against_a_budget_of_ten_pay_exactly_ten() {
    let world = world().await;
    let uri = world.add("spender", Some(10), Period::Day);
    let service = world.serve().await;
    let app = app(&uri);
    let alice = world.alice();
    let results = within(join_all(
        (0..100).map(|_| app.pay_keysend(keysend(&alice, 1_000))),
    ))
    .await;
    let (paid, quota) = paid_and_over_quota(results);
    assert_eq!((paid, quota), (10, 90));
    assert_eq!(world.paid().await, 10);
    let connections = wc::Connections::load(&world.paths).unwrap();
    let spender = connections.named("spender").unwrap();
    assert_eq!(
        service.usage(spender).unwrap(),
        (10_000, 0),
        "every reservation was settled or released"
    );
    service.stop().await;
}

/// A port outside Linux's ephemeral range (32768-60999), so no other test's
/// port-0 listener takes it while the relay is down (`offset` tells the tests
/// that use one apart).
fn fixed_port(offset: u16) -> u16 {
    20_000 + offset + (std::process::id() % 5_000) as u16 * 2
}

/// Stop the world's relay and start it again on the same port.
async fn restart_relay(world: &mut World, port: u16) {
    world.relay.shutdown();
    world.relay = within(async {
        loop {
            match satchel::nwc::relay::DemoRelay::start(port).await {
                Ok(relay) => break relay,
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    })
    .await;
}

/// Ask for the wallet's info until the service answers (or `patience` ends).
async fn answers_again(
    world: &World,
    uri: &nostr::nips::nip47::NostrWalletConnectURI,
    patience: Duration,
) {
    let quick = ::nwc::prelude::NWC::with_opts(
        uri.clone(),
        ::nwc::prelude::NostrWalletConnectOptions::new().timeout(Duration::from_secs(2)),
    );
    let info = tokio::time::timeout(patience, async {
        loop {
            if let Ok(info) = quick.get_info().await {
                break info;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("the service answers again once the relay is back");
    assert_eq!(info.pubkey, Some(world.sim.user_node().to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_comes_back_when_its_relay_drops_and_returns() {
    let mut world = world().await;
    let port = fixed_port(0);
    world.relay = within(satchel::nwc::relay::DemoRelay::start(port))
        .await
        .expect("relay");
    let uri = world.add("steady", None, Period::Never);
    let service = world.serve().await;
    let _ = within(app(&uri).get_info()).await.expect("before the drop");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    restart_relay(&mut world, port).await;
    // Both sides reconnect with back-off; the request is retried until then.
    // A hang guard, not a timing claim: the pool's back-off grows with each
    // failed attempt (up to a minute), so allow a few of its intervals.
    answers_again(&world, &uri, Duration::from_secs(300)).await;
    service.stop().await;
}

/// The relay pool re-sends a subscription on a new connection only when that
/// connection's second (Unix seconds) is later than the subscription's: a
/// relay that drops and returns within the second the service subscribed
/// would leave the service deaf. The service subscribes again itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_comes_back_when_its_relay_returns_within_the_same_second() {
    let mut world = world().await;
    let port = fixed_port(1);
    world.relay = within(satchel::nwc::relay::DemoRelay::start(port))
        .await
        .expect("relay");
    let uri = world.add("steady", None, Period::Never);
    // Start at the top of a second, so subscribing, the drop and the
    // reconnect (tried every 20 ms) all fall within that second.
    let into_second = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_millis();
    tokio::time::sleep(Duration::from_millis(u64::from(1_000 - into_second))).await;
    let service = world.serve_retrying(Some(Duration::from_millis(20))).await;
    restart_relay(&mut world, port).await;
    // A hang guard: the pool retries every 20 ms, so this is seconds at most.
    answers_again(&world, &uri, Duration::from_secs(60)).await;
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_ask_get_payment_sent_notifications() {
    let world = world().await;
    let uri = world.add_with(NewConnection {
        name: "notified".into(),
        budget_sats: None,
        period: Period::Never,
        methods: wc::DEFAULT_METHODS.to_vec(),
        notifications: true,
        relays: vec![world.relay_url()],
        expires_in: None,
    });
    let service = world.serve().await;
    let app_keys = Keys::new(uri.secret.clone());
    let listener = raw_client(&world).await;
    let filter = Filter::new()
        .kind(Kind::WalletConnectNotification)
        .author(uri.public_key)
        .pubkey(app_keys.public_key());
    let _ = listener.subscribe(filter, None).await.unwrap();
    let mut notes = listener.notifications();

    let info = within(app(&uri).get_info()).await.expect("get_info");
    assert_eq!(
        info.notifications,
        vec!["payment_received".to_owned(), "payment_sent".to_owned()]
    );
    let paid = within(app(&uri).pay_keysend(keysend(&world.alice(), 4_000)))
        .await
        .expect("paid");
    let event = loop {
        if let RelayPoolNotification::Event { event, .. } = within(notes.recv()).await.unwrap() {
            break event;
        }
    };
    let plain = nip04::decrypt(app_keys.secret_key(), &uri.public_key, &event.content).unwrap();
    let body: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(body["notification_type"], "payment_sent");
    assert_eq!(body["notification"]["preimage"], paid.preimage.as_str());
    assert_eq!(body["notification"]["amount"], 4_000);
    // In NIP-47's shape: the client library reads it as a payment.
    let sent = nostr::nips::nip47::Notification::from_event(&uri, &event)
        .expect("a NIP-47 notification")
        .to_pay_notification()
        .expect("a payment");
    assert_eq!(sent.preimage, paid.preimage);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_on_two_relays_is_served_on_each_and_paid_once() {
    let world = world().await;
    let second = within(satchel::nwc::relay::DemoRelay::start(0))
        .await
        .expect("relay");
    let second_url = nostr::RelayUrl::parse(second.url()).unwrap();
    let uri = world.add_with(NewConnection {
        name: "both".into(),
        budget_sats: None,
        period: Period::Never,
        methods: wc::DEFAULT_METHODS.to_vec(),
        notifications: false,
        relays: vec![world.relay_url(), second_url.clone()],
        expires_in: None,
    });
    let service = world.serve().await;
    // An app that only knows the second relay is served there.
    let mut only_second = uri.clone();
    only_second.relays = vec![second_url];
    let _ = within(app(&only_second).get_info())
        .await
        .expect("served on the second relay");
    // An app on both relays publishes its payment to both: it is paid once.
    let paid = within(app(&uri).pay_keysend(keysend(&world.alice(), 7_000))).await;
    assert!(paid.is_ok(), "{paid:?}");
    assert_eq!(world.paid().await, 1);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_services_on_one_profile_never_spend_past_a_budget_between_them() {
    // Two services on one profile (the GUI and `nwc serve`): each has its own
    // SQLite handles on the profile's files, as two processes do, and both
    // take every request from the relay.
    let world = world().await;
    let uri = world.add("shared", Some(10), Period::Day);
    let first = world.serve().await;
    let second = world.serve().await;
    let alice = world.alice();
    let (one, two) = (app(&uri), app(&uri));
    let results = within(join_all((0..40).map(|n| match n % 2 {
        0 => one.pay_keysend(keysend(&alice, 1_000)),
        _ => two.pay_keysend(keysend(&alice, 1_000)),
    })))
    .await;
    let (paid, quota) = paid_and_over_quota(results);
    assert_eq!((paid, quota), (10, 30));
    assert_eq!(world.paid().await, 10, "the node paid exactly the budget");
    let connections = wc::Connections::load(&world.paths).unwrap();
    let shared = connections.named("shared").unwrap();
    for service in [&first, &second] {
        let (spent, held) = service.usage(shared).unwrap();
        assert_eq!((spent, held), (10_000, 0), "spent <= budget, nothing held");
    }
    first.stop().await;
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keysend_received_while_serving_is_notified_to_apps_that_asked() {
    let world = world().await;
    let notified = |name: &str, notifications| NewConnection {
        name: name.into(),
        budget_sats: None,
        period: Period::Never,
        methods: wc::DEFAULT_METHODS.to_vec(),
        notifications,
        relays: vec![world.relay_url()],
        expires_in: None,
    };
    let podcast = world.add_with(notified("podcast", true)); // NIP-04 (the nwc library)
    let modern = world.add_with(notified("modern", true)); // NIP-44 requests
    let quiet = world.add_with(notified("quiet", false));
    let service = world.serve().await;

    // The app: rust-nostr's NWC client, subscribed to notifications. Its
    // get_info answer comes after its subscription is in place at the relay.
    let app = app(&podcast);
    within(app.subscribe_to_notifications())
        .await
        .expect("subscribed");
    let info = within(app.get_info()).await.expect("get_info");
    assert_eq!(
        info.notifications,
        vec!["payment_received".to_owned(), "payment_sent".to_owned()]
    );

    // A NIP-44 app: after one NIP-44 request, its notifications are kind
    // 23197, NIP-44 v2 encrypted.
    let modern_keys = Keys::new(modern.secret.clone());
    let raw = raw_client(&world).await;
    let filter = Filter::new()
        .kinds([
            Kind::WalletConnectResponse,
            Kind::WalletConnectNotification,
            Kind::Custom(23197),
        ])
        .pubkeys([
            modern_keys.public_key(),
            Keys::new(quiet.secret.clone()).public_key(),
        ]);
    let _ = raw.subscribe(filter, None).await.unwrap();
    let mut events = raw.notifications();
    let get_info = request(
        &modern_keys,
        &modern.public_key,
        r#"{"method":"get_info","params":{}}"#,
        true,
    );
    let _ = raw.send_event(&get_info).await.unwrap();
    loop {
        if let RelayPoolNotification::Event { event, .. } = within(events.recv()).await.unwrap()
            && event.kind == Kind::WalletConnectResponse
        {
            break;
        }
    }

    // Alice pays the Satchel node a keysend with a custom record.
    let mut records = satchel::keysend::Records::new();
    let _ = records.insert(696_969, b"hello from alice".to_vec());
    let (received, hash) = tokio::join!(
        within(async {
            let found = std::sync::Mutex::new(None);
            app.handle_notifications(|note| {
                *found.lock().unwrap() = Some(note);
                async { Ok(true) }
            })
            .await
            .expect("notifications");
            found.into_inner().unwrap().expect("a notification")
        }),
        async {
            within(world.sim.inject_keysend("alice", Msat(21_000), records))
                .await
                .expect("alice pays")
        }
    );
    assert_eq!(
        received.notification_type,
        nostr::nips::nip47::NotificationType::PaymentReceived
    );
    let paid = received.to_pay_notification().expect("a payment");
    assert_eq!(paid.payment_hash, hash.to_hex());
    assert_eq!(paid.amount, 21_000);
    assert_eq!(
        paid.transaction_type,
        Some(nostr::nips::nip47::TransactionType::Incoming)
    );
    assert!(paid.settled_at.as_secs() > 0 && paid.created_at <= paid.settled_at);
    assert_eq!(
        Some(paid.payment_hash.clone()),
        hex::decode(&paid.preimage).ok().map(|p| {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(p))
        }),
        "the preimage is the keysend's"
    );
    let tlvs = paid.metadata.expect("metadata")["tlv_records"].clone();
    assert_eq!(tlvs[0]["type"], 696_969);
    assert_eq!(tlvs[0]["value"], hex::encode(b"hello from alice"));

    // The NIP-44 app got kind 23197; the app that did not ask got nothing.
    let event = loop {
        if let RelayPoolNotification::Event { event, .. } = within(events.recv()).await.unwrap()
            && event.kind != Kind::WalletConnectResponse
        {
            break event;
        }
    };
    assert_eq!(event.kind, Kind::Custom(23197));
    assert!(
        event
            .tags
            .public_keys()
            .any(|p| *p == modern_keys.public_key())
    );
    let plain = nip44::decrypt(modern_keys.secret_key(), &modern.public_key, &event.content)
        .expect("NIP-44 v2");
    let body: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(body["notification_type"], "payment_received");
    assert_eq!(body["notification"]["payment_hash"], hash.to_hex());
    service.stop().await;
}

#[test]
fn without_a_keyring_the_commands_say_so_in_words() {
    let home = tempfile::tempdir().unwrap();
    let satchel = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_satchel"))
            .args(args)
            .env("SATCHEL_HOME", home.path())
            // No session bus: no system keyring.
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("satchel runs")
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let added = satchel(&["nwc", "add", "app", "--relay", "ws://127.0.0.1:1"]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).starts_with("nostr+walletconnect://"));
    let revoked = satchel(&["nwc", "revoke", "app"]);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    let (out, err) = (text(&revoked.stdout), text(&revoked.stderr));
    assert!(out.contains("Revoked \"app\""), "{out}");
    assert!(
        err.contains("no system keyring") && err.contains("nothing else to remove"),
        "{err}"
    );
    for output in [&added, &revoked] {
        let all = text(&output.stdout) + &text(&output.stderr);
        assert!(!all.contains("WARN"), "no raw log line: {all}");
        assert!(
            !all.contains("macaroon"),
            "no other feature's warning: {all}"
        );
    }
    let again = satchel(&["nwc", "revoke", "app"]);
    assert_eq!(again.status.code(), Some(2), "a usage error");
    assert!(text(&again.stderr).contains("no connection is named \"app\""));
}

/// `pay_invoice`: a BOLT11 invoice from another node of the sim is paid
/// through the connection's budget, once per payment hash; a second request
/// for it, an invoice over the budget, a zero-amount invoice without an
/// amount and an expired one are refused and pay nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_invoice_pays_an_invoice_once_within_the_budget() {
    use nostr::nips::nip47::PayInvoiceRequest;
    let world = world().await;
    let uri = world.add("shop", Some(100), Period::Day);
    let service = world.serve().await;
    let app = app(&uri);
    let invoice = |sats: Option<u64>, memo: &str| {
        world
            .sim
            .add_invoice("carol", sats.map(Msat::from_sat), memo, None)
            .expect("carol makes an invoice")
    };
    let settled = |hash| world.sim.invoice_settled("carol", &hash);

    let (text, hash) = invoice(Some(50), "a sticker");
    let paid = within(app.pay_invoice(PayInvoiceRequest::new(text.clone())))
        .await
        .expect("pay_invoice");
    let preimage =
        satchel::keysend::Preimage::from_slice(&hex::decode(&paid.preimage).unwrap()).unwrap();
    assert_eq!(preimage.hash(), hash, "the preimage is the invoice's");
    assert_eq!(settled(hash), Some(true));
    let connections = wc::Connections::load(&world.paths).unwrap();
    let shop = connections.named("shop").unwrap();
    assert_eq!(
        service.usage(shop).unwrap(),
        (50_000, 0),
        "the budget counts the invoice"
    );

    // The same invoice again: refused, nothing more is spent.
    let again = code(within(app.pay_invoice(PayInvoiceRequest::new(text.clone()))).await).unwrap();
    assert_eq!(again.code, ErrorCode::Other, "{}", again.message);
    assert!(again.message.contains("paid once"), "{}", again.message);

    // lookup_invoice by the invoice's text: settled, outgoing, this invoice.
    let lookup = LookupInvoiceRequest {
        payment_hash: None,
        invoice: Some(text.clone()),
    };
    let found = within(app.lookup_invoice(lookup))
        .await
        .expect("lookup_invoice by invoice");
    assert_eq!(found.payment_hash, hash.to_hex());
    assert_eq!(found.transaction_type, Some(TransactionType::Outgoing));
    assert_eq!(found.amount, 50_000);

    // 50 sats spent of 100: a 60-sat invoice is over the budget.
    let (over_text, over_hash) = invoice(Some(60), "too much");
    let over = code(within(app.pay_invoice(PayInvoiceRequest::new(over_text))).await).unwrap();
    assert_eq!(over.code, ErrorCode::QuotaExceeded, "{}", over.message);
    assert_eq!(settled(over_hash), Some(false));

    // A zero-amount invoice needs the app's amount; with it, it is paid.
    let (open_text, open_hash) = invoice(None, "pay what you like");
    let bare = code(within(app.pay_invoice(PayInvoiceRequest::new(open_text.clone()))).await);
    assert_eq!(bare.unwrap().code, ErrorCode::Other);
    let mut with_amount = PayInvoiceRequest::new(open_text);
    with_amount.amount = Some(20_000);
    let _ = within(app.pay_invoice(with_amount))
        .await
        .expect("a zero-amount invoice with an amount");
    assert_eq!(settled(open_hash), Some(true));

    // Five requests for one invoice at once: one pays it, four are told.
    let (race_text, race_hash) = invoice(Some(5), "once");
    let results =
        within(join_all((0..5).map(|_| {
            app.pay_invoice(PayInvoiceRequest::new(race_text.clone()))
        })))
        .await;
    let paid = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(paid, 1, "{results:?}");
    for refused in results.into_iter().filter(Result::is_err) {
        let refused = code(refused).unwrap();
        assert!(refused.message.contains("paid once"), "{}", refused.message);
    }
    assert_eq!(settled(race_hash), Some(true));

    // Not an invoice: a clear refusal.
    let junk = code(within(app.pay_invoice(PayInvoiceRequest::new("lnbc1nope"))).await).unwrap();
    assert!(junk.message.starts_with("invoice:"), "{}", junk.message);

    // An invoice past its expiry (the service's clock moved two days on).
    let (late_text, late_hash) = invoice(Some(1), "late");
    world.advance(2 * 24 * 3600);
    let late = code(within(app.pay_invoice(PayInvoiceRequest::new(late_text))).await).unwrap();
    assert!(late.message.contains("expired"), "{}", late.message);
    assert_eq!(settled(late_hash), Some(false));
    service.stop().await;
}
