import re
from datetime import date

from playwright.sync_api import Page, expect

from reperes.demo.accounts import DEMO_PASSWORD
from reperes.network.enums import Role
from reperes.network.models import User
from reperes.privacy.models import AccessLog
from reperes.registry.enums import SignalConsent
from reperes.registry.services import assign_referent
from reperes.registry.services import send_signal as send_signal_as
from reperes.territory.models import Commune
from tests.e2e.helpers import assert_accessible, assert_not_found, login, logout
from tests.network.factories import MembershipFactory

PARTNER = "partenaire@reperes.example"
COUNSELLOR = "conseillere@reperes.example"


def send_signal(
    page: Page, live_server, *, first_name: str, last_name: str, birth_date: str = "", known_as: str = ""
) -> None:
    page.goto(f"{live_server.url}/signalements/nouveau/")
    page.get_by_label("Prénom ou surnom").fill(first_name)
    page.get_by_label("Commune où vit le jeune").fill("Strasbourg (67000) — 67482")
    page.get_by_label("Oui, il ou elle accepte d'être contacté·e").check()
    page.get_by_label("Âge approximatif").fill("18")
    page.get_by_label("Nom de famille").fill(last_name)
    if birth_date:
        page.get_by_label("Date de naissance").fill(birth_date)
    if known_as:  # announced while the form is filled, before it is sent: never with the file
        page.get_by_label("Téléphone du jeune").focus()
        expect(page.get_by_role("heading", name=re.compile("Cette personne est .*déjà connue"))).to_be_visible()
        expect(page.get_by_text(known_as)).to_be_visible()
        expect(page.locator("#known-title ~ ul a")).to_have_count(0)
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("status")).to_contain_text("Signalement envoyé")


def phone_logout(page: Page) -> None:
    page.get_by_role("button", name="Afficher le menu").click()  # the menu is collapsed on a phone
    # Clicked while the menu still slides open, the button may move under the pointer: wait for the end.
    expect(page.locator("#menu-principal.collapse.show")).to_be_visible()
    logout(page)


def test_a_partner_reports_from_a_phone_and_the_counsellor_spots_a_known_youth(phone_page, live_server, demo):
    page = phone_page
    login(page, live_server, PARTNER, DEMO_PASSWORD)
    send_signal(page, live_server, first_name="Zoé", last_name="Vogtlander", birth_date="2007-09-03")
    assert_accessible(page)
    # Met again a week later by a colleague, who misspells the name and knows no birth date.
    send_signal(page, live_server, first_name="Zoe", last_name="Vogtlender", known_as="déjà connu·e — ")
    phone_logout(page)

    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/signalements/")
    page.get_by_role("link", name=re.compile(r"Trier Zoe VOGTLENDER$")).click()
    expect(page.get_by_role("heading", name="Cette personne est peut-être déjà connue")).to_be_visible()
    expect(page.get_by_role("link", name="Zoé VOGTLANDER")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Fusionner avec ce dossier").click()
    expect(page.get_by_role("status")).to_contain_text("Dossiers fusionnés.")
    expect(page.get_by_role("heading", level=1, name="Zoé VOGTLANDER")).to_be_visible()
    phone_logout(page)

    login(page, live_server, PARTNER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/signalements/")
    expect(page.get_by_role("cell", name="jeune déjà connu")).to_be_visible()


def test_out_of_public_asks_first_and_closes_the_file_the_signal_opened(page: Page, live_server, demo):
    login(page, live_server, PARTNER, DEMO_PASSWORD)
    send_signal(page, live_server, first_name="Yanis", last_name="Oberlin")
    logout(page)
    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/signalements/")
    page.get_by_role("link", name=re.compile(r"Trier Yanis OBERLIN$")).click()
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Hors public (âge, diplôme…)").click()
    expect(page.get_by_role("heading", level=1, name="Yanis OBERLIN")).to_be_visible()  # dismissed: nothing done
    page.get_by_role("button", name="Hors public (âge, diplôme…)").click()
    expect(page.get_by_role("status")).to_contain_text("Signalement classé : hors public.")
    assert asked and asked[0].startswith("Classer ce signalement hors public ?")
    page.goto(f"{live_server.url}/jeunes/")
    page.get_by_label("Nom ou prénom").fill("Oberlin")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_text("Aucun dossier ne correspond.")).to_be_visible()


def test_a_partner_learns_who_follows_a_known_youth_and_reads_the_file_only_while_a_consent_names_it(
    page: Page, live_server, demo
):
    counsellor = User.objects.get(email=COUNSELLOR)
    known = send_signal_as(
        author=MembershipFactory(role=Role.PARTNER_WORKER).user,
        first_name="Lina",
        last_name="Hartweg",
        commune=Commune.objects.get(code="67482"),
        consent=SignalConsent.CONTACT,
        birth_date=date(2007, 2, 11),
    )
    youth = assign_referent(known, referent=counsellor, acting_user=counsellor)
    file_url = f"{live_server.url}/jeunes/{youth.pk}/"

    # The partner meets her and reports her: told she is followed, and by whom — not the file.
    login(page, live_server, PARTNER, DEMO_PASSWORD)
    send_signal(page, live_server, first_name="Lina", last_name="Hartweg", birth_date="2007-02-11")
    page.goto(f"{live_server.url}/signalements/")
    row = page.get_by_role("row", name=re.compile("Lina Hartweg"))
    expect(row).to_contain_text("déjà connu·e de la Mission locale")
    expect(row.get_by_role("link", name=counsellor.email)).to_be_visible()
    assert_accessible(page)
    assert_not_found(page, file_url)
    logout(page)

    # The counsellor records that Lina agrees to share her file, housing included, with the partner.
    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    page.goto(file_url)
    page.get_by_text("Enregistrer un consentement").click()
    page.get_by_label("Association Horizons — prévention spécialisée").check()
    page.get_by_label("logement").check()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Consentement enregistré.")
    logout(page)

    login(page, live_server, PARTNER, DEMO_PASSWORD)
    page.goto(file_url)
    expect(page.get_by_role("heading", level=1, name="Lina HARTWEG")).to_be_visible()
    expect(page.get_by_text("Le jeune a accepté de partager son dossier avec votre structure")).to_contain_text(
        "logement"
    )
    expect(page.get_by_role("heading", name="Dossiers fusionnés dans celui-ci")).to_have_count(0)
    expect(page.get_by_role("link", name="Modifier le dossier")).to_have_count(0)
    assert_accessible(page)
    read = AccessLog.objects.filter(user__email=PARTNER, youth_id=youth.pk, action="read").latest("pk")
    # What the page showed: the file, and that housing is shared (named, its content has no part yet).
    assert read.sections == "housing,identity,pathway"
    logout(page)

    # Lina withdraws her consent: the file closes to the partner at once.
    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    page.goto(file_url)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Le jeune retire son consentement").click()
    expect(page.get_by_role("status")).to_contain_text("Consentement retiré")
    logout(page)
    login(page, live_server, PARTNER, DEMO_PASSWORD)
    assert_not_found(page, file_url)
