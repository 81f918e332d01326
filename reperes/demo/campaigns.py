"""The seed's three campaigns of the call for projects « Perdus de vue », moved in time.

The seed tells of a first campaign of about two years (2013 to the end of 2014, 233 youths), a
second of one year (2014/2015, 280 youths) and a third in progress (2015/2016). Its calendar is
ten years old, yet the third campaign must be live whenever the demo is loaded, with youths of
the right age and a queue of recent signals. So the demo keeps the seed's shape and figures and
moves the whole calendar: the current campaign began CURRENT_ELAPSED_DAYS before the day of
loading and lasts a year; the second is the year before it; the first the two years before that.
They follow one another without overlapping, as membership is derived from dates
(programme.selectors). Each is named after the years its dates really span, in the seed's style
(« Campagne 2023–2025 », « Campagne 2025/2026 »…), and its description says which seed campaign
it stands for: a name contradicting its own dates would mislead the funder's officer.

Shifting rather than keeping the historic dates also keeps the youths of the closed campaigns
between 16 and 30 today, as the registry's plausibility check requires, and keeps their files
within a realistic retention period."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from reperes.demo import alsace
from reperes.network.models import Organisation
from reperes.programme.models import Campaign
from reperes.programme.services import create_campaign

CURRENT_ELAPSED_DAYS = 200


@dataclass(frozen=True)
class CampaignSeed:
    seed_name: str
    years: int
    youths: int  # identified during the campaign; for the one in progress, so far
    separator: str  # as the seed writes the name


SEEDS = [
    CampaignSeed("2013–2014", 2, 233, "–"),
    CampaignSeed("2014/2015", 1, 280, "/"),
    CampaignSeed("2015/2016", 1, 110, "/"),
]


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def calendar(today: date) -> list[tuple[CampaignSeed, date, date]]:
    """(seed, first day, last day) of each campaign, oldest first; the last one contains today."""
    current = SEEDS[-1]
    start = today - timedelta(days=CURRENT_ELAPSED_DAYS)
    spans = [(current, start, _shift_years(start, current.years) - timedelta(days=1))]
    for seed in reversed(SEEDS[:-1]):
        end = start - timedelta(days=1)
        start = _shift_years(start, -seed.years)
        spans.insert(0, (seed, start, end))
    return spans


def _name(seed: CampaignSeed, starts_on: date, ends_on: date) -> str:
    return f"Campagne {starts_on.year}{seed.separator}{ends_on.year}"


def demo_campaigns() -> list[Campaign]:
    """The demo funder's campaigns, oldest first."""
    return list(Campaign.objects.filter(funder__name=alsace.FUNDER["name"]).order_by("starts_on"))


def load_campaigns() -> str:
    if demo_campaigns():
        # Loaded on an earlier day: the youths were placed in these dates, keep both (--reset moves them).
        return "déjà chargées"
    funder = Organisation.objects.get(name=alsace.FUNDER["name"])
    for seed, starts_on, ends_on in calendar(timezone.localdate()):
        create_campaign(
            funder=funder,
            name=_name(seed, starts_on, ends_on),
            starts_on=starts_on,
            ends_on=ends_on,
            description=f"Reprend la campagne {seed.seed_name} de l'appel à projets « Perdus de vue » "
            "de la Région Alsace, décalée dans le temps pour la démonstration.",
        )
    return ", ".join(c.name for c in demo_campaigns())


def reset_campaigns() -> None:
    Campaign.objects.filter(funder__name=alsace.FUNDER["name"]).delete()
