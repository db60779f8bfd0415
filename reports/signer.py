"""The organisation's signer, as the settings name it (WARDEN_SIGNING_KEY and its password),
else the development key kept under WARDEN_SIGNING_DEV_DIR."""

from django.conf import settings

from governance.organisation_key import SigningKeyError
from reports.errors import SigningUnavailable
from reports.pdf.signing import Signer, signer_for


def organisation_signer() -> Signer:
    """Load the signer; a key that cannot be used is a 503 naming the reason, never a 500."""
    try:
        return signer_for(
            settings.WARDEN_SIGNING_KEY or None,
            settings.WARDEN_SIGNING_PASSWORD or None,
            settings.WARDEN_SIGNING_DEV_DIR,
        )
    except (SigningKeyError, OSError) as error:
        raise SigningUnavailable(f"the signing key cannot be used: {error}") from error
