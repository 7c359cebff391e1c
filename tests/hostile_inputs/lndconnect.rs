//! lndconnect links: each broken link is refused with its specific error, and
//! a link that is accepted can be written back and read again.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use satchel::lnd::{ConnectSpec, LndConnectError};

use super::{Case, assert_refused};

fn macaroon() -> String {
    URL_SAFE_NO_PAD.encode([2, 1, 3, b'l', b'n', b'd'])
}

#[test]
fn lndconnect_uris_are_refused_with_the_reason() {
    let mac = macaroon();
    let not_der = URL_SAFE_NO_PAD.encode(b"hello, not a certificate");
    let short_der = URL_SAFE_NO_PAD.encode([0x30, 0x05, 0x01]);
    let cases: &[Case<'_, LndConnectError>] = &[
        (
            "",
            LndConnectError::NotLndConnect,
            "should start with lndconnect://",
        ),
        (
            "https://node:10009?macaroon=AgE",
            LndConnectError::NotLndConnect,
            "not an lndconnect",
        ),
        (
            "lndconnect:node:10009",
            LndConnectError::NotLndConnect,
            "not an lndconnect",
        ),
        (
            "lndconnect\u{202e}://x",
            LndConnectError::NotLndConnect,
            "not an lndconnect",
        ),
        (
            &format!("lndconnect://?macaroon={mac}"),
            LndConnectError::MissingHost,
            "no host",
        ),
        (
            &format!("lndconnect://:10009?macaroon={mac}"),
            LndConnectError::MissingHost,
            "no host",
        ),
        (
            &format!("lndconnect://u@node?macaroon={mac}"),
            LndConnectError::MissingHost,
            "no host",
        ),
        (
            &format!("lndconnect://node:port?macaroon={mac}"),
            LndConnectError::BadPort("port".into()),
            "invalid port: \"port\"",
        ),
        (
            &format!("lndconnect://node:0?macaroon={mac}"),
            LndConnectError::BadPort("0".into()),
            "port",
        ),
        (
            &format!("lndconnect://node:65536?macaroon={mac}"),
            LndConnectError::BadPort("65536".into()),
            "invalid port",
        ),
        (
            "lndconnect://node:10009",
            LndConnectError::MissingMacaroon,
            "no macaroon",
        ),
        (
            "lndconnect://node:10009?macaroon=",
            LndConnectError::MissingMacaroon,
            "no macaroon",
        ),
        (
            "lndconnect://node?cert=MAA&macaroon",
            LndConnectError::MissingMacaroon,
            "no macaroon",
        ),
        (
            "lndconnect://node?macaroon=%%%",
            LndConnectError::BadMacaroonBase64("Invalid symbol 37, offset 0.".into()),
            "macaroon in the lndconnect link is not valid base64",
        ),
        (
            &format!("lndconnect://node?macaroon={mac}&cert=!!!!"),
            LndConnectError::BadCertBase64("Invalid symbol 33, offset 0.".into()),
            "certificate in the lndconnect link is not valid base64",
        ),
        (
            &format!("lndconnect://node?macaroon={mac}&cert={not_der}"),
            LndConnectError::CertNotDer(
                "it starts with byte 0x68, not a DER SEQUENCE (0x30)".into(),
            ),
            "not a DER certificate",
        ),
        (
            &format!("lndconnect://node?macaroon={mac}&cert={short_der}"),
            LndConnectError::CertNotDer("its length says 5 bytes but 1 follow".into()),
            "not a DER certificate",
        ),
        // A cert parameter that is there but empty must not drop the pin.
        (
            &format!("lndconnect://node?cert=&macaroon={mac}"),
            LndConnectError::EmptyCert,
            "empty cert= parameter",
        ),
        (
            &format!("lndconnect://node?macaroon={mac}&Cert="),
            LndConnectError::EmptyCert,
            "empty cert= parameter",
        ),
        (
            &format!("lndconnect://node?macaroon={mac}&cert={not_der}&cert="),
            LndConnectError::Repeated("cert"),
            "cert= more than once",
        ),
    ];
    for (input, want, words) in cases {
        assert_refused(input, ConnectSpec::from_lndconnect(input), want, words);
    }
    let padded = format!("lndconnect://node?macaroon={}", STANDARD.encode(b"mac"));
    assert_eq!(ConnectSpec::from_lndconnect(&padded).unwrap().port, 10009);
}

/// A certificate given as PEM inside the link must pass the same DER check as
/// a DER one. Found by the `lndconnect` fuzz target: a PEM whose body is not
/// a certificate is accepted, and the link Satchel writes back for it
/// (`to_lndconnect`) is then refused.
#[test]
fn a_pem_certificate_in_a_link_must_be_der_inside() {
    let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let uri = format!(
        "lndconnect://node?macaroon={}&cert={}",
        macaroon(),
        URL_SAFE_NO_PAD.encode(pem)
    );
    let want =
        LndConnectError::CertNotDer("it starts with byte 0x00, not a DER SEQUENCE (0x30)".into());
    assert_refused(
        &uri,
        ConnectSpec::from_lndconnect(&uri),
        &want,
        "not a DER certificate",
    );
}

/// A host with two or more colons is taken as a bare IPv6 address without
/// checking that it is one, so `/`, `@` and control characters (refused in
/// any other host) get through, and the link Satchel writes back is refused.
/// Found by the `lndconnect` fuzz target.
#[test]
fn a_host_with_colons_must_be_an_ipv6_address() {
    for host in ["10.0.0.:x://10.0.0.2", "not:an:address", "::1\u{0}@evil"] {
        let uri = format!("lndconnect://{host}?macaroon={}", macaroon());
        let got = ConnectSpec::from_lndconnect(&uri);
        assert_eq!(got, Err(LndConnectError::MissingHost), "{uri:?}");
    }
    let uri = format!("lndconnect://2001:db8::1?macaroon={}", macaroon());
    let spec = ConnectSpec::from_lndconnect(&uri).expect("a bare IPv6 address");
    assert_eq!((spec.host.as_str(), spec.port), ("2001:db8::1", 10009));
    assert_eq!(
        ConnectSpec::from_lndconnect(&spec.to_lndconnect()),
        Ok(spec)
    );
}
