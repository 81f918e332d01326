"""Our own small table of French first-name variants and diminutives.

Each line is one group of spellings that the same person may be given: a diminutive
(« Alex » for « Alexandre »), a common respelling (« Mathieu »/« Matthieu ») or a
transliteration (« Mohamed »/« Muhammad »). It was written by hand for Repères from common
usage; it is deliberately modest, and a name absent from it is still compared by spelling and
sound. Forms are folded (no accents, no spaces or hyphens): « Jean-Baptiste » is `jeanbaptiste`.
The first form of a group is its canonical form.
"""

_GROUPS = """
alexandre alex alexandr
alexandra alexandrine sandra
anthony antony tony
baptiste batiste
benjamin benji ben
christophe chris
christopher kristofer
clement clem
dylan dilan dillan
elisabeth elizabeth babeth
emilie emily
enzo enso
florian flo
frederic fred
gabriel gaby
guillaume guigui
ibrahim ibrahima brahim
ismael ismail
jeanbaptiste jb jeanbatiste
jeanfrancois jf
jeanmarie jm
jeremy jeremie jerem
jonathan johnathan jonatan
julien juju
kevin keven kevyn
laetitia letitia leticia
laurent lolo
lea leah
louis loui
lucas lukas luca
mathieu matthieu
matheo mateo matteo
matthias mathias
maxime max maximilien
mehdi mahdi
mickael michael mikael mike
mohamed mohammed mohamad mohammad muhammad mouhamed mouhammad mohamedamine momo
mustapha moustapha mostafa mustafa
nathan natan
nicolas nico
oceane ocean
patrick pat
philippe phil
quentin kentin
raphael rafael
rayan ryan rayane
samuel sam
sebastien seb
sofiane sofian soufiane sufyan
sophie sofie
stephane steph
stephanie stefanie
theo teo theodore
thomas tom tommy
timothee timothe tim
valentin val
victor vic
william will willy
yasmine yasmina jasmine yasmin
youssef yousef youcef yusuf
zakaria zacharie zakariya zack
"""

VARIANT_OF: dict[str, str] = {}
for _line in _GROUPS.strip().splitlines():
    _forms = _line.split()
    for _form in _forms:
        VARIANT_OF.setdefault(_form, _forms[0])


def canonical_first_name(folded: str) -> str:
    """The canonical form of a folded first name, or the name itself when no group holds it."""
    return VARIANT_OF.get(folded, folded)
