"""What a simulator process keeps on disk for the next one (``startup_cache``, fast path 15): the next process
gets exactly what the libraries would have computed, also when a kept file is damaged or caching is off."""

from __future__ import annotations

import gzip
import json
from collections import OrderedDict
from pathlib import Path

import jinja2
import pytest
from botocore import loaders

from outreach.simulator import startup_cache
from outreach.simulator.patching import installed


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(startup_cache.CACHE_ENV, str(directory))
    return directory


def _damage(directory: Path, pattern: str) -> list[Path]:
    kept = sorted(directory.glob(pattern))
    for path in kept:
        path.write_bytes(b"not what was kept")
    return kept


def test_given_a_model_file_kept_when_a_later_process_loads_it_then_it_gets_the_same_ordered_model(tmp_path, cache):
    model = {"metadata": {"apiVersion": "2012-08-10"}, "shapes": {"B": {"type": "string"}, "A": {"type": "list"}}}
    (tmp_path / "service-2.json.gz").write_bytes(gzip.compress(json.dumps(model).encode()))
    plain = loaders.JSONFileLoader().load_file(str(tmp_path / "service-2"))

    with installed(startup_cache.PATCHES):
        loader = loaders.JSONFileLoader()
        parsed, kept, missing = (
            loader.load_file(str(tmp_path / "service-2")),
            loader.load_file(str(tmp_path / "service-2")),
            loader.load_file(str(tmp_path / "no-such-model")),
        )
        damaged = _damage(cache, "botocore/*.pickle")
        repaired = loader.load_file(str(tmp_path / "service-2"))

    assert parsed == kept == repaired == plain
    assert type(kept) is OrderedDict and list(kept["shapes"]) == ["B", "A"]  # botocore's own types and order
    assert missing is None and len(damaged) == 1


def test_given_the_service_list_kept_when_a_later_loader_lists_services_then_it_is_botocores_list(cache):
    plain = loaders.create_loader().list_available_services("service-2")

    with installed(startup_cache.PATCHES):
        listed = loaders.create_loader().list_available_services("service-2")
        kept = loaders.create_loader().list_available_services("service-2")
        _damage(cache, "botocore/services-*.pickle")
        repaired = loaders.create_loader().list_available_services("service-2")

    assert listed == kept == repaired == plain
    assert {"dynamodb", "stepfunctions", "sesv2"} <= set(kept)


def test_given_compiled_templates_kept_when_a_later_process_renders_then_the_text_is_the_same(cache):
    source = "{% for n in names %}Dear {{ n|title }},\n{% endfor %}{{ note }}"
    context = {"names": ["ada", "<b>grace</b>"], "note": "<i>thanks</i>"}

    def render(autoescape: bool) -> str:
        environment = jinja2.Environment(autoescape=autoescape, trim_blocks=True, undefined=jinja2.StrictUndefined)
        return environment.from_string(source).render(context)

    plain = [render(True), render(False)]
    with installed(startup_cache.PATCHES):
        compiled = [render(True), render(False)]
        kept = [render(True), render(False)]
        damaged = _damage(cache, "jinja2/*.code")
        repaired = [render(True), render(False)]
        with pytest.raises(jinja2.TemplateSyntaxError, match="Unexpected end of template"):
            jinja2.Environment().from_string("{% if x %}never closed")

    assert compiled == kept == repaired == plain
    assert "&lt;i&gt;" in plain[0] and "<i>" in plain[1]  # the two environments' code is kept apart
    assert len(damaged) == 2


def test_given_caching_off_when_the_simulator_starts_then_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv(startup_cache.CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "m.json").write_text('{"a": 1}')

    with installed(startup_cache.PATCHES):
        loaded = loaders.JSONFileLoader().load_file(str(tmp_path / "m"))
        text = jinja2.Environment().from_string("{{ 1 + 1 }}").render()

    assert (loaded, text) == ({"a": 1}, "2")
    assert startup_cache.directory() is None and sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_given_the_regions_kept_when_a_later_process_builds_moto_backends_then_they_serve_the_same_regions(cache):
    from moto.core.base_backend import AccountSpecificBackend
    from moto.sqs.models import SQSBackend

    def regions() -> list[str]:
        return AccountSpecificBackend("sqs", "123456789012", SQSBackend, True, None).regions

    plain = regions()
    with installed(startup_cache.PATCHES):
        startup_cache._regions.clear()  # what a new process has: only the files on disk
        listed = regions()
        startup_cache._regions.clear()
        kept = regions()
        _damage(cache, "botocore/regions-*.pickle")
        startup_cache._regions.clear()
        repaired = regions()

    assert listed == kept == repaired == plain
    assert "us-east-1" in kept and "cn-north-1" in kept  # every partition's regions, as moto lists them
