"""The pages: the inbox, the referral, the form from a file or from a service."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reperes.network.enums import Vocabulary
from reperes.network.models import Term
from reperes.network.services import create_service
from reperes.privacy.enums import AccessAction, Section
from reperes.privacy.models import AccessLog
from reperes.referrals import views
from reperes.referrals.enums import ReferralStatus
from reperes.referrals.models import Referral
from reperes.referrals.services import answer_referral, send_referral
from tests.registry.factories import YouthFactory


def send(cast, to, **extra):
    extra.setdefault("acting_user", cast.referent)
    return send_referral(cast.youth, to_organisation=to, reason="Hébergement d'urgence", **extra)


@pytest.fixture
def service(cast):
    theme = Term.objects.get(vocabulary=Vocabulary.THEME, code="remobilisation--lien-social")
    return create_service(cast.q, name="Atelier du lundi", themes=[theme], acting_user=None)


# --- The inbox ----------------------------------------------------------------------------------


def test_the_partner_inbox_shows_cards_to_answer(client, cast):
    send(cast, cast.p)
    client.force_login(cast.worker_p)
    response = client.get(reverse("referrals:inbox"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Inès KELLER" in content and 'class="card' in content and "<table" not in content
    assert AccessLog.objects.filter(user=cast.worker_p, youth_id=cast.youth.pk, action=AccessAction.LIST).count() == 1


def test_the_inbox_of_another_partner_is_empty_and_its_referral_a_404(client, cast):
    referral = send(cast, cast.p)
    client.force_login(cast.worker_q)
    response = client.get(reverse("referrals:inbox"))
    assert "Aucune orientation à traiter" in response.content.decode()
    assert "KELLER" not in response.content.decode()
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    answer = {"status": ReferralStatus.ACCEPTED, "version": 1}
    assert client.post(reverse("referrals:answer", args=[referral.pk]), answer).status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_the_mission_locale_inbox_filters_by_status_and_pages(client, cast, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    referral = send(cast, cast.p)
    answer_referral(referral, status=ReferralStatus.DECLINED, reason="Complet", version=1, acting_user=cast.worker_p)
    for _ in range(2):
        other = YouthFactory(mission_locale=cast.mission)
        send_referral(
            other,
            to_organisation=cast.q,
            reason="Atelier",
            acting_user=cast.coordinator,
            consent_override_reason="urgence",
        )
    client.force_login(cast.colleague)
    response = client.get(reverse("referrals:inbox"))
    assert response.context["page"].paginator.count == 3 and len(response.context["referrals"]) == 2
    assert "Page 1 sur 2" in response.content.decode()
    response = client.get(reverse("referrals:inbox"), {"statut": ReferralStatus.DECLINED})
    assert [r.pk for r in response.context["referrals"]] == [referral.pk]
    assert "refusée" in response.content.decode()
    response = client.get(reverse("referrals:inbox"), {"statut": ReferralStatus.DONE})
    assert "Aucune orientation" in response.content.decode()


# --- One referral -------------------------------------------------------------------------------


def test_the_partner_answers_from_the_referral(client, cast):
    referral = send(cast, cast.p)
    client.force_login(cast.worker_p)
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Bien reçue" in page and "Accepter" in page and "Refuser" in page
    assert "Retirer l'orientation" not in page
    response = client.post(reverse("referrals:answer", args=[referral.pk]), {"status": "accepted", "version": 1})
    assert response.status_code == 302 and response["Location"] == reverse("referrals:detail", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Marquer comme terminée" in page and "Accepter" not in page
    # Done: the referral and the file are no longer the partner's.
    response = client.post(reverse("referrals:answer", args=[referral.pk]), {"status": "done", "version": 2})
    assert response["Location"] == reverse("referrals:inbox")
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert client.get(reverse("registry:youth_detail", args=[cast.youth.pk])).status_code == 200  # by consent


def test_a_stale_answer_says_who_answered_meanwhile(client, cast):
    referral = send(cast, cast.q, consent_override_reason="urgence")
    answer_referral(referral, status=ReferralStatus.RECEIVED, version=1, acting_user=cast.worker_q)
    client.force_login(cast.worker_q2)
    response = client.post(
        reverse("referrals:answer", args=[referral.pk]), {"status": "accepted", "version": 1}, follow=True
    )
    assert "modifiée entre-temps par Quentin Atelier" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_the_mission_locale_sees_the_override_and_withdraws(client, cast):
    referral = send(cast, cast.q, consent_override_reason="Le jeune l'a demandé")
    client.force_login(cast.colleague)
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Le jeune l&#x27;a demandé" in page and "Retirer l'orientation" in page and "Accepter" not in page
    response = client.post(reverse("referrals:withdraw", args=[referral.pk]), {"version": 1})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    client.force_login(cast.worker_q)
    assert client.get(reverse("registry:youth_detail", args=[cast.youth.pk])).status_code == 404
    assert "Le jeune" not in client.get(reverse("referrals:inbox")).content.decode()


def test_the_partner_is_not_shown_the_override(client, cast):
    referral = send(cast, cast.q, consent_override_reason="Motif interne")
    client.force_login(cast.worker_q)
    assert "Motif interne" not in client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()


def test_the_shared_sections_are_named_only_to_who_holds_them(client, cast):
    referral = send(cast, cast.p, shared_sections=[Section.HOUSING])
    client.force_login(cast.colleague)
    assert "logement" not in client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    client.force_login(cast.worker_p)
    assert "logement" in client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    log = AccessLog.objects.filter(user=cast.worker_p, action=AccessAction.READ).get()
    assert set(log.sections.split(",")) == {Section.IDENTITY, Section.PATHWAY, Section.HOUSING}


# --- The form -----------------------------------------------------------------------------------


def test_the_form_refers_and_says_what_the_consent_names(client, cast):
    client.force_login(cast.referent)
    url = reverse("referrals:create", args=[cast.youth.pk])
    page = client.get(url).content.decode()
    assert "Le consentement en vigueur nomme : Foyer P." in page
    assert 'name="shared_sections"' in page and "checked" not in page  # none by default
    assert 'name="consent_override_reason"' in page
    response = client.post(url, {"to_organisation": cast.q.pk, "reason": "Atelier"})
    assert response.status_code == 200 and "dites pourquoi" in response.content.decode()
    response = client.post(
        url, {"to_organisation": cast.p.pk, "reason": "Hébergement", "shared_sections": ["housing"]}
    )
    referral = Referral.objects.get()
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.shared_sections == ["housing"] and referral.from_organisation == cast.mission


def test_a_colleague_is_offered_neither_sections_nor_the_override(client, cast):
    client.force_login(cast.colleague)
    page = client.get(reverse("referrals:create", args=[cast.youth.pk])).content.decode()
    assert 'name="shared_sections"' not in page and 'name="consent_override_reason"' not in page
    assert "Unité PJJ" not in page


def test_from_a_service_the_search_travels_in_the_body(client, cast, service):
    client.force_login(cast.colleague)
    url = reverse("referrals:from_service", args=[service.pk])
    assert "KELLER" not in client.get(url).content.decode()
    response = client.post(url, {"q": "keller"}, headers={"HX-Request": "true"})
    link = reverse("referrals:create", args=[cast.youth.pk]) + f"?service={service.pk}"
    assert link in response.content.decode()
    page = client.get(link).content.decode()
    assert "Aucun consentement en vigueur ne nomme ce partenaire." in page
    assert f'<option value="{service.pk}" selected' in page
    client.force_login(cast.coordinator)
    response = client.post(
        link,
        {"to_organisation": cast.q.pk, "service": service.pk, "reason": "Atelier", "consent_override_reason": "x"},
    )
    assert response.status_code == 302
    assert Referral.objects.get().service == service


def test_the_service_page_is_for_mission_locale_staff(client, cast, service):
    client.force_login(cast.worker_p)
    assert client.get(reverse("referrals:from_service", args=[service.pk])).status_code == 404


def test_an_overdue_referral_shows_no_answer_buttons(client, cast):
    referral = send(cast, cast.p)
    Referral.objects.filter(pk=referral.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    client.force_login(cast.worker_p)
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
