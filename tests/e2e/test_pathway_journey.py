"""Issue 12's « done when »: a counsellor takes a youth from the street educator's signal to a job
and its 3-month follow-up, the street educator working from a phone, and the caseload says at each
step who is at risk and why."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import dateformat, timezone, translation
from playwright.sync_api import Page, expect

from reperes.demo.accounts import DEMO_PASSWORD
from reperes.mobilisation.enums import ActionFormat, ActionKind
from reperes.mobilisation.selectors import short_name
from reperes.mobilisation.services import add_session, create_action
from reperes.network.models import User
from reperes.pathways.enums import Stage
from reperes.pathways.models import Pathway
from reperes.privacy import policy
from reperes.registry.models import Youth
from tests.e2e.helpers import assert_accessible, login, overflows

PARTNER = "partenaire@reperes.example"  # Samira Benali, street educator at Horizons
COUNSELLOR = "conseillere@reperes.example"  # Léa Schaeffer, Mission locale de Strasbourg


def caseload_alerts(page: Page, live_server, name: str) -> str:
    """The text of the youth's card among the caseload's youths at risk ('' when not at risk)."""
    page.goto(f"{live_server.url}/suivi/?alertes=1")
    card = page.locator("li", has=page.get_by_role("link", name=name, exact=True))
    return card.first.inner_text() if card.count() else ""


def contact(page: Page, *, channel: str, outcome: str) -> None:
    page.locator("#contact summary").click()
    form = page.locator("#contact form")
    form.get_by_label("Moyen").select_option(label=channel)
    form.get_by_label(outcome, exact=True).check()


def record_attendance(page: Page, live_server, action_title: str, day: str, name: str, status: str) -> None:
    page.goto(f"{live_server.url}/actions/")
    page.get_by_role("link", name=action_title).click()
    page.get_by_role("link", name=f"Saisir les présences {day}").click()
    page.get_by_role("group", name=name).get_by_text(status, exact=True).click()
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_role("status")).to_contain_text("Présences enregistrées.")


def test_from_signal_to_job_with_the_street_educator_on_a_phone(page: Page, phone_page: Page, live_server, demo):
    desk, phone = page, phone_page
    counsellor, educator = User.objects.get(email=COUNSELLOR), User.objects.get(email=PARTNER)
    assert educator.organisation is not None
    horizons = educator.organisation.name

    # The street educator meets Nora at a bus stop and reports her in 30 seconds, from her phone.
    login(phone, live_server, PARTNER, DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/signalements/nouveau/")
    phone.get_by_label("Prénom ou surnom").fill("Nora")
    phone.get_by_label("Nom de famille").fill("Wendlinger")
    phone.get_by_label("Commune où vit le jeune").fill("Strasbourg (67000) — 67482")
    phone.get_by_label("Oui, il ou elle accepte d'être contacté·e").check()
    phone.get_by_label("Âge approximatif").fill("19")
    phone.get_by_label("mobilité").check()
    phone.get_by_role("button", name="Envoyer le signalement").click()
    expect(phone.get_by_role("status")).to_contain_text("Signalement envoyé")

    # The counsellor triages it and becomes her référente.
    login(desk, live_server, COUNSELLOR, DEMO_PASSWORD)
    desk.goto(f"{live_server.url}/signalements/")
    desk.get_by_role("link", name=re.compile(r"Trier Nora WENDLINGER$")).click()
    desk.get_by_label("Référent·e").select_option(label=counsellor.get_full_name())
    desk.get_by_role("button", name="Désigner le ou la référent·e").click()
    expect(desk.get_by_role("heading", level=1, name="Nora WENDLINGER")).to_be_visible()
    youth = Youth.objects.get(last_name="Wendlinger")
    name = youth.display_name

    desk.get_by_role("link", name="Parcours, contacts et chronologie").click()
    expect(desk.get_by_role("heading", level=1, name=f"Parcours de {name}")).to_be_visible()
    expect(desk.get_by_text("Signalés, à confirmer :")).to_be_visible()
    expect(desk.get_by_text(f"mobilité — signalé par {horizons}")).to_be_visible()
    assert_accessible(desk)

    # Two calls: no answer, then she picks up and declines; the street educator will go back to her.
    contact(desk, channel="téléphone", outcome="pas joint·e")
    desk.get_by_role("button", name="Enregistrer le contact").click()
    expect(desk.get_by_role("status")).to_contain_text("Contact enregistré")
    contact(desk, channel="téléphone", outcome="joint·e, décline")
    form = desk.locator("#contact form")
    form.get_by_label("S'il ou elle décline : pourquoi").select_option(index=1)
    form.get_by_label("Nouvelle approche à partir du").fill(timezone.localdate().isoformat())
    form.get_by_label("Par", exact=True).select_option(label=horizons)
    form.get_by_label("Comment", exact=True).select_option(label="dans la rue")
    desk.get_by_role("button", name="Enregistrer le contact").click()
    expect(desk.get_by_role("status")).to_contain_text("Contact enregistré")
    expect(desk.get_by_text(re.compile(f"Nouvelle approche prévue à partir du .* par {horizons}"))).to_be_visible()
    assert "a décliné : nouvelle approche prévue" in caseload_alerts(desk, live_server, name)

    # The educator sees her among the youths to re-approach, meets her in the street, she agrees.
    phone.goto(f"{live_server.url}/nouvelles-approches/")
    expect(phone.get_by_text(name, exact=True)).to_be_visible()
    assert overflows(phone) == []
    assert_accessible(phone)
    phone.get_by_role("link", name=f"Dire comment ça s'est passé — {name}").click()
    phone.get_by_label("Moyen").select_option(label="dans la rue")
    phone.get_by_label("accepte de rencontrer la Mission locale").check()
    phone.get_by_role("button", name="Enregistrer").click()
    expect(phone.get_by_role("status")).to_contain_text("Merci")
    assert caseload_alerts(desk, live_server, name) == ""

    # The first real meeting mobilises her (stage 2).
    desk.goto(f"{live_server.url}/jeunes/{youth.pk}/parcours/")
    contact(desk, channel="entretien en présence", outcome="rencontré·e : entretien réalisé")
    desk.get_by_role("button", name="Enregistrer le contact").click()
    expect(desk.locator("[aria-current=step]")).to_contain_text("mobilisé·e")

    # A boxing workshop run by Horizons: enrolled, absent twice (an alert), then present (stage 3).
    now = timezone.now()
    action = create_action(
        acting_user=counsellor,
        title="Boxe éducative du mardi",
        kind=ActionKind.SPORT,
        format=ActionFormat.COLLECTIVE,
        objectives="Se remettre en mouvement, en groupe.",
        partners=[educator.organisation],
        commune=youth.commune,
        starts_on=timezone.localdate() - timedelta(days=14),
        ends_on=timezone.localdate() + timedelta(days=30),
        capacity=12,
        cost=Decimal("1800.00"),
    )
    sessions = [
        add_session(action, acting_user=counsellor, starts_at=now - timedelta(days=d, hours=3), duration_minutes=90)
        for d in (14, 7, 0)
    ]
    desk.goto(f"{live_server.url}/actions/{action.pk}/")
    desk.get_by_label("Nom ou prénom du jeune").fill("Wendlinger")
    desk.get_by_role("button", name="Chercher un jeune à inscrire").click()
    desk.get_by_role("button", name=f"Inscrire {name}").click()
    expect(desk.get_by_role("status")).to_contain_text("est inscrit·e.")

    with translation.override("fr"):
        days = [dateformat.format(timezone.localtime(s.starts_at), "j F") for s in sessions]
    # Named as the educator reads her: in full if she may read the file, else « Nora W. ».
    full = policy.youths_named_in_full(educator, [youth.pk])
    phone_name = name if youth.pk in full else short_name(youth)
    record_attendance(phone, live_server, action.title, days[0], phone_name, "Absent·e")
    record_attendance(phone, live_server, action.title, days[1], phone_name, "Absent·e")
    assert "deux absences de suite à « Boxe éducative du mardi »" in caseload_alerts(desk, live_server, name)
    record_attendance(phone, live_server, action.title, days[2], phone_name, "Présent·e")
    assert overflows(phone) == []
    assert caseload_alerts(desk, live_server, name) == ""
    assert Pathway.objects.get(youth=youth, closed_at=None).stage == Stage.IN_ACTION

    # A referral to Horizons for a driving-licence workshop, answered from the phone.
    desk.goto(f"{live_server.url}/jeunes/{youth.pk}/")
    desk.get_by_role("link", name="Orienter vers un partenaire").click()
    partner_select = desk.get_by_label("Partenaire", exact=True)
    partner_select.select_option(partner_select.locator("option", has_text=horizons).get_attribute("value"))
    desk.get_by_label("Motif de l'orientation", exact=True).fill("Préparer le code de la route")
    override = desk.get_by_label("Motif de l'orientation sans consentement nommant ce partenaire")
    if override.count():
        override.fill("Accord oral de la jeune lors de l'entretien")
    desk.get_by_role("button", name="Envoyer l'orientation").click()
    expect(desk.get_by_role("status")).to_contain_text("Orientation envoyée")

    phone.goto(f"{live_server.url}/orientations/")
    phone.get_by_role("link", name=re.compile("Nora")).click()
    expect(phone.get_by_text("Préparer le code de la route")).to_be_visible()
    accept = phone.get_by_role("button", name="Accepter")
    expect(accept).to_be_in_viewport()
    assert overflows(phone) == []
    accept.click()
    expect(phone.get_by_text("Réponse enregistrée : orientation acceptée.")).to_be_visible()

    # Her project, validated with its ROME code (stage 4), then a job that began three months ago.
    desk.goto(f"{live_server.url}/jeunes/{youth.pk}/parcours/")
    desk.locator("#project summary").click()
    desk.get_by_label("Métier visé (ROME)").fill("G1602 — Personnel de cuisine")
    desk.get_by_role("button", name="Enregistrer le projet validé").click()
    expect(desk.locator("[aria-current=step]")).to_contain_text("projet professionnel validé")
    started = timezone.localdate() - timedelta(days=93)
    desk.locator("#outcome summary").click()
    desk.get_by_label("Accès à", exact=True).select_option(label="CDI")
    desk.get_by_label("Début le").fill(started.isoformat())
    desk.get_by_label("Organisme ou employeur").fill("Brasserie de l'Ill")
    desk.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(desk.locator("[aria-current=step]")).to_contain_text("en formation")
    expect(desk.get_by_text("Projet professionnel validé : G1602")).to_be_visible()
    expect(desk.get_by_text("Orienté·e vers")).to_be_visible()
    expect(desk.get_by_text("Présent·e à « Boxe éducative du mardi »")).to_be_visible()
    assert_accessible(desk)

    # The 3-month follow-up is due: the caseload says so and what to do.
    alerts = caseload_alerts(desk, live_server, name)
    assert "suivi à 3 mois à faire" in alerts
    assert "vérifier que le jeune est toujours en formation ou en emploi" in alerts
    desk.goto(f"{live_server.url}/")
    expect(desk.get_by_text(re.compile(r"\d+ jeunes? risquen?t? d'être perdu"))).to_be_visible()
    desk.get_by_role("link", name="Qui contacter aujourd'hui").click()
    expect(desk.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_accessible(desk)
