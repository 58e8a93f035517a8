"""The Wolkvox reports this tap extracts, declared as data.

Field lists come from the research catalogue in ``shared/wolkvox-api/reports.json`` (the
official Postman collection and the English report pages). Each family of reports (the prefix
of the ``api=`` name: ``chat_9`` is a ``chat`` report) has its module here, and adding a report
means adding a :class:`~tap_wolkvox.declarations.model.Report` to its family's module, once:
the module ends with ``REPORTS = reports_in(globals())``, which lists its reports in declaration
order.
Fields, and runs of fields, that several families share are declared once as constants in
:mod:`tap_wolkvox.declarations.shared` and reused; those of one family, in its module.

Conventions:

* Field names are the keys the field tables document, misspellings included (``aht_outbund``,
  ``agent_anwers``, ``campaing_id``, ``destinity``, ``explation``). Where the vendor's sample
  reply or public code shows another spelling of a key (chat_13 sends ``chanel``), it is an
  alias of that one column: whichever spelling arrives fills it. A key a warehouse would need
  quoted, rename or refuse (``ASA``, ``yes/no``) is declared under its
  :func:`~tap_wolkvox.declarations.model.warehouse_name` (``asa``, ``yes_no``), the key an
  alias: every property is lower-case letters, digits and underscores (tests/test_names.py).
* A key identifies a row: the row's own ID where the reply has one; otherwise the stream's
  description says why the key is what it is.
* Kinds: ``YYYY-MM-DD HH:MM:SS`` timestamps are INSTANT, days DAY, ``HH:MM:SS`` (or bare second)
  durations DURATION, counts INTEGER, ``"34.64 %"`` values PERCENT, decimal amounts NUMBER
  (averages documented in seconds too: a mean of seconds may have decimals); IDs, names, codes,
  phone numbers, hour labels, free text and anything uncertain stay TEXT.
* Stream names say what one row is. Event reports are plural nouns (``chats``, ``ivr_calls``).
  Aggregate reports are read one local day at a time and the stream adds ``report_date``:
  they are named ``<subject>_<period>_<measures>`` (``agent_daily_performance``,
  ``skill_hourly_service_levels``), or ``daily_<measures>_by_<attribute>`` when the rows are a
  breakdown by some attribute rather than by an entity (``daily_calls_by_disposition``).
"""

from __future__ import annotations

import typing as t

from tap_wolkvox.declarations import (
    act,
    agent,
    campaign,
    cdr,
    chat,
    diagram,
    quality,
    skill,
    speech,
    wizard,
)

if t.TYPE_CHECKING:
    from tap_wolkvox.declarations.model import Report

#: Every report: the families in this order (the streams' and the README tables' order), each
#: family's reports in the order its module declares them.
REPORTS: tuple[Report, ...] = tuple(
    report
    for family in (chat, cdr, agent, campaign, skill, act, diagram, quality, speech, wizard)
    for report in family.REPORTS
)
