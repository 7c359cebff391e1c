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
    sanitise(input, max_chars, false)
}

/// Like [`display_safe`], but keeps line breaks (at most one blank line in a row).
pub fn display_safe_multiline(input: &str, max_chars: usize) -> String {
    sanitise(input, max_chars, true)
}

/// Decode at most `max_bytes` of untrusted bytes as UTF-8 (invalid sequences
/// become U+FFFD), sanitise as multi-line text, and mark a cut with "…".
pub fn lossy_utf8(bytes: &[u8], max_bytes: usize) -> String {
    let (prefix, cut) = utf8_prefix(bytes, max_bytes);
    let mut out = sanitise_chars(lossy_chars(prefix), prefix.len(), usize::MAX, true);
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
        return bytes.iter().map(|&b| char::from(b)).collect();
    }
    let (prefix, cut) = utf8_prefix(bytes, max_chars.saturating_mul(4));
    let mut out = match std::str::from_utf8(prefix) {
        Ok(text) if !multiline => display_safe(text, max_chars),
        Ok(text) => display_safe_multiline(text, max_chars),
        Err(_) => sanitise_chars(lossy_chars(prefix), prefix.len() * 3, max_chars, multiline),
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

/// One pass: drop hidden characters, normalise breaks, collapse blank lines,
/// trim, cap.
fn sanitise(input: &str, max_chars: usize, multiline: bool) -> String {
    sanitise_chars(input.chars(), input.len(), max_chars, multiline)
}

/// The characters of lossy UTF-8 decoding (U+FFFD for each byte that does not
/// start a valid sequence), without building the decoded string.
fn lossy_chars(bytes: &[u8]) -> impl Iterator<Item = char> + '_ {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        let (&first, tail) = rest.split_first()?;
        if first.is_ascii() {
            rest = tail;
            return Some(char::from(first));
        }
        let width = utf8_width(first);
        let sequence = rest.get(..width).filter(|_| width > 1);
        let valid = sequence.and_then(|seq| std::str::from_utf8(seq).ok());
        if let Some(c) = valid.and_then(|text| text.chars().next()) {
            rest = &rest[width..];
            return Some(c);
        }
        rest = tail;
        Some(char::REPLACEMENT_CHARACTER)
    })
}

/// [`sanitise`] over any characters; `bytes_hint` sizes the output buffer.
fn sanitise_chars(
    input: impl Iterator<Item = char>,
    bytes_hint: usize,
    max_chars: usize,
    multiline: bool,
) -> String {
    let mut out = String::with_capacity(bytes_hint.min(max_chars.saturating_mul(4)));
    let mut chars = 0usize;
    let mut pending_breaks = 0usize;
    let mut pending_space = false;
    let mut iter = input.peekable();
    while let Some(c) = iter.next() {
        if c.is_ascii_graphic() && pending_breaks == 0 && !pending_space {
            // Hot path: a visible ASCII character right after the previous one.
            if chars == max_chars {
                return cap(out, max_chars);
            }
            out.push(c);
            chars += 1;
            continue;
        }
        let c = match c {
            '\r' if iter.peek() == Some(&'\n') => continue,
            '\r' | '\n' | '\u{2028}' | '\u{2029}' if multiline => '\n',
            '\t' | '\r' | '\n' | '\u{2028}' | '\u{2029}' => ' ',
            c if is_hidden(c) => continue,
            c => c,
        };
        if c == '\n' {
            pending_breaks += 1;
            pending_space = false;
            continue;
        }
        if c.is_whitespace() && chars == 0 {
            continue; // trim the start
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        let breaks = if chars == 0 { 0 } else { pending_breaks.min(2) };
        let gap = breaks + usize::from(breaks == 0 && pending_space);
        if chars + gap + 1 > max_chars {
            return cap(out, max_chars);
        }
        for _ in 0..breaks {
            out.push('\n');
        }
        if breaks == 0 && pending_space {
            out.push(' ');
        }
        out.push(c);
        chars += gap + 1;
        pending_breaks = 0;
        pending_space = false;
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
