//! Tests for status and transport error mapping.

use std::sync::Arc;

use super::*;

fn ctx() -> CallContext {
    CallContext::new("SendPaymentV2", "node:10009")
}

#[test]
fn maps_status_codes() {
    let cases: Vec<(Status, NodeError)> = vec![
        (
            Status::unavailable("tcp connect error"),
            NodeError::Unreachable {
                address: "node:10009".into(),
                detail: "tcp connect error".into(),
            },
        ),
        (Status::unauthenticated("bad"), NodeError::MacaroonRejected),
        (
            Status::out_of_range(
                "Error, decoded message length too large: found 80000000 bytes, the limit is: 67108864 bytes",
            ),
            NodeError::TooLarge {
                method: "SendPaymentV2".into(),
                detail: "Error, decoded message length too large: found 80000000 bytes, the limit is: 67108864 bytes".into(),
            },
        ),
        (
            Status::out_of_range("index out of range"),
            NodeError::Invalid("index out of range".into()),
        ),
        (
            Status::permission_denied("no"),
            NodeError::PermissionDenied("SendPaymentV2".into()),
        ),
        (
            Status::not_found("payment isn't initiated"),
            NodeError::NotFound("payment isn't initiated".into()),
        ),
        (
            Status::already_exists("payment is in transition"),
            NodeError::AlreadyPaid,
        ),
        (
            Status::invalid_argument("amount must be set"),
            NodeError::Invalid("amount must be set".into()),
        ),
        (Status::deadline_exceeded("slow"), NodeError::Timeout),
        (
            Status::unknown("verification failed: signature mismatch after caveat verification"),
            NodeError::MacaroonRejected,
        ),
        (
            Status::unknown("expected 1 macaroon, got 0"),
            NodeError::MacaroonRejected,
        ),
        (
            Status::unknown("permission denied"),
            NodeError::PermissionDenied("SendPaymentV2".into()),
        ),
        (
            Status::internal("boom"),
            NodeError::Other("SendPaymentV2: boom".into()),
        ),
        (
            Status::unimplemented("unknown service lnrpc.Lightning"),
            NodeError::Other(LOCKED.into()),
        ),
        (
            Status::unknown("wallet locked, unlock it to enable full RPC access"),
            NodeError::Other(LOCKED.into()),
        ),
    ];
    for (status, expected) in cases {
        assert_eq!(from_status(&status, &ctx()), expected, "{status:?}");
    }
}

#[test]
fn a_broken_stream_is_a_disconnect() {
    let unavailable = Status::unavailable("connection reset");
    assert_eq!(
        from_stream_status(&unavailable, &ctx()),
        NodeError::Disconnected("connection reset".into())
    );
    let h2 = Status::internal("h2 protocol error: stream reset");
    assert!(matches!(
        from_stream_status(&h2, &ctx()),
        NodeError::Disconnected(_)
    ));
    let refused = Status::not_found("gone");
    assert_eq!(
        from_stream_status(&refused, &ctx()),
        NodeError::NotFound("gone".into())
    );

    let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe closed");
    let mut status = Status::unknown("error reading a body from connection");
    let _ = status.set_source(Arc::new(io));
    let NodeError::Disconnected(detail) = from_status(&status, &ctx()) else {
        panic!("a status with a transport source is a disconnect");
    };
    assert!(detail.contains("pipe closed"), "{detail}");
}

#[test]
fn finds_a_certificate_rejection_inside_io_errors() {
    let rejected =
        rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure);
    let io = std::io::Error::new(std::io::ErrorKind::InvalidData, rejected);
    let mut status = Status::unavailable("tls handshake eof");
    let _ = status.set_source(Arc::new(io));
    assert_eq!(from_status(&status, &ctx()), NodeError::CertificateMismatch);

    let other_tls =
        std::io::Error::new(std::io::ErrorKind::InvalidData, rustls::Error::DecryptError);
    let mut status = Status::unavailable("tls");
    let _ = status.set_source(Arc::new(other_tls));
    assert!(matches!(
        from_status(&status, &ctx()),
        NodeError::Unreachable { .. }
    ));
}

#[test]
fn chain_text_skips_repeats() {
    let io = std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "Connection refused (os error 111)",
    );
    let mut status = Status::unavailable("tcp connect error");
    let _ = status.set_source(Arc::new(io));
    let NodeError::Unreachable { detail, .. } = from_status(&status, &ctx()) else {
        panic!()
    };
    assert_eq!(
        detail,
        "tcp connect error: Connection refused (os error 111)"
    );
}
