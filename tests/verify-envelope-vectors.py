#!/usr/bin/python3
# verify-envelope-vectors.py: an independent reader of the intake envelope
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Written from docs/envelope.md alone (not from the C code), with libsodium
# through PyNaCl's low-level bindings and hashlib's BLAKE2b. For every test
# vector it parses the envelope, checks every header field against the
# vector's inputs, verifies the device signature and device id, derives the
# key, decrypts, removes the padding and compares the plaintext. It also
# checks that a flipped byte and a truncation are refused.
#
# Usage: verify-envelope-vectors.py tests/data/envelope-vectors.json
# Exits 0 when all vectors pass, 1 on any mismatch.

import hashlib
import json
import struct
import sys

from nacl import bindings as b
from nacl.exceptions import BadSignatureError, CryptoError

MAGIC = b"IKEN"
VERSION = 1
PAD_BLOCK = 256
TAG_BYTES = 16
SIG_BYTES = 64
MAX_PLAINTEXT = 1024 * 1024
QID_CHARS = set(b"abcdefghijklmnopqrstuvwxyz0123456789._-")


class EnvelopeError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


def blake2b(data, size):
    # crypto_generichash with no key: BLAKE2b with digest_size = size.
    return hashlib.blake2b(data, digest_size=size).digest()


def device_id_for(sign_pk):
    return blake2b(b"intake-device-id-v1" + sign_pk, 16)


def parse(env):
    """Steps 1-4 of "Checking an envelope": structure only."""
    def need(n):
        if len(env) < n:
            raise EnvelopeError("TRUNCATED", f"{len(env)} bytes, need {n}")

    need(4)
    if env[0:4] != MAGIC:
        raise EnvelopeError("BAD_MAGIC", "not IKEN")
    need(5)
    if env[4] != VERSION:
        raise EnvelopeError("UNSUPPORTED_VERSION", str(env[4]))
    need(6)
    if env[5] != 0:
        raise EnvelopeError("MALFORMED", "flags")
    need(87)
    qid_len = env[86]
    if not 1 <= qid_len <= 64:
        raise EnvelopeError("MALFORMED", "questionnaire id length")
    need(87 + qid_len)
    qid = env[87:87 + qid_len]
    if any(c not in QID_CHARS for c in qid):
        raise EnvelopeError("MALFORMED", "questionnaire id characters")
    h = {}
    h["submission_id"] = env[6:22]
    h["device_id"] = env[22:38]
    h["device_sign_pk"] = env[38:70]
    h["office_key_id"] = env[70:78]
    h["created_at"] = struct.unpack("<Q", env[78:86])[0]
    h["questionnaire_id"] = qid.decode("ascii")
    pos = 87 + qid_len
    header_len = pos + 4 + 32 + 32 + 24
    need(header_len + 4)
    h["questionnaire_version"] = struct.unpack("<I", env[pos:pos + 4])[0]
    h["questionnaire_hash"] = env[pos + 4:pos + 36]
    h["ephemeral_pk"] = env[pos + 36:pos + 68]
    h["nonce"] = env[pos + 68:pos + 92]
    assert pos + 92 == header_len
    ct_len = struct.unpack("<I", env[header_len:header_len + 4])[0]
    if (ct_len < PAD_BLOCK + TAG_BYTES or ct_len > MAX_PLAINTEXT + PAD_BLOCK + TAG_BYTES
            or (ct_len - TAG_BYTES) % PAD_BLOCK != 0):
        raise EnvelopeError("MALFORMED", "ciphertext length")
    total = header_len + 4 + ct_len + SIG_BYTES
    need(total)
    if len(env) > total:
        raise EnvelopeError("MALFORMED", "trailing bytes")
    h["header"] = env[:header_len]
    h["ciphertext"] = env[header_len + 4:header_len + 4 + ct_len]
    h["signed"] = env[:header_len + 4 + ct_len]
    h["signature"] = env[header_len + 4 + ct_len:]
    return h


def verify(env):
    """Steps 1-6: structure, device signature, device id."""
    h = parse(env)
    try:
        # crypto_sign_open takes signature || message.
        b.crypto_sign_open(h["signature"] + h["signed"], h["device_sign_pk"])
    except (BadSignatureError, CryptoError, ValueError):
        raise EnvelopeError("BAD_SIGNATURE", "device signature")
    if device_id_for(h["device_sign_pk"]) != h["device_id"]:
        raise EnvelopeError("DEVICE_MISMATCH", "device id")
    return h


def unpad(padded):
    # ISO/IEC 7816-4 as sodium_unpad: zero bytes, then a 0x80 marker.
    i = len(padded) - 1
    while i >= 0 and padded[i] == 0:
        i -= 1
    if i < 0 or padded[i] != 0x80 or len(padded) - i > PAD_BLOCK:
        raise EnvelopeError("MALFORMED", "padding")
    return padded[:i]


def open_envelope(env, box_sk, box_pk, key_id):
    """Steps 1-9."""
    h = verify(env)
    if h["office_key_id"] != key_id:
        raise EnvelopeError("WRONG_OFFICE_KEY", "office key id")
    shared = b.crypto_scalarmult(box_sk, h["ephemeral_pk"])
    if shared == bytes(32):
        raise EnvelopeError("DECRYPT", "all-zero shared secret")
    key = blake2b(b"intake-envelope-v1" + shared + h["ephemeral_pk"] + box_pk, 32)
    try:
        padded = b.crypto_aead_xchacha20poly1305_ietf_decrypt(
            h["ciphertext"], h["header"], h["nonce"], key)
    except CryptoError:
        raise EnvelopeError("DECRYPT", "AEAD")
    return h, shared, key, unpad(padded)


def check_vector(v):
    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append(f"{what}: got {got!r}, want {want!r}")

    x = bytes.fromhex
    env = x(v["envelope"])
    box_sk, box_pk = x(v["office_box_sk"]), x(v["office_box_pk"])
    sign_pk = x(v["office_sign_pk"])

    # Key relations from docs/keys.md and docs/envelope.md.
    expect("office box_pk from box_sk", b.crypto_scalarmult_base(box_sk), box_pk)
    expect("office sign_pk from sign_sk", x(v["office_sign_sk"])[32:], sign_pk)
    expect("office key id",
           blake2b(b"intake-office-key-id-v1" + box_pk + sign_pk, 32)[:8],
           x(v["office_key_id"]))
    expect("device sign_pk from sign_sk", x(v["device_sign_sk"])[32:], x(v["device_sign_pk"]))
    expect("device id", device_id_for(x(v["device_sign_pk"])), x(v["device_id"]))
    expect("ephemeral pk", b.crypto_scalarmult_base(x(v["ephemeral_sk"])), x(v["ephemeral_pk"]))
    expect("envelope length", len(env), v["envelope_length"])

    try:
        h, shared, key, plaintext = open_envelope(env, box_sk, box_pk, x(v["office_key_id"]))
    except EnvelopeError as e:
        problems.append(f"does not open: {e}")
        return problems

    expect("submission id", h["submission_id"], x(v["submission_id"]))
    expect("device id in header", h["device_id"], x(v["device_id"]))
    expect("device sign_pk in header", h["device_sign_pk"], x(v["device_sign_pk"]))
    expect("office key id in header", h["office_key_id"], x(v["office_key_id"]))
    expect("created_at", h["created_at"], v["created_at"])
    expect("questionnaire id", h["questionnaire_id"], v["questionnaire_id"])
    expect("questionnaire version", h["questionnaire_version"], v["questionnaire_version"])
    expect("questionnaire hash", h["questionnaire_hash"], x(v["questionnaire_hash"]))
    expect("ephemeral pk in header", h["ephemeral_pk"], x(v["ephemeral_pk"]))
    expect("nonce", h["nonce"], x(v["nonce"]))
    expect("shared secret", shared, x(v["shared_secret"]))
    expect("envelope key", key, x(v["envelope_key"]))
    expect("plaintext", plaintext.decode("utf-8"), v["plaintext"])
    expect("plaintext length", len(plaintext), v["plaintext_length"])
    expect("padded length",
           len(h["ciphertext"]) - TAG_BYTES,
           (len(plaintext) // PAD_BLOCK + 1) * PAD_BLOCK)

    # Anything changed must be refused: one byte in each part, and a cut.
    for pos in (0, 4, 5, 6, 90, len(h["header"]) - 1, len(h["header"]) + 10,
                len(env) - 65, len(env) - 1):
        bad = bytearray(env)
        bad[pos] ^= 0x01
        try:
            verify(bytes(bad))
            problems.append(f"a flipped byte at {pos} was accepted")
        except EnvelopeError:
            pass
    try:
        verify(env[:-1])
        problems.append("a truncated envelope was accepted")
    except EnvelopeError as e:
        expect("truncation error", e.code, "TRUNCATED")

    return problems


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} envelope-vectors.json", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        vectors = json.load(f)["vectors"]
    if len(vectors) < 2:
        print("expected at least two test vectors", file=sys.stderr)
        return 1

    failed = 0
    for v in vectors:
        problems = check_vector(v)
        if problems:
            failed += 1
            print(f"FAIL {v['name']}")
            for p in problems:
                print(f"  {p}")
        else:
            print(f"ok {v['name']} ({v['plaintext_length']} bytes of plaintext, "
                  f"{v['envelope_length']}-byte envelope)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
