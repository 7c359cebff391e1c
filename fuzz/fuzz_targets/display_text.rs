//! The sanitiser every untrusted string goes through before display
//! (`keysend::text`): never panics, never lets a hidden character through,
//! never exceeds its cap, and is stable (sanitising twice changes nothing).

#![no_main]

use libfuzzer_sys::fuzz_target;
use satchel::keysend::text::{display_bytes, display_safe, display_safe_multiline, lossy_utf8};
use satchel_fuzz::{assert_display_safe, assert_display_safe_multiline};

fuzz_target!(|data: &[u8]| {
    let Some((&cap, bytes)) = data.split_first() else {
        return;
    };
    let max = usize::from(cap);
    let text = String::from_utf8_lossy(bytes);

    let line = display_safe(&text, max);
    assert_display_safe("display_safe", &line, max);
    assert_eq!(display_safe(&line, max), line, "display_safe is not stable");

    let block = display_safe_multiline(&text, max);
    assert_display_safe_multiline("display_safe_multiline", &block, max);
    assert_eq!(
        display_safe_multiline(&block, max),
        block,
        "multiline is not stable"
    );

    let lossy = lossy_utf8(bytes, max);
    assert_display_safe_multiline("lossy_utf8", &lossy, usize::MAX);
    assert!(
        lossy.chars().filter(|c| *c != '\u{2026}').count() <= max,
        "lossy_utf8 over cap"
    );

    let shown = display_bytes(bytes, max, false);
    assert_display_safe("display_bytes", &shown, max);
    let shown = display_bytes(bytes, max, true);
    assert_display_safe_multiline("display_bytes multiline", &shown, max);
});
