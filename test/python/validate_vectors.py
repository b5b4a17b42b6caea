"""Validate the shipped vectors with Python's `jsonschema` (draft-07 and 2020-12).

Reads {"bundle": <strict bundle>, "tolerant": <tolerant bundle>, "vectors": [...]} on stdin and
prints, per vector and per draft, whether it is valid and the (path, keywords) of each error.
The TypeScript test compares this with the generated ajv validators: both must agree.
"""
import json
import sys

import jsonschema


def pointer(parts):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def schema_for(bundle, definition, dialect):
    return {
        "$schema": dialect,
        "definitions": bundle["definitions"],
        "allOf": [{"$ref": "#/definitions/" + definition}],
    }


DRAFTS = {
    "draft7": (jsonschema.Draft7Validator, "http://json-schema.org/draft-07/schema#"),
    "draft2020": (jsonschema.Draft202012Validator, "https://json-schema.org/draft/2020-12/schema"),
}


_validators = {}


def validator_for(bundle, definition, cls, dialect):
    key = (bundle["$id"], definition, dialect)
    if key not in _validators:
        schema = schema_for(bundle, definition, dialect)
        if (bundle["$id"], dialect) not in _validators:
            cls.check_schema(schema)  # the whole bundle is a valid schema of this draft
            _validators[(bundle["$id"], dialect)] = True
        _validators[key] = cls(schema)
    return _validators[key]


def check(bundle, vector, cls, dialect):
    errors = []
    for error in validator_for(bundle, vector["definition"], cls, dialect).iter_errors(vector["value"]):
        keywords = {error.validator} | {k for k in error.relative_schema_path if isinstance(k, str)}
        errors.append({"path": pointer(error.absolute_path), "keywords": sorted(keywords)})
    return {"valid": not errors, "errors": errors}


def main():
    data = json.load(sys.stdin)
    out = {}
    for vector in data["vectors"]:
        out[vector["id"]] = {
            name: {
                "strict": check(data["bundle"], vector, cls, dialect),
                "tolerant": check(data["tolerant"], vector, cls, dialect),
            }
            for name, (cls, dialect) in DRAFTS.items()
        }
    try:
        from importlib.metadata import version
        found = version("jsonschema")
    except Exception:  # pragma: no cover - metadata missing on some Debian installs
        found = "?"
    json.dump({"version": found, "results": out}, sys.stdout)


if __name__ == "__main__":
    main()
