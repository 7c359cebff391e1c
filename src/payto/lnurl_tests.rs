use super::*;
use crate::keysend::PaymentHash;
use crate::payto::bolt11::{NewInvoice, encode};

const PUBKEY: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

#[test]
fn keysend_documents_are_read_and_bad_ones_refused() {
    let good = format!(
        r#"{{"status":"OK","tag":"keysend","pubkey":"{PUBKEY}","customData":[{{"customKey":"696969","customValue":"abc"}}]}}"#
    );
    let target = keysend_document(good.as_bytes()).unwrap();
    assert_eq!(target.pubkey.to_hex(), PUBKEY);
    assert_eq!(target.records, Records::from([(696_969, b"abc".to_vec())]));
    let bad_key = good.replace(PUBKEY, "02abcd");
    assert!(matches!(
        keysend_document(bad_key.as_bytes()),
        Err(DocumentError::BadPubkey(_))
    ));
    for custom in ["\"12\"", "\"x\"", "\"-1\""] {
        let doc = good.replace("\"696969\"", custom);
        assert!(
            matches!(
                keysend_document(doc.as_bytes()),
                Err(DocumentError::BadCustomKey(_))
            ),
            "{custom}"
        );
    }
    let error = br#"{"status":"ERROR","reason":"no such user"}"#;
    assert_eq!(
        keysend_document(error),
        Err(DocumentError::Refused("no such user".into()))
    );
    assert!(matches!(
        keysend_document(b"<html>"),
        Err(DocumentError::Malformed(_))
    ));
}

fn pay_doc(min: u64, max: u64, tag: &str) -> String {
    format!(
        r#"{{"tag":"{tag}","callback":"https://example.com/cb?x=1","minSendable":{min},"maxSendable":{max},"metadata":"[[\"text/plain\",\"Tips for Alice\"]]","commentAllowed":5}}"#
    )
}

#[test]
fn pay_requests_are_checked() {
    let request = pay_request(pay_doc(1_000, 5_000, "payRequest").as_bytes()).unwrap();
    assert_eq!(request.description, "Tips for Alice");
    assert_eq!((request.min, request.max), (Msat(1_000), Msat(5_000)));
    assert!(request.check_amount(Msat(1_000)).is_ok());
    assert!(matches!(
        request.check_amount(Msat(999)),
        Err(DocumentError::OutOfRange { .. })
    ));
    assert!(matches!(
        request.check_amount(Msat(5_001)),
        Err(DocumentError::OutOfRange { .. })
    ));
    assert_eq!(
        pay_request(pay_doc(1, 1, "withdrawRequest").as_bytes()),
        Err(DocumentError::WrongTag("withdrawRequest".into()))
    );
    assert_eq!(
        pay_request(pay_doc(6, 5, "payRequest").as_bytes()),
        Err(DocumentError::MinAboveMax {
            min: Msat(6),
            max: Msat(5)
        })
    );
    let plain = pay_doc(1, 5, "payRequest").replace("https://example.com", "http://example.com");
    assert!(matches!(
        pay_request(plain.as_bytes()),
        Err(DocumentError::BadCallback(_))
    ));
}

#[test]
fn comments_are_cut_at_character_boundaries() {
    let request = pay_request(pay_doc(1, 5, "payRequest").as_bytes()).unwrap();
    assert_eq!(
        request.comment("héllo wörld"),
        Comment {
            text: "héllo".into(),
            cut: 6
        }
    );
    assert_eq!(
        request.comment("☕☕"),
        Comment {
            text: "☕☕".into(),
            cut: 0
        }
    );
    let url = request.callback_url(Msat(2_000), "a b&c").unwrap();
    assert_eq!(
        url,
        "https://example.com/cb?x=1&amount=2000&comment=a+b%26c"
    );
}

#[test]
fn the_invoice_must_match_amount_and_description_hash() {
    let request = pay_request(pay_doc(1, 5_000, "payRequest").as_bytes()).unwrap();
    let key = secp256k1::SecretKey::from_slice(&[5; 32]).unwrap();
    let hash: [u8; 32] = Sha256::digest(request.metadata.as_bytes()).into();
    let invoice = |amount: u64, description_hash: [u8; 32]| {
        let pr = encode(
            &NewInvoice {
                currency: "bcrt",
                amount: Some(Msat(amount)),
                timestamp: 1,
                payment_hash: PaymentHash::from_bytes([1; 32]),
                payment_secret: [2; 32],
                description: "",
                description_hash: Some(description_hash),
                expiry_secs: 60,
                min_final_cltv: 18,
            },
            &key,
        );
        format!(r#"{{"pr":"{pr}","routes":[]}}"#)
    };
    let (good, _) = request
        .invoice(invoice(2_000, hash).as_bytes(), Msat(2_000))
        .unwrap();
    assert_eq!(good.amount, Some(Msat(2_000)));
    assert!(matches!(
        request.invoice(invoice(3_000, hash).as_bytes(), Msat(2_000)),
        Err(DocumentError::WrongAmount { .. })
    ));
    assert_eq!(
        request
            .invoice(invoice(2_000, [0; 32]).as_bytes(), Msat(2_000))
            .unwrap_err(),
        DocumentError::WrongDescriptionHash
    );
}
