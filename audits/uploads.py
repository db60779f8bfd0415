"""Upload limits enforced while the request body streams in, before it is all read: a declared
Content-Length over the cap is refused at once, and an undeclared one is cut off at the cap."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

REFUSAL_ATTRIBUTE = "warden_upload_refused"


def upload_refusal(request: HttpRequest) -> str:
    """Why the capped handler stopped this request's upload, or "" when it did not."""
    return getattr(request, REFUSAL_ATTRIBUTE, "")


class CappedUploadHandler(FileUploadHandler):
    """Counts bytes as they arrive and stops the upload past WARDEN_MAX_UPLOAD_BYTES; the view
    then answers 413 with the reason (see `upload_refusal`)."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.cap = settings.WARDEN_MAX_UPLOAD_BYTES
        self.received = 0
        self.declared_too_large = ""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # type: ignore[no-untyped-def]
        # Django cannot stop an upload from here, so the refusal waits for the first file part.
        if content_length and content_length > self.cap:
            self.declared_too_large = (
                f"the request is {content_length} bytes; the upload cap is {self.cap}"
            )
        return None

    def new_file(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.declared_too_large:
            self._refuse(self.declared_too_large)
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.cap:
            self._refuse(f"the file is over the upload cap of {self.cap} bytes")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self, reason: str) -> None:
        setattr(self.request, REFUSAL_ATTRIBUTE, reason)
        raise StopUpload(connection_reset=True)
