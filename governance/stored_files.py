"""What a worker opens a stored file by, whichever storage holds it: `s3://bucket/key` for
object storage (read through pyarrow's filesystem, ranged), the local path for the media
folder. The one place a storage name becomes a location; nothing else asks for `.path`."""

from django.core.files.storage import Storage, default_storage


def stored_uri(name: str | None, storage: Storage = default_storage) -> str:
    """The location text of the stored file `name` (a FileField's name); FileNotFoundError for
    a field that holds no file."""
    if not name:
        raise FileNotFoundError("no file is stored under this field")
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        # django-storages' own key for a name (its `location` prefix, the name made safe)
        return f"s3://{bucket}/{storage._normalize_name(name)}"  # type: ignore[attr-defined]
    return storage.path(name)


def stored_store_options(storage: Storage = default_storage) -> dict[str, str | None]:
    """The object store's endpoint, region and credentials as the storage backend holds them
    (so settings are declared once, in STORAGES); all None for the media folder."""
    return {
        key: getattr(storage, attribute, None)
        for key, attribute in (
            ("endpoint_url", "endpoint_url"),
            ("region", "region_name"),
            ("access_key", "access_key"),
            ("secret_key", "secret_key"),
        )
    }
