"""Headers a browser sends with the form posts of our own pages (see web/origin.py)."""

from __future__ import annotations

# The test configuration's TENANTRY_PUBLIC_URL is http://tenantry.test.
FROM_OUR_PAGE = {"Origin": "http://tenantry.test"}
