"""A demo account's whole login, as a person at `make run` does it: the demo password on the login
page, then the code its demo application shows now on the code page (ADR 012)."""

from django.test import Client
from django.urls import reverse

from reperes.demo.accounts import DEMO_PASSWORD
from reperes.network import second_factor
from reperes.network.models import User


def demo_login(client: Client, email: str) -> bool:
    """True once both steps passed; the home page then greets the person."""
    password = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
    if password.status_code != 302:
        return False
    device = second_factor.confirmed_app(User.objects.get(email=email))
    if device is None:
        return False
    code = client.post(reverse("second_factor_verify"), {"code": second_factor.current_code(device)})
    return code.status_code == 302
