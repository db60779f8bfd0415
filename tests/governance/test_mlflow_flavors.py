"""Which file of an MLflow model Warden takes: the ONNX file or a skops file, named inside the
model folder; everything else is refused before a byte of it is fetched."""

import pytest

from governance.mlflow_sync.flavors import NOT_IMPORTABLE, FlavorRefused, file_taken


def test_the_onnx_flavor_gives_its_data_file():
    taken = file_taken(b"flavors:\n  onnx:\n    data: model.onnx\n")
    assert (taken.path, taken.stored_name) == ("model.onnx", "model.onnx")


def test_a_skops_sklearn_flavor_gives_its_file_and_its_trusted_types_are_ignored():
    mlmodel = (
        b"flavors:\n  sklearn:\n    pickled_model: model.skops\n    serialization_format: skops\n"
        b"    skops_trusted_types: [posix.system]\n"
    )
    assert file_taken(mlmodel).stored_name == "model.skops"


@pytest.mark.parametrize("fmt", ["pickle", "cloudpickle"])
def test_a_pickled_sklearn_flavor_is_not_importable(fmt):
    mlmodel = (
        f"flavors:\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: {fmt}\n"
    )
    with pytest.raises(FlavorRefused, match=NOT_IMPORTABLE):
        file_taken(mlmodel.encode())


def test_a_python_function_only_model_is_not_importable_and_names_its_flavors():
    with pytest.raises(FlavorRefused, match=r"flavors: python_function"):
        file_taken(b"flavors:\n  python_function:\n    python_model: python_model.pkl\n")


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "a/../../b", "a\\b", ""])
def test_a_file_outside_the_model_folder_is_refused(name):
    with pytest.raises(FlavorRefused):
        file_taken(f"flavors:\n  onnx:\n    data: '{name}'\n".encode())


@pytest.mark.parametrize(
    "text", [b"flavors: [", b"- a list", b"flavors: 3", b"!!python/object:os.system {}"]
)
def test_a_malformed_mlmodel_is_refused_never_constructing_objects(text):
    with pytest.raises(FlavorRefused):
        file_taken(text)
