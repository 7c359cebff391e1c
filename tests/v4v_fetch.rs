//! Fetching feeds over real HTTP from a server on 127.0.0.1: redirects (and
//! a loop), ETag/Last-Modified answered with 304, a server that never
//! answers, oversize bodies (with and without Content-Length), gzip.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use satchel::podcast::Feed;
use satchel::podcast::fetch::{FetchError, Fetcher, Source};

const FEED: &str = r#"<rss><channel><title>Served</title><item><title>E1</title><guid>e1</guid></item></channel></rss>"#;

/// A tiny HTTP/1.1 server; every request line it got is kept.
struct Server {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        drop(std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = seen.clone();
                drop(std::thread::spawn(move || serve(stream, &seen)));
            }
        }));
        Self { base, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn count(&self, path: &str) -> usize {
        let wanted = format!("GET {path} ");
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.starts_with(&wanted))
            .count()
    }
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push(line.trim_end().to_owned());
    }
    let Some(request) = head.first().cloned() else {
        return;
    };
    seen.lock().unwrap().push(request.clone());
    let path = request.split(' ').nth(1).unwrap_or("/").to_owned();
    let header = |name: &str| {
        head.iter()
            .find(|h| h.to_ascii_lowercase().starts_with(&format!("{name}:")))
            .map(|h| h[name.len() + 1..].trim().to_owned())
    };
    let reply = |stream: &mut TcpStream, status: &str, headers: &str, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    };
    match path.as_str() {
        "/feed" => {
            if header("if-none-match").as_deref() == Some("\"v1\"") {
                return reply(&mut stream, "304 Not Modified", "ETag: \"v1\"\r\n", b"");
            }
            reply(&mut stream, "200 OK", "ETag: \"v1\"\r\n", FEED.as_bytes());
        }
        "/dated" => {
            let stamp = "Mon, 07 Dec 2026 00:00:00 GMT";
            if header("if-modified-since").as_deref() == Some(stamp) {
                return reply(&mut stream, "304 Not Modified", "", b"");
            }
            reply(
                &mut stream,
                "200 OK",
                &format!("Last-Modified: {stamp}\r\n"),
                FEED.as_bytes(),
            );
        }
        "/loop" => reply(&mut stream, "302 Found", "Location: /loop\r\n", b""),
        p if p.starts_with("/hop/") => {
            let left: u32 = p[5..].parse().unwrap();
            let next = if left == 0 {
                "/feed".to_owned()
            } else {
                format!("/hop/{}", left - 1)
            };
            reply(
                &mut stream,
                "302 Found",
                &format!("Location: {next}\r\n"),
                b"",
            );
        }
        "/silent" => std::thread::sleep(Duration::from_secs(30)),
        "/huge-declared" => {
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 52428800\r\nConnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&[b' '; 4096]);
        }
        "/huge-chunked" => {
            let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..(6 * 16) {
                let _ = stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes());
                if stream.write_all(&chunk).is_err() || stream.write_all(b"\r\n").is_err() {
                    return;
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n");
        }
        "/gzip" => {
            use flate2::{Compression, write::GzEncoder};
            let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(FEED.as_bytes()).unwrap();
            let body = encoder.finish().unwrap();
            let accepts = header("accept-encoding").is_some_and(|a| a.contains("gzip"));
            assert!(accepts, "the client asks for gzip");
            reply(&mut stream, "200 OK", "Content-Encoding: gzip\r\n", &body);
        }
        _ => reply(&mut stream, "404 Not Found", "", b"no"),
    }
}

fn fetcher(cache: Option<&std::path::Path>) -> Fetcher {
    Fetcher::with_timeout(
        cache.map(ToOwned::to_owned),
        &satchel::web::Web::direct(),
        Duration::from_secs(2),
    )
    .unwrap()
}

#[tokio::test]
async fn etag_and_last_modified_are_cached_and_304_reads_the_copy() {
    let server = Server::start();
    let cache = tempfile::tempdir().unwrap();
    let fetch = fetcher(Some(cache.path()));
    for path in ["/feed", "/dated"] {
        let first = fetch.get(&server.url(path)).await.unwrap();
        assert_eq!(first.source, Source::Network);
        assert_eq!(Feed::parse(&first.bytes).unwrap().title, "Served");
        let second = fetch.get(&server.url(path)).await.unwrap();
        assert_eq!(second.source, Source::Cache, "{path}");
        assert_eq!(second.bytes, first.bytes);
        assert_eq!(server.count(path), 2, "asked again, with validators");
    }
    // Without a cache folder every fetch downloads.
    let plain = fetcher(None).get(&server.url("/feed")).await.unwrap();
    assert_eq!(plain.source, Source::Network);
}

#[tokio::test]
async fn five_redirects_are_followed_six_and_loops_are_refused() {
    let server = Server::start();
    let fetch = fetcher(None);
    let ok = fetch.get(&server.url("/hop/4")).await.unwrap();
    assert_eq!(Feed::parse(&ok.bytes).unwrap().title, "Served");
    assert_eq!(
        fetch.get(&server.url("/hop/5")).await.unwrap_err(),
        FetchError::TooManyRedirects
    );
    assert_eq!(
        fetch.get(&server.url("/loop")).await.unwrap_err(),
        FetchError::TooManyRedirects
    );
    assert_eq!(server.count("/loop"), 6, "stopped after 5 redirects");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = Server::start();
    let err = fetcher(None).get(&server.url("/silent")).await.unwrap_err();
    assert_eq!(err, FetchError::Timeout(2));
}

#[tokio::test]
async fn oversize_feeds_are_refused() {
    let server = Server::start();
    for path in ["/huge-declared", "/huge-chunked"] {
        let err = fetcher(None).get(&server.url(path)).await.unwrap_err();
        assert_eq!(err, FetchError::TooLarge, "{path}");
    }
    let big = tempfile::NamedTempFile::new().unwrap();
    big.as_file().set_len(50 * 1024 * 1024).unwrap();
    let err = fetcher(None)
        .get(big.path().to_str().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::TooLarge);
}

#[tokio::test]
async fn gzip_bodies_are_decoded() {
    let server = Server::start();
    let got = fetcher(None).get(&server.url("/gzip")).await.unwrap();
    assert_eq!(got.bytes, FEED.as_bytes());
}

#[tokio::test]
async fn other_answers_and_names() {
    let server = Server::start();
    let fetch = fetcher(None);
    assert_eq!(
        fetch.get(&server.url("/nope")).await.unwrap_err(),
        FetchError::Status(404)
    );
    let err = fetch.get("ftp://example.com/feed").await.unwrap_err();
    assert!(matches!(err, FetchError::NotAFeed(_)), "{err:?}");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), FEED).unwrap();
    let got = fetch.get(file.path().to_str().unwrap()).await.unwrap();
    assert_eq!((got.source, got.url), (Source::File, None));
}
