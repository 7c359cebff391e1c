//! Tests for lndconnect URI parsing and writing.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::*;

fn cert_der() -> Vec<u8> {
    rcgen::generate_simple_self_signed(vec!["localhost".into()])
        .unwrap()
        .cert
        .der()
        .to_vec()
}

const MACAROON: &[u8] = &[0x02, 0x01, 0x03, 0x6c, 0x6e, 0x64, 0xfb, 0xff];

#[test]
fn parses_the_reference_form() {
    let der = cert_der();
    let uri = format!(
        "lndconnect://node.example.com:10009?cert={}&macaroon={}",
        URL_SAFE_NO_PAD.encode(&der),
        URL_SAFE_NO_PAD.encode(MACAROON)
    );
    let spec = ConnectSpec::from_lndconnect(&uri).unwrap();
    assert_eq!(spec.host, "node.example.com");
    assert_eq!(spec.port, 10009);
    assert_eq!(spec.cert, CertSource::Der(der));
    assert_eq!(spec.macaroon.as_bytes(), MACAROON);
}

#[test]
fn tolerates_other_spellings() {
    let der = cert_der();
    let padded_std = |bytes: &[u8]| STANDARD.encode(bytes);
    let percent = |bytes: &[u8]| {
        STANDARD
            .encode(bytes)
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    };
    for encode in [padded_std, percent] {
        let uri = format!(
            "LNDCONNECT://[::1]?macaroon={}&cert={}&extra=1",
            encode(MACAROON),
            encode(&der)
        );
        let spec = ConnectSpec::from_lndconnect(&uri).unwrap();
        assert_eq!((spec.host.as_str(), spec.port), ("::1", DEFAULT_PORT));
        assert_eq!(spec.cert, CertSource::Der(der.clone()));
        assert_eq!(spec.macaroon.as_bytes(), MACAROON);
    }
}

#[test]
fn no_cert_means_system_roots_and_pem_is_accepted() {
    let uri = format!(
        "lndconnect://10.0.0.2:8443/?macaroon={}",
        URL_SAFE_NO_PAD.encode(MACAROON)
    );
    let spec = ConnectSpec::from_lndconnect(&uri).unwrap();
    assert_eq!((spec.host.as_str(), spec.port), ("10.0.0.2", 8443));
    assert_eq!(spec.cert, CertSource::SystemRoots);

    let key = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let uri = format!(
        "lndconnect://h:1?cert={}&macaroon={}",
        URL_SAFE_NO_PAD.encode(key.cert.pem()),
        URL_SAFE_NO_PAD.encode(MACAROON)
    );
    let spec = ConnectSpec::from_lndconnect(&uri).unwrap();
    assert_eq!(spec.cert, CertSource::Der(key.cert.der().to_vec()));
}

#[test]
fn refuses_with_specific_errors() {
    let mac = URL_SAFE_NO_PAD.encode(MACAROON);
    let cert = URL_SAFE_NO_PAD.encode(cert_der());
    let not_der = URL_SAFE_NO_PAD.encode(b"plain text, not a certificate");
    let cases: Vec<(String, LndConnectError)> = vec![
        ("https://node:10009".into(), LndConnectError::NotLndConnect),
        ("lndconnect:/node".into(), LndConnectError::NotLndConnect),
        (
            format!("lndconnect://:10009?macaroon={mac}"),
            LndConnectError::MissingHost,
        ),
        (
            format!("lndconnect://?macaroon={mac}"),
            LndConnectError::MissingHost,
        ),
        (
            format!("lndconnect://node:99999?macaroon={mac}"),
            LndConnectError::BadPort("99999".into()),
        ),
        (
            format!("lndconnect://node:x?macaroon={mac}"),
            LndConnectError::BadPort("x".into()),
        ),
        (
            format!("lndconnect://node:1?cert={cert}"),
            LndConnectError::MissingMacaroon,
        ),
        (
            "lndconnect://node:1?macaroon=".into(),
            LndConnectError::MissingMacaroon,
        ),
        (
            format!("lndconnect://node:1?cert={not_der}&macaroon={mac}"),
            LndConnectError::CertNotDer(String::new()),
        ),
        (
            format!("lndconnect://node:1?cert=a*b&macaroon={mac}"),
            LndConnectError::BadCertBase64(String::new()),
        ),
        (
            "lndconnect://node:1?macaroon=%%%".into(),
            LndConnectError::BadMacaroonBase64(String::new()),
        ),
    ];
    for (uri, expected) in cases {
        let got = ConnectSpec::from_lndconnect(&uri).unwrap_err();
        assert_eq!(
            std::mem::discriminant(&got),
            std::mem::discriminant(&expected),
            "{uri}: {got}"
        );
        if let LndConnectError::BadPort(_) = expected {
            assert_eq!(got, expected, "{uri}");
        }
    }
}

#[test]
fn der_check_reads_the_length() {
    assert_eq!(check_der_sequence(&[0x30, 0x02, 0x05, 0x00]), Ok(()));
    assert!(check_der_sequence(&[0x30, 0x03, 0x05, 0x00]).is_err());
    assert!(check_der_sequence(&[0x31, 0x00]).is_err());
    assert!(check_der_sequence(&[]).is_err());
    let mut long = vec![0x30, 0x82, 0x01, 0x00];
    long.resize(4 + 256, 0);
    assert_eq!(check_der_sequence(&long), Ok(()));
    assert!(check_der_sequence(&cert_der()).is_ok());
}

#[test]
fn writes_what_it_reads() {
    let spec = ConnectSpec {
        host: "::1".into(),
        port: 10010,
        cert: CertSource::Der(cert_der()),
        macaroon: Macaroon::new(MACAROON.to_vec()),
        proxy: None,
    };
    let uri = spec.to_lndconnect();
    assert!(uri.starts_with("lndconnect://[::1]:10010?cert="), "{uri}");
    assert!(
        !uri.contains('=') || uri.matches('=').count() == 2,
        "no padding: {uri}"
    );
    assert_eq!(ConnectSpec::from_lndconnect(&uri).unwrap(), spec);
}

fn link_with_cert(cert: &[u8]) -> String {
    format!(
        "lndconnect://node?cert={}&macaroon={}",
        URL_SAFE_NO_PAD.encode(cert),
        URL_SAFE_NO_PAD.encode(MACAROON)
    )
}

#[test]
fn the_cert_must_have_a_certificates_outer_structure() {
    assert_eq!(check_certificate(&cert_der()), Ok(()));
    let not_x509 = check_certificate(&[0x30, 0x02, 0x05, 0x00]).unwrap_err();
    assert!(not_x509.contains("tbsCertificate"), "{not_x509}");
    let mut trailing = cert_der();
    trailing.push(0);
    assert!(check_certificate(&trailing).is_err());
    let padded_length = check_certificate(&[0x30, 0x81, 0x02, 0x05, 0x00]).unwrap_err();
    assert!(padded_length.contains("shortest form"), "{padded_length}");
}

#[test]
fn a_pem_in_the_link_passes_the_same_checks_as_der() {
    let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let got = ConnectSpec::from_lndconnect(&link_with_cert(pem.as_bytes()));
    assert_eq!(
        got,
        Err(LndConnectError::CertNotDer(
            "it starts with byte 0x00, not a DER SEQUENCE (0x30)".into()
        ))
    );
    let hidden = "-----BEGIN CERTIFICATE-----\n\u{1b}[2J\u{202e}\n";
    let Err(LndConnectError::CertNotDer(reason)) =
        ConnectSpec::from_lndconnect(&link_with_cert(hidden.as_bytes()))
    else {
        panic!("a PEM without a certificate is refused");
    };
    assert!(reason.starts_with("it is PEM text"), "{reason}");
    assert!(!reason.contains(['\u{1b}', '\u{202e}']), "{reason:?}");
    let der = cert_der();
    let sequence_only = ConnectSpec::from_lndconnect(&link_with_cert(&[0x30, 0x02, 0x05, 0x00]));
    assert!(matches!(sequence_only, Err(LndConnectError::CertNotDer(_))));
    let good = ConnectSpec::from_lndconnect(&link_with_cert(&der)).unwrap();
    assert_eq!(good.cert, CertSource::Der(der));
}

/// A bad base64 value names its parameter and the expected encoding, in
/// words rather than the decoder's byte codes.
#[test]
fn bad_base64_is_explained() {
    let err = ConnectSpec::from_lndconnect("lndconnect://h:1?cert=abc&macaroon=def").unwrap_err();
    assert_eq!(
        err,
        LndConnectError::BadMacaroonBase64("Invalid last symbol 102, offset 2.".into())
    );
    let text = err.to_string();
    assert!(
        text.starts_with("the macaroon in the lndconnect link"),
        "{text}"
    );
    assert!(text.contains("'f' at character 3 cannot end it"), "{text}");
    assert!(text.contains("base64url without padding"), "{text}");
    assert!(!text.contains("102"), "{text}");
    let cert = ConnectSpec::from_lndconnect("lndconnect://h:1?cert=a*b&macaroon=AgE").unwrap_err();
    let text = cert.to_string();
    assert!(
        text.contains("'*' at character 2 is not a base64url character"),
        "{text}"
    );
    assert!(text.contains("certificate's DER bytes"), "{text}");
    assert_eq!(explain_decoder("something new"), "something new");
    assert!(explain_decoder("Invalid input length: 5").contains("cut short"));
    assert!(explain_decoder("Invalid symbol 7, offset 0.").contains("byte 0x07"));
}

/// Only a link with no cert parameter at all may fall back to the system's
/// roots: an empty, bare or differently-cased `cert` keeps (or refuses) the pin.
#[test]
fn a_present_cert_parameter_never_falls_back_to_system_roots() {
    let mac = URL_SAFE_NO_PAD.encode(MACAROON);
    let der = cert_der();
    let cert = URL_SAFE_NO_PAD.encode(&der);
    for (query, want) in [
        (
            format!("cert=&macaroon={mac}"),
            Err(LndConnectError::EmptyCert),
        ),
        (
            format!("macaroon={mac}&cert="),
            Err(LndConnectError::EmptyCert),
        ),
        (
            format!("cert&macaroon={mac}"),
            Err(LndConnectError::EmptyCert),
        ),
        (
            format!("Cert=&macaroon={mac}"),
            Err(LndConnectError::EmptyCert),
        ),
        (
            format!("cert={cert}&cert=&macaroon={mac}"),
            Err(LndConnectError::Repeated("cert")),
        ),
        (
            format!("Cert={cert}&macaroon={mac}"),
            Ok(CertSource::Der(der.clone())),
        ),
        (
            format!("CERT={cert}&Macaroon={mac}"),
            Ok(CertSource::Der(der.clone())),
        ),
        (format!("macaroon={mac}"), Ok(CertSource::SystemRoots)),
    ] {
        let got = ConnectSpec::from_lndconnect(&format!("lndconnect://h:1?{query}"))
            .map(|spec| spec.cert);
        assert_eq!(got, want, "{query}");
    }
}
