"""The OpenAPI documents under ``docs/openapi/`` are valid OpenAPI 3.1 and in step with the code.

Each document describes one HTTP server, and declares exactly the routes (method and path) that its
aiohttp app registers: biometrics' as its worker serves it (``desk_app`` with the applicants'
sub-apps, and the runtime's ``GET /health``), decision's (``web_app``: tracking and the console, and
``GET /health``) and the portal's (``portal_app``). The apps are built as their processes build
them, with a stand-in for the database pool (no factory uses it before a request comes), and never
started. Their closed vocabularies, pydantic's schema of a finding, the static files and the IND
dialect's guard line are checked against the code too, and every example against its schema.
"""

import json
import re
from collections.abc import Awaitable, Callable, Iterator
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from ind_runtime import worker
from ind_runtime.settings import get_settings
from ind_runtime.wiring import Wiring
from schemas.codes import ApplicationType, AppointmentProduct, Language, LocationCode
from schemas.decisions import DecisionAction
from schemas.lifecycle import Finding, Outcome, Recommendation
from services.biometrics import app as biometrics
from services.biometrics.oap_api import GUARD
from services.biometrics.settings import DeskSettings
from services.decision import app as decision
from services.decision.case import CaseStatus
from services.decision.console.queue import View
from services.decision.settings import DecisionSettings
from services.portal.app import portal_app
from services.portal.settings import PortalSettings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "openapi"
OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
NO_POOL = object()
"""Stands in for the database pool: the factories only keep it for their handlers."""

Route = tuple[str, str]


@cache
def document(name: str) -> dict:
    return yaml.safe_load((DOCS / name).read_text(encoding="utf-8"))


async def _served_by_worker(service: str, wiring: Callable[[Any, worker.WorkerResources], Wiring], settings, monkeypatch):
    """The app a worker serves: its wiring's ``http`` app as ``WorkerResources`` completes it (with
    ``GET /health``), caught where the runtime would hand it to aiohttp's runner."""
    served: list[web.Application] = []

    class Runner:
        def __init__(self, app: web.Application, **_options) -> None:
            served.append(app)

        async def setup(self) -> None:
            pass

    class Site:
        def __init__(self, *_args, **_options) -> None:
            pass

        async def start(self) -> None:
            pass

    monkeypatch.setattr(worker.web, "AppRunner", Runner)
    monkeypatch.setattr(worker.web, "TCPSite", Site)
    resources = worker.WorkerResources(service, get_settings(), 0, None)
    table = wiring(settings, resources)
    assert table.http is not None, f"{service} serves no app of its own"
    resources.serve_http(table.http)
    resources._pool = NO_POOL  # what on_start would have opened
    await resources._start_http()
    (app,) = served
    return app


async def _biometrics(monkeypatch) -> web.Application:
    return await _served_by_worker(biometrics.SERVICE, biometrics.wiring, DeskSettings(), monkeypatch)


async def _decision(monkeypatch) -> web.Application:
    return await _served_by_worker(decision.SERVICE, decision.wiring, DecisionSettings(), monkeypatch)


async def _portal(_monkeypatch) -> web.Application:
    return portal_app(PortalSettings())


SERVERS: dict[str, Callable[[pytest.MonkeyPatch], Awaitable[web.Application]]] = {
    "appointments.yaml": _biometrics,
    "decision.yaml": _decision,
    "portal.yaml": _portal,
}


def test_every_document_under_docs_openapi_is_checked_here():
    assert sorted(path.name for path in DOCS.glob("*.yaml")) == sorted(SERVERS)


# --- the documents are OpenAPI 3.1 ---------------------------------------------------------------


@pytest.mark.parametrize("name", SERVERS)
def test_the_document_is_valid_openapi_3_1(name):
    spec = document(name)
    assert spec["openapi"] == "3.1.0"
    validate(spec, cls=OpenAPIV31SpecValidator)
    odd = [path for path, key in _keys(spec) if " " in key]
    assert odd == [], f"keys with a space (an unquoted comma in a YAML flow mapping?): {odd}"
    operation_ids = [op["operationId"] for _, _, op in _operations(spec)]
    assert len(operation_ids) == len(set(operation_ids)), "operationIds repeat"


@pytest.mark.parametrize("name", SERVERS)
def test_every_example_fits_its_schema(name):
    spec = document(name)
    checked = 0
    for where, media, example in _examples(spec):
        schema = media["schema"]
        _check(spec, schema, example, where)
        if isinstance(example, str) and example.startswith(GUARD):  # the IND dialect: JSON after the guard line
            assert "$ref" in schema, f"{where}: a guarded body's schema is a component with a contentSchema"
            _check(spec, {"$ref": schema["$ref"] + "/contentSchema"}, json.loads(example[len(GUARD) :]), where)
        checked += 1
    assert checked > 0


def test_every_body_of_the_ind_dialect_is_documented_with_its_guard_line():
    spec = document("appointments.yaml")
    guard = spec["components"]["schemas"]["OapGuarded"]
    assert re.match(guard["pattern"], GUARD) and not re.match(guard["pattern"], GUARD[:-1])
    for path, method, operation in _operations(spec):
        if not path.startswith("/oap/api/"):
            continue
        for status, response in operation["responses"].items():
            media = _resolved(spec, response)["content"]["application/json"]
            examples = [example["value"] for example in media["examples"].values()]
            assert examples and all(example.startswith(GUARD) for example in examples), f"{method} {path} {status}"


# --- the documents declare the routes the apps register -------------------------------------------


@pytest.mark.parametrize("name", SERVERS)
async def test_the_document_declares_exactly_the_routes_its_app_registers(name, monkeypatch):
    registered = registered_routes(await SERVERS[name](monkeypatch))
    declared = declared_routes(document(name))
    missing, extra = sorted(registered - declared), sorted(declared - registered)
    if missing or extra:
        lines = [f"docs/openapi/{name} is out of step with the app's routes:"]
        lines += [f"  registered but not documented: {method} {path}" for method, path in missing]
        lines += [f"  documented but not registered: {method} {path}" for method, path in extra]
        pytest.fail("\n".join(lines))


def registered_routes(app: web.Application) -> set[Route]:
    """(method, path) of every route of ``app`` and its sub-apps, HEAD left out (aiohttp adds one for
    each GET), ``{name:regex}`` written ``{name}``, a static folder as ``{prefix}/{filename}``, and a
    path served with and without a trailing slash once, without it."""
    routes = set(_routes(app))
    return {(method, path) for method, path in routes if not (path.endswith("/") and (method, path[:-1]) in routes)}


def _routes(app: web.Application) -> Iterator[Route]:
    for resource in app.router.resources():
        info = resource.get_info()
        if "app" in info:  # a sub-app: aiohttp gave its resources its prefix when it was added
            yield from _routes(info["app"])
            continue
        path = _template(resource.canonical)
        if isinstance(resource, web.StaticResource):
            path += "/{filename}"
        yield from ((route.method, path) for route in resource if route.method != "HEAD")


def _template(path: str) -> str:
    return re.sub(r"\{([^{}:]+):(?:[^{}]|\{[^{}]*\})*\}", r"{\1}", path)


def declared_routes(spec: dict) -> set[Route]:
    return {(method.upper(), path) for path, method, _ in _operations(spec)}


async def _answer(_request: web.Request) -> web.Response:
    return web.Response()


def test_the_route_normalisation():
    app = web.Application()
    sub = web.Application()
    sub.router.add_get("/slots", _answer)
    sub.router.add_get("/slots/", _answer)
    sub.router.add_post("/{change:cancel|reschedule}", _answer)
    sub.router.add_get(r"/{day:\d{4}}/", _answer)
    app.add_subapp("/api", sub)
    app.router.add_static("/static", DOCS)
    assert registered_routes(app) == {
        ("GET", "/api/slots"),
        ("POST", "/api/{change}"),
        ("GET", "/api/{day}/"),
        ("GET", "/static/{filename}"),
    }


@pytest.mark.parametrize("name", SERVERS)
async def test_a_static_folder_is_documented_with_the_files_it_holds(name, monkeypatch):
    app = await SERVERS[name](monkeypatch)
    folders = {_template(r.canonical) + "/{filename}": r.get_info()["directory"] for r in _resources(app)}
    spec = document(name)
    for path, directory in folders.items():
        if isinstance(directory, Path):
            (parameter,) = spec["paths"][path]["get"]["parameters"]
            assert sorted(parameter["schema"]["enum"]) == sorted(f.name for f in directory.iterdir() if f.is_file()), path


def _resources(app: web.Application) -> Iterator[web.StaticResource]:
    for resource in app.router.resources():
        info = resource.get_info()
        if "app" in info:
            yield from _resources(info["app"])
        elif isinstance(resource, web.StaticResource):
            yield resource


# --- the documents' vocabularies and models are the code's ---------------------------------------

VOCABULARIES: list[tuple[str, str, type[StrEnum]]] = [
    *((name, "ProductKey", AppointmentProduct) for name in SERVERS),
    *((name, "LocationCode", LocationCode) for name in SERVERS),
    *((name, "Language", Language) for name in SERVERS),
    ("decision.yaml", "ApplicationType", ApplicationType),
    ("decision.yaml", "CaseStatus", CaseStatus),
    ("decision.yaml", "Outcome", Outcome),
    ("decision.yaml", "Recommendation", Recommendation),
    ("decision.yaml", "DecisionAction", DecisionAction),
    ("decision.yaml", "QueueView", View),
]


@pytest.mark.parametrize(("name", "component", "vocabulary"), VOCABULARIES, ids=lambda v: getattr(v, "__name__", v))
def test_a_closed_vocabulary_is_the_code_s(name, component, vocabulary):
    assert document(name)["components"]["schemas"][component]["enum"] == [member.value for member in vocabulary]


def test_a_finding_is_pydantic_s_json_schema_of_it():
    components = document("decision.yaml")["components"]["schemas"]
    expected = Finding.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in expected.pop("$defs", {}).items():
        assert components[name] == schema, name
    assert components["Finding"] == expected


# --- walking a document ---------------------------------------------------------------------------


def _operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in spec["paths"].items():
        for method in OPERATIONS:
            if method in item:
                yield path, method, item[method]


def _resolved(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _examples(spec: dict) -> Iterator[tuple[str, dict, Any]]:
    """(where, media type object, example value) of every example of a body, request or answer."""
    bodies: list[tuple[str, dict]] = []
    for path, method, operation in _operations(spec):
        if "requestBody" in operation:
            bodies.append((f"{method} {path} request", _resolved(spec, operation["requestBody"])))
        for status, response in operation["responses"].items():
            bodies.append((f"{method} {path} {status}", _resolved(spec, response)))
    for where, body in bodies:
        for media_type, media in body.get("content", {}).items():
            for label, example in media.get("examples", {}).items():
                yield f"{where} {media_type} {label}", media, _resolved(spec, example)["value"]


def _check(spec: dict, schema: dict, value: Any, where: str) -> None:
    validator = OAS31Validator({**schema, "components": spec["components"]}, format_checker=OAS31Validator.FORMAT_CHECKER)
    problems = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(value)]
    assert problems == [], f"{where}: {problems}"


def _keys(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, str(key)
            yield from _keys(value, f"{path}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _keys(value, f"{path}/{n}")
