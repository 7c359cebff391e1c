use super::*;

/// BOLT11's "1 cup coffee" example: 2500u, 60 s expiry.
const SPEC: &str = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";

#[test]
fn the_spec_example_decodes() {
    let invoice = Invoice::decode(SPEC).unwrap();
    assert_eq!(invoice.currency, "bc");
    assert_eq!(invoice.amount, Some(Msat(250_000_000)));
    assert_eq!(invoice.timestamp, 1_496_314_658);
    assert_eq!(
        invoice.payment_hash.to_hex(),
        "0001020304050607080900010203040506070809000102030405060708090102"
    );
    assert_eq!(invoice.description.as_deref(), Some("1 cup coffee"));
    assert_eq!(invoice.expiry_secs, 60);
    assert_eq!(
        invoice.payee.to_hex(),
        "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad"
    );
    // Upper case (QR codes) is the same invoice.
    assert_eq!(Invoice::decode(&SPEC.to_uppercase()).unwrap(), invoice);
    assert!(invoice.is_expired(1_496_314_658 + 60));
    assert!(!invoice.is_expired(1_496_314_658 + 59));
}

#[test]
fn a_changed_character_is_refused() {
    let mut tampered = SPEC.to_owned();
    tampered.replace_range(40..41, "q");
    assert!(matches!(
        Invoice::decode(&tampered),
        Err(Bolt11Error::Bech32(_))
    ));
    assert_eq!(
        Invoice::decode("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        Err(Bolt11Error::NotLightning)
    );
}

fn sample(amount: Option<Msat>, description_hash: Option<[u8; 32]>) -> NewInvoice<'static> {
    NewInvoice {
        currency: "bcrt",
        amount,
        timestamp: 1_700_000_000,
        payment_hash: PaymentHash::from_bytes([7; 32]),
        payment_secret: [9; 32],
        description: "tip jar ☕",
        description_hash,
        expiry_secs: 600,
        min_final_cltv: 80,
    }
}

#[test]
fn encoded_invoices_decode_to_what_was_put_in() {
    let key = SecretKey::from_slice(&[0x11; 32]).unwrap();
    let payee = NodeId::from_slice(&key.public_key(SECP256K1).serialize()).unwrap();
    for amount in [
        None,
        Some(Msat(1)),
        Some(Msat(1_000)),
        Some(Msat(123_456_789)),
    ] {
        let text = encode(&sample(amount, None), &key);
        let invoice = Invoice::decode(&text).unwrap();
        assert_eq!(invoice.amount, amount, "{text}");
        assert_eq!(invoice.payee, payee);
        assert_eq!(invoice.description.as_deref(), Some("tip jar ☕"));
        assert_eq!(invoice.expiry_secs, 600);
        assert_eq!(invoice.min_final_cltv, 80);
        assert_eq!(invoice.payment_secret, Some([9; 32]));
        assert_eq!(invoice.payment_hash, PaymentHash::from_bytes([7; 32]));
    }
    let hashed = Invoice::decode(&encode(&sample(None, Some([3; 32])), &key)).unwrap();
    assert_eq!(hashed.description_hash, Some([3; 32]));
    assert_eq!(hashed.description, None);
}

#[test]
fn prefix_amounts() {
    let cases = [
        ("lnbc", Some(None)),
        ("lnbc1m", Some(Some(100_000_000))),
        ("lnbc2500u", Some(Some(250_000_000))),
        ("lnbcrt10n", Some(Some(1_000))),
        ("lntbs10p", Some(Some(1))),
        ("lnbc1p", None),
        ("lnbc01u", None),
        ("lnbc1x", None),
        ("lnbc99999999999999999999m", None),
    ];
    for (hrp, want) in cases {
        let got = parse_hrp(hrp).ok().map(|(_, a)| a.map(|m| m.0));
        assert_eq!(got, want, "{hrp}");
    }
    assert_eq!(parse_hrp("bc1").unwrap_err(), Bolt11Error::NotLightning);
    for msat in [1, 10, 100, 1_000, 100_000, 123_400, 100_000_000] {
        let hrp = format!("lnbc{}", hrp_amount(Some(Msat(msat))));
        assert_eq!(parse_hrp(&hrp).unwrap().1, Some(Msat(msat)), "{hrp}");
    }
}
