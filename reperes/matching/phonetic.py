"""A French phonetic key, written for Repères (a simplified cousin of Soundex and Phonex).

The key keeps the sound of a name and drops what French spelling adds to it, so that « Dupont »,
« Dupond » and « Dupon », « Schmitt » and « Schmidt », « Lefebvre » and « Lefèvre », « Meyer » and
« Maier » share a key. The rules run in this order on a folded name (no accents, letters only):

1. consonant spellings: sch/sh/ch → X (but chl/chr → kl/kr), ph → f, th → t, ck/qu/q → k, c before
   e/i/y → s, other c → k, gu before e/i → hard g, g before e/i → j, gn → n, x at the end is
   silent, other x → ks, z → s, w → v, y → i, h is silent, dt → t, bv → v;
2. doubled letters count once;
3. a final mute e is dropped (« Martine » sounds like « Martin »);
4. nasal vowels: ain/ein/in/im/un/um → I, an/am/en/em → A, on/om → O, when no vowel follows;
5. vowel spellings: eau/au → o, ou → u, ai/ei → e, oi → oa, ue → u (« Mueller »);
6. one or two final letters among s, t, d, x, z, p are silent;
7. a vowel before a nasal vowel is absorbed by it (« Jean » → JA); other vowels in a row are
   kept, for « Léa » is not « Léo ».

The key is upper case and at most 12 characters. It errs towards collisions: it feeds blocking
and is one clue among several in the comparison, never a verdict on its own.
"""

import functools
import re

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"[^a-z]", ""),
        (r"ch(?=[lr])", "k"),
        (r"sch|sh|ch", "X"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"ck|qu|q", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"gu(?=[eiy])", "G"),
        (r"g(?=[eiy])", "j"),
        (r"G", "g"),
        (r"gn", "n"),
        (r"x$", ""),
        (r"x", "ks"),
        (r"z", "s"),
        (r"w", "v"),
        (r"y", "i"),
        (r"h", ""),
        (r"dt", "t"),
        (r"bv", "v"),
        (r"(.)\1+", r"\1"),
        (r"(?<=[^aeiou])e$", ""),
        (r"[ae]?i[nm](?![aeiou])|u[nm](?![aeiou])", "I"),
        (r"[ae][nm](?![aeiou])", "A"),
        (r"o[nm](?![aeiou])", "O"),
        (r"e?au", "o"),
        (r"ou", "u"),
        (r"[ae]i", "e"),
        (r"oi", "oa"),
        (r"ue", "u"),
        (r"(?<=.)[stdxzp]{1,2}$", ""),
        (r"[aeiou]+(?=[AIO])", ""),
        (r"(.)\1+", r"\1"),
    )
)

MAX_LENGTH = 12


@functools.lru_cache(maxsize=1 << 17)
def phonetic_key(name: str) -> str:
    """The phonetic key of a folded name, "" for an empty one."""
    key = name
    for pattern, replacement in _RULES:
        key = pattern.sub(replacement, key)
    return key.upper()[:MAX_LENGTH]
