//! Display-safe text: what untrusted strings (messages, names, aliases) become
//! before anyone sees them.
//!
//! Removed: C0/C1 control characters, zero-width characters (U+200B..U+200F,
//! U+2060..U+2064, U+FEFF, U+034F, U+180E), bidi embedding/override/isolate
//! controls (U+202A..U+202E, U+2066..U+2069, U+061C), and blank "filler" letters
//! used to fake empty names (Hangul fillers U+115F, U+1160, U+3164, U+FFA0) and
//! interlinear annotation marks (U+FFF9..U+FFFB). Removing U+200D (zero-width
//! joiner) splits joined emoji into their parts; that is the accepted price.
//!
//! Tabs and line breaks become a space in single-line text; the multi-line
//! variant keeps `\n` (CR LF, CR, U+2028 and U+2029 become `\n`) and collapses
//! three or more line breaks into one blank line. Runs of spaces become one
//! space (no padding a name out to push text aside). Both trim the ends.
//!
//! The result is plain text. Satchel never renders HTML or Markdown, so no
//! escaping is done or needed: display the string as literal text only.

/// Marks a cut: appended when text was longer than its cap.
pub const ELLIPSIS: char = '…';

/// Sanitise one line of untrusted text and cap it at `max_chars` characters
/// (the ellipsis included). Never splits a character.
pub fn display_safe(input: &str, max_chars: usize) -> String {
    if is_plain_ascii(input, max_chars) {
        return input.to_owned();
    }
    sanitise(input.as_bytes(), max_chars, false)
}

/// Like [`display_safe`], but keeps line breaks (at most one blank line in a row).
pub fn display_safe_multiline(input: &str, max_chars: usize) -> String {
    // No control character (so no line break either): what `sanitise`
    // would return unchanged, as for one line (every listed message passes
    // here once more after the index stored it display-safe).
    if is_plain_ascii(input, max_chars) {
        return input.to_owned();
    }
    sanitise(input.as_bytes(), max_chars, true)
}

/// Decode at most `max_bytes` of untrusted bytes as UTF-8 (invalid sequences
/// become U+FFFD), sanitise as multi-line text, and mark a cut with "…".
pub fn lossy_utf8(bytes: &[u8], max_bytes: usize) -> String {
    let (prefix, cut) = utf8_prefix(bytes, max_bytes);
    let mut out = sanitise(prefix, usize::MAX, true);
    if cut {
        out.push(ELLIPSIS);
    }
    out
}

/// Decode untrusted bytes (lossy UTF-8) and sanitise them to at most
/// `max_chars` characters, single- or multi-line. Reads no more than
/// `4 * max_chars` bytes, so huge values cost little.
pub fn display_bytes(bytes: &[u8], max_chars: usize, multiline: bool) -> String {
    if is_plain_ascii(bytes, max_chars) {
        return String::from_utf8(bytes.to_vec()).unwrap_or_default();
    }
    let (prefix, cut) = utf8_prefix(bytes, max_chars.saturating_mul(4));
    let mut out = match std::str::from_utf8(prefix) {
        Ok(text) if !multiline => display_safe(text, max_chars),
        Ok(text) => display_safe_multiline(text, max_chars),
        Err(_) => sanitise(prefix, max_chars, multiline),
    };
    if cut && !out.ends_with(ELLIPSIS) && max_chars > 0 {
        if out.chars().count() >= max_chars {
            out = cap(out, max_chars);
        } else {
            out.push(ELLIPSIS);
        }
    }
    out
}

/// The first `max_bytes` bytes, shortened so that a UTF-8 sequence cut in half
/// at the end is dropped rather than shown as U+FFFD. Also says if it cut.
fn utf8_prefix(bytes: &[u8], max_bytes: usize) -> (&[u8], bool) {
    if bytes.len() <= max_bytes {
        return (bytes, false);
    }
    let prefix = &bytes[..max_bytes];
    // A lead byte within the last 3 whose sequence runs past the end: drop it.
    let tail_start = prefix.len().saturating_sub(3);
    for i in (tail_start..prefix.len()).rev() {
        let width = utf8_width(prefix[i]);
        if width > 1 {
            let end = if i + width > prefix.len() {
                i
            } else {
                prefix.len()
            };
            return (&prefix[..end], true);
        }
        if width == 1 {
            break;
        }
    }
    (prefix, true)
}

/// The sequence length a UTF-8 lead byte announces; 0 for a continuation byte.
fn utf8_width(byte: u8) -> usize {
    match byte {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 0,
    }
}

/// Fast path: printable ASCII, short enough, single spaces inside only, so
/// sanitising would change nothing.
fn is_plain_ascii(input: impl AsRef<[u8]>, max_chars: usize) -> bool {
    let bytes = input.as_ref();
    bytes.len() <= max_chars
        && bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && bytes.iter().all(|b| (0x20..0x7F).contains(b))
        && !bytes.windows(2).any(|pair| pair == b"  ")
}

/// True for characters that are dropped outright.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{034F}' | '\u{180E}'
        | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}'
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The next character of lossy UTF-8 and its length in bytes: U+FFFD (one
/// byte) where no valid sequence starts. `bytes` must not be empty.
#[inline]
fn next_char(bytes: &[u8]) -> (char, usize) {
    let first = bytes[0];
    if first.is_ascii() {
        return (char::from(first), 1);
    }
    let width = utf8_width(first);
    let Some(sequence) = bytes.get(..width).filter(|_| width > 1) else {
        return (char::REPLACEMENT_CHARACTER, 1);
    };
    let mut code = u32::from(first) & (0x7F >> width);
    for &byte in &sequence[1..] {
        if byte & 0xC0 != 0x80 {
            return (char::REPLACEMENT_CHARACTER, 1);
        }
        code = (code << 6) | u32::from(byte & 0x3F);
    }
    // Overlong forms are invalid; char::from_u32 refuses surrogates and > U+10FFFF.
    let shortest = [0, 0, 0x80, 0x800, 0x1_0000][width];
    match char::from_u32(code).filter(|_| code >= shortest) {
        Some(c) => (c, width),
        None => (char::REPLACEMENT_CHARACTER, 1),
    }
}

/// What a character does to the output.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Visible,
    Space,
    Break,
    CarriageReturn,
    Hidden,
}

/// Classify one character; ASCII and U+FFFD take the short way.
#[inline]
fn classify(c: char) -> Class {
    if c.is_ascii() {
        return match c {
            '!'..='~' => Class::Visible,
            ' ' | '\t' => Class::Space,
            '\n' => Class::Break,
            '\r' => Class::CarriageReturn,
            _ => Class::Hidden,
        };
    }
    match c {
        char::REPLACEMENT_CHARACTER => Class::Visible,
        '\u{2028}' | '\u{2029}' => Class::Break,
        c if is_hidden(c) => Class::Hidden,
        c if c.is_whitespace() => Class::Space,
        _ => Class::Visible,
    }
}

/// One pass over (lossy) UTF-8: drop hidden characters, normalise breaks,
/// collapse blank lines and spaces, trim, cap. The output buffer is only
/// allocated once something visible turns up.
fn sanitise(input: &[u8], max_chars: usize, multiline: bool) -> String {
    let mut out = String::new();
    let (mut count, mut breaks, mut space, mut after_cr) = (0usize, 0usize, false, false);
    let mut rest = input;
    while !rest.is_empty() {
        let (c, len) = next_char(rest);
        rest = &rest[len..];
        let class = classify(c);
        let was_cr = std::mem::replace(&mut after_cr, class == Class::CarriageReturn);
        match class {
            Class::Visible => {}
            Class::Hidden => continue,
            Class::Break if was_cr => continue, // CR LF is one break
            Class::Break | Class::CarriageReturn if multiline => {
                (breaks, space) = (breaks + 1, false);
            }
            Class::Break | Class::CarriageReturn | Class::Space => space = true,
        }
        if class != Class::Visible {
            continue;
        }
        let gap = match (count, breaks) {
            (0, _) => "",
            (_, 0) if space => " ",
            (_, 0) => "",
            (_, 1) => "\n",
            _ => "\n\n",
        };
        if count + gap.len() + 1 > max_chars {
            return cap(out, max_chars);
        }
        if out.capacity() == 0 {
            out.reserve((input.len() * 3).min(max_chars.saturating_mul(4)));
        }
        if !gap.is_empty() {
            out.push_str(gap);
        }
        out.push(c);
        (count, breaks, space) = (count + gap.len() + 1, 0, false);
    }
    out
}

/// `out` holds at most `max_chars` characters and more text followed: make room
/// for the ellipsis.
fn cap(mut out: String, max_chars: usize) -> String {
    if max_chars == 0 {
        return String::new();
    }
    let keep = max_chars - 1;
    if let Some((index, _)) = out.char_indices().nth(keep) {
        out.truncate(index);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push(ELLIPSIS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain-ASCII shortcut of the multi-line form answers what the
    /// full filter answers, at and around its conditions.
    #[test]
    fn multiline_shortcut_agrees_with_the_filter() {
        for input in [
            "Loved the talk yesterday.",
            "exactly ten",
            "eleven char",
            " lead",
            "trail ",
            "two  spaces",
            "tab\there",
            "line\nbreak",
            "",
            "caf\u{e9}",
        ] {
            for max in [0, 5, 10, 11, 100] {
                assert_eq!(
                    display_safe_multiline(input, max),
                    sanitise(input.as_bytes(), max, true),
                    "{input:?} capped at {max}"
                );
            }
        }
    }

    #[test]
    fn single_line_cases() {
        let cases: &[(&str, usize, &str)] = &[
            ("hello", 10, "hello"),
            ("  padded  ", 20, "padded"),
            ("a\tb\nc\r\nd", 20, "a b c d"),
            ("bell\u{7}\u{0}\u{1b}[31mred", 20, "bell[31mred"),
            ("c1\u{85}\u{9b}x", 10, "c1x"),
            (
                "zero\u{200B}width\u{FEFF}\u{2060}\u{034F}\u{180E}",
                20,
                "zerowidth",
            ),
            ("evil\u{202E}txt.exe", 20, "eviltxt.exe"),
            ("\u{2066}iso\u{2069}\u{061C}late", 20, "isolate"),
            ("\u{3164}\u{115F}", 10, ""),
            ("hello world", 5, "hell…"),
            ("hello world", 6, "hello…"),
            ("hello world", 11, "hello world"),
            ("héllo wörld", 4, "hél…"),
            ("🙂🙂🙂", 2, "🙂…"),
            ("abc", 0, ""),
            ("abc", 1, "…"),
            ("a     b", 10, "a b"),
        ];
        for (input, max, expected) in cases {
            assert_eq!(display_safe(input, *max), *expected, "{input:?} / {max}");
        }
    }

    #[test]
    fn multiline_cases() {
        let cases: &[(&str, usize, &str)] = &[
            ("one\ntwo", 20, "one\ntwo"),
            ("one\r\ntwo\rthree", 20, "one\ntwo\nthree"),
            ("a\n\nb", 20, "a\n\nb"),
            ("a\n\n\n\n\nb", 20, "a\n\nb"),
            ("a\n \n\t\n  \nb", 20, "a\n\nb"),
            ("\n\n\nstart\n\n\n", 20, "start"),
            ("x\u{2028}y\u{2029}z", 20, "x\ny\nz"),
            ("one\ntwo", 5, "one…"),
        ];
        for (input, max, expected) in cases {
            assert_eq!(
                display_safe_multiline(input, *max),
                *expected,
                "{input:?} / {max}"
            );
        }
    }

    #[test]
    fn lossy_bytes_cases() {
        let cases: &[(&[u8], usize, &str)] = &[
            (b"plain", 100, "plain"),
            (b"bad \xff\xfe bytes", 100, "bad \u{FFFD}\u{FFFD} bytes"),
            (b"abcdef", 3, "abc…"),
            ("aé".as_bytes(), 2, "a…"),
            ("a🙂".as_bytes(), 4, "a…"),
            ("a🙂".as_bytes(), 5, "a🙂"),
            (b"\x1b]0;title\x07", 100, "]0;title"),
            (b"", 10, ""),
        ];
        for (input, max, expected) in cases {
            assert_eq!(lossy_utf8(input, *max), *expected, "{input:?} / {max}");
        }
    }

    #[test]
    fn display_bytes_cases() {
        let many_hidden = [&[0xE2u8, 0x80, 0x8B][..]; 10].concat();
        let cases: &[(&[u8], usize, bool, &str)] = &[
            (b"plain text", 20, false, "plain text"),
            (b"two\nlines", 20, false, "two lines"),
            (b"two\nlines", 20, true, "two\nlines"),
            (b"\xff\xfeok", 20, false, "\u{FFFD}\u{FFFD}ok"),
            (b"abcdefghij", 2, false, "a…"),
            (b"abcdefghij", 0, false, ""),
            (&many_hidden, 5, false, "…"),
            (&[b'x'; 100_000], 3, true, "xx…"),
        ];
        for (input, max, multiline, expected) in cases {
            let got = display_bytes(input, *max, *multiline);
            assert_eq!(
                got,
                *expected,
                "{:?} / {max}",
                &input[..input.len().min(20)]
            );
            assert!(got.chars().count() <= *max);
        }
    }

    #[test]
    fn next_char_decodes_like_std() {
        for code in (0u32..0x11_0000)
            .step_by(7)
            .chain([0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x1_0000, 0x10_FFFF])
        {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let mut buffer = [0u8; 4];
            let encoded = c.encode_utf8(&mut buffer).as_bytes();
            assert_eq!(next_char(encoded), (c, encoded.len()), "{code:#x}");
        }
        let invalid: &[&[u8]] = &[
            b"\x80",
            b"\xC0\x80",
            b"\xED\xA0\x80",
            b"\xF4\x90\x80\x80",
            b"\xE2\x82",
            b"\xF8",
        ];
        for bytes in invalid {
            assert_eq!(
                next_char(bytes),
                (char::REPLACEMENT_CHARACTER, 1),
                "{bytes:?}"
            );
            let lossy = String::from_utf8_lossy(bytes);
            assert!(lossy.starts_with(char::REPLACEMENT_CHARACTER));
        }
    }

    #[test]
    fn output_never_exceeds_cap_and_has_no_hidden_chars() {
        let nasty: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        for max in [0, 1, 2, 7, 100, 5000] {
            for out in [
                display_safe(&nasty, max),
                display_safe_multiline(&nasty, max),
            ] {
                assert!(out.chars().count() <= max, "cap {max}");
                assert!(!out.chars().any(is_hidden), "cap {max}");
            }
        }
    }
}
