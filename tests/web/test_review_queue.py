"""The risk officer's home on a large portfolio: the queue a page of 50 at a time with its
total, and the first 50 of each list with how many there are and where the rest are."""

import re

import pytest
from django.core.management import call_command

from governance import selectors
from governance.views import homes

pytestmark = pytest.mark.django_db


@pytest.fixture
def large_portfolio():  # type: ignore[no-untyped-def]
    call_command("portfolio_build", "--models", "500", "--teams", "5", "--allow-existing")


def queue_rows(page: str) -> list[str]:
    table = page.split("<h2>Awaiting a decision</h2>")[1].split("</table>")[0]
    return re.findall(r'<th scope="row"><a href="([^"]+)"', table)


def test_the_queue_is_read_a_page_at_a_time_oldest_first(cast, login, large_portfolio):
    waiting = list(selectors.review_queue())
    assert len(waiting) > 50
    client = login(cast.rita)
    first = client.get("/review/").content.decode()
    assert f"<strong>{len(waiting)}</strong> awaiting a decision" in first
    assert "Page 1 of 2" in first
    rows = queue_rows(first) + queue_rows(client.get("/review/?page=2").content.decode())
    expected = [f"/models/{v.model.slug}/versions/{v.version}/" for v in waiting]
    assert rows == expected


def test_long_lists_show_their_first_and_count_the_rest(cast, login, large_portfolio, monkeypatch):
    monkeypatch.setattr(homes, "HOME_LIST", 5)
    nearest = list(selectors.incident_list(open_only=True))
    assert len(nearest) > 5
    page = login(cast.rita).get("/review/").content.decode()
    assert f"<strong>{len(nearest)}</strong> open incidents" in page
    incidents = page.split("<h2>Open incidents</h2>")[1].split("</table>")[0]
    shown = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', incidents)]
    assert shown == [incident.pk for incident in nearest[:5]]
    assert f"The 5 with the nearest deadlines of {len(nearest)} open incidents." in page
