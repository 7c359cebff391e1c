//! z-base-32, the text form LND's `SignMessage` gives signatures
//! (LND: lnrpc SignMessage returns zbase32 of a 65-byte recoverable signature).
//!
//! Bits are taken most significant first, five per character; a final partial
//! group is padded with zero bits, and leftover bits under a byte are dropped
//! when decoding. Lower-case only, as LND writes it.

/// The z-base-32 alphabet, value 0 first.
const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// Why a text is not z-base-32.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Zbase32Error {
    #[error("not z-base-32: byte {byte:#04x} at position {position}")]
    InvalidByte { byte: u8, position: usize },
}

/// Encode bytes as z-base-32 text.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 8).div_ceil(5));
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decode z-base-32 text (as bytes) back to bytes.
pub fn decode(text: &[u8]) -> Result<Vec<u8>, Zbase32Error> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for (position, &byte) in text.iter().enumerate() {
        let value = value_of(byte).ok_or(Zbase32Error::InvalidByte { byte, position })?;
        buffer = ((buffer << 5) | u32::from(value)) & 0xFFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Ok(out)
}

/// True when every byte is a z-base-32 character (and there is at least one).
pub fn is_zbase32(text: &[u8]) -> bool {
    !text.is_empty() && text.iter().all(|&b| value_of(b).is_some())
}

/// The 5-bit value of one character.
fn value_of(byte: u8) -> Option<u8> {
    ALPHABET.iter().position(|&c| c == byte).map(|i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        // Byte-aligned examples from the z-base-32 specification.
        let cases: &[(&[u8], &str)] = &[
            (&[], ""),
            (&[0xF0, 0xBF, 0xC7], "6n9hq"),
            (&[0xD4, 0x7A, 0x04], "4t7ye"),
            (&[0x00], "yy"),
            (&[0xFF], "9h"),
        ];
        for (bytes, text) in cases {
            assert_eq!(encode(bytes), *text);
            assert_eq!(decode(text.as_bytes()).unwrap(), *bytes);
        }
    }

    #[test]
    fn round_trips_every_length() {
        for len in 0..=70usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = encode(&bytes);
            assert_eq!(text.len(), (len * 8).div_ceil(5));
            assert_eq!(decode(text.as_bytes()).unwrap(), bytes, "length {len}");
        }
        assert_eq!(encode(&[0u8; 65]).len(), 104);
    }

    #[test]
    fn rejects_foreign_characters() {
        let cases: &[(&[u8], Zbase32Error)] = &[
            (
                b"yyl",
                Zbase32Error::InvalidByte {
                    byte: b'l',
                    position: 2,
                },
            ),
            (
                b"YB",
                Zbase32Error::InvalidByte {
                    byte: b'Y',
                    position: 0,
                },
            ),
            (
                b"y=",
                Zbase32Error::InvalidByte {
                    byte: b'=',
                    position: 1,
                },
            ),
            (
                &[b'y', 0xFF],
                Zbase32Error::InvalidByte {
                    byte: 0xFF,
                    position: 1,
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(decode(text), Err(expected.clone()));
        }
        assert!(is_zbase32(b"ybndrfg8"));
        assert!(!is_zbase32(b""));
        assert!(!is_zbase32(b"v"));
    }
}
