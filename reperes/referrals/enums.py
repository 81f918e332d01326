from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralStatus(models.TextChoices):
    """A referral's life (DORA's statuses): the partner acknowledges, accepts or declines, then
    says it is done; the Mission locale may withdraw it; unanswered, it expires."""

    SENT = "sent", _("envoyée")
    RECEIVED = "received", _("reçue")
    ACCEPTED = "accepted", _("acceptée")
    DECLINED = "declined", _("refusée")
    DONE = "done", _("terminée")
    EXPIRED = "expired", _("expirée")
    WITHDRAWN = "withdrawn", _("retirée")


# While a referral is in one of these, the partner it is addressed to reads the youth's file
# (identity, pathway and the sections the referral shares).
ACTIVE_STATUSES = (ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED)
# Not yet decided by the partner: these expire at `expires_on` and are reminded.
UNANSWERED_STATUSES = (ReferralStatus.SENT, ReferralStatus.RECEIVED)
CLOSED_STATUSES = (ReferralStatus.DECLINED, ReferralStatus.DONE, ReferralStatus.EXPIRED, ReferralStatus.WITHDRAWN)

# What the partner may answer from each status.
ANSWERS: dict[str, tuple[str, ...]] = {
    ReferralStatus.SENT: (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, ReferralStatus.DECLINED),
    ReferralStatus.RECEIVED: (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED),
    ReferralStatus.ACCEPTED: (ReferralStatus.DONE, ReferralStatus.DECLINED),
}

# DORA's expiry: a referral unanswered 8 days after it was sent expires.
EXPIRY_DAYS = 8
