"""Validates an OpenAPI document: the document itself with openapi-spec-validator, then every
example in it against the schema beside it (jsonschema, Draft 2020-12 as OpenAPI 3.1 uses it).

Usage: python3 validate_openapi.py DOCUMENT.json — prints "ok", or one problem a line and exits 1.
"""
import json
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012


def examples(document):
    """(where, schema, example) for every schema example and media-type example."""
    for name, schema in document["components"]["schemas"].items():
        for example in schema.get("examples", []):
            yield f"schema {name}", schema, example
    for path, item in document["paths"].items():
        for method, operation in item.items():
            media = list(operation.get("requestBody", {}).get("content", {}).items())
            for status, response in operation.get("responses", {}).items():
                media += [(f"{status} {t}", m) for t, m in response.get("content", {}).items()]
            for where, entry in media:
                if "example" in entry:
                    yield f"{method.upper()} {path} {where}", entry["schema"], entry["example"]


def main(path):
    with open(path) as file:
        document = json.load(file)
    try:
        validate(document)
    except Exception as error:  # the validator's own errors, and unresolvable references
        print(f"invalid OpenAPI document: {type(error).__name__}: {error}"[:1000])
        return 1
    registry = Registry().with_resource("urn:document", DRAFT202012.create_resource(document))
    problems = []
    for where, schema, example in examples(document):
        # References are `#/components/...`: resolve them against the whole document.
        validator = Draft202012Validator(rebase(schema), registry=registry)
        try:
            problems += [f"{where}: {error.message}" for error in validator.iter_errors(example)]
        except Unresolvable as error:
            problems.append(f"{where}: unresolvable reference {error}"[:300])
    if problems:
        print("\n".join(problems))
        return 1
    print("ok")
    return 0


def rebase(value):
    """`#/components/...` references made absolute (`urn:document#/components/...`)."""
    if isinstance(value, dict):
        return {
            key: ("urn:document" + item if key == "$ref" and item.startswith("#") else rebase(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [rebase(item) for item in value]
    return value


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
