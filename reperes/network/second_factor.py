"""The second factor at login (ADR 012): a TOTP application and single-use recovery codes, through
django-otp's devices. Who must use one is the policy's `must_use_second_factor`; the pages are in
`views.py`; every activation, replacement, renewal of codes, use of a recovery code and reset
leaves a history record on the account, which « Qui a accès à nos dossiers » shows."""

import hashlib
from base64 import b32encode

import segno
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reperes.network.models import User
from reperes.network.services import account_snapshot, record_account_change

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"
# The demo accounts' devices (reperes/demo/accounts.py): their keys are derived from the address, so
# that the demo's verification page may show the current code (REPERES_SECOND_FACTOR_DEMO_HINT).
DEMO_DEVICE_NAME = "Démonstration"

# What happened, in the account's history record (services.SECOND_FACTOR_CHANGES): never a key or a code.
ACTIVATED = "activated"
REPLACED = "replaced"
CODES_RENEWED = "codes_renewed"
RECOVERY_CODE_USED = "recovery_code_used"
RESET = "reset"


def confirmed_app(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_app(user: User) -> TOTPDevice:
    """The application being set up (a new key until its first code is checked), kept across the
    page's reloads so that a scanned QR code stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def has_factor(user: User) -> bool:
    """The account has a second factor to check (an application, or recovery codes left)."""
    return confirmed_app(user) is not None or remaining_codes(user) > 0


def remaining_codes(user: User) -> int:
    count: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return count


def display_key(device: TOTPDevice) -> str:
    """The key as an application asks for it when typed by hand: base32, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (the key is also shown as text beside it)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=_("QR code à scanner avec l'application"), svgclass="qr-code"
    )


def current_code(device: TOTPDevice) -> str:
    """The code the application shows now (the demo's hint only)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def normalise(code: str) -> str:
    """What the person typed, as the devices compare it: no spaces or dashes, lower case."""
    return "".join(code.split()).replace("-", "").lower()


def _record(user: User, *, acting_user: User | None, what: str) -> None:
    record_account_change(user, acting_user=acting_user, before=account_snapshot(user), second_factor=what)


def _new_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def activate(user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Checks the first code of the application being set up; if it is right, the application
    becomes the account's (replacing any other) with a new set of recovery codes, returned to be
    shown once. None if the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(normalise(code)):
        return None
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
    what = REPLACED if replaced.exists() else ACTIVATED
    replaced.delete()
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_codes(user)
    _record(user, acting_user=user, what=what)
    return codes


def verify(user: User, code: str) -> Device | None:
    """The device that accepts the code (the application's, or a recovery code, used up), or None."""
    with transaction.atomic():
        device = match_token(user, normalise(code))
        if isinstance(device, StaticDevice):
            _record(user, acting_user=user, what=RECOVERY_CODE_USED)
    return device


@transaction.atomic
def renew_codes(user: User) -> list[str]:
    """A new set of recovery codes; the previous ones stop working."""
    codes = _new_codes(user)
    _record(user, acting_user=user, what=CODES_RENEWED)
    return codes


@transaction.atomic
def reset(user: User, *, acting_user: User | None) -> None:
    """Removes the account's application and recovery codes (a lost phone): at the next login the
    person sets up a new application before anything else. Their open sessions lose their
    verification at once (django-otp forgets a session's device when the device is gone)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _record(user, acting_user=acting_user, what=RESET)


def give_demo_device(user: User) -> TOTPDevice:
    """A confirmed application whose key is derived from the address (demo accounts only)."""
    key = hashlib.sha256(f"reperes-demo:{user.email}".encode()).hexdigest()[:40]
    device, _created = TOTPDevice.objects.update_or_create(
        user=user, name=DEMO_DEVICE_NAME, defaults={"key": key, "confirmed": True}
    )
    return device
