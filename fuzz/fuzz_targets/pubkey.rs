//! Node public keys typed or pasted by the user (`NodeId::from_str`) and read
//! from raw bytes (`NodeId::from_slice`): never panic, and whatever is
//! accepted round-trips exactly.

#![no_main]

use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use satchel::keysend::NodeId;

fuzz_target!(|data: &[u8]| {
    if let Ok(id) = NodeId::from_slice(data) {
        assert_eq!(
            id.as_bytes().as_slice(),
            data,
            "from_slice changed the bytes"
        );
        assert_eq!(NodeId::from_str(&id.to_hex()), Ok(id), "hex round trip");
    }
    let text = String::from_utf8_lossy(data);
    if let Ok(id) = NodeId::from_str(&text) {
        let hex = id.to_hex();
        assert_eq!(
            hex,
            text.trim().to_ascii_lowercase(),
            "accepted text is the key"
        );
        assert_eq!(NodeId::from_slice(id.as_bytes()), Ok(id), "byte round trip");
        let _short = id.short();
    }
});
