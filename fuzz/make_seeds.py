#!/usr/bin/env python3
"""Write the seed corpus of every fuzz target into fuzz/seeds/<target>/.

Deterministic: keys are fixed, so re-running gives the same files (ECDSA
signatures aside, which use random nonces but verify the same way).
Needs the `cryptography` package (secp256k1 signing, a self-signed cert).
The record layout matches `satchel_fuzz::records_from_bytes`.
"""

import base64
import datetime
import hashlib
import json
import pathlib
import struct

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

SEEDS = pathlib.Path(__file__).resolve().parent / "seeds"
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

# Must match KNOWN_KEYS in fuzz/src/lib.rs (selector = index).
KNOWN_KEYS = [5482373484, 34349334, 34349337, 34349339, 34349340, 34349343,
              34349345, 34349347, 7629169, 7629168, 7629171, 7629173, 7629175,
              696969, 818818, 112111100, 133773310, 106823]
MESSAGE, SIGNATURE, SENDER, ALIAS, TIMESTAMP, BOOST, TIP_NOTE = (
    34349334, 34349337, 34349339, 34349340, 34349343, 7629169, 7629171)


def key(byte):
    return ec.derive_private_key(int.from_bytes(bytes([byte]) * 32, "big"), ec.SECP256K1())


def node_id(private):
    return private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


SENDER_KEY, RECIPIENT_KEY = key(1), key(2)
SENDER_ID, RECIPIENT_ID = node_id(SENDER_KEY), node_id(RECIPIENT_KEY)


def whatsat_signature(message, timestamp_ns):
    """Whatsat: single SHA-256 of sender || recipient || ts (8 BE) || message, 64-byte R || S."""
    payload = SENDER_ID + RECIPIENT_ID + struct.pack(">Q", timestamp_ns) + message
    r, s = decode_dss_signature(SENDER_KEY.sign(payload, ec.ECDSA(hashes.SHA256())))
    s = min(s, N - s)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def records_bytes(records):
    out = b""
    for record_key, value in sorted(records.items()):
        if record_key in KNOWN_KEYS:
            out += bytes([KNOWN_KEYS.index(record_key)])
        else:
            out += b"\xff" + struct.pack(">Q", record_key)
        out += struct.pack(">H", len(value)) + value
    return out


def write(target, name, data):
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)


BOOSTAGRAM = {
    "podcast": "Podcasting 2.0", "feedID": 920666, "url": "https://mp3s.nashownotes.com/pc20rss.xml",
    "guid": "917393e3-1b1e-5cef-ace4-edaa54e1f810", "episode": "Episode 150: Boost!",
    "itemID": "15230385455", "episode_guid": "PC20150", "ts": 1234, "time": "00:20:34",
    "action": "boost", "app_name": "Fountain", "app_version": "1.0.5",
    "boost_link": "https://fountain.fm/episode/abc?payment=xyz",
    "message": "Great show!\nBoosting from the train \u26a1",
    "name": "Adam Curry", "sender_name": "satoshi", "sender_id": "a1b2c3",
    "value_msat": 50000, "value_msat_total": 100000, "uuid": "c0ffee",
    "boost_uuid": "b0057", "reply_address": "03ae9f91a0cb8ff43840e3c322c4c61f019d8c1c3cea15a25cfc425ac605e61a4a",
    "speed": "1.5",
}


def record_seeds():
    message, ts = b"gm from whatsat \xf0\x9f\x99\x82", 1_700_000_000_000_000_000
    whatsat = {MESSAGE: message, SENDER: SENDER_ID, TIMESTAMP: struct.pack(">Q", ts),
               SIGNATURE: whatsat_signature(message, ts)}
    write("record_decode", "whatsat_signed", records_bytes(whatsat))
    write("record_decode", "whatsat_tampered", records_bytes({**whatsat, MESSAGE: b"gm, changed"}))
    thunderhub = {MESSAGE: b"hello", SENDER: SENDER_ID, ALIAS: b"ThunderHub user",
                  34349345: b"text", 34349347: b"text",
                  SIGNATURE: b"d" + b"y" * 103}
    write("record_decode", "thunderhub_claimed", records_bytes(thunderhub))
    write("record_decode", "cipherchat_hex_sender",
          records_bytes({SENDER: SENDER_ID.hex().encode(), MESSAGE: b"hi", TIMESTAMP: b"1700000000"}))
    boost = json.dumps(BOOSTAGRAM, ensure_ascii=False).encode()
    write("record_decode", "boostagram", records_bytes({BOOST: boost, 696969: b"wallet-key", TIP_NOTE: b"note"}))
    write("record_decode", "hostile_text", records_bytes(
        {MESSAGE: b"evil\xe2\x80\xaetxt.exe\x1b[31m\r\n\r\n\r\nend", ALIAS: b"\xe3\x85\xa4", 65536: b"\xff\xfe"}))


def boostagram_seeds():
    write("boostagram", "fountain", json.dumps(BOOSTAGRAM, ensure_ascii=False))
    write("boostagram", "strings_for_numbers",
          '{"feedID":"920666","ts":"12.0","value_msat":"1000","itemID":7,"message":null,"action":"stream"}')
    write("boostagram", "duplicate_keys", '{"message":"first","message":"second\\u202e","sender_name":42}')
    write("boostagram", "nested", '{"podcast":{"a":[[[1]]]},"message":["x"],"url":"\\u0000"}')


def der_cert():
    private = key(3)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lnd")])
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(private.public_key()).serial_number(1)
            .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=3650))
            .sign(private, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER), cert.public_bytes(serialization.Encoding.PEM)


def lndconnect_seeds():
    der, pem = der_cert()
    url = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")
    macaroon = bytes.fromhex("0201036c6e6402f801030a10") + hashlib.sha256(b"m").digest()
    write("lndconnect", "reference", f"lndconnect://node.example.com:10009?cert={url(der)}&macaroon={url(macaroon)}")
    write("lndconnect", "no_cert_ipv6", f"lndconnect://[2001:db8::1]:8080/?macaroon={url(macaroon)}&extra=1")
    write("lndconnect", "pem_in_link", f"LNDCONNECT://10.0.0.2?macaroon={base64.b64encode(macaroon).decode()}&cert={url(pem)}")
    write("lndconnect", "percent_encoded", "lndconnect://localhost:10009?macaroon=AgEDbG5k%2B%2F%3D&cert=MAA")


def simple_seeds():
    write("pubkey", "hex", "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
    write("pubkey", "upper_padded", "  03" + RECIPIENT_ID.hex()[2:].upper() + "\n")
    write("pubkey", "raw33", SENDER_ID)
    write("pubkey", "not_on_curve", "02" + "ff" * 32)
    for name, text in [("plain", "1000"), ("grouped", "1,000,000"), ("spaces", " 21 000 "),
                       ("negative", "-5"), ("fraction", "1.5"), ("exponent", "1e9"),
                       ("huge", "99999999999999999999")]:
        write("amount", name, text)
    write("display_text", "bidi", b"\x20" + "evil\u202etxt.exe \u200b\ufeff \u3164".encode())
    write("display_text", "lines", b"\x08" + b"a\r\nb\r\rc\n\n\n\nd \xe2\x80\xa8 e")
    write("display_text", "emoji_cut", b"\x03" + "\U0001F642\u200d\U0001F642 caf\u00e9".encode() + b"\xf0\x9f")


def contacts_seeds():
    alice, bob = SENDER_ID.hex(), RECIPIENT_ID.hex()
    csv = ("name,pubkey,note,default_amount_sat,include_identity,extra_records\n"
           f"Alice,{alice},\"podcast host, \"\"quoted\"\"\",1000,true,696969=text:wallet\\;key;7629175=hex:00ff\n"
           f"Bob,{bob},,,no,\n"
           f"Bob again,{bob},dup,,,\n"
           f"Bad,02{'ff' * 32},,0,maybe,1=text:x\n")
    write("contacts_import", "csv", b"\x01" + csv.encode())
    write("contacts_import", "csv_bom_reordered", b"\x01" + f"\ufeffPubkey,Name\n{alice},\u202eevil\n".encode())
    document = {"version": 1, "contacts": [
        {"name": "Alice", "pubkey": alice, "note": "line\nbreak", "default_amount": 21000,
         "extra_records": [{"key": 696969, "value": {"text": "wallet"}},
                           {"key": 7629175, "value": {"hex": "00ff"}}],
         "include_identity": True},
        {"name": "\u200b", "pubkey": bob},
        {"name": "No key"}]}
    write("contacts_import", "json", b"\x00" + json.dumps(document).encode())
    unknown_variant = [{"name": "Carol", "pubkey": alice,
                        "extra_records": [{"key": 696969, "value": {"base64": "d2FsbGV0"}}]}]
    write("contacts_import", "json_unknown_value_kind", b"\x00" + json.dumps(unknown_variant).encode())
    write("contacts_import", "json_bare_list", b"\x00" + json.dumps([{"name": "Bob", "pubkey": bob}]).encode())


if __name__ == "__main__":
    print("recipient node id for record_decode:", RECIPIENT_ID.hex())
    simple_seeds()
    record_seeds()
    boostagram_seeds()
    lndconnect_seeds()
    contacts_seeds()
