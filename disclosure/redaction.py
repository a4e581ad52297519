"""Remove personal names from exported text before a Woo disclosure.

Under the Dutch freedom-of-information law (Woo) the names of civil servants, agency staff and
creators are removed from disclosed documents and each one is replaced by the marker "5.1.2e" (Woo
article 5.1.2e, privacy). The name has to be gone from the text, not hidden behind styling, so this
module rewrites the text itself. Organisation names, role names ("team social", "communication
adviser") and the content stay.

Pure Python, no Django: give a ``Redactor`` the people whose names may occur and call ``redact`` on
plain text or ``redact_html`` on an HTML fragment.

How it works: every form of every name (full name, "Last, First", the parts alone, username, e-mail
address, handles) is turned into a sequence of regex units, the sequences go into one trie, and the
trie becomes one compiled regular expression together with a pattern for any e-mail address. One pass
of ``re.sub`` then redacts a text, however many people there are. The trie makes the alternation
branch on the next character instead of trying every name at every position, and because a longer
name is always tried before the shorter name it starts with, the longest form wins: "Jan de Vries"
becomes one "5.1.2e", not "5.1.2e 5.1.2e".

Matching rules:

* Case-insensitive, on word boundaries, where a word character is any Unicode letter or digit (or a
  combining mark). "Berg" is not found in "Bergen" or "ijsberg", but it is found in "Berg-rapport",
  "Berg's" and "brief_berg.pdf": a hyphen, an apostrophe and an underscore end a word, so slugs and
  file names do not hide a name.
* A name matches in its composed and its decomposed Unicode form ("Å" or "A" + combining ring).
* Inside a multi-word name any run of whitespace (double spaces, a newline, a non-breaking space)
  matches; the hyphens and apostrophes in "Jan-Willem" and "O'Neill" match their typographic variants.
* A name may carry the genitive "s" of Dutch and Swedish ("Åsas förslag", "Jans voorstel"): the whole
  word is replaced, since leaving "Åsas" would disclose the name.
* A single name part (first name, last name, a part of a hyphenated or multi-word name, a username, a
  handle) is only replaced on its own if it has at least 2 characters; a one-letter part would wipe out
  every "a" or "J" in the document. Tussenvoegsels such as "de" or "van der" are never replaced on
  their own, only as part of a longer name ("de Vries" and "Vries" are both replaced).
* Any e-mail address (anything shaped like ``x@y.tld``) is replaced, known or not: every address in
  these documents is personal.

Known limits: a name written without its diacritics ("Ozil" for "Özil"), a nickname, a name glued to
digits ("Jan2024", or "Jan%20de%20Vries" in a URL, where "Vries" follows the digit "0") and a name cut
up by markup inside a word ("J<b>a</b>n") are not found. Building a Redactor compiles one large regex:
well under a second for a few hundred people, a few seconds for thousands.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["REDACTION_MARK", "Person", "Redactor", "rewrite_html"]

REDACTION_MARK = "5.1.2e"


@dataclass(frozen=True)
class Person:
    """Someone whose name must not appear in a disclosed document. Every field may be left empty."""

    first_name: str = ""
    last_name: str = ""
    username: str = ""
    email: str = ""
    # TikTok (or other) handles such as "lisa.dances"; the text may write them as "@lisa.dances".
    handles: tuple[str, ...] = ()


# A "word character" for the boundary tests: a Unicode letter or digit (\w without "_") or a combining
# mark, so that "Jose" is not found inside a decomposed "José" ("Jose" + U+0301).
_COMBINING_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD_CHAR = rf"(?:[^\W_]|[{_COMBINING_MARKS}])"
_NOT_AFTER_WORD = rf"(?<!{_WORD_CHAR})"
_NOT_BEFORE_WORD = rf"(?!{_WORD_CHAR})"
_IS_WORD_CHAR = re.compile(_WORD_CHAR)

# Any e-mail address. The local part starts where no local-part character precedes it and is matched
# possessively (Python 3.11+), so each run of characters is scanned once (linear time on long tokens);
# "mailto:" stays in front of it.
_EMAIL = r"(?<![\w.+%'-])[\w.+%'-]++@[\w-]+(?:\.[\w-]+)+"

_HYPHEN_CHARS = "-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen
# straight, left and right single quotation marks, modifier letter apostrophe, grave and acute accent
_APOSTROPHE_CHARS = "'\u2018\u2019\u02bc`\u00b4"
_WHITESPACE_UNIT = r"\s+"
_OPTIONAL_WHITESPACE_UNIT = r"\s*"  # after "," and ".": "Vries,Jan", "J.W.de Vries"
_HYPHEN_UNIT = "[" + re.escape(_HYPHEN_CHARS) + "]"
_APOSTROPHE_UNIT = "[" + re.escape(_APOSTROPHE_CHARS) + "]"
_GENITIVE = "s?"

_APOSTROPHE_TRANSLATION = str.maketrans(dict.fromkeys(_APOSTROPHE_CHARS, "'") | dict.fromkeys(_HYPHEN_CHARS, "-"))

# Tussenvoegsels and other name particles: never a name on their own.
_PARTICLES = frozenset(
    {
        "'s",
        "'t",
        "aan",
        "af",
        "al",
        "av",
        "bij",
        "d'",
        "da",
        "dal",
        "das",
        "de",
        "del",
        "della",
        "den",
        "der",
        "des",
        "di",
        "do",
        "dos",
        "du",
        "el",
        "het",
        "in",
        "la",
        "le",
        "les",
        "lo",
        "op",
        "onder",
        "over",
        "san",
        "te",
        "ten",
        "ter",
        "tot",
        "uit",
        "uijt",
        "van",
        "vande",
        "vanden",
        "vander",
        "ver",
        "von",
        "voor",
        "zu",
        "zum",
        "zur",
    }
)

_MIN_STANDALONE_LENGTH = 2


def _clean(value: str | None) -> str:
    """NFC, trimmed, inner whitespace collapsed to single spaces; "" for None or whitespace only."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def _key(text: str) -> str:
    """Comparable form of a name or of matched text: the differences the regex ignores are erased."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHE_TRANSLATION)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"([.,]) ", r"\1", text)


def _components(name: str) -> list[str]:
    """The parts of a multi-word or hyphenated name that are a name on their own."""
    parts = re.split(rf"[\s{re.escape(_HYPHEN_CHARS)}]+", name)
    # A part without a letter ("98" of a display name "Creator Person 98") is no name: alone it would take every
    # amount and date that holds the number.
    return [
        p
        for p in parts
        if len(p) >= _MIN_STANDALONE_LENGTH and p.casefold() not in _PARTICLES and any(c.isalpha() for c in p)
    ]


def _split_particles(last_name: str) -> tuple[str, str]:
    """("van der", "Berg") for "van der Berg"; ("", "Berg") when there is no tussenvoegsel."""
    words = last_name.split(" ")
    index = 0
    while index < len(words) - 1 and words[index].casefold() in _PARTICLES:
        index += 1
    return " ".join(words[:index]), " ".join(words[index:])


def _name_forms(person: Person) -> set[str]:
    """Forms of the person's real name (these may carry a genitive "s")."""
    first, last = _clean(person.first_name), _clean(person.last_name)
    forms: set[str] = set()
    if first and last:
        forms.add(f"{first} {last}")
        forms.add(f"{last}, {first}")
        particles, core = _split_particles(last)
        if particles and core:
            forms.add(f"{core}, {first} {particles}")  # "Vries, Jan de", the Dutch index order
        initials = [part[0] for part in re.split(rf"[\s{re.escape(_HYPHEN_CHARS)}]+", first) if part[:1].isalpha()]
        if initials:
            forms.add(f"{initials[0]}. {last}")  # "J. de Vries"
            forms.add(". ".join(initials) + f". {last}")  # "J. W. de Vries" (also matches "J.W. de Vries")
    for part in (first, last):
        if len(part) >= _MIN_STANDALONE_LENGTH and any(c.isalpha() for c in part):
            forms.add(part)
        forms.update(_components(part))
    core = _split_particles(last)[1]
    if len(core) >= _MIN_STANDALONE_LENGTH and any(c.isalpha() for c in core):
        forms.add(core)  # the surname proper, even when it looks like a particle ("van Le")
    return forms


def _account_forms(person: Person) -> set[str]:
    """Username, e-mail address and handles (matched as written, without a genitive)."""
    forms: set[str] = set()
    email = _clean(person.email)
    if email:
        forms.add(email)
    for account in (person.username, *person.handles):
        account = _clean(account).lstrip("@")
        if len(account) >= _MIN_STANDALONE_LENGTH:
            forms.add(account)
            forms.add(f"@{account}")
    return forms


def _units(term: str) -> list[str]:
    """The regex units of a term, one per character (or per run of whitespace)."""
    units: list[str] = []
    previous = ""
    for char in term:
        if char.isspace():
            if previous.isspace():
                continue
            units.append(_OPTIONAL_WHITESPACE_UNIT if previous in {",", "."} else _WHITESPACE_UNIT)
        elif char in _HYPHEN_CHARS:
            units.append(_HYPHEN_UNIT)
        elif char in _APOSTROPHE_CHARS:
            units.append(_APOSTROPHE_UNIT)
        else:
            lower = char.lower()
            if len(lower) == 1:  # one key for "J" and "j"; IGNORECASE matches both
                char = lower
            decomposed = unicodedata.normalize("NFD", char)
            units.append(f"(?:{re.escape(char)}|{re.escape(decomposed)})" if decomposed != char else re.escape(char))
        previous = char
    return units


class _TrieNode:
    __slots__ = ("children", "genitive", "terminal")

    def __init__(self) -> None:
        self.children: dict[str, _TrieNode] = {}
        self.terminal = False
        self.genitive = False


def _insert(root: _TrieNode, term: str, *, genitive: bool) -> None:
    node = root
    for unit in _units(term):
        node = node.children.setdefault(unit, _TrieNode())
    node.terminal = True
    node.genitive = node.genitive or (genitive and bool(_IS_WORD_CHAR.fullmatch(term[-1])))


def _trie_regex(node: _TrieNode) -> str:
    # Continuations come before the end of a shorter term, so the regex tries the longest term first.
    # The word-boundary test is not repeated at every term's end: it follows the whole trie once, and
    # when it fails after a long term the regex backtracks into the trie to the next shorter term.
    # (One shared test keeps the pattern, and its compile time, small.)
    alternatives = [unit + _trie_regex(child) for unit, child in sorted(node.children.items())]
    if node.terminal:
        alternatives.append(_GENITIVE if node.genitive else "")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


class Redactor:
    """Replaces the names of ``people`` in text with ``REDACTION_MARK``.

    ``keep``: words and phrases that are never replaced, even if they are also a name, for example
    the municipality "Nykvarn" when someone's last name is Nykvarn. A kept word is protected only
    where it stands alone (with or without a genitive "s", as in "Nykvarns kommun"); a longer name
    that contains it is still replaced ("Erik Nykvarn" and "Nykvarn, Erik" become "5.1.2e").
    Trade-off: where the text refers to that person by the kept word alone ("Nykvarn said ...") the
    word stays, because the text cannot tell the person from the organisation. Keep lists should
    therefore be short and reviewed. Keep does not protect e-mail addresses.

    Build one Redactor per export and reuse it: building compiles the regex, redacting is one pass.
    """

    def __init__(self, people: Iterable[Person], *, keep: Iterable[str] = ()) -> None:
        root = _TrieNode()
        for person in people:
            for form in _name_forms(person):
                _insert(root, form, genitive=True)
            for form in _account_forms(person):
                _insert(root, form, genitive=False)
        kept = [word for word in map(_clean, keep) if word]
        for word in kept:
            # A kept phrase is a term of its own, so it wins from a shorter name it starts with.
            _insert(root, word, genitive=False)
        self._keep = {_key(word) for word in kept}
        self.kept_words = {part for word in kept for part in word.split()}
        pattern = rf"(?P<email>{_EMAIL})"
        if root.children:
            pattern += rf"|{_NOT_AFTER_WORD}(?:{_trie_regex(root)}){_NOT_BEFORE_WORD}"
        self._pattern = re.compile(pattern, re.IGNORECASE)

    def _replacement(self, match: re.Match[str]) -> str:
        found = match.group()
        if match.group("email") is None:
            key = _key(found)
            if key in self._keep or (key.endswith("s") and key[:-1] in self._keep):
                return found
        return REDACTION_MARK

    def redact(self, text: str) -> str:
        """``text`` with every name, username, handle and e-mail address replaced by the mark."""
        if not text:
            return text
        return self._pattern.sub(self._replacement, text)

    def redact_html(self, html: str) -> str:
        """Redacts the text, comments, tag attribute values (title, alt, href="mailto:...") of ``html``.

        Tags stay (HTML element and attribute names are never redacted, so a person called Mark or
        Lang leaves <mark> and lang= alone; a "tag" that is really a name or an address, such as
        "<jan@example.nl>", is written back as escaped text without it). Text written back is escaped
        again, so entities keep their meaning and the output is well-formed.

        Each text node is redacted on its own: a name split by tags, such as "<b>Jan</b> de Vries",
        is still removed because "Jan" and "de Vries" are each a name.
        """
        return rewrite_html(html, self.redact)


def rewrite_html(html: str, rewrite: Callable[[str], str]) -> str:
    """``html`` with ``rewrite`` applied to its text, comments and attribute values, as ``Redactor.redact_html``
    applies ``redact`` (a masker of passages uses it too)."""
    if not html:
        return html
    parser = _RedactingHTMLParser(rewrite)
    parser.feed(html)
    parser.close()
    return parser.result()


_SAFE_ATTRIBUTE_NAME = re.compile(r"[^\s\"'<>/=\x00-\x1f\x7f]+")

# Tag and attribute names of HTML (and common SVG) are markup, never a name, even when a person is
# called Mark, Li, Em or Lang: <mark>, <li>, <em> and lang="nl" stay. Any other tag or attribute name
# is redacted like text, since "<jan@example.nl>" in a text looks like a tag to the parser.
_HTML_ELEMENTS_TEXT = """
    a abbr acronym address area article aside audio b base bdi bdo big blockquote body br button canvas
    caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em embed
    fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img
    input ins kbd label legend li link main map mark menu meta meter nav noscript object ol optgroup
    option output p param picture pre progress q rp rt ruby s samp script search section select slot
    small source span strike strong style sub summary sup table tbody td template textarea tfoot th
    thead time title tr track tt u ul var video wbr
    svg g path circle ellipse line polygon polyline rect text tspan defs use symbol lineargradient
    radialgradient stop clippath mask pattern image foreignobject desc math
    """
_HTML_ELEMENTS = frozenset(_HTML_ELEMENTS_TEXT.split())
_HTML_ATTRIBUTES_TEXT = """
    accept accesskey action align allow allowfullscreen alt async autocapitalize autocomplete autofocus
    autoplay bgcolor border cellpadding cellspacing charset checked cite class color cols colspan content
    contenteditable controls coords crossorigin d data datetime decoding default defer dir dirname disabled
    download draggable enctype enterkeyhint face fill for form frameborder headers height hidden high href
    hreflang http-equiv id inert inputmode integrity is itemid itemprop itemref itemscope itemtype kind
    label lang list loading loop low max maxlength media method min minlength multiple muted name nonce
    novalidate open optimum part pattern ping placeholder popover poster preload readonly referrerpolicy
    rel required reversed role rows rowspan sandbox scope selected shape size sizes slot span spellcheck
    src srcdoc srclang srcset start step stroke style summary tabindex target title translate type
    usemap valign value viewbox width wrap xmlns
    """
_HTML_ATTRIBUTES = frozenset(_HTML_ATTRIBUTES_TEXT.split())


class _RedactingHTMLParser(HTMLParser):
    """Writes the document back as it parses it, with text, comments and attributes redacted."""

    _RAW_TEXT_ELEMENTS = frozenset({"script", "style"})  # content is not entity-encoded

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__(convert_charrefs=True)
        self._redact = redact
        self._out: list[str] = []
        self._text: list[str] = []  # adjacent text chunks are redacted together
        self._raw_text_element: str | None = None

    def result(self) -> str:
        self._flush_text()
        return "".join(self._out)

    def _flush_text(self) -> None:
        if not self._text:
            return
        text = self._redact("".join(self._text))
        self._text.clear()
        # Raw text (script, style) is written as the parser gave it; the mark holds no markup.
        self._out.append(text if self._raw_text_element else html.escape(text, quote=False))

    def _write_tag(self, tag: str, attrs: list[tuple[str, str | None]], *, closing: str) -> None:
        self._flush_text()
        if tag not in _HTML_ELEMENTS and self._redact(tag) != tag:
            # Not a tag but text in angle brackets, e.g. "<jan@example.nl>": write it as text.
            self._out.append(html.escape(self._redact(self.get_starttag_text() or ""), quote=False))
            return
        parts = [f"<{tag}"]
        for name, value in attrs:
            if name not in _HTML_ATTRIBUTES:
                name = self._redact(name)  # e.g. data-author-jan, or junk such as <a Jan de Vries>
            if not _SAFE_ATTRIBUTE_NAME.fullmatch(name):
                continue  # junk the parser took for an attribute name; dropping it keeps output valid
            parts.append(f" {name}" if value is None else f' {name}="{html.escape(self._redact(value), quote=True)}"')
        parts.append(closing)
        self._out.append("".join(parts))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._write_tag(tag, attrs, closing=">")
        if tag in self._RAW_TEXT_ELEMENTS:
            self._raw_text_element = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._write_tag(tag, attrs, closing=" />")

    def handle_endtag(self, tag: str) -> None:
        self._flush_text()
        if tag == self._raw_text_element:
            self._raw_text_element = None
        redacted = tag if tag in _HTML_ELEMENTS else self._redact(tag)
        self._out.append(f"</{tag}>" if redacted == tag else html.escape(f"</{redacted}>", quote=False))

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_comment(self, data: str) -> None:
        self._flush_text()
        self._out.append(f"<!--{self._redact(data)}-->")

    def handle_decl(self, decl: str) -> None:
        self._flush_text()
        self._out.append(f"<!{self._redact(decl)}>")

    def unknown_decl(self, data: str) -> None:
        self._flush_text()
        self._out.append(f"<![{self._redact(data)}]>")

    def handle_pi(self, data: str) -> None:
        self._flush_text()
        self._out.append(f"<?{self._redact(data)}>")
