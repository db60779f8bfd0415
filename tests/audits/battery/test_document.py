"""The result document's seal: the same document gives the same result_sha256 on any machine."""

from audits.battery.document import seal, verify


def test_a_documents_result_sha256_is_over_the_same_bytes_as_ever():
    """Pinned: a change to the canonical form would make every stored result fail to verify."""
    document = {
        "checks": [
            {"id": "performance", "metrics": {"accuracy": 0.123456789012345, "x": float("nan")}}
        ],
        "name": "Zoë",
        "b": 1,
    }
    sealed = seal(document)
    assert sealed["result_sha256"] == (
        "7f27a1a59c001d72e4927b59f5830dec9eba0780d520f0c278ce385156fb8415"
    )
    assert verify(sealed)
