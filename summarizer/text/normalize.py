"""Arabic-aware normalization for matching and scoring; output text never goes through it."""

from __future__ import annotations

import re
import unicodedata

# Harakat, Quranic marks, superscript alef: they change how a word is read, not which word it is.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"

_LETTER_FOLDS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        _TATWEEL: None,
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Eastern Arabic-Indic digits
    }
)

# Presentation forms (U+FB50-FDFF, U+FE70-FEFF) and fullwidth Latin need NFKC; plain text does not.
_COMPATIBILITY_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff\uff00-\uffef]")


def normalize(text: str) -> str:
    """Fold spelling variants so that the same word always compares equal (scoring only)."""
    if _COMPATIBILITY_FORMS.search(text):
        text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text)
    return text.translate(_LETTER_FOLDS).lower()
