"""The transcript JSONL: canonical lines that read back to the same records and bytes."""

from audits.battery.llm import transcripts
from audits.battery.llm.transcripts import Transcript


def test_records_read_back_to_the_same_bytes_even_with_unicode_line_separators():
    record = Transcript(probe_id="p", check="prompt_injection", family="f",
                        messages=({"role": "user", "content": "a\u2028b"},),
                        response="line\u2029two\x85", reference=("x",))  # fmt: skip
    data = transcripts.dumps([record, record])
    assert data.count(b"\n") == 2
    assert transcripts.loads(data) == [record, record]
    assert transcripts.dumps(transcripts.loads(data)) == data


def test_a_bare_string_reference_is_read_as_one_answer():
    data = b'{"probe_id":"p","check":"c","family":"f","messages":[],"reference":"Tista"}\n'
    assert transcripts.loads(data)[0].reference == ("Tista",)


def test_a_records_json_is_a_copy_that_changing_leaves_the_record_alone():
    record = Transcript(probe_id="p", check="pii_leakage", family="f",
                        messages=({"role": "user", "content": "hi"},),
                        expected={"record": {"name": "Ada"}}, reference=("x",))  # fmt: skip
    data = record.to_json()
    assert data["messages"] == [{"role": "user", "content": "hi"}] and data["reference"] == ["x"]
    data["expected"]["record"]["name"] = "Eve"
    data["messages"][0]["content"] = "changed"
    assert record.expected == {"record": {"name": "Ada"}} and record.messages[0]["content"] == "hi"
