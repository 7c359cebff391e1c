//! Paying anyone, against a real local HTTPS server (its own root, trusted
//! by the test's client only) and the simulator over gRPC: a Lightning
//! Address resolves to keysend first, else LNURL-pay; each bad answer the
//! issue lists is refused with its own error; invoices (from the sim's
//! AddInvoice) are paid through the journal, once.

mod payto_support;
mod wallet_support;

use std::time::Duration;

use futures::StreamExt;
use satchel::keysend::{Msat, Records};
use satchel::node::{OutgoingKeysend, PaymentStatus};
use satchel::payto::resolve::now;
use satchel::payto::{
    self, DocumentError, HttpError, Resolution, ResolveError, Target, address::encode_lnurl,
};
use satchel::wallet::{self, SendEvent};
use sha2::{Digest, Sha256};

use payto_support::{Reply, Web};
use wallet_support::{World, within, world};

const METADATA: &str =
    r#"[[\"text/plain\",\"Tips for Bob\"],[\"text/identifier\",\"bob@localhost\"]]"#;

fn metadata() -> String {
    METADATA.replace("\\\"", "\"")
}

fn target(text: &str) -> Target {
    Target::parse(text).expect("ours").expect("valid")
}

fn keysend_doc(pubkey: &str, key: &str) -> Reply {
    Reply::Json(
        200,
        format!(
            r#"{{"status":"OK","tag":"keysend","pubkey":"{pubkey}","customData":[{{"customKey":"{key}","customValue":"bob-wallet"}}]}}"#
        ),
    )
}

fn pay_doc(web: &Web, min: u64, max: u64, tag: &str) -> Reply {
    Reply::Json(
        200,
        format!(
            r#"{{"tag":"{tag}","callback":"{}/lnurlp/bob/callback","minSendable":{min},"maxSendable":{max},"metadata":"{METADATA}","commentAllowed":5}}"#,
            web.base()
        ),
    )
}

async fn resolve(web: &Web, text: &str) -> Result<Resolution, ResolveError> {
    payto::resolve(&web.client(Duration::from_secs(5)), &target(text)).await
}

#[tokio::test]
async fn keysend_document_first_with_its_records() {
    let web = Web::start().await;
    let bob = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    web.route("/.well-known/keysend/bob", keysend_doc(bob, "696969"));
    web.route(
        "/.well-known/lnurlp/bob",
        pay_doc(&web, 1000, 10_000, "payRequest"),
    );
    let found = resolve(&web, &format!("Bob@{}", web.domain()))
        .await
        .unwrap();
    let Resolution::Keysend { address, target } = &found else {
        panic!("{found:?}")
    };
    assert_eq!(address.user, "bob");
    assert_eq!(target.pubkey.to_hex(), bob);
    assert_eq!(
        target.records,
        Records::from([(696_969, b"bob-wallet".to_vec())])
    );
    assert_eq!(
        web.seen(),
        ["/.well-known/keysend/bob"],
        "LNURL-pay is not asked"
    );
    assert_eq!(
        found.shown_message(Some("hi")),
        "your message, in the keysend message record"
    );
}

#[tokio::test]
async fn unusable_keysend_documents_are_refused_or_fall_back() {
    let web = Web::start().await;
    let name = format!("bob@{}", web.domain());
    web.route("/.well-known/keysend/bob", keysend_doc("02abcd", "696969"));
    assert!(matches!(
        resolve(&web, &name).await,
        Err(ResolveError::Document(DocumentError::BadPubkey(_)))
    ));
    let bob = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    web.route("/.well-known/keysend/bob", keysend_doc(bob, "12"));
    assert!(matches!(
        resolve(&web, &name).await,
        Err(ResolveError::Document(DocumentError::BadCustomKey(_)))
    ));
    web.route(
        "/.well-known/lnurlp/bob",
        pay_doc(&web, 1000, 10_000, "payRequest"),
    );
    let found = resolve(&web, &name).await.unwrap();
    let Resolution::Pay {
        keysend_problem, ..
    } = found
    else {
        panic!("{found:?}")
    };
    assert!(keysend_problem.unwrap().contains("custom record key"));
}

#[tokio::test]
async fn unknown_users_and_bad_pay_requests() {
    let web = Web::start().await;
    let name = format!("bob@{}", web.domain());
    assert_eq!(
        resolve(&web, &name).await,
        Err(ResolveError::UnknownUser(name.clone()))
    );
    web.route(
        "/.well-known/lnurlp/bob",
        pay_doc(&web, 1000, 10_000, "withdrawRequest"),
    );
    assert_eq!(
        resolve(&web, &name).await,
        Err(ResolveError::Document(DocumentError::WrongTag(
            "withdrawRequest".into()
        )))
    );
    web.route(
        "/.well-known/lnurlp/bob",
        pay_doc(&web, 20_000, 10_000, "payRequest"),
    );
    assert!(matches!(
        resolve(&web, &name).await,
        Err(ResolveError::Document(DocumentError::MinAboveMax { .. }))
    ));
    let refused = Reply::Json(
        200,
        r#"{"status":"ERROR","reason":"account closed"}"#.into(),
    );
    web.route("/.well-known/lnurlp/bob", refused);
    assert_eq!(
        resolve(&web, &name).await,
        Err(ResolveError::Document(DocumentError::Refused(
            "account closed".into()
        )))
    );
}

#[tokio::test]
async fn redirects_only_within_the_same_host() {
    let web = Web::start().await;
    let name = format!("bob@{}", web.domain());
    web.route(
        "/.well-known/lnurlp/bob",
        Reply::Redirect(format!("{}/moved", web.base())),
    );
    web.route("/moved", pay_doc(&web, 1000, 10_000, "payRequest"));
    assert!(matches!(
        resolve(&web, &name).await,
        Ok(Resolution::Pay { .. })
    ));
    let elsewhere = format!("https://127.0.0.1:{}/moved", web.port);
    web.route("/.well-known/lnurlp/bob", Reply::Redirect(elsewhere));
    assert!(matches!(
        resolve(&web, &name).await,
        Err(ResolveError::Http(HttpError::Redirect(_)))
    ));
}

#[tokio::test]
async fn slow_and_huge_answers_are_refused() {
    let web = Web::start().await;
    web.route("/.well-known/lnurlp/slow", Reply::Stall);
    web.route("/.well-known/lnurlp/huge", Reply::Huge);
    let client = web.client(Duration::from_millis(700));
    let slow = payto::resolve(&client, &target(&format!("slow@{}", web.domain()))).await;
    assert!(
        matches!(slow, Err(ResolveError::Http(HttpError::Timeout(..)))),
        "{slow:?}"
    );
    let huge = payto::resolve(&client, &target(&format!("huge@{}", web.domain()))).await;
    assert!(
        matches!(huge, Err(ResolveError::Http(HttpError::TooLarge(_)))),
        "{huge:?}"
    );
}

#[tokio::test]
async fn lnurl_strings_resolve_to_their_pay_request() {
    let web = Web::start().await;
    web.route("/lnurlp/bob", pay_doc(&web, 1000, 10_000, "payRequest"));
    let lnurl = encode_lnurl(&format!("{}/lnurlp/bob", web.base()));
    let found = resolve(&web, &format!("lightning:{lnurl}")).await.unwrap();
    let Resolution::Pay { request, .. } = &found else {
        panic!("{found:?}")
    };
    assert_eq!(request.description, "Tips for Bob");
    assert_eq!(request.comment_allowed, 5);
}

/// The whole LNURL-pay path against the sim: bob's node makes the invoice
/// (description hash of the metadata), Satchel checks and pays it once.
#[tokio::test]
async fn lnurl_pay_gets_a_checked_invoice_and_pays_it_once() {
    let world = world(|_| {}).await;
    let web = Web::start().await;
    web.route(
        "/.well-known/lnurlp/bob",
        pay_doc(&web, 1_000, 50_000_000, "payRequest"),
    );
    let hash: [u8; 32] = Sha256::digest(metadata().as_bytes()).into();
    let amount = Msat(21_000);
    let (pr, _) = world
        .sim
        .add_invoice("bob", Some(amount), "", Some(hash))
        .unwrap();
    web.route(
        "/lnurlp/bob/callback",
        Reply::Json(200, format!(r#"{{"pr":"{pr}","routes":[]}}"#)),
    );
    let client = web.client(Duration::from_secs(5));
    let name = format!("bob@{}", web.domain());
    let Resolution::Pay { request, .. } = resolve(&web, &name).await.unwrap() else {
        panic!("not LNURL-pay")
    };
    // Out of range: refused before the callback is asked.
    let low = payto::request_invoice(&client, &request, Msat(999), None).await;
    assert!(matches!(
        low,
        Err(ResolveError::Document(DocumentError::OutOfRange { .. }))
    ));
    assert!(!web.seen().iter().any(|s| s.contains("callback")));
    // Another amount than the invoice's: refused, not paid.
    let other = payto::request_invoice(&client, &request, Msat(22_000), None).await;
    assert!(matches!(
        other,
        Err(ResolveError::Document(DocumentError::WrongAmount { .. }))
    ));
    let (invoice, text, comment) =
        payto::request_invoice(&client, &request, amount, Some("héllo wörld"))
            .await
            .unwrap();
    assert_eq!((comment.text.as_str(), comment.cut), ("héllo", 6));
    let asked = web.seen().last().cloned().unwrap();
    assert_eq!(
        asked,
        "/lnurlp/bob/callback?amount=21000&comment=h%C3%A9llo"
    );
    assert_eq!(invoice.payee, world.sim.node_id("bob").unwrap());

    let outcome = pay(&world, "invoice-1", &invoice, &text, amount).await;
    let PaymentStatus::Succeeded { preimage } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(preimage.hash(), invoice.payment_hash);
    let entry = world
        .journal
        .by_hash(&invoice.payment_hash)
        .unwrap()
        .unwrap();
    assert_eq!(entry.keysend.invoice(), Some(text.as_str()));
    // The same invoice again (another click): the journal refuses it.
    let again =
        OutgoingKeysend::pay_invoice(&invoice, &text, amount, Msat(10_000), wallet::SEND_TIMEOUT);
    let mut events = wallet::send(
        world.node.clone(),
        world.journal.clone(),
        "invoice-2".into(),
        again,
    )
    .boxed();
    let first = within(events.next()).await.unwrap();
    assert!(matches!(first, SendEvent::Error(_)), "{first:?}");
}

#[tokio::test]
async fn invoices_zero_amount_and_expired() {
    let world = world(|_| {}).await;
    let (pr, hash) = world
        .sim
        .add_invoice("carol", None, "coffee ☕", None)
        .unwrap();
    let Target::Invoice(invoice, text) = target(&format!("LIGHTNING:{}", pr.to_uppercase())) else {
        panic!("not an invoice")
    };
    assert_eq!(invoice.payment_hash, hash);
    assert_eq!(invoice.description.as_deref(), Some("coffee ☕"));
    assert_eq!(
        payto::check_payable(&invoice, None, now()),
        Err(ResolveError::AmountNeeded)
    );
    let later = invoice.expires_at() + 1;
    assert!(matches!(
        payto::check_payable(&invoice, Some(Msat(5_000)), later),
        Err(ResolveError::Expired(1))
    ));
    let amount = payto::check_payable(&invoice, Some(Msat(5_000)), now()).unwrap();
    let outcome = pay(&world, "zero", &invoice, &text, amount).await;
    assert!(
        matches!(outcome, PaymentStatus::Succeeded { .. }),
        "{outcome:?}"
    );
    let (fixed, _) = world
        .sim
        .add_invoice("carol", Some(Msat(7_000)), "x", None)
        .unwrap();
    let Target::Invoice(fixed, _) = target(&fixed) else {
        panic!()
    };
    assert_eq!(
        payto::check_payable(&fixed, Some(Msat(8_000)), now()),
        Err(ResolveError::AmountMismatch(Msat(7_000)))
    );
}

/// Pay through the journaled send and return the final status.
async fn pay(
    world: &World,
    intent: &str,
    invoice: &payto::Invoice,
    text: &str,
    amount: Msat,
) -> PaymentStatus {
    let keysend =
        OutgoingKeysend::pay_invoice(invoice, text, amount, Msat(10_000), wallet::SEND_TIMEOUT);
    let mut events = wallet::send(
        world.node.clone(),
        world.journal.clone(),
        intent.into(),
        keysend,
    )
    .boxed();
    loop {
        match within(events.next()).await.expect("a final event") {
            SendEvent::Finished(update) => return update.status,
            SendEvent::Error(err) => panic!("{err}"),
            SendEvent::NotSent(entry) => panic!("not sent: {entry:?}"),
            _ => {}
        }
    }
}

mod cli_support;

/// The real binary, connected to the sim, trusting the test root through
/// `SSL_CERT_FILE` (read by the OS trust store loader).
async fn cli(world: &World, web: &Web, args: &[&str]) -> cli_support::Run {
    let root = world.dir.path().join("root.pem");
    std::fs::write(&root, &web.root_pem).unwrap();
    let home = world.dir.path().join("home");
    let mut all: Vec<String> = vec![
        "--rpcserver".into(),
        format!("localhost:{}", world.sim.addr().port()),
        "--tlscertpath".into(),
        world.sim.tls_cert_path().display().to_string(),
        "--macaroonpath".into(),
        world.sim.admin_macaroon_path().display().to_string(),
    ];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    let output = tokio::task::spawn_blocking(move || {
        cli_support::command(&home)
            .env("SSL_CERT_FILE", &root)
            .args(&all)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    cli_support::Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_sends_to_an_address_by_keysend_and_pays_invoices_once() {
    let world = world(|_| {}).await;
    let web = Web::start().await;
    let bob = world.sim.node_id("bob").unwrap().to_hex();
    web.route("/.well-known/keysend/bob", keysend_doc(&bob, "696969"));
    let address = format!("bob@{}", web.domain());
    let resolved = cli(&world, &web, &["resolve", &address, "--json"])
        .await
        .expect_code(0);
    assert_eq!(resolved.json()["transport"], "keysend");
    assert_eq!(resolved.json()["pubkey"], bob.as_str());
    let sent = cli(
        &world,
        &web,
        &["send", &address, "21", "-m", "hello bob", "--yes"],
    )
    .await;
    let sent = sent.expect_code(0);
    sent.assert_stdout_has("Sending by keysend");
    sent.assert_stdout_has("record     696969=bob-wallet (LNPay destination)");
    sent.assert_stdout_has("they see   your message, in the keysend message record");
    sent.assert_stdout_has("Payment succeeded: 21 sat sent");

    let carol = world.sim.node_id("carol").unwrap().to_hex();
    let (pr, _) = world
        .sim
        .add_invoice("carol", Some(Msat(3_000_000)), "a book", None)
        .unwrap();
    let shown = cli(&world, &web, &["resolve", &pr]).await.expect_code(0);
    shown.assert_stdout_has("says       a book");
    shown.assert_stdout_has("amount     3,000 sat");
    let paid = cli(&world, &web, &["send", &format!("lightning:{pr}"), "--yes"]).await;
    paid.expect_code(0)
        .assert_stdout_has("Payment succeeded: 3,000 sat sent");
    let sent = cli(&world, &web, &["sent", "--json"]).await.expect_code(0);
    let invoice_row = sent.json().as_array().unwrap().iter().any(|row| {
        row["amount_sat"] == 3_000
            && row["destination"] == carol.as_str()
            && row["status"] == "succeeded"
    });
    assert!(
        invoice_row,
        "the invoice payment is in Sent: {}",
        sent.stdout
    );
    let again = cli(&world, &web, &["send", &pr, "--yes"])
        .await
        .expect_code(2);
    again.assert_stderr_has("Satchel pays an invoice once");
    let mainnet = satchel::payto::bolt11::encode(
        &satchel::payto::bolt11::NewInvoice {
            currency: "bc",
            amount: Some(Msat(1_000)),
            timestamp: now(),
            payment_hash: satchel::keysend::PaymentHash::from_bytes([4; 32]),
            payment_secret: [5; 32],
            description: "real coffee",
            description_hash: None,
            expiry_secs: 600,
            min_final_cltv: 18,
        },
        &secp256k1::SecretKey::from_slice(&[3; 32]).unwrap(),
    );
    let other_network = cli(&world, &web, &["send", &mainnet, "--yes"]).await;
    other_network
        .expect_code(2)
        .assert_stderr_has("your node runs on regtest");
    let wrong = cli(&world, &web, &["send", &pr, "3001", "--yes"])
        .await
        .expect_code(2);
    wrong.assert_stderr_has("this invoice is for 3,000 sat");
}

/// A podcast value block whose recipient is a Lightning Address: resolved
/// to keysend (with the provider's record) and paid as one leg of the boost;
/// an address without a keysend document is skipped with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boost_pays_an_lnaddress_recipient_by_keysend() {
    let world = world(|_| {}).await;
    let web = Web::start().await;
    let bob = world.sim.node_id("bob").unwrap().to_hex();
    let carol = world.sim.node_id("carol").unwrap().to_hex();
    web.route("/.well-known/keysend/host", keysend_doc(&bob, "696969"));
    let feed = world.dir.path().join("feed.xml");
    std::fs::write(
        &feed,
        format!(
            r#"<rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Addressed</title>
            <podcast:value type="lightning" method="keysend">
              <podcast:valueRecipient name="Host" type="lnaddress" address="Host@{d}" split="90"/>
              <podcast:valueRecipient name="Gone" type="lnaddress" address="gone@{d}" split="5"/>
              <podcast:valueRecipient name="Carol" type="node" address="{carol}" split="10"/>
            </podcast:value></channel></rss>"#,
            d = web.domain()
        ),
    )
    .unwrap();
    let feed = feed.display().to_string();
    let run = cli(
        &world,
        &web,
        &["boost", &feed, "100", "-m", "great show", "--yes", "--json"],
    )
    .await;
    let run = run.expect_code(0);
    run.assert_stderr_has(&format!(
        "Lightning Address host@{}: keysend to {bob}",
        web.domain()
    ));
    run.assert_stderr_has(&format!(
        "gone@{} is not known to its provider",
        web.domain()
    ));
    run.assert_stderr_has("the Lightning Address did not resolve to a keysend node");
    let json = run.json();
    let legs = json["legs"].as_array().expect("legs");
    let to_bob: Vec<_> = legs
        .iter()
        .filter(|l| l["pubkey"] == bob.as_str())
        .collect();
    assert_eq!(to_bob.len(), 1, "{json}");
    assert_eq!(to_bob[0]["state"], "succeeded", "{json}");
    assert_eq!(to_bob[0]["sat"], 90, "{json}");
}

/// A contact added by address keeps it; at send time the address is asked
/// again and a changed node is said (and used), with the provider's records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_added_by_address_is_re_resolved_when_sending() {
    let world = world(|_| {}).await;
    let web = Web::start().await;
    let bob = world.sim.node_id("bob").unwrap().to_hex();
    let carol = world.sim.node_id("carol").unwrap().to_hex();
    web.route("/.well-known/keysend/tips", keysend_doc(&bob, "696969"));
    let address = format!("tips@{}", web.domain());
    let added = cli(&world, &web, &["contacts", "add", "pod", &address]).await;
    added
        .expect_code(0)
        .assert_stdout_has(&format!("Added pod ({bob})"));
    let listed = cli(&world, &web, &["contacts", "list", "--json"])
        .await
        .expect_code(0);
    assert_eq!(listed.json()[0]["address"], address.as_str());
    let listed = cli(&world, &web, &["contacts", "list"])
        .await
        .expect_code(0);
    listed.assert_stdout_has(&format!("{bob}  {address}"));
    let same = cli(&world, &web, &["send", "pod", "5", "--yes"])
        .await
        .expect_code(0);
    assert!(!same.stderr.contains("now gives node"), "{}", same.stderr);
    same.assert_stdout_has("record:    696969=626f622d77616c6c6574");

    web.route("/.well-known/keysend/tips", keysend_doc(&carol, "696969"));
    let moved = cli(&world, &web, &["send", "pod", "5", "--yes"])
        .await
        .expect_code(0);
    moved.assert_stderr_has(&format!("{address} now gives node {carol} (saved: {bob})"));
    moved.assert_stdout_has(&format!(", {carol}"));
    moved.assert_stdout_has("Payment succeeded: 5 sat sent");

    let lnurl_only = format!("nokeysend@{}", web.domain());
    web.route(
        "/.well-known/lnurlp/nokeysend",
        pay_doc(&web, 1_000, 10_000, "payRequest"),
    );
    let refused = cli(&world, &web, &["contacts", "add", "nk", &lnurl_only]).await;
    refused
        .expect_code(2)
        .assert_stderr_has("has no keysend document");
}

mod socks_support;

/// The real SOCKS5 proxy of `socks_support`, mapping `localhost` to the web server.
async fn proxy_for(web: &Web) -> socks_support::Proxy {
    let server = std::net::SocketAddr::from(([127, 0, 0, 1], web.port));
    socks_support::Proxy::start([("localhost".to_owned(), server)].into()).await
}

/// A SOCKS address where nothing listens.
fn dead_proxy() -> satchel::lnd::SocksProxy {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    address.to_string().parse().unwrap()
}

/// With a proxy set, an address and a feed are fetched through it (the
/// proxy gets the host name, resolved there); with the proxy down, both
/// fail saying so and nothing reaches the server directly; an onion
/// address without a proxy is refused before any connection.
#[tokio::test]
async fn addresses_and_feeds_go_through_the_socks_proxy_never_around_it() {
    use satchel::podcast::fetch::{FetchError, Fetcher};
    use satchel::web::ProxyError;
    let web = Web::start().await;
    let bob = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    web.route("/.well-known/keysend/bob", keysend_doc(bob, "696969"));
    web.route("/feed.xml", Reply::Json(200, "<rss/>".into()));
    let proxy = proxy_for(&web).await;
    let through = web.web().with_proxy(Some(proxy.socks()));
    let client = payto::Client::with(&through, Duration::from_secs(5)).unwrap();
    let name = format!("bob@{}", web.domain());
    let found = payto::resolve(&client, &target(&name)).await.unwrap();
    assert!(matches!(found, Resolution::Keysend { .. }), "{found:?}");
    let asked = format!("name localhost:{}", web.port);
    assert_eq!(
        proxy.asked(),
        std::slice::from_ref(&asked),
        "the proxy resolved the name"
    );
    let feed = Fetcher::with_timeout(None, &through, Duration::from_secs(5)).unwrap();
    let fetched = feed.get(&format!("{}/feed.xml", web.base())).await.unwrap();
    assert_eq!(fetched.bytes, b"<rss/>");
    assert_eq!(proxy.asked(), [asked.clone(), asked], "the feed too");

    let before = web.seen().len();
    let down = web.web().with_proxy(Some(dead_proxy()));
    let client = payto::Client::with(&down, Duration::from_secs(5)).unwrap();
    let failed = payto::resolve(&client, &target(&name)).await;
    let Err(ResolveError::Http(HttpError::Proxy(ProxyError::Unreachable { proxy, .. }))) = &failed
    else {
        panic!("{failed:?}")
    };
    assert_eq!(proxy, &down.proxy().unwrap().address());
    let said = failed.unwrap_err().to_string();
    assert!(said.contains("does not connect directly"), "{said}");
    let feed = Fetcher::with_timeout(None, &down, Duration::from_secs(5)).unwrap();
    let failed = feed.get(&format!("{}/feed.xml", web.base())).await;
    assert!(
        matches!(
            failed,
            Err(FetchError::Proxy(ProxyError::Unreachable { .. }))
        ),
        "{failed:?}"
    );
    assert_eq!(web.seen().len(), before, "nothing went around the proxy");

    let hidden = "http://satchelxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion/feed.xml";
    web.route("/moved.xml", Reply::Redirect(hidden.into()));
    let direct = Fetcher::with_timeout(None, &web.web(), Duration::from_secs(5)).unwrap();
    let refused = direct.get(&format!("{}/moved.xml", web.base())).await;
    assert!(
        matches!(
            refused,
            Err(FetchError::Proxy(ProxyError::OnionNeedsProxy(_)))
        ),
        "a feed redirecting to an onion host is not followed without a proxy: {refused:?}"
    );

    let onion = "bob@satchelxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion";
    let direct = payto::Client::with(&web.web(), Duration::from_secs(5)).unwrap();
    let refused = payto::resolve(&direct, &target(onion)).await;
    assert!(
        matches!(
            refused,
            Err(ResolveError::Http(HttpError::Proxy(
                ProxyError::OnionNeedsProxy(_)
            )))
        ),
        "{refused:?}"
    );
}

/// Issue 16's bad inputs not covered above, each against the HTTPS server:
/// an amount above the maximum, an invoice whose description hash is not
/// the metadata's, a redirect to another scheme on the same host, a server
/// that stalls inside its answer, and addresses in upper case (folded) or
/// with unicode (refused before any request).
#[tokio::test]
async fn more_bad_answers_and_addresses() {
    let world = world(|_| {}).await;
    let web = Web::start().await;
    web.route(
        "/.well-known/lnurlp/bob",
        pay_doc(&web, 1_000, 50_000, "payRequest"),
    );
    let client = web.client(Duration::from_secs(5));
    let Resolution::Pay { request, .. } = resolve(&web, &format!("BOB@{}", web.domain()))
        .await
        .unwrap()
    else {
        panic!("not LNURL-pay")
    };
    assert_eq!(
        web.seen(),
        ["/.well-known/keysend/bob", "/.well-known/lnurlp/bob"]
    );
    let high = payto::request_invoice(&client, &request, Msat(50_001), None).await;
    assert!(
        matches!(
            high,
            Err(ResolveError::Document(DocumentError::OutOfRange { .. }))
        ),
        "{high:?}"
    );
    let other: [u8; 32] = Sha256::digest(b"another description").into();
    let (pr, _) = world
        .sim
        .add_invoice("bob", Some(Msat(21_000)), "", Some(other))
        .unwrap();
    web.route(
        "/lnurlp/bob/callback",
        Reply::Json(200, format!(r#"{{"pr":"{pr}","routes":[]}}"#)),
    );
    let wrong = payto::request_invoice(&client, &request, Msat(21_000), None).await;
    assert_eq!(
        wrong.map(|_| ()),
        Err(ResolveError::Document(DocumentError::WrongDescriptionHash))
    );

    let name = format!("bob@{}", web.domain());
    let to_http = format!("http://localhost:{}/moved", web.port);
    web.route("/.well-known/lnurlp/bob", Reply::Redirect(to_http));
    assert!(matches!(
        resolve(&web, &name).await,
        Err(ResolveError::Http(HttpError::Redirect(_)))
    ));
    web.route("/.well-known/lnurlp/bob", Reply::StallBody);
    let quick = web.client(Duration::from_millis(700));
    let slow = payto::resolve(&quick, &target(&name)).await;
    assert!(
        matches!(slow, Err(ResolveError::Http(HttpError::Timeout(..)))),
        "{slow:?}"
    );

    let before = web.seen().len();
    for (typed, user) in [
        (format!("bób@{}", web.domain()), true),
        (format!("bob@lócalhost:{}", web.port), false),
        (format!("bob\u{200b}@{}", web.domain()), true),
    ] {
        let refused = Target::parse(&typed).expect("looks like an address");
        assert!(
            match user {
                true => matches!(refused, Err(payto::TargetError::BadUser(_))),
                false => matches!(refused, Err(payto::TargetError::BadDomain(_))),
            },
            "{typed}: {refused:?}"
        );
    }
    assert_eq!(
        web.seen().len(),
        before,
        "nothing asked for refused addresses"
    );
}

/// The CLI's `--socksproxy` applies to addresses too: `resolve` goes
/// through the proxy (which resolves the name); with the proxy down it
/// fails saying so, and nothing reaches the server directly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_resolves_through_the_socks_proxy_and_not_around_a_down_one() {
    let world = world(|_| {}).await;
    let web = Web::start().await;
    let bob = world.sim.node_id("bob").unwrap().to_hex();
    web.route("/.well-known/keysend/bob", keysend_doc(&bob, "696969"));
    let proxy = proxy_for(&web).await;
    let address = format!("bob@{}", web.domain());
    let socks = proxy.socks().to_string();
    let resolved = cli(
        &world,
        &web,
        &["--socksproxy", &socks, "resolve", &address, "--json"],
    )
    .await
    .expect_code(0);
    assert_eq!(resolved.json()["pubkey"], bob.as_str());
    assert_eq!(proxy.asked(), [format!("name localhost:{}", web.port)]);

    let before = web.seen().len();
    let dead = dead_proxy().to_string();
    let failed = cli(&world, &web, &["--socksproxy", &dead, "resolve", &address]).await;
    assert_ne!(failed.code, 0);
    failed.assert_stderr_has(&format!("through the SOCKS proxy at {dead}"));
    failed.assert_stderr_has("Satchel does not connect directly while a proxy is set");
    assert_eq!(web.seen().len(), before, "nothing went around the proxy");
}

/// A Lightning Address recipient inside a value time split window is
/// resolved like the block's own: the window pays its keysend node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lnaddress_recipient_inside_a_time_split_is_resolved_to_keysend() {
    let world = world(|_| {}).await;
    let web = Web::start().await;
    let bob = world.sim.node_id("bob").unwrap();
    let carol = world.sim.node_id("carol").unwrap().to_hex();
    web.route(
        "/.well-known/keysend/guest",
        keysend_doc(&bob.to_hex(), "696969"),
    );
    let feed = world.dir.path().join("split.xml");
    std::fs::write(
        &feed,
        format!(
            r#"<rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Split</title>
            <podcast:value type="lightning" method="keysend">
              <podcast:valueRecipient name="Carol" type="node" address="{carol}" split="100"/>
              <podcast:valueTimeSplit startTime="60" duration="120" remotePercentage="50">
                <podcast:valueRecipient name="Guest" type="lnaddress" address="guest@{d}" split="1"/>
              </podcast:valueTimeSplit>
            </podcast:value></channel></rss>"#,
            d = web.domain()
        ),
    )
    .unwrap();
    let loaded = satchel::podcast::load::load(None, false, &feed.display().to_string(), &web.web())
        .await
        .expect("the feed loads");
    assert!(
        loaded
            .notes
            .iter()
            .any(|n| n.contains(&format!("keysend to {bob}"))),
        "{:?}",
        loaded.notes
    );
    let selected =
        satchel::podcast::select(loaded.feed, loaded.url, &satchel::podcast::Episode::Show)
            .unwrap();
    let windows = satchel::wallet::stream_vts::windows(&selected);
    assert_eq!(windows.len(), 1);
    let block = windows[0]
        .block
        .as_ref()
        .expect("the window's block is payable");
    assert_eq!(block.recipients.len(), 1);
    assert_eq!(block.recipients[0].node, bob);
    assert_eq!(
        block.recipients[0].custom.as_ref().map(|c| c.key),
        Some(696_969)
    );
}
