"""Dutch text analysis: accents folded, compounds split, Snowball stemming, n-grams for typos.

Compounds are split against a word list (taxonomy vocabulary, a base list of the field and
the words of the indexed corpus). The list is part of the analyzer, and so of the index's
pickled schema: documents and queries of one index are always analysed with the same list,
and a rebuild picks up new words.
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stopwords_for_language

TOKEN_PATTERN = r"\w+(?:[-']\w+)*"
MIN_PART = 4
# Re- prefixes that make a new verb of a known one: herverpakken is verpakken again.
RE_PREFIXES = ("her", "re")
LINKING = ("s", "en", "e", "-")

# English and French function words: queries in those languages should not match on them.
EXTRA_STOPWORDS = frozenset(
    """a an and are as at be by for from in into is it of on or our the their this to we with per each about
    le la les de des du un une et à au aux en pour par nos notre vos votre sur dans avec que qui est sont
    nous cherchons environ trois deux fois semaine""".split()  # noqa: SIM905 - word lists read better as text
)
# Words in nearly every need or offer; they would only add noise to a match.
NOISE_WORDS = frozenset(
    """zoeken zoekt zoek willen wil graag partner iemand onze ons jullie klant klanten elke dag per jaar
    ongeveer zo'n ook nodig moet moeten kunnen kan laten""".split()  # noqa: SIM905 - word lists read better as text
)


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case without accents: 'Hygiëne' -> 'hygiene'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class FoldFilter(Filter):
    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


class CompoundFilter(Filter):
    """Adds the known parts of a compound at the compound's position (the compound stays).

    verpakkingsactiviteiten -> + verpakking, activiteiten; herverpakken -> + verpakken;
    groenonderhoud -> + groen, onderhoud. Only the longest known head and tail are added,
    so that 'groentepakket' gives 'groente', not 'groen'.
    """

    def __init__(self, words: Iterable[str] = ()):
        self.words = frozenset(w for w in words if len(w) >= MIN_PART)

    def __eq__(self, other):
        return type(other) is type(self) and other.words == self.words

    def __hash__(self):
        return hash(len(self.words))

    def parts(self, word: str) -> list[str]:
        # Words repeat a lot in a corpus: remember their parts (the cache is not pickled).
        cache = self.__dict__.setdefault("_cache", {})
        found = cache.get(word)
        if found is None:
            if len(cache) > 200_000:
                cache.clear()
            found = cache[word] = _parts(self.words, word)
        return found

    def __getstate__(self):
        return {"words": self.words}

    def __call__(self, tokens):
        for t in tokens:
            # Later filters change t.text in place: take the parts before yielding.
            original = t.text
            parts = self.parts(original) if len(original) >= 2 * MIN_PART - 1 and not t.stopped else ()
            yield t
            for part in parts:
                t.text = part
                yield t


def _strip_linking(piece: str, at_start: bool) -> list[str]:
    """The piece itself and the piece without a linking s/en/e (verpakkings -> verpakking)."""
    out = [piece]
    for link in LINKING:
        if at_start and piece.startswith(link):
            out.append(piece[len(link) :])
        elif not at_start and piece.endswith(link):
            out.append(piece[: -len(link)])
    return out


def _known(words: frozenset, piece: str, at_start: bool) -> bool:
    return any(p in words for p in _strip_linking(piece, at_start))


def _parts(words: frozenset, word: str) -> list[str]:
    found = []
    n = len(word)
    # Longest known head; short heads only when the rest is a known word too, so that
    # 'groentepakket' does not give 'groen'.
    for end in range(n - MIN_PART, MIN_PART - 1, -1):
        head = word[:end]
        if head in words and (len(head) >= 7 or _known(words, word[end:], at_start=True)):
            found.append(head)
            break
    # Longest known tail, on the same terms.
    for start in range(3, n - MIN_PART + 1):
        tail = word[start:]
        head = word[:start]
        if tail in words and (len(tail) >= 7 or head in RE_PREFIXES or _known(words, head, at_start=False)):
            found.append(tail)
            break
    return [p for p in dict.fromkeys(found) if p != word]


class NoiseFilter(Filter):
    def __call__(self, tokens):
        for t in tokens:
            if t.text in NOISE_WORDS or t.text in EXTRA_STOPWORDS:
                if t.removestops:
                    continue
                t.stopped = True
            yield t


def _dutch_stopwords() -> frozenset:
    return frozenset(fold(w) for w in stopwords_for_language("nl"))


def dutch_analyzer(words: Iterable[str] = ()):
    """Tokenise, fold, drop stop words, add compound parts, stem (Snowball Dutch)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=_dutch_stopwords(), minsize=2)
        | NoiseFilter()
        | CompoundFilter(words)
        | StemFilter(lang="nl", cachesize=100_000)
    )


def ngram_analyzer():
    """Character 3-grams of each folded word, for queries with a typo ('verpakinng')."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | FoldFilter() | NgramFilter(3, 3)


WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def words_of(text: str) -> list[str]:
    return [fold(w) for w in WORD_RE.findall(text or "")]


# A small base of words of the field, so that compounds split even in a young corpus.
BASE_WORDS = """
verpakking verpakken verpakkingen pakken lijn lijnen activiteit activiteiten werk onderhoud groen
tuin zorg dienst ploeg schoonmaak reiniging poetsen maaien snoeien hagen gras park parken bedrijf
terrein terreinen sport velden veld kantoor kantoren assemblage montage afwerking drukwerk mailing
wasserij linnen was strijk atelier keuken maaltijd maaltijden voeding voedsel product producten
magazijn logistiek order retour retouren herstel fiets fietsen station beker bekers hout metaal
kunststof textiel elektro toestel toestellen kabel kabels sortering ontmanteling recyclage
verlichting lamp lampen display displays promo pakket pakketten geschenk dozen doos karton
enclave begeleiding begraafplaats begraafplaatsen kerkhof onkruid beheer glazen wassen vakantie
woning woningen bureau archief document documenten scannen digitaliseren paletten palet
""".split()  # noqa: SIM905 - word lists read better as text


@lru_cache(maxsize=1)
def base_words() -> frozenset:
    return frozenset(BASE_WORDS)
