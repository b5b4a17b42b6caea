"""relay_contract: the Hermes relay contract (contract_version 1) for Python gateways.

- `relay_contract.models`: a TypedDict per definition and frame, `Literal` unions for enums and
  the `type` / `op` discriminators, `GatewayFrame` / `ConnectorFrame` unions per direction;
- `relay_contract.constants`: contract version, close codes with their meaning, limits;
- `validate_frame` / `validate_definition`: the shipped JSON Schema files through `jsonschema`;
  `receive_frame`: a receiver's view (ignored types, invalid list entries dropped);
- `make_upgrade_token` / `verify_upgrade_token`: the upgrade bearer, standard library only.

Everything here is generated from, or checked against, the same schemas as the TypeScript
package it ships in (`relay-contract python-path` prints the directory to put on PYTHONPATH).
"""

from .close_codes import find_close_code
from .constants import *  # noqa: F403 - the generated constants, listed in their __all__
from .constants import __all__ as _constants
from .models import *  # noqa: F403 - the generated types, listed in their __all__
from .models import __all__ as _models
from .tokens import (
    SecretLookup,
    SecretSet,
    VerifyFailureReason,
    VerifyResult,
    bearer_header,
    make_token,
    make_upgrade_token,
    verify_upgrade_token,
)
from .validation import SCHEMA_DIR, FrameDirection, Issue, Received, ValidationMode, receive_frame, validate_definition, validate_frame

__all__ = [
    *_constants,
    *_models,
    "FrameDirection",
    "Issue",
    "Received",
    "SCHEMA_DIR",
    "SecretLookup",
    "SecretSet",
    "ValidationMode",
    "VerifyFailureReason",
    "VerifyResult",
    "bearer_header",
    "find_close_code",
    "make_token",
    "make_upgrade_token",
    "receive_frame",
    "validate_definition",
    "validate_frame",
    "verify_upgrade_token",
]
