"""What the services' server-rendered pages share (decision's console, the applicants' portal): their
security headers and how their templates are read.

No page may run a script unless it says so itself, be framed, or be kept in a cache (they show
case data); a template escapes what it prints and fails on a name it does not know, so that a
typo shows in a test instead of as an empty field.
"""

from pathlib import Path

import jinja2

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
"""Each site adds its ``Referrer-Policy``: the console's forms need their Origin, the portal's links carry tokens."""


def page_templates(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
