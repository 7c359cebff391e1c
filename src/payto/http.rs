//! The web client for addresses and LNURLs: reqwest with rustls (ring), the
//! same timeout as feeds, a 64 KB cap on answers (read in chunks, never
//! trusting `Content-Length`), redirects only within the same scheme and
//! host, and `http://` only for `.onion` and loopback hosts. The client
//! comes from [`Web`]: through the SOCKS proxy when one is set.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::redirect::Policy;

use crate::keysend::text::display_safe;
use crate::podcast::fetch::{MAX_REDIRECTS, TIMEOUT};
use crate::web::{ProxyError, Web, chain};

/// Largest answer read: LNURL documents are a few hundred bytes.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Why a document could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("{0:?} is not an https address (http is only used for .onion and loopback hosts)")]
    NotHttps(String),
    #[error("{0} did not answer within {1} s")]
    Timeout(String, u64),
    #[error("{0} redirects to another host or scheme (or too often); Satchel does not follow")]
    Redirect(String),
    #[error("the answer from {0} is larger than 64 KB; Satchel refuses it")]
    TooLarge(String),
    #[error("{0} answered {1}")]
    Status(String, u16),
    #[error("could not reach {0}: {1}")]
    Network(String, String),
    #[error(transparent)]
    Proxy(#[from] ProxyError),
}

impl HttpError {
    /// The server says there is no such document (404): for an address, no such user.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Status(_, 404))
    }
}

/// https, or http to a `.onion` or loopback host.
pub fn allowed_url(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let host = url.host_str().unwrap_or("");
    match url.scheme() {
        "https" => !host.is_empty(),
        "http" => host.ends_with(".onion") || is_loopback(host),
        _ => false,
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Fetches LNURL documents; cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    client: reqwest::Client,
    web: Web,
    timeout: Duration,
}

impl Client {
    /// A client with the feeds' timeout, reaching the web as `web` says.
    pub fn new(web: &Web) -> Result<Self, HttpError> {
        Self::with(web, TIMEOUT)
    }

    /// A client with another timeout (tests).
    pub fn with(web: &Web, timeout: Duration) -> Result<Self, HttpError> {
        let client = web
            .builder(timeout)?
            .redirect(same_origin_redirects())
            .build()
            .map_err(|e| HttpError::Network("the client".into(), e.to_string()))?;
        Ok(Self {
            client,
            web: web.clone(),
            timeout,
        })
    }

    /// GET `url` and read at most [`MAX_ANSWER_BYTES`].
    pub async fn get(&self, url: &str) -> Result<Vec<u8>, HttpError> {
        let host = host_for_messages(url);
        if !allowed_url(url) {
            return Err(HttpError::NotHttps(display_safe(url, 120)));
        }
        self.web.check(url)?;
        let mut response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| self.error(&host, &e))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(HttpError::Redirect(host));
        }
        if status != StatusCode::OK {
            return Err(HttpError::Status(host, status.as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
        {
            return Err(HttpError::TooLarge(host));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.error(&host, &e))? {
            if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(HttpError::TooLarge(host));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    fn error(&self, host: &str, error: &reqwest::Error) -> HttpError {
        if error.is_timeout() {
            return HttpError::Timeout(host.to_owned(), self.timeout.as_secs().max(1));
        }
        if error.is_redirect() {
            return HttpError::Redirect(host.to_owned());
        }
        if let Some(proxy) = self.web.connect_failure(host, error) {
            return HttpError::Proxy(proxy);
        }
        HttpError::Network(host.to_owned(), display_safe(&chain(error), 300))
    }
}

/// Follow a redirect only to the same scheme and host, at most
/// [`MAX_REDIRECTS`] times; otherwise stop and hand back the 3xx.
fn same_origin_redirects() -> Policy {
    Policy::custom(|attempt| {
        let first = attempt.previous().first().cloned();
        let same = first.is_some_and(|first| {
            first.scheme() == attempt.url().scheme()
                && first.host_str() == attempt.url().host_str()
                && first.port_or_known_default() == attempt.url().port_or_known_default()
        });
        match same && attempt.previous().len() <= MAX_REDIRECTS {
            true => attempt.follow(),
            false => attempt.stop(),
        }
    })
}

/// The host of `url`, display-safe, for messages.
fn host_for_messages(url: &str) -> String {
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| url.to_owned());
    display_safe(&host, 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_onion_and_loopback_http() {
        assert!(allowed_url("https://example.com/x"));
        assert!(allowed_url("http://abc.onion/x"));
        assert!(allowed_url("http://127.0.0.1:8080/x"));
        assert!(allowed_url("http://localhost/x"));
        assert!(allowed_url("http://[::1]:80/x"));
        assert!(!allowed_url("http://example.com/x"));
        assert!(!allowed_url("ftp://example.com/x"));
        assert!(!allowed_url("javascript:alert(1)"));
    }
}
