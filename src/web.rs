//! How Satchel reaches the web (podcast feeds, Lightning Address and LNURL
//! documents): the one place an HTTP client is built. reqwest with rustls
//! (ring) and the OS trust roots, a user agent, a timeout from connection to
//! last byte, and the SOCKS5 rule of "Connect from anywhere": with a proxy
//! set, every request goes through it (socks5h: names are resolved by the
//! proxy, never looked up here) and none is made directly, even when the
//! proxy is down; without one, a `.onion` host is refused rather than
//! looked up in the open.

use std::sync::Arc;
use std::time::Duration;

use crate::keysend::text::display_safe;
use crate::lnd::socks::{SocksProxy, is_onion};

/// How web requests leave this computer; cheap to clone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Web {
    proxy: Option<SocksProxy>,
    /// Extra trusted roots (DER): a test's local HTTPS server.
    roots: Arc<Vec<Vec<u8>>>,
}

/// Why a request was not (or could not be) made as the proxy rule says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error(
        "{0} is a Tor onion service: set a SOCKS proxy (Tor, e.g. 127.0.0.1:9050) on the node's \
         connection or with --socksproxy to reach it"
    )]
    OnionNeedsProxy(String),
    #[error(
        "could not reach {target} through the SOCKS proxy at {proxy}: {detail}. Satchel does not \
         connect directly while a proxy is set: check that the proxy (Tor) is running"
    )]
    Unreachable {
        proxy: String,
        target: String,
        detail: String,
    },
    #[error("could not set up the web client: {0}")]
    Setup(String),
}

impl Web {
    /// Direct connections (no proxy).
    pub fn direct() -> Self {
        Self::default()
    }

    /// Through `proxy` when given, else direct.
    pub fn through(proxy: Option<SocksProxy>) -> Self {
        Self {
            proxy,
            ..Self::default()
        }
    }

    /// The same, also trusting `root` (DER), for a test's local HTTPS server.
    #[must_use]
    pub fn trusting(mut self, root: Vec<u8>) -> Self {
        Arc::make_mut(&mut self.roots).push(root);
        self
    }

    /// The same roots, through `proxy` (the node's, once connected).
    #[must_use]
    pub fn with_proxy(self, proxy: Option<SocksProxy>) -> Self {
        Self { proxy, ..self }
    }

    /// The SOCKS proxy every request goes through, if any.
    pub fn proxy(&self) -> Option<&SocksProxy> {
        self.proxy.as_ref()
    }

    /// A client builder with `timeout` (connection to last byte), the
    /// roots and the proxy rule; the caller adds redirects and compression.
    pub fn builder(&self, timeout: Duration) -> Result<reqwest::ClientBuilder, ProxyError> {
        crate::install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("Satchel/", env!("CARGO_PKG_VERSION")));
        for root in self.roots.iter() {
            let cert = reqwest::Certificate::from_der(root)
                .map_err(|e| ProxyError::Setup(format!("a trusted root: {e}")))?;
            builder = builder.add_root_certificate(cert);
        }
        // Never the environment's HTTP(S)_PROXY: only the proxy the user set.
        builder = match &self.proxy {
            Some(proxy) => builder.proxy(
                reqwest::Proxy::all(format!("socks5h://{}", proxy.address()))
                    .map_err(|e| ProxyError::Setup(e.to_string()))?,
            ),
            None => builder.no_proxy(),
        };
        Ok(builder)
    }

    /// Refuse a request the proxy rule forbids: an onion host without a proxy.
    pub fn check(&self, url: &str) -> Result<(), ProxyError> {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        match self.proxy.is_none() && is_onion(&host) {
            true => Err(ProxyError::OnionNeedsProxy(display_safe(&host, 80))),
            false => Ok(()),
        }
    }

    /// Follow at most `max` redirects, never to an onion host without a
    /// proxy (that name would go to local DNS): [`Web::refusal`] finds why.
    pub fn redirects(&self, max: usize) -> reqwest::redirect::Policy {
        let direct = self.proxy.is_none();
        reqwest::redirect::Policy::custom(move |attempt| {
            let host = attempt.url().host_str().unwrap_or_default().to_owned();
            if direct && is_onion(&host) {
                return attempt.error(ProxyError::OnionNeedsProxy(display_safe(&host, 80)));
            }
            match attempt.previous().len() > max {
                true => attempt.error(format!("more than {max} redirects")),
                false => attempt.follow(),
            }
        })
    }

    /// The proxy rule's refusal inside a request's error, if that is what it was.
    pub fn refusal(error: &reqwest::Error) -> Option<ProxyError> {
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<ProxyError>() {
                return Some(refused.clone());
            }
            source = cause.source();
        }
        None
    }

    /// A connection failure said as the proxy's when one is set (the user
    /// must look at the proxy, and knows nothing went out directly).
    pub fn connect_failure(&self, target: &str, error: &reqwest::Error) -> Option<ProxyError> {
        let proxy = self.proxy.as_ref()?;
        error.is_connect().then(|| ProxyError::Unreachable {
            proxy: proxy.address(),
            target: display_safe(target, 80),
            detail: display_safe(&chain(error), 300),
        })
    }
}

/// An error and its causes, `: `-joined.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text = format!("{text}: {next}");
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn onion_hosts_need_a_proxy() {
        let direct = Web::direct();
        assert!(matches!(
            direct.check("http://abcdef.onion/.well-known/lnurlp/bob"),
            Err(ProxyError::OnionNeedsProxy(host)) if host == "abcdef.onion"
        ));
        assert_eq!(direct.check("https://example.com/x"), Ok(()));
        let tor = Web::through(Some(SocksProxy::local(9050)));
        assert_eq!(tor.check("http://abcdef.onion/x"), Ok(()));
        assert_eq!(tor.proxy(), Some(&SocksProxy::local(9050)));
    }

    #[test]
    fn the_proxy_changes_but_the_roots_stay() {
        let web = Web::direct().trusting(vec![1, 2, 3]);
        let moved = web.clone().with_proxy(Some(SocksProxy::local(9150)));
        assert_eq!(moved.roots, web.roots);
        assert_eq!(moved.proxy(), Some(&SocksProxy::local(9150)));
    }
}
