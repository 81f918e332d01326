"""Demo accounts: one per role, all with the same password, printed by `make run`."""

from reperes.network.enums import Role

DEMO_PASSWORD = "reperes-demo"  # noqa: S105 - demo only, public in the README: load_demo refuses to run without DEBUG unless forced
DEMO_DOMAIN = "reperes.example"

ACCOUNTS: list[dict[str, str]] = [
    {
        "email": f"conseillere@{DEMO_DOMAIN}",
        "first_name": "Léa",
        "last_name": "Schaeffer",
        "role": Role.COUNSELLOR,
        "organisation": "Mission locale de Strasbourg",
    },
    {
        "email": f"coordinateur@{DEMO_DOMAIN}",
        "first_name": "Julien",
        "last_name": "Meyer",
        "role": Role.COORDINATOR,
        "organisation": "Mission locale du Pays de Saverne",
    },
    {
        "email": f"partenaire@{DEMO_DOMAIN}",
        "first_name": "Samira",
        "last_name": "Benali",
        "role": Role.PARTNER_WORKER,
        "organisation": "Association Horizons — prévention spécialisée",
    },
    {
        "email": f"region@{DEMO_DOMAIN}",
        "first_name": "Anne",
        "last_name": "Koenig",
        "role": Role.FUNDER_OFFICER,
        "organisation": "Région Alsace",
    },
    {
        "email": f"admin@{DEMO_DOMAIN}",
        "first_name": "Marc",
        "last_name": "Weber",
        "role": Role.ADMIN,
        "organisation": "Repères — exploitation de la plateforme",
    },
]
