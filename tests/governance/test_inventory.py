"""Custom fields and tags: an admin defines a field, the team sets values validated by the
field's kind (a bad one refused naming the field, nothing written), every write on the trail."""

import pytest

from governance.errors import Forbidden, InvalidInput
from governance.inventory import custom_field_define, mlmodel_fields_set, mlmodel_tags_set
from governance.models import CustomFieldValue, Event
from tests.factories import mlmodel_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(cast):  # type: ignore[no-untyped-def]
    return {
        "business-line": custom_field_define(
            actor=cast.root,
            key="business-line",
            label="Business line",
            kind="choice",
            choices=["retail", "corporate"],
        ),
        "go-live": custom_field_define(
            actor=cast.root, key="go-live", label="Go-live", kind="date"
        ),
        "exposure": custom_field_define(
            actor=cast.root, key="exposure", label="Exposure (EUR m)", kind="number"
        ),
        "notes": custom_field_define(actor=cast.root, key="notes", label="Notes", kind="text"),
    }


def values_of(model) -> dict:  # type: ignore[no-untyped-def]
    return dict(CustomFieldValue.objects.filter(model=model).values_list("field__key", "value"))


def test_only_an_admin_defines_a_field(cast):
    with pytest.raises(Forbidden):
        custom_field_define(actor=cast.rita, key="x", label="X", kind="text")


def test_a_choice_field_must_name_its_choices(cast):
    with pytest.raises(InvalidInput) as refused:
        custom_field_define(actor=cast.root, key="x", label="X", kind="choice")
    assert refused.value.field == "choices"


def test_values_are_stored_in_their_canonical_text_and_on_the_trail(cast, fields):
    model = mlmodel_make(cast.erin)
    values = {"business-line": "retail", "go-live": "2026-03-01", "exposure": "12.50"}
    mlmodel_fields_set(actor=cast.erin, model=model, values={**values, "notes": " watch it "})
    assert values_of(model) == {**values, "exposure": "12.5", "notes": "watch it"}
    event = Event.objects.filter(verb="model_fields_set").get()
    assert event.after["fields"]["exposure"] == "12.5" and event.before == {"fields": {}}


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("business-line", "wholesale", "one of retail, corporate"),
        ("go-live", "01/03/2026", "a date as YYYY-MM-DD"),
        ("exposure", "lots", "a number"),
        ("exposure", "NaN", "a finite number"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_naming_the_field(cast, fields, key, value, reason):
    model = mlmodel_make(cast.erin)
    with pytest.raises(InvalidInput) as refused:
        mlmodel_fields_set(actor=cast.erin, model=model, values={"notes": "ok", key: value})
    assert (refused.value.field, refused.value.message) == (key, reason)
    assert values_of(model) == {}  # nothing half-written


def test_an_empty_value_clears_the_field(cast, fields):
    model = mlmodel_make(cast.erin)
    mlmodel_fields_set(actor=cast.erin, model=model, values={"notes": "a"})
    mlmodel_fields_set(actor=cast.erin, model=model, values={"notes": ""})
    assert values_of(model) == {}


def test_an_unknown_field_is_named(cast, fields):
    with pytest.raises(InvalidInput) as refused:
        mlmodel_fields_set(actor=cast.erin, model=mlmodel_make(cast.erin), values={"colour": "x"})
    assert refused.value.field == "colour"


def test_another_team_sets_no_values(cast, fields):
    with pytest.raises(Forbidden):
        mlmodel_fields_set(actor=cast.bob, model=mlmodel_make(cast.erin), values={"notes": "x"})


def test_tags_are_slugs_replaced_as_a_set(cast):
    model = mlmodel_make(cast.erin)
    mlmodel_tags_set(actor=cast.erin, model=model, tags=["Credit", "vendor review", "credit"])
    assert sorted(model.tags.values_list("slug", flat=True)) == ["credit", "vendor-review"]
    mlmodel_tags_set(actor=cast.erin, model=model, tags=["retail"])
    assert list(model.tags.values_list("slug", flat=True)) == ["retail"]
    assert Event.objects.filter(verb="model_tags_set").last().before == {
        "tags": ["credit", "vendor-review"]
    }
