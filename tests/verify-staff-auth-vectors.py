#!/usr/bin/python3
# verify-staff-auth-vectors.py: an independent implementation of the staff keys
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Written from docs/keys.md ("Reviewer keys", "Activation keys", "Workstation
# keys") and docs/protocol.md ("Unlock") alone, with libsodium through PyNaCl's
# low-level bindings and hashlib's BLAKE2b. For every vector it derives, from
# the inputs, the passphrase key K, the wrapping key K_wrap, the AEAD key, the
# authentication key pair (the server's verifier), the workstation id, the
# recovery code, the workstation key blob, the sealed reviewer key blob and the
# signature over an unlock challenge, and for activation codes K_code, its keys
# and the activation blob; each must equal the vector. It then opens the blobs
# again, checks that a wrong passphrase, another workstation key and a flipped
# byte are refused, and decodes the recovery code.
#
# Usage: verify-staff-auth-vectors.py tests/data/staff-auth-vectors.json
#        verify-staff-auth-vectors.py --write FILE   (makes the vectors; the C
#        test tests/test-keys.c then checks the C code against them)
# Exits 0 when all vectors pass, 1 on any mismatch.

import hashlib
import json
import struct
import sys

from nacl import bindings as b

ARGON2ID13 = 2  # libsodium's crypto_pwhash_ALG_ARGON2ID13
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def blake2b(data, size, key=b""):
    return hashlib.blake2b(data, digest_size=size, key=key).digest()


def context_message(context, message):
    return b"intake-sig-v1\x00" + context.encode() + b"\x00" + message


def sign(sk, context, message):
    return b.crypto_sign(context_message(context, message), sk)[:64]


def verify(pk, context, message, signature):
    try:
        b.crypto_sign_open(signature + context_message(context, message), pk)
        return True
    except Exception:
        return False


def office_public_blob(box_sk, sign_sk, created_at):
    box_pk = b.crypto_scalarmult_base(box_sk)
    sign_pk = sign_sk[32:]
    key_id = blake2b(b"intake-office-key-id-v1" + box_pk + sign_pk, 32)[:8]
    prefix = b"IKOP\x01" + key_id + box_pk + sign_pk + struct.pack("<Q", created_at)
    return prefix + b.crypto_sign(prefix, sign_sk)[:64], key_id


def expand(master, enc_label, auth_label):
    enc_key = blake2b(enc_label, 32, key=master)
    auth_seed = blake2b(auth_label, 32, key=master)
    auth_pk, auth_sk = b.crypto_sign_seed_keypair(auth_seed)
    return enc_key, auth_seed, auth_pk, auth_sk


def reviewer_keys(passphrase, w, salt, opslimit, memlimit):
    k = b.crypto_pwhash_alg(32, passphrase, salt, opslimit, memlimit, ARGON2ID13)
    k_wrap = blake2b(b"intake-reviewer-wrap-v2" + k, 32, key=w)
    return (k, k_wrap) + expand(k_wrap, b"intake-reviewer-enc-v2", b"intake-reviewer-auth-v2")


def setup_keys(code, salt):
    k_code = blake2b(b"intake-setup-code-v1" + salt + code, 32)
    return (k_code,) + expand(k_code, b"intake-setup-enc-v1", b"intake-setup-auth-v1")


def workstation_id(w):
    return blake2b(b"intake-workstation-id-v1" + w, 8)


def recovery_code(w):
    data = w + workstation_id(w)[:3]
    value = int.from_bytes(data, "big")
    chars = [CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(len(data) * 8 // 5))]
    return "-".join("".join(chars[i:i + 4]) for i in range(0, len(chars), 4))


def recovery_decode(text):
    text = text.upper().replace("-", "").replace(" ", "").replace("I", "1").replace("L", "1").replace("O", "0")
    if len(text) != 56 or any(c not in CROCKFORD for c in text):
        raise ValueError("not a recovery code")
    value = 0
    for c in text:
        value = value * 32 + CROCKFORD.index(c)
    data = value.to_bytes(35, "big")
    if workstation_id(data[:32])[:3] != data[32:]:
        raise ValueError("check mismatch")
    return data[:32]


def reviewer_blob(v, office_inner, office_key_id, keys):
    k, k_wrap, enc_key, auth_seed, auth_pk, auth_sk = keys
    sign_sk = bytes.fromhex(v["reviewer_sign_sk"])
    reviewer_id = blake2b(b"intake-reviewer-id-v1" + sign_sk[32:], 16)
    header = (b"IKRK\x02\x01" + struct.pack("<QQ", v["opslimit"], v["memlimit"]) + bytes.fromhex(v["salt"]) +
              office_key_id + reviewer_id + auth_pk + workstation_id(bytes.fromhex(v["workstation_secret"])) +
              bytes.fromhex(v["nonce"]))
    assert len(header) == 126
    ct = b.crypto_aead_xchacha20poly1305_ietf_encrypt(office_inner + sign_sk, header, bytes.fromhex(v["nonce"]), enc_key)
    return header + ct, reviewer_id


def open_reviewer_blob(blob, enc_key):
    return b.crypto_aead_xchacha20poly1305_ietf_decrypt(blob[126:], blob[:126], blob[102:126], enc_key)


def compute(doc):
    office = doc["office"]
    box_sk = bytes.fromhex(office["box_sk"])
    sign_sk = bytes.fromhex(office["sign_sk"])
    public, key_id = office_public_blob(box_sk, sign_sk, office["created_at"])
    office_inner = box_sk + sign_sk + public
    out = {"office": dict(office, public_blob=public.hex(), key_id=key_id.hex())}

    reviewers = []
    for v in doc["reviewers"]:
        w = bytes.fromhex(v["workstation_secret"])
        keys = reviewer_keys(v["passphrase"].encode(), w, bytes.fromhex(v["salt"]), v["opslimit"], v["memlimit"])
        k, k_wrap, enc_key, auth_seed, auth_pk, auth_sk = keys
        blob, reviewer_id = reviewer_blob(v, office_inner, key_id, keys)
        challenge = bytes.fromhex(v["challenge"])
        message = challenge + v["name"].encode()
        r = dict(v)
        r.update({
            "k": k.hex(), "k_wrap": k_wrap.hex(), "enc_key": enc_key.hex(), "auth_seed": auth_seed.hex(),
            "auth_pk": auth_pk.hex(), "reviewer_id": reviewer_id.hex(),
            "workstation_id": workstation_id(w).hex(),
            "workstation_blob": (b"IKWS\x01" + w + workstation_id(w)).hex(),
            "recovery_code": recovery_code(w),
            "blob": blob.hex(),
            "unlock_signature": sign(auth_sk, "review-unlock", message).hex(),
        })
        reviewers.append(r)
    out["reviewers"] = reviewers

    setups = []
    for v in doc["setups"]:
        salt = bytes.fromhex(v["salt"])
        k_code, enc_key, auth_seed, auth_pk, auth_sk = setup_keys(v["code"].encode(), salt)
        header = b"IKRS\x01" + salt + key_id + auth_pk + bytes.fromhex(v["nonce"])
        assert len(header) == 85
        blob = header + b.crypto_aead_xchacha20poly1305_ietf_encrypt(office_inner, header, bytes.fromhex(v["nonce"]), enc_key)
        message = bytes.fromhex(v["challenge"]) + v["name"].encode()
        s = dict(v)
        s.update({
            "k_code": k_code.hex(), "enc_key": enc_key.hex(), "auth_seed": auth_seed.hex(), "auth_pk": auth_pk.hex(),
            "blob": blob.hex(), "activate_signature": sign(auth_sk, "review-activate", message).hex(),
        })
        setups.append(s)
    out["setups"] = setups
    return out


def inputs():
    def h(what, n=32):
        return blake2b(b"intake test vector staff: " + what.encode(), n)

    office_seed = h("office sign seed")
    office_pk, office_sk = b.crypto_sign_seed_keypair(office_seed)
    doc = {
        "description": ("Test vectors for the staff keys: reviewer key format 2 (IKRK version 2), activation keys "
                        "(IKRS), workstation keys (IKWS) and recovery codes, and the unlock and activation "
                        "signatures. Specification: docs/keys.md and docs/protocol.md. Binary values are "
                        "lowercase hex; passphrases, codes and names are UTF-8 text. Inputs were derived as "
                        "BLAKE2b(\"intake test vector staff: <what>\"). Secret keys are for testing only. Made "
                        "and checked by tests/verify-staff-auth-vectors.py; checked against the C code by "
                        "tests/test-keys.c."),
        "office": {"box_sk": h("office box sk").hex(), "sign_sk": office_sk.hex(), "created_at": 1790000000},
        "reviewers": [],
        "setups": [],
    }
    for i, (name, passphrase, ops, mem) in enumerate([
            ("Anna de Vries", "lange zin voor het beoordelen", 2, 65536),
            ("مريم El Amrani", "een ander wachtwoord, € en ü", 3, 268435456)]):
        seed = h(f"reviewer {i} sign seed")
        pk, sk = b.crypto_sign_seed_keypair(seed)
        doc["reviewers"].append({
            "name": name,
            "comment": "cheap Argon2id limits" if mem < 1 << 20 else "the default limits: opslimit 3, 256 MiB",
            "passphrase": passphrase, "opslimit": ops, "memlimit": mem,
            "workstation_secret": h(f"reviewer {i} workstation secret").hex(),
            "salt": h(f"reviewer {i} salt", 16).hex(), "nonce": h(f"reviewer {i} nonce", 24).hex(),
            "reviewer_sign_sk": sk.hex(), "challenge": h(f"reviewer {i} challenge", 56).hex(),
        })
    doc["setups"].append({
        "name": "Bram Jansen", "code": "K7MX-3PEA-9TCH-WRNU-AC4F-HJ76",
        "salt": h("setup salt", 16).hex(), "nonce": h("setup nonce", 24).hex(),
        "challenge": h("setup challenge", 56).hex(),
    })
    return doc


def check(doc):
    failures = 0
    expected = compute(doc)

    def compare(where, a, e):
        nonlocal failures
        for key, value in e.items():
            if a.get(key) != value:
                print(f"FAIL {where}: {key}: vector {a.get(key)!r}, computed {value!r}")
                failures += 1

    compare("office", doc["office"], expected["office"])
    for a, e in zip(doc["reviewers"], expected["reviewers"]):
        compare(f"reviewer {a['name']}", a, e)
        blob = bytes.fromhex(a["blob"])
        enc_key = bytes.fromhex(e["enc_key"])
        inner = open_reviewer_blob(blob, enc_key)
        assert inner[-64:] == bytes.fromhex(a["reviewer_sign_sk"])
        # A wrong passphrase and another workstation key derive another key and verifier.
        wrong = reviewer_keys(b"not the passphrase", bytes.fromhex(a["workstation_secret"]),
                              bytes.fromhex(a["salt"]), a["opslimit"], a["memlimit"])
        other_w = reviewer_keys(a["passphrase"].encode(), blake2b(b"another workstation", 32),
                                bytes.fromhex(a["salt"]), a["opslimit"], a["memlimit"])
        for keys in (wrong, other_w):
            assert keys[4] != bytes.fromhex(a["auth_pk"])
            try:
                open_reviewer_blob(blob, keys[2])
                raise AssertionError("opened with the wrong key")
            except Exception as exc:
                if isinstance(exc, AssertionError):
                    raise
        flipped = bytearray(blob)
        flipped[50] ^= 1   # the clear reviewer id is associated data
        try:
            open_reviewer_blob(bytes(flipped), enc_key)
            raise AssertionError("a changed header opened")
        except Exception as exc:
            if isinstance(exc, AssertionError):
                raise
        assert verify(bytes.fromhex(a["auth_pk"]), "review-unlock",
                      bytes.fromhex(a["challenge"]) + a["name"].encode(), bytes.fromhex(a["unlock_signature"]))
        assert recovery_decode(a["recovery_code"].lower()) == bytes.fromhex(a["workstation_secret"])
        typo = a["recovery_code"].replace(a["recovery_code"][0], "Z" if a["recovery_code"][0] != "Z" else "Y", 1)
        try:
            recovery_decode(typo)
            raise AssertionError("a mistyped recovery code was taken")
        except ValueError:
            pass
    for a, e in zip(doc["setups"], expected["setups"]):
        compare(f"setup {a['name']}", a, e)
    if len(doc["reviewers"]) < 2 or len(doc["setups"]) < 1:
        print("FAIL: too few vectors")
        failures += 1
    return failures


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        doc = compute(inputs())
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write("\n")
        return 0
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    failures = check(doc)
    n = len(doc["reviewers"]) + len(doc["setups"])
    print(f"{n} vectors, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
