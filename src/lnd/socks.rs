//! Reaching a node through a SOCKS5 proxy (Tor, or any SOCKS5 proxy): the
//! host name goes to the proxy unresolved (socks5h), so neither a `.onion`
//! name nor any other name is looked up locally. A `.onion` host without a
//! configured proxy uses the system's Tor (SOCKS port 9050, then 9150, the
//! Tor Browser's). The TLS handshake with the pinned certificate runs over
//! the proxied stream as over a direct one.
//!
//! The SOCKS5 CONNECT exchange (RFC 1928, no authentication) is small enough
//! to speak here, which lets each phase have its own time limit and its own
//! error: a local proxy greets at once, while Tor may take up to a minute to
//! build a circuit to an onion service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::connect::{AddressError, split_host_port};

/// The system Tor's SOCKS ports, in the order they are tried: the tor
/// daemon's, then the Tor Browser's.
pub const TOR_PORTS: [u16; 2] = [9050, 9150];
/// How long the proxy may take to greet (it is normally on this computer).
const GREETING_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the proxy may take to reach the node: Tor builds a circuit to
/// an onion service in 5 to 60 s.
pub const TOR_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long looking for a local Tor may take per port.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// A SOCKS5 proxy's address, `HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct SocksProxy {
    host: String,
    port: u16,
}

/// Why a text is not a proxy address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a SOCKS proxy address: expected HOST:PORT, for example 127.0.0.1:9050")]
pub struct BadProxy(pub String);

impl SocksProxy {
    /// The system Tor's SOCKS port `port` on this computer.
    pub fn local(port: u16) -> Self {
        Self {
            host: "127.0.0.1".into(),
            port,
        }
    }

    /// `host:port`, brackets around an IPv6 host.
    pub fn address(&self) -> String {
        match self.host.contains(':') {
            true => format!("[{}]:{}", self.host, self.port),
            false => format!("{}:{}", self.host, self.port),
        }
    }
}

impl FromStr for SocksProxy {
    type Err = BadProxy;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let text = text
            .strip_prefix("socks5h://")
            .or_else(|| text.strip_prefix("socks5://"))
            .unwrap_or(text);
        match split_host_port(text) {
            Ok((host, Some(port))) => Ok(Self { host, port }),
            Ok((_, None)) | Err(AddressError::MissingHost | AddressError::BadPort) => {
                Err(BadProxy(text.to_owned()))
            }
        }
    }
}

impl TryFrom<String> for SocksProxy {
    type Error = BadProxy;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<SocksProxy> for String {
    fn from(proxy: SocksProxy) -> Self {
        proxy.address()
    }
}

impl fmt::Display for SocksProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address())
    }
}

/// Whether `host` is a Tor onion service name.
pub fn is_onion(host: &str) -> bool {
    host.trim_end_matches('.')
        .to_ascii_lowercase()
        .ends_with(".onion")
}

/// Why the proxy did not give us a stream to the node. Each says which
/// step failed, so the user knows whether to look at the proxy or the node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SocksError {
    /// Nothing listens at the proxy's address (or it is unreachable).
    #[error("cannot reach the SOCKS proxy at {proxy}: {detail}")]
    ProxyUnreachable { proxy: String, detail: String },
    /// The proxy accepted the connection but never greeted.
    #[error(
        "the SOCKS proxy at {proxy} accepted the connection but did not answer within {seconds} s"
    )]
    ProxySilent { proxy: String, seconds: u64 },
    /// What answered is not a SOCKS5 proxy (or wants a password).
    #[error("{proxy} is not a SOCKS5 proxy without password ({detail})")]
    NotSocks { proxy: String, detail: String },
    /// The proxy could not reach the node (its SOCKS5 reply code, explained).
    #[error("the proxy {proxy} could not reach {target}: {reason}")]
    TargetFailed {
        proxy: String,
        target: String,
        reason: String,
    },
    /// The proxy did not reach the node in time.
    #[error("the proxy {proxy} did not reach {target} within {seconds} s")]
    TargetTimeout {
        proxy: String,
        target: String,
        seconds: u64,
    },
    /// An `.onion` address and no Tor to reach it with.
    #[error(
        "{target} is a Tor onion address, and no Tor is running on this computer (nothing \
         listens on 127.0.0.1:9050 or 127.0.0.1:9150)"
    )]
    NoTor { target: String },
    /// The host name is too long for SOCKS5 (255 bytes).
    #[error("the host name {0:?} is too long for a SOCKS proxy")]
    NameTooLong(String),
}

impl SocksError {
    /// What the user can do about it.
    pub fn next_step(&self) -> &'static str {
        match self {
            Self::NoTor { .. } => {
                "Install and start Tor (Debian/Ubuntu: sudo apt install tor; macOS: brew install \
                 tor && brew services start tor; or open the Tor Browser), then connect again. \
                 Or pass --socksproxy HOST:PORT."
            }
            Self::ProxyUnreachable { .. } | Self::ProxySilent { .. } | Self::NotSocks { .. } => {
                "Check that the proxy (Tor) is running and that --socksproxy / the proxy field \
                 names its SOCKS port (Tor's is 9050, the Tor Browser's 9150)."
            }
            Self::TargetFailed { .. } | Self::TargetTimeout { .. } => {
                "Check the node's address and that the node is online. Over Tor, a first \
                 connection can take up to a minute; try again."
            }
            Self::NameTooLong(_) => "Check the node's address.",
        }
    }
}

/// How a connection reaches the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A TCP connection of our own.
    Direct,
    /// Through this SOCKS5 proxy; `tor` when the node is an onion service
    /// (the user is told "over Tor" and waits longer).
    Socks { proxy: SocksProxy, tor: bool },
}

impl Route {
    /// The route to `host`: the configured proxy, else the system Tor for
    /// an onion host, else direct.
    pub async fn find(host: &str, proxy: Option<&SocksProxy>) -> Result<Self, SocksError> {
        let tor = is_onion(host);
        if let Some(proxy) = proxy {
            return Ok(Self::Socks {
                proxy: proxy.clone(),
                tor,
            });
        }
        if !tor {
            return Ok(Self::Direct);
        }
        match system_tor().await {
            Some(proxy) => Ok(Self::Socks { proxy, tor }),
            None => Err(SocksError::NoTor {
                target: host.to_owned(),
            }),
        }
    }

    /// Whether this route goes over Tor (slow: minutes-scale patience).
    pub fn is_tor(&self) -> bool {
        matches!(self, Self::Socks { tor: true, .. })
    }
}

/// The system Tor's SOCKS port, if one is listening.
pub async fn system_tor() -> Option<SocksProxy> {
    for port in TOR_PORTS {
        let proxy = SocksProxy::local(port);
        let probe = TcpStream::connect(proxy.address());
        if let Ok(Ok(_)) = tokio::time::timeout(PROBE_TIMEOUT, probe).await {
            return Some(proxy);
        }
    }
    None
}

/// Open a TCP stream to `host:port` through `proxy`; the name is sent to the
/// proxy as it is (never resolved here).
pub async fn connect(
    proxy: &SocksProxy,
    host: &str,
    port: u16,
    connect_timeout: Duration,
) -> Result<TcpStream, SocksError> {
    let proxy_text = proxy.address();
    let target = match host.contains(':') {
        true => format!("[{host}]:{port}"),
        false => format!("{host}:{port}"),
    };
    let unreachable = |detail: String| SocksError::ProxyUnreachable {
        proxy: proxy_text.clone(),
        detail,
    };
    let mut stream = tokio::time::timeout(GREETING_TIMEOUT, TcpStream::connect(&proxy_text))
        .await
        .map_err(|_| unreachable(format!("no answer within {} s", GREETING_TIMEOUT.as_secs())))?
        .map_err(|err| unreachable(err.to_string()))?;
    let _ = stream.set_nodelay(true);
    let silent = || SocksError::ProxySilent {
        proxy: proxy_text.clone(),
        seconds: GREETING_TIMEOUT.as_secs(),
    };
    tokio::time::timeout(GREETING_TIMEOUT, greet(&mut stream, &proxy_text))
        .await
        .map_err(|_| silent())??;
    let request = connect_request(host, port)?;
    let reply = async {
        stream
            .write_all(&request)
            .await
            .map_err(|err| not_socks(&proxy_text, &format!("it closed the connection ({err})")))?;
        read_reply(&mut stream, &proxy_text, &target).await
    };
    tokio::time::timeout(connect_timeout, reply)
        .await
        .map_err(|_| SocksError::TargetTimeout {
            proxy: proxy_text.clone(),
            target: target.clone(),
            seconds: connect_timeout.as_secs(),
        })??;
    Ok(stream)
}

/// Offer "no authentication" and expect the proxy to take it.
async fn greet(stream: &mut TcpStream, proxy: &str) -> Result<(), SocksError> {
    stream
        .write_all(&[5, 1, 0])
        .await
        .map_err(|err| not_socks(proxy, &format!("it closed the connection ({err})")))?;
    let mut answer = [0u8; 2];
    let _ = stream
        .read_exact(&mut answer)
        .await
        .map_err(|err| not_socks(proxy, &format!("it gave no SOCKS greeting ({err})")))?;
    match answer {
        [5, 0] => Ok(()),
        [5, 0xff] => Err(not_socks(proxy, "it requires a user name and password")),
        [5, method] => Err(not_socks(proxy, &format!("it chose method {method}"))),
        [first, _] => Err(not_socks(
            proxy,
            &format!("it answered byte {first:#04x}, not SOCKS version 5"),
        )),
    }
}

/// `CONNECT host:port` with the host as a domain name (type 3), or as an
/// address when it is one.
fn connect_request(host: &str, port: u16) -> Result<Vec<u8>, SocksError> {
    let mut request = vec![5, 1, 0];
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            request.push(1);
            request.extend(ip.octets());
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            request.push(4);
            request.extend(ip.octets());
        }
        Err(_) => {
            let name =
                u8::try_from(host.len()).map_err(|_| SocksError::NameTooLong(host.to_owned()))?;
            request.extend([3, name]);
            request.extend(host.as_bytes());
        }
    }
    request.extend(port.to_be_bytes());
    Ok(request)
}

/// The CONNECT reply; the bound address that follows a success is read and
/// dropped, so the stream starts at the node's first byte.
async fn read_reply(stream: &mut TcpStream, proxy: &str, target: &str) -> Result<(), SocksError> {
    let mut head = [0u8; 4];
    let _ = stream
        .read_exact(&mut head)
        .await
        .map_err(|err| not_socks(proxy, &format!("it closed the connection ({err})")))?;
    if head[0] != 5 {
        return Err(not_socks(
            proxy,
            &format!("its reply starts with byte {:#04x}", head[0]),
        ));
    }
    if head[1] != 0 {
        return Err(SocksError::TargetFailed {
            proxy: proxy.to_owned(),
            target: target.to_owned(),
            reason: reply_reason(head[1]).to_owned(),
        });
    }
    let address_len = match head[3] {
        1 => 4,
        4 => 16,
        3 => {
            let mut len = [0u8; 1];
            let _ = stream
                .read_exact(&mut len)
                .await
                .map_err(|err| not_socks(proxy, &err.to_string()))?;
            usize::from(len[0])
        }
        other => {
            return Err(not_socks(
                proxy,
                &format!("its reply has address type {other}"),
            ));
        }
    };
    let mut rest = vec![0u8; address_len + 2];
    let _ = stream
        .read_exact(&mut rest)
        .await
        .map_err(|err| not_socks(proxy, &err.to_string()))?;
    Ok(())
}

fn not_socks(proxy: &str, detail: &str) -> SocksError {
    SocksError::NotSocks {
        proxy: proxy.to_owned(),
        detail: detail.to_owned(),
    }
}

/// RFC 1928's reply codes in words (Tor uses them too; for onion services
/// 0x04 and 0x06 usually mean the service is offline or unknown).
fn reply_reason(code: u8) -> &'static str {
    match code {
        1 => "the proxy failed (general SOCKS server failure)",
        2 => "the proxy's rules do not allow this connection",
        3 => "the network is unreachable from the proxy",
        4 => "the host is unreachable (an onion service that is offline or does not exist)",
        5 => "the connection was refused (nothing listens on that port)",
        6 => {
            "the connection timed out at the proxy (TTL expired; an onion service that is offline)"
        }
        7 => "the proxy does not support CONNECT",
        8 => "the proxy does not support this address type",
        _ => "the proxy refused with an unknown reply code",
    }
}

/// A connector for tonic's `Endpoint::connect_with_connector`: every
/// (re)connection of the channel dials the node through the proxy.
#[derive(Debug, Clone)]
pub(crate) struct SocksConnector {
    pub proxy: SocksProxy,
    pub host: String,
    pub port: u16,
    pub timeout: Duration,
}

impl tower_service::Service<http::Uri> for SocksConnector {
    type Response = TokioIo<TcpStream>;
    type Error = SocksError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: http::Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            connect(&this.proxy, &this.host, this.port, this.timeout)
                .await
                .map(TokioIo::new)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_addresses_parse_like_lncli_takes_them() {
        let parsed = |text: &str| text.parse::<SocksProxy>().map(|p| p.address());
        assert_eq!(parsed("127.0.0.1:9050"), Ok("127.0.0.1:9050".into()));
        assert_eq!(
            parsed("socks5h://localhost:9150"),
            Ok("localhost:9150".into())
        );
        assert_eq!(parsed("[::1]:9050"), Ok("[::1]:9050".into()));
        assert_eq!(parsed("localhost"), Err(BadProxy("localhost".into())));
        assert_eq!(parsed("h:0"), Err(BadProxy("h:0".into())));
        assert_eq!(parsed(""), Err(BadProxy(String::new())));
    }

    #[test]
    fn onion_names_are_recognised() {
        assert!(is_onion("abcdefghijklmnop.onion"));
        assert!(is_onion("X.ONION."));
        assert!(!is_onion("onion.example.com"));
        assert!(!is_onion("127.0.0.1"));
    }

    #[test]
    fn the_name_goes_to_the_proxy_unresolved() {
        let request = connect_request("abc.onion", 10009).unwrap();
        assert_eq!(request[..5], [5, 1, 0, 3, 9]);
        assert_eq!(&request[5..14], b"abc.onion");
        assert_eq!(request[14..], 10009u16.to_be_bytes());
        let ip = connect_request("10.0.0.2", 1).unwrap();
        assert_eq!(ip, [5, 1, 0, 1, 10, 0, 0, 2, 0, 1]);
        assert!(matches!(
            connect_request(&"a".repeat(256), 1),
            Err(SocksError::NameTooLong(_))
        ));
    }
}
