from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from reperes.network.enums import Role
from reperes.privacy import policy
from reperes.web.selectors import has_bilans_to_read


def navigation(request: HttpRequest) -> dict[str, object]:
    """The main menu, which depends on what the user's role may do."""
    # A request refused before authentication (an unknown Host) has no user, yet gets a page.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Accueil"), reverse("web:home"))]
    if policy.can_follow_youths(user):
        items.append((_("File active"), reverse("pathways:caseload")))
    if policy.can_view_personal_data(user):
        items.append((_("Jeunes"), reverse("registry:youth_list")))
    if policy.can_send_signals(user):
        items.append((_("Signalements"), reverse("registry:signal_list")))
    if policy.can_follow_youths(user) or policy.has_role(user, Role.PARTNER_WORKER):
        items.append((_("Orientations"), reverse("referrals:inbox")))
    if policy.can_see_actions(user):
        items.append((_("Actions"), reverse("mobilisation:action_list")))
    # Coordinators see the programme too (can_view_programme), but their row of entries is full at
    # 1,280 px (tests/e2e/test_layout_journeys.py): their entry waits for the directory's entries to
    # share one menu.
    if policy.can_view_programme(user) and not policy.has_role(user, Role.COORDINATOR):
        items.append((_("Programme"), reverse("programme:campaign_list")))
    if not policy.has_role(user, Role.COORDINATOR) and has_bilans_to_read(user):
        items.append((_("Bilans"), reverse("reporting:index")))
    # « Mes heures » and, for coordinators, the programme and the bilans are reached from the home page
    # (web/partials/programme_card.html) while the menu has no room left for them.
    if policy.can_triage_signals(user):
        items.append((_("Doublons"), reverse("registry:duplicate_list")))
    if policy.can_import_lists(user):
        items.append((_("Listes"), reverse("registry:import_list")))
    reads_directory = policy.organisations_visible_to(user).exists()
    if reads_directory:
        items.append((_("Annuaire"), reverse("network:directory")))
        items.append((_("Dispositifs"), reverse("network:funding_schemes")))
    if policy.missions_locales_for_coverage(user).exists():
        items.append((_("Couverture"), reverse("network:coverage")))
    if reads_directory:
        items.append((_("Communes"), reverse("territory:commune_search")))
    if policy.can_administer(user):
        items.append((_("Administration"), reverse("admin:index")))
    # The deepest menu entry containing the current page is the current one.
    matches = [url for _label, url in items if request.path == url or (url != "/" and request.path.startswith(url))]
    current = max(matches, key=len, default=None)
    return {"nav_items": [{"label": label, "url": url, "current": url == current} for label, url in items]}
