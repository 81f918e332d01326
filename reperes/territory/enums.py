from django.db import models
from django.utils.translation import gettext_lazy as _

# INSEE's historical urban-unit threshold: a commune with fewer than 2,000 inhabitants is rural,
# until a finer grid (grille communale de densité) is loaded. See docs/territory.md.
RURAL_POPULATION_THRESHOLD = 2000


class AreaClass(models.TextChoices):
    RURAL = "rural", _("rurale")
    URBAN = "urban", _("urbaine")


class EpciKind(models.TextChoices):
    CC = "CC", _("communauté de communes")
    CA = "CA", _("communauté d'agglomération")
    CU = "CU", _("communauté urbaine")
    METRO = "METRO", _("métropole")
    MET69 = "MET69", _("métropole de Lyon")
