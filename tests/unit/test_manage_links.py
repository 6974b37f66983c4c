"""Manage tokens: derived from a reference and the key biometrics and notify share, so either derives
the same token, no event has to carry it, and what is kept of it (its hash) manages nothing."""

from schemas.manage_links import manage_link, manage_token, new_reference, token_hash

KEY = b"manage-link-key-for-the-tests-0123456789"


def test_the_same_reference_and_key_give_the_same_token_and_another_key_another():
    reference = new_reference()

    assert manage_token(KEY, reference) == manage_token(KEY, reference)
    assert manage_token(KEY + b"!", reference) != manage_token(KEY, reference)
    assert manage_token(KEY, new_reference()) != manage_token(KEY, reference)


def test_a_token_is_256_bits_url_safe_and_its_hash_is_not_it():
    token = manage_token(KEY, new_reference())

    assert len(token) == 43 and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert token_hash(token) != token.encode() and len(token_hash(token)) == 32
    assert token_hash("\udcff odd text") is not None  # any text a request carries hashes, never an error


def test_the_link_carries_the_token_after_the_hash_sign_where_no_server_sees_it():
    assert manage_link("https://oap.ind.example/oap/manage", "abc") == "https://oap.ind.example/oap/manage#token=abc"
