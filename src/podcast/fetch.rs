//! Getting a feed's bytes: from a file, or over HTTP(S) with reqwest (rustls,
//! gzip), a 10 s timeout, a 5 MB cap (checked while reading, not trusted from
//! `Content-Length`), at most 5 redirects, and ETag/Last-Modified caching in
//! a folder: a 304 answer reads the cached copy. The client comes from
//! [`Web`]: through the SOCKS proxy when one is set.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::feed::MAX_FEED_BYTES;
use crate::keysend::text::display_safe;
use crate::web::{ProxyError, Web, chain};

/// How long a feed request may take, connection to last byte.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Most redirects followed.
pub const MAX_REDIRECTS: usize = 5;

/// Why a feed could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{0:?} is not a feed address (http or https) or a file that exists")]
    NotAFeed(String),
    #[error("the feed did not answer within {0} s")]
    Timeout(u64),
    #[error("the feed redirects more than {MAX_REDIRECTS} times (a loop?)")]
    TooManyRedirects,
    #[error("the feed is larger than 5 MB; Satchel refuses it")]
    TooLarge,
    #[error("the server answered {0}")]
    Status(u16),
    #[error("could not fetch the feed: {0}")]
    Http(String),
    #[error(transparent)]
    Proxy(#[from] ProxyError),
    #[error("could not read {path}: {reason}")]
    File { path: String, reason: String },
}

/// Where a feed's bytes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    File,
    Network,
    /// The server said 304 Not Modified; the cached copy was read.
    Cache,
}

/// A feed's bytes.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub source: Source,
    /// The URL, when it came from the web (sent as `url` in boosts).
    pub url: Option<String>,
}

/// Fetches feeds; cheap to clone.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    web: Web,
    timeout: Duration,
    /// ETag/Last-Modified cache folder, when caching.
    cache: Option<PathBuf>,
}

/// Validators stored beside a cached feed.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheMeta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl Fetcher {
    /// A fetcher with the [`TIMEOUT`], caching in `cache` when given,
    /// reaching the web as `web` says.
    pub fn new(cache: Option<PathBuf>, web: &Web) -> Result<Self, FetchError> {
        Self::with_timeout(cache, web, TIMEOUT)
    }

    /// A fetcher with another timeout (tests).
    pub fn with_timeout(
        cache: Option<PathBuf>,
        web: &Web,
        timeout: Duration,
    ) -> Result<Self, FetchError> {
        let client = web
            .builder(timeout)?
            .redirect(web.redirects(MAX_REDIRECTS))
            .gzip(true)
            .build()
            .map_err(|e| FetchError::Http(e.to_string()))?;
        Ok(Self {
            client,
            web: web.clone(),
            timeout,
            cache,
        })
    }

    /// Read `feed`: an http(s) URL, or a path to a file.
    pub async fn get(&self, feed: &str) -> Result<Fetched, FetchError> {
        let trimmed = feed.trim();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return self.get_url(trimmed).await;
        }
        let path = Path::new(trimmed);
        if !path.is_file() {
            return Err(FetchError::NotAFeed(display_safe(trimmed, 200)));
        }
        read_file(path).map(|bytes| Fetched {
            bytes,
            source: Source::File,
            url: None,
        })
    }

    async fn get_url(&self, url: &str) -> Result<Fetched, FetchError> {
        self.web.check(url)?;
        let cached = self.cached(url);
        let mut request = self.client.get(url);
        if let Some((meta, _)) = &cached {
            if let Some(etag) = &meta.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(modified) = &meta.last_modified {
                request = request.header(IF_MODIFIED_SINCE, modified);
            }
        }
        let mut response = request.send().await.map_err(|e| self.error(url, &e))?;
        if response.status() == StatusCode::NOT_MODIFIED
            && let Some((_, bytes)) = cached
        {
            return Ok(Fetched {
                bytes,
                source: Source::Cache,
                url: Some(url.to_owned()),
            });
        }
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_FEED_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let meta = CacheMeta {
            url: url.to_owned(),
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.error(url, &e))? {
            if bytes.len() + chunk.len() > MAX_FEED_BYTES {
                return Err(FetchError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        self.store(&meta, &bytes);
        Ok(Fetched {
            bytes,
            source: Source::Network,
            url: Some(url.to_owned()),
        })
    }

    fn error(&self, url: &str, error: &reqwest::Error) -> FetchError {
        if error.is_timeout() {
            return FetchError::Timeout(self.timeout.as_secs().max(1));
        }
        if let Some(refused) = Web::refusal(error) {
            return FetchError::Proxy(refused);
        }
        if error.is_redirect() {
            return FetchError::TooManyRedirects;
        }
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        if let Some(proxy) = self.web.connect_failure(&host, error) {
            return FetchError::Proxy(proxy);
        }
        FetchError::Http(display_safe(&chain(error), 300))
    }

    /// The cache files for `url`: validators and body.
    fn cache_files(&self, url: &str) -> Option<(PathBuf, PathBuf)> {
        let dir = self.cache.as_ref()?;
        let key = hex::encode(&Sha256::digest(url.as_bytes())[..12]);
        Some((
            dir.join(format!("{key}.json")),
            dir.join(format!("{key}.xml")),
        ))
    }

    fn cached(&self, url: &str) -> Option<(CacheMeta, Vec<u8>)> {
        let (meta, body) = self.cache_files(url)?;
        let meta: CacheMeta = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
        let bytes = std::fs::read(body).ok()?;
        (meta.url == url && bytes.len() <= MAX_FEED_BYTES).then_some((meta, bytes))
    }

    /// Keep a copy when the server gave validators; a cache that cannot be
    /// written only costs a full download next time.
    fn store(&self, meta: &CacheMeta, bytes: &[u8]) {
        let Some((meta_file, body_file)) = self.cache_files(&meta.url) else {
            return;
        };
        if meta.etag.is_none() && meta.last_modified.is_none() {
            return;
        }
        let Ok(json) = serde_json::to_vec(meta) else {
            return;
        };
        let _ = crate::store::write_atomic(&body_file, bytes)
            .and_then(|()| crate::store::write_atomic(&meta_file, &json));
    }
}

/// A feed file, refused past the size cap before reading it whole.
fn read_file(path: &Path) -> Result<Vec<u8>, FetchError> {
    let error = |e: std::io::Error| FetchError::File {
        path: display_safe(&path.display().to_string(), 200),
        reason: e.to_string(),
    };
    let size = std::fs::metadata(path).map_err(error)?.len();
    if size > MAX_FEED_BYTES as u64 {
        return Err(FetchError::TooLarge);
    }
    std::fs::read(path).map_err(error)
}
