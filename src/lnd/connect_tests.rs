//! Tests for connection specs built from files and addresses.

use super::*;

fn self_signed_pem() -> String {
    rcgen::generate_simple_self_signed(vec!["localhost".into()])
        .unwrap()
        .cert
        .pem()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn splits_host_and_port() {
    type Case = (
        &'static str,
        Result<(&'static str, Option<u16>), AddressError>,
    );
    let cases: &[Case] = &[
        ("localhost:10009", Ok(("localhost", Some(10009)))),
        ("node.example.com", Ok(("node.example.com", None))),
        ("127.0.0.1:1", Ok(("127.0.0.1", Some(1)))),
        ("[::1]:10009", Ok(("::1", Some(10009)))),
        ("[::1]", Ok(("::1", None))),
        ("[[001\u{1}<b8]:8080", Err(AddressError::MissingHost)),
        ("[fe80::zz]:10009", Err(AddressError::MissingHost)),
        ("[mynode.local]:10009", Err(AddressError::MissingHost)),
        ("no\u{1}de:10009", Err(AddressError::MissingHost)),
        ("node<script>:10009", Err(AddressError::MissingHost)),
        (
            "abcdefghijklmnop.onion:10009",
            Ok(("abcdefghijklmnop.onion", Some(10009))),
        ),
        ("::1", Ok(("::1", None))),
        (" host:80 ", Ok(("host", Some(80)))),
        (":10009", Err(AddressError::MissingHost)),
        ("", Err(AddressError::MissingHost)),
        ("[::1", Err(AddressError::MissingHost)),
        ("host:0", Err(AddressError::BadPort)),
        ("host:70000", Err(AddressError::BadPort)),
        ("host:abc", Err(AddressError::BadPort)),
        ("[::1]x", Err(AddressError::BadPort)),
        ("a/b:1", Err(AddressError::MissingHost)),
        ("2001:db8::1", Ok(("2001:db8::1", None))),
        ("10.0.0.:x://10.0.0.2", Err(AddressError::MissingHost)),
        ("::1\u{0}@evil", Err(AddressError::MissingHost)),
    ];
    for (text, expected) in cases {
        let got = split_host_port(text);
        let expected = expected.map(|(h, p)| (h.to_owned(), p));
        assert_eq!(got, expected, "{text:?}");
    }
}

#[test]
fn address_brackets_ipv6() {
    let spec = |host: &str| ConnectSpec {
        host: host.into(),
        port: 10009,
        cert: CertSource::SystemRoots,
        macaroon: Macaroon::new(vec![1]),
        proxy: None,
    };
    assert_eq!(spec("::1").address(), "[::1]:10009");
    assert_eq!(spec("localhost").uri(), "https://localhost:10009");
}

#[test]
fn from_files_reads_cert_and_macaroon() {
    let dir = tempfile::tempdir().unwrap();
    let pem = self_signed_pem();
    let cert = write(dir.path(), "tls.cert", pem.as_bytes());
    let mac = write(dir.path(), "admin.macaroon", &[2, 1, 0xab]);
    let spec = ConnectSpec::from_files("localhost", &cert, &mac).unwrap();
    assert_eq!(spec.port, DEFAULT_PORT);
    assert_eq!(spec.cert, CertSource::Pem(pem.into_bytes()));
    assert_eq!(spec.macaroon.to_hex(), "0201ab");
    assert_eq!(spec.cert.fingerprint().map(|f| f.len()), Some(64));
}

#[test]
fn from_files_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let good_cert = write(dir.path(), "tls.cert", self_signed_pem().as_bytes());
    let good_mac = write(dir.path(), "admin.macaroon", &[1, 2, 3]);
    let empty = write(dir.path(), "empty", b"");
    let blank = write(dir.path(), "blank", b"  \n");
    let garbage = write(dir.path(), "garbage", b"hello, not a certificate");
    let missing = dir.path().join("nope");
    let folder = dir.path().to_path_buf();

    let cert_err = |path: &Path| ConnectSpec::from_files("h:1", path, &good_mac).unwrap_err();
    let mac_err = |path: &Path| ConnectSpec::from_files("h:1", &good_cert, path).unwrap_err();

    assert_eq!(
        cert_err(&missing),
        ConnectSpecError::Missing {
            what: "TLS certificate",
            path: missing.clone()
        }
    );
    assert_eq!(
        cert_err(&folder),
        ConnectSpecError::IsDirectory {
            what: "TLS certificate",
            path: folder.clone()
        }
    );
    assert_eq!(
        cert_err(&empty),
        ConnectSpecError::EmptyCert {
            path: empty.clone()
        }
    );
    assert_eq!(
        cert_err(&blank),
        ConnectSpecError::EmptyCert { path: blank }
    );
    assert_eq!(
        cert_err(&garbage),
        ConnectSpecError::NotPem { path: garbage }
    );
    assert_eq!(
        mac_err(&missing),
        ConnectSpecError::Missing {
            what: "macaroon",
            path: missing.clone()
        }
    );
    assert_eq!(
        mac_err(&folder),
        ConnectSpecError::IsDirectory {
            what: "macaroon",
            path: folder
        }
    );
    assert_eq!(
        mac_err(&empty),
        ConnectSpecError::EmptyMacaroon { path: empty }
    );
    let bad = ConnectSpec::from_files("host:port", &good_cert, &good_mac).unwrap_err();
    assert_eq!(bad, ConnectSpecError::BadAddress("host:port".into()));
    assert!(cert_err(&missing).to_string().contains("nope"));
}

#[test]
fn macaroon_is_never_printed() {
    let mac = Macaroon::new(vec![0xde, 0xad, 0xbe, 0xef]);
    for shown in [format!("{mac:?}"), mac.to_string()] {
        assert!(!shown.contains("dead") && !shown.contains("222"), "{shown}");
        assert!(shown.contains("4 bytes"), "{shown}");
    }
    let spec = ConnectSpec {
        host: "h".into(),
        port: 1,
        cert: CertSource::SystemRoots,
        macaroon: mac,
        proxy: None,
    };
    assert!(!format!("{spec:?}").contains("dead"));
}

#[test]
fn der_of_each_source() {
    let key = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let der = key.cert.der().to_vec();
    let pem = CertSource::Pem(key.cert.pem().into_bytes());
    assert_eq!(pem.der(), Ok(Some(der.clone())));
    assert_eq!(pem.fingerprint(), CertSource::Der(der).fingerprint());
    assert_eq!(CertSource::SystemRoots.der(), Ok(None));
    assert_eq!(CertSource::SystemRoots.fingerprint(), None);
    let bad = CertSource::Pem(b"-----BEGIN CERTIFICATE-----\n!!\n".to_vec());
    assert!(matches!(bad.der(), Err(InvalidPem(_))), "{:?}", bad.der());
}
