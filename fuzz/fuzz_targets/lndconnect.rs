//! lndconnect URIs pasted or scanned by the user
//! (`ConnectSpec::from_lndconnect`): never panic, an accepted link has a
//! usable host, port and macaroon, and writing it back gives the same spec.

#![no_main]

use libfuzzer_sys::fuzz_target;
use satchel::lnd::ConnectSpec;

fuzz_target!(|data: &[u8]| {
    let Ok(uri) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = ConnectSpec::from_lndconnect(uri) else {
        return;
    };
    assert!(!spec.host.is_empty(), "{uri:?}: empty host accepted");
    assert_ne!(spec.port, 0, "{uri:?}: port 0 accepted");
    assert!(
        !spec.macaroon.as_bytes().is_empty(),
        "{uri:?}: empty macaroon accepted"
    );
    let _fingerprint = spec.cert.fingerprint();
    let written = spec.to_lndconnect();
    let again = ConnectSpec::from_lndconnect(&written)
        .unwrap_or_else(|err| panic!("{uri:?} -> {written:?} does not parse again: {err}"));
    assert_eq!(again, spec, "{uri:?} -> {written:?} changed the spec");
});
