import json
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reperes.territory.models import Commune, Epci
from reperes.territory.selectors import is_postcode, resolve_commune
from reperes.territory.text import fold


class CommuneInput(forms.TextInput):
    """A text input with a suggestion list that htmx fills as the person types.

    Works without JavaScript: the typed name, postcode or INSEE code is resolved on submit.
    With `covered`, the suggestions are only communes a Mission locale of the instance covers."""

    template_name = "territory/widgets/commune_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, covered: bool = False) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.covered = covered

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        list_id = f"{widget['attrs'].get('id', name)}-suggestions"
        widget["attrs"].update(
            {
                "list": list_id,
                "hx-get": reverse("territory:commune_search"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{list_id}",
                "hx-swap": "innerHTML",
                "hx-vals": json.dumps({"format": "options", **({"covered": "1"} if self.covered else {})}),
            }
        )
        widget["list_id"] = list_id
        return context

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Commune):
            return value.label
        if isinstance(value, str) and value.isdigit() and len(value) == 5:
            commune = Commune.objects.filter(code=value).first()
            return commune.label if commune else value
        formatted: str | None = super().format_value(value)
        return formatted


class CommuneField(forms.Field):
    """A commune typed by name, postcode or INSEE code, with suggestions: usable in every form.

    `covered=True` (the fiche de repérage) suggests only communes a Mission locale of the
    instance covers, and settles homonyms for them; a commune nobody covers typed in full is
    still returned, for the form to say that no Mission locale covers it."""

    widget = CommuneInput
    default_error_messages = {
        "unknown": _(
            "Commune inconnue : « %(value)s ». Saisissez un nom de commune, un code postal ou un code INSEE."
        ),
        "ambiguous": _(
            "Plusieurs communes correspondent à « %(value)s » (%(examples)s…). Choisissez-en une dans la liste "
            "ou précisez le code postal."
        ),
        "postcode": _(
            "Le code postal %(value)s est celui de %(count)s communes : %(communes)s. "
            "Choisissez-en une dans la liste ou saisissez son nom."
        ),
    }

    def __init__(self, *, covered: bool = False, **kwargs: Any) -> None:
        self.covered = covered
        kwargs.setdefault("widget", CommuneInput(covered=covered))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Commune | None:
        if isinstance(value, Commune):
            return value
        text = (value or "").strip()
        if not text:
            return None
        commune, candidates = resolve_commune(text, covered=self.covered)
        if commune:
            return commune
        if not candidates:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"value": text})
        if is_postcode(text):
            raise forms.ValidationError(
                self.error_messages["postcode"],
                code="postcode",
                params={"value": text, "count": len(candidates), "communes": _names(candidates)},
            )
        examples = ", ".join(c.label for c in candidates[:3])
        raise forms.ValidationError(
            self.error_messages["ambiguous"], code="ambiguous", params={"value": text, "examples": examples}
        )

    def prepare_value(self, value: Any) -> Any:
        return value.label if isinstance(value, Commune) else value


def _names(communes: list[Commune]) -> str:
    return ", ".join(sorted((c.name for c in communes), key=fold))


class CommuneSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom, code postal ou code INSEE"), max_length=100, required=False)


class CommuneListField(forms.Field):
    """Several communes, one per line, each typed as in CommuneField; a line may also name a
    whole EPCI (« CC de l'Alsace Bossue ») to add all its communes at once."""

    widget = forms.Textarea(attrs={"rows": 6})

    def to_python(self, value: Any) -> list[Commune]:
        communes: dict[str, Commune] = {}
        errors = []
        for number, line in enumerate((value or "").splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            epci = Epci.objects.filter(name__iexact=text).first()
            if epci is not None:
                communes.update((c.code, c) for c in Commune.objects.current().filter(epci=epci))
                continue
            commune, candidates = resolve_commune(text)
            if commune is not None:
                communes[commune.code] = commune
            elif candidates and is_postcode(text):
                errors.append(
                    _(
                        "Ligne %(n)s : le code postal %(value)s est celui de %(count)s communes (%(communes)s) ; "
                        "écrivez celles que vous desservez, une par ligne."
                    )
                    % {"n": number, "value": text, "count": len(candidates), "communes": _names(candidates)}
                )
            elif candidates:
                errors.append(
                    _("Ligne %(n)s : plusieurs communes correspondent à « %(value)s » ; précisez le code postal.")
                    % {"n": number, "value": text}
                )
            else:
                errors.append(_("Ligne %(n)s : commune inconnue « %(value)s ».") % {"n": number, "value": text})
        if errors:
            raise forms.ValidationError(errors)
        return sorted(communes.values(), key=lambda c: c.name)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(c.label if isinstance(c, Commune) else str(c) for c in value)
        return value
