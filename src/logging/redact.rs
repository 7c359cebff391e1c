//! Keep secrets out of log lines: any long run of hex / base64 characters
//! (a macaroon, a certificate body, a preimage list) and the value of any
//! `macaroon=` parameter become `[redacted]`. Node ids (66 hex) and payment
//! hashes (64 hex) are shorter than the cut and stay readable.

use std::borrow::Cow;

/// Runs of token characters at least this long are redacted.
const LONG_TOKEN: usize = 100;
const REDACTED: &str = "[redacted]";
const MACAROON_KEY: &str = "macaroon=";

/// `line` with secrets replaced.
pub fn redact(line: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(line.len());
    let mut changed = false;
    let mut rest = line;
    while !rest.is_empty() {
        let start = rest.find(is_token_char).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c| !is_token_char(c)).unwrap_or(rest.len());
        let token = &rest[..end];
        let tail = &out.as_bytes()[out.len().saturating_sub(MACAROON_KEY.len())..];
        let after_macaroon = tail.eq_ignore_ascii_case(MACAROON_KEY.as_bytes());
        if token.len() >= LONG_TOKEN || (after_macaroon && !token.is_empty()) {
            out.push_str(REDACTED);
            changed = true;
        } else {
            out.push_str(token);
        }
        rest = &rest[end..];
    }
    match changed {
        true => Cow::Owned(out),
        false => Cow::Borrowed(line),
    }
}

/// Characters of hex, base64 and base64url.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tokens_and_macaroon_values_go() {
        let macaroon = "0201036c6e6402f801030a10".repeat(10);
        let line = format!("sending header macaroon: {macaroon} to node");
        assert_eq!(redact(&line), "sending header macaroon: [redacted] to node");
        let uri = "lndconnect://h:10009?cert=MIIB&macaroon=AgEDbG5k_short";
        assert_eq!(
            redact(uri),
            "lndconnect://h:10009?cert=MIIB&macaroon=[redacted]"
        );
        let base64 = format!("mac {}== end", "AgEDbG5kAvgBAwoQ+/".repeat(8));
        assert_eq!(redact(&base64), "mac [redacted]== end");
    }

    #[test]
    fn ids_and_hashes_stay_readable() {
        let line = "paid 0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798 \
                    hash f849d67325facf04177bc663b2dc544051831c589ef581d412f2eba44834e77c";
        assert!(matches!(redact(line), Cow::Borrowed(_)));
    }
}
