"""validate_definition with an unknown name: prints the error it raises, as JSON."""

import json
import sys

import relay_contract

try:
    relay_contract.validate_definition("NoSuchFrame", {})
    json.dump({"error": ""}, sys.stdout)
except ValueError as error:
    json.dump({"error": str(error)}, sys.stdout)
