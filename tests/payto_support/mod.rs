//! A real HTTPS server on 127.0.0.1 for Lightning Address and LNURL tests:
//! its own root (rcgen), trusted by the test's client only; routes by
//! path answer JSON, redirect, stall (before or inside the body) or
//! stream 10 MB; every request target is recorded.

#![allow(dead_code)] // each test file uses a different part of this.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};

/// What a path answers.
#[derive(Clone)]
pub enum Reply {
    Json(u16, String),
    /// 302 to this URL.
    Redirect(String),
    /// Never answer (the client's timeout must end it).
    Stall,
    /// Answer the headers and a first byte of the body, then nothing more.
    StallBody,
    /// 10 MB of JSON-ish bytes without a length.
    Huge,
}

/// The running server.
pub struct Web {
    pub port: u16,
    /// The root that signed the server's certificate (DER and PEM).
    pub root_der: Vec<u8>,
    pub root_pem: String,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    seen: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Web {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Web {
    /// Serve on a free port.
    pub async fn start() -> Self {
        satchel::install_crypto_provider();
        let (root_der, root_pem, config) = tls();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let routes = Arc::new(Mutex::new(HashMap::new()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let (r, s) = (routes.clone(), seen.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, routes, seen) = (acceptor.clone(), r.clone(), s.clone());
                drop(tokio::spawn(async move {
                    if let Ok(stream) = acceptor.accept(tcp).await {
                        serve(stream, &routes, &seen).await;
                    }
                }));
            }
        });
        Self {
            port,
            root_der,
            root_pem,
            routes,
            seen,
            task,
        }
    }

    /// Answer `path` (no query) with `reply`.
    pub fn route(&self, path: &str, reply: Reply) {
        let _ = self.routes.lock().unwrap().insert(path.to_owned(), reply);
    }

    /// `localhost:PORT`, the domain of this server's addresses.
    pub fn domain(&self) -> String {
        format!("localhost:{}", self.port)
    }

    /// `https://localhost:PORT`.
    pub fn base(&self) -> String {
        format!("https://localhost:{}", self.port)
    }

    /// Every request target so far (path and query).
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// A client that trusts this server's root, with `timeout`.
    pub fn client(&self, timeout: Duration) -> satchel::payto::Client {
        satchel::payto::Client::with(&self.web(), timeout).unwrap()
    }

    /// Direct connections that trust this server's root.
    pub fn web(&self) -> satchel::web::Web {
        satchel::web::Web::direct().trusting(self.root_der.clone())
    }
}

/// A root CA and a leaf for localhost / 127.0.0.1 signed by it.
fn tls() -> (Vec<u8>, String, rustls::ServerConfig) {
    let mut root_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let root = CertifiedIssuer::self_signed(root_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &root)
        .unwrap();
    let key = pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    (root.der().to_vec(), root.pem(), config)
}

async fn serve<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    routes: &Mutex<HashMap<String, Reply>>,
    seen: &Mutex<Vec<String>>,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let target = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
    seen.lock().unwrap().push(target.clone());
    let path = target.split('?').next().unwrap_or("/").to_owned();
    let reply = routes.lock().unwrap().get(&path).cloned();
    let response = match reply {
        None => respond(404, r#"{"status":"ERROR","reason":"not found"}"#, ""),
        Some(Reply::Json(code, body)) => respond(code, &body, ""),
        Some(Reply::Redirect(to)) => respond(302, "", &format!("Location: {to}\r\n")),
        Some(Reply::Stall) => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            return;
        }
        Some(Reply::StallBody) => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
                .await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_secs(120)).await;
            return;
        }
        Some(Reply::Huge) => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
                .await;
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..160 {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
            }
            let _ = stream.shutdown().await;
            return;
        }
    };
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn respond(code: u16, body: &str, extra: &str) -> String {
    format!(
        "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    )
}
