//! Connecting through a real SOCKS5 server (fast-socks5's, in process) in
//! front of the simulator: a `.onion` name reaches the proxy unresolved and
//! the call succeeds; the pinned certificate is still checked; a wrong
//! proxy, a refused connection, a proxy that hangs and a missing proxy each
//! fail with their own clear error.

mod lnd_support;
mod socks_support;

use std::collections::HashMap;

use lnd_support::*;
use satchel::lnd::{CertSource, ConnectSpec, Route, SocksError, SocksProxy};
use satchel::node::{Node, NodeError};
use socks_support::{ONION, Proxy};
use tokio::net::TcpListener;

/// An lndconnect link for the sim's admin macaroon and certificate, at
/// `host:port`.
fn link(sim: &Sim, host: &str, port: u16) -> String {
    let files = spec_for(&sim.handle, &sim.handle.admin_macaroon_path());
    ConnectSpec {
        host: host.to_owned(),
        port,
        ..files
    }
    .to_lndconnect()
}

fn through(proxy: &SocksProxy, uri: &str) -> ConnectSpec {
    ConnectSpec {
        proxy: Some(proxy.clone()),
        ..ConnectSpec::from_lndconnect(uri).unwrap()
    }
}

async fn refused(spec: &ConnectSpec) -> NodeError {
    within(satchel::lnd::connect(spec))
        .await
        .expect_err("the connection must fail")
}

#[tokio::test]
async fn an_onion_link_goes_through_the_proxy_unresolved_and_works() {
    let sim = start().await;
    let proxy = Proxy::start(HashMap::from([(ONION.to_owned(), sim.handle.addr())])).await;
    let spec = through(&proxy.socks(), &link(&sim, ONION, 10009));
    assert_eq!(
        within(satchel::lnd::route(&spec)).await.unwrap(),
        Route::Socks {
            proxy: proxy.socks(),
            tor: true
        }
    );
    let lnd = within(satchel::lnd::connect(&spec))
        .await
        .expect("connects");
    let info = within(lnd.info()).await.unwrap();
    assert_eq!(info.alias, "Satchel demo");
    let balance = within(lnd.balance()).await.unwrap();
    assert!(balance.local.0 > 0);
    assert_eq!(
        proxy.asked(),
        [format!("name {ONION}:10009")],
        "the name reached the proxy as it is, once (one channel for every call)"
    );
}

#[tokio::test]
async fn any_host_name_is_left_to_the_proxy_to_resolve() {
    let sim = start().await;
    // `.invalid` never resolves (RFC 2606): only the proxy knows it.
    let name = "lnd.satchel.invalid";
    let proxy = Proxy::start(HashMap::from([(name.to_owned(), sim.handle.addr())])).await;
    let lnd = within(satchel::lnd::connect(&through(
        &proxy.socks(),
        &link(&sim, name, 10009),
    )))
    .await
    .expect("connects by a name only the proxy can resolve");
    assert_eq!(within(lnd.info()).await.unwrap().alias, "Satchel demo");
    assert_eq!(proxy.asked(), [format!("name {name}:10009")]);
}

#[tokio::test]
async fn the_pinned_certificate_is_still_checked_through_the_proxy() {
    let sim = start().await;
    let proxy = Proxy::start(HashMap::from([(ONION.to_owned(), sim.handle.addr())])).await;
    let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let spec = ConnectSpec {
        cert: CertSource::Der(other.cert.der().to_vec()),
        ..through(&proxy.socks(), &link(&sim, ONION, 10009))
    };
    assert_eq!(refused(&spec).await, NodeError::CertificateMismatch);
    assert_eq!(proxy.asked().len(), 1, "the proxy was used");
}

#[tokio::test]
async fn a_refused_connection_is_said_to_come_from_the_node_side() {
    let sim = start().await;
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_address = closed.local_addr().unwrap();
    drop(closed);
    let proxy = Proxy::start(HashMap::from([(ONION.to_owned(), closed_address)])).await;
    let err = refused(&through(&proxy.socks(), &link(&sim, ONION, 10009))).await;
    let NodeError::Proxy { detail, next_step } = &err else {
        panic!("a proxy error, not {err:?}")
    };
    assert!(detail.contains("could not reach"), "{detail}");
    assert!(detail.contains("connection was refused"), "{detail}");
    assert!(next_step.contains("node's address"), "{next_step}");
    let unknown = "unknown.onion";
    let err = refused(&through(&proxy.socks(), &link(&sim, unknown, 10009))).await;
    assert!(err.to_string().contains("host is unreachable"), "{err}");
}

#[tokio::test]
async fn a_wrong_proxy_a_silent_proxy_and_no_proxy_are_each_named() {
    let sim = start().await;
    let uri = link(&sim, ONION, 10009);
    // Something that is not a SOCKS proxy: an HTTP server.
    let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http_address = http.local_addr().unwrap();
    let _http = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut client, _)) = http.accept().await {
            let _ = client.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        }
    });
    let wrong: SocksProxy = http_address.to_string().parse().unwrap();
    let err = refused(&through(&wrong, &uri)).await;
    assert!(err.to_string().contains("is not a SOCKS5 proxy"), "{err}");
    // A proxy that accepts and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_proxy: SocksProxy = silent.local_addr().unwrap().to_string().parse().unwrap();
    let _silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((client, _)) = silent.accept().await {
            held.push(client);
        }
    });
    let err = refused(&through(&silent_proxy, &uri)).await;
    assert!(
        err.to_string().contains("did not answer within 5 s"),
        "{err}"
    );
    // Nothing listening where the proxy should be.
    let gone = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone_proxy: SocksProxy = gone.local_addr().unwrap().to_string().parse().unwrap();
    drop(gone);
    let err = refused(&through(&gone_proxy, &uri)).await;
    assert!(
        err.to_string().contains("cannot reach the SOCKS proxy"),
        "{err}"
    );
    assert!(
        err.next_step().contains("SOCKS port"),
        "{}",
        err.next_step()
    );
}

/// Without a proxy, an onion host needs the system's Tor; when none runs,
/// the error says what to install or start.
#[tokio::test]
async fn an_onion_host_without_tor_says_what_to_install() {
    if satchel::lnd::socks::system_tor().await.is_some() {
        return; // this machine runs Tor: the route would use it
    }
    let err = Route::find(ONION, None).await.unwrap_err();
    assert!(matches!(err, SocksError::NoTor { .. }), "{err:?}");
    assert!(
        err.next_step().contains("apt install tor"),
        "{}",
        err.next_step()
    );
    assert_eq!(
        Route::find("node.example.com", None).await.unwrap(),
        Route::Direct
    );
}

/// Issue 18: fiat prices go through the node's SOCKS proxy: the price
/// source's name reaches the proxy unresolved (as Tor needs), and the
/// answer comes back through it.
#[tokio::test]
async fn fiat_prices_are_fetched_through_the_socks_proxy() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = server.local_addr().unwrap().port();
    let _serve = tokio::spawn(async move {
        while let Ok((mut stream, _)) = server.accept().await {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf).await;
            let body = r#"{"USD":97000}"#;
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    let name = "prices.example";
    let proxy = Proxy::start(HashMap::from([(
        name.to_owned(),
        format!("127.0.0.1:{port}").parse().unwrap(),
    )]))
    .await;
    let url = format!("http://{name}:{port}/api/v1/prices");
    let source = satchel::fiat::PriceSource::new(&url, Some(&proxy.socks())).unwrap();
    let quote = source.fetch("USD", 1_700_000_000).await.expect("a price");
    assert_eq!(quote.per_btc_hundredths, 9_700_000);
    assert_eq!(
        proxy.asked(),
        [format!("name {name}:{port}")],
        "via the proxy"
    );
}
