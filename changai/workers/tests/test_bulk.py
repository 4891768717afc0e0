from changai.workers import bulk, pii


def test_the_bulk_helpers_agree_with_pii(settings):
    encrypt = bulk.sealer()
    sealed = encrypt("11010519491231002X")
    assert sealed != encrypt("11010519491231002X")  # a fresh nonce each time
    assert pii.decrypt(sealed) == "11010519491231002X"
    assert encrypt("") == ""
    assert bulk.hash_all(["11010519491231002X"]) == [pii.keyed_hash("11010519491231002X")]
