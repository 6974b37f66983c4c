"""Structured JSON logs with ``case_id`` and ``event_id`` bound, and personal data taken out.

Redaction is by key (``email``, ``passport_number``, ...) and by shape (anything that looks like an
email address or a date of birth inside a string), so a careless ``log.info(..., applicant=a)``
cannot leak. Standard-library records (Faust, aiokafka) go through the same processors.
"""

import logging
import logging.config
import re
import sys
from collections.abc import Mapping
from typing import Any

import structlog

PERSONAL_KEYS = frozenset(
    {
        "applicant",
        "bsn",
        "date_of_birth",
        "email",
        "given_names",
        "name",
        "passport_number",
        "recipient",
        "surname",
        "to",
    }
)
REDACTED = "[redacted]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")
_PASSPORT_FIELD = re.compile(r"(passport_number|date_of_birth|bsn)(['\"]?\s*[:=]\s*)['\"]?[^'\",}\s]+", re.I)


def scrub_text(text: str) -> str:
    text = _PASSPORT_FIELD.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    text = _EMAIL.sub(REDACTED, text)
    return _DATE.sub(REDACTED, text)


def _scrub(value: Any, key: str | None = None) -> Any:
    if key is not None and key.lower() in PERSONAL_KEYS:
        return REDACTED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {k: _scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def redact_personal_data(_logger, _method, event_dict: dict) -> dict:
    """structlog processor: the last line of defence before a record is written."""
    return {k: _scrub(v, k) for k, v in event_dict.items()}


_SHARED: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.format_exc_info,
]


def logging_config(level: str = "info") -> dict:
    """A ``logging.config.dictConfig`` that renders every record as one redacted JSON line."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    redact_personal_data,
                    structlog.processors.JSONRenderer(),
                ],
                "foreign_pre_chain": _SHARED,
            }
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": sys.stderr}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {"aiokafka": {"level": "WARNING"}, "faust": {"level": "WARNING"}, "mode": {"level": "WARNING"}},
    }


def configure_logging(level: str = "info") -> None:
    logging.config.dictConfig(logging_config(level))
    structlog.configure(
        # filter_by_level first: a debug line below the level costs a comparison, not the processors
        processors=[structlog.stdlib.filter_by_level, *_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
