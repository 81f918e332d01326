from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reperes.registry.enums import ListKind
from reperes.registry.imports.fields import TARGETS
from reperes.registry.imports.reading import MAX_BYTES, MAX_ROWS

# The limits as the upload page writes them: « 5 000 » lines (narrow no-break space), « 5 » Mo.
LIMITS = {"rows": f"{MAX_ROWS:,}".replace(",", "\u202f"), "mb": MAX_BYTES // 1024 // 1024}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_("Une ligne d'en-têtes, puis un jeune par ligne. Au plus %(rows)s lignes et %(mb)s Mo.") % LIMITS,
        error_messages={"required": _("Choisissez le fichier à importer.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    kind = forms.ChoiceField(label=_("Type de liste"), choices=ListKind.choices, initial=ListKind.DROPOUT)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Format non pris en charge : déposez un fichier .csv ou .xlsx."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse %(mb)s Mo : découpez-le en plusieurs listes.")
                % {"mb": MAX_BYTES // 1024 // 1024}
            )
        return upload


class MappingForm(forms.Form):
    """One choice per registry field: which column of the file fills it."""

    def __init__(self, *args: Any, columns: list[str], mapping: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— absent du fichier —"))] + [(str(i), column) for i, column in enumerate(columns)]
        for target in TARGETS:
            # No « * » in the label: required fields get theirs from the stylesheet (site.css).
            self.fields[target.name] = forms.ChoiceField(
                label=str(target.label),
                choices=choices,
                required=target.required,
                initial=str(mapping[target.name]) if target.name in mapping else "",
                error_messages={"required": _("Ce champ est obligatoire : choisissez sa colonne.")},
            )

    def mapping(self) -> dict[str, int]:
        return {name: int(value) for name, value in self.cleaned_data.items() if value != ""}
