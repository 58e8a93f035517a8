"""tap-wolkvox: the Singer tap for the Wolkvox Reports Manager API."""

from __future__ import annotations

import copy
import sys
import typing as t
from functools import cached_property

import click
from singer_sdk import Tap
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities
from typing_extensions import override

from tap_wolkvox.catalog import REPORTS
from tap_wolkvox.client import OneAtATimeSession
from tap_wolkvox.errors import WolkvoxError
from tap_wolkvox.settings import CONFIG_SCHEMA, OperationSettings, SettingsError, read_settings
from tap_wolkvox.streams import ReportStream, stream_for

if t.TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    import requests


def honour_replication_method(catalog: dict[str, t.Any]) -> dict[str, t.Any]:
    """The catalog with each stream's ``replication-method`` metadata made effective.

    Singer catalogs carry the user's choice as ``replication-method`` in the stream's metadata
    (Meltano's ``metadata:`` block writes it there, leaving the discovered top-level
    ``replication_method`` as it was); the SDK reads only that top-level field and
    ``forced-replication-method``, so a FULL_TABLE chosen in the metadata would otherwise be
    ignored and the stream resume from its bookmark.
    """
    catalog = copy.deepcopy(catalog)
    for entry in catalog.get("streams", []):
        for metadata in entry.get("metadata", []):
            chosen = metadata.get("metadata", {}).get("replication-method")
            if metadata.get("breadcrumb") == [] and chosen:
                entry["replication_method"] = chosen
    return catalog


class TapWolkvox(Tap):
    """Singer tap for the Wolkvox contact-center Reports Manager API."""

    name = "tap-wolkvox"
    config_jsonschema = CONFIG_SCHEMA
    # No BATCH: a STATE emitted per window must never run ahead of records still waiting in a
    # batch file, or a killed run would lose them.
    capabilities: t.ClassVar[list[CapabilitiesEnum]] = [
        capability for capability in Tap.capabilities if capability != PluginCapabilities.BATCH
    ]
    # msgspec writes Singer messages several times faster than the default JSON writer.
    message_writer_class = MsgSpecWriter

    def __init__(
        self,
        *args: t.Any,
        utc_now: Callable[[], dt.datetime] | None = None,
        **kwargs: t.Any,
    ) -> None:
        """Create the tap; with ``validate_config`` the settings are also checked together.

        ``utc_now`` replaces the system clock (tests drive the tap's and the sandbox's clocks
        together with it).
        """
        self._utc_now = utc_now
        if isinstance(kwargs.get("catalog"), dict):
            kwargs["catalog"] = honour_replication_method(kwargs["catalog"])
        super().__init__(*args, **kwargs)
        self._run_checked = False
        if kwargs.get("validate_config", True):
            try:
                _ = self.settings
            except SettingsError as exc:
                raise ConfigValidationError(str(exc), errors=[str(exc)]) from None

    @cached_property
    def settings(self) -> OperationSettings:
        """The settings, read and checked against each other."""
        return read_settings(self.config, self._utc_now)

    @cached_property
    def http_session(self) -> requests.Session:
        """One HTTP session for every stream: connections are reused, one request at a time."""
        return OneAtATimeSession()

    @override
    def discover_streams(self) -> list[ReportStream]:
        return [stream_for(self, report) for report in REPORTS]

    def check_run(self) -> None:
        """Once every stream has run: fail a run that could read none of its reports.

        A report missing on the server is skipped so that the other streams go on; when every
        stream that tried to read was missing, the run read nothing and must not look fine.

        Raises:
            WolkvoxError: naming the missing reports.
        """
        if self._run_checked:
            return
        self._run_checked = True
        tried = [s for s in self.streams.values() if isinstance(s, ReportStream) and s.tried]
        missing = [s for s in tried if s.unavailable]
        if missing and len(missing) == len(tried):
            names = ", ".join(f"{s.report.api} ({s.name})" for s in missing)
            msg = (
                f"None of the selected reports exists on this Wolkvox server (400 THE API YOU "
                f"WANT TO CONSULT DOES NOT EXIST): {names}. Check wolkvox_server and the "
                "selected streams."
            )
            raise WolkvoxError(msg)

    @classmethod
    @override
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:
        try:
            super().invoke(*args, **kwargs)
        except WolkvoxError as exc:
            # One plain sentence, no stack trace; the STATE emitted so far stays valid.
            cls.logger.error("%s", exc)  # noqa: TRY400
            sys.stdout.flush()
            raise click.exceptions.Exit(1) from None


if __name__ == "__main__":
    TapWolkvox.cli()
