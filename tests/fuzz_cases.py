"""Seeded, plausible-but-nasty cookie cases for the differential fuzzer (tests/fuzz_chromium.py).

A case is what POST /lint takes: Set-Cookie headers (or ``document.cookie`` writes) received
from one URL, perhaps as a cross-site fetch, and perhaps a later request whose Cookie header is
read. Most headers start from a well-formed cookie and get one to three mutations, so that both
outcomes are common and each rule is reached with the others satisfied: odd names and values,
control characters, UTF-8, attribute case and spacing, repeated attributes, every Domain shape,
dates the cookie-date algorithm (RFC 6265bis §5.1.1) accepts and rejects, Max-Age shapes,
prefixes in mixed case, sizes at the 4096- and 1024-byte limits, and sequences whose headers
replace, delete or are blocked by earlier ones.

Case ``n`` of seed ``s`` depends on nothing else: ``random.Random(f"{s}:{n}")``, so one case of a
long run can be generated again alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

Mode = Literal["navigate", "fetch", "script"]


@dataclass(frozen=True)
class Place:
    """Where a request goes; the test server's port is added when the URL is made."""

    scheme: str
    host: str
    path: str


@dataclass(frozen=True)
class Case:
    number: int
    response: Place  # the page or fetch that carries the headers, or runs the script
    set_cookie: tuple[str, ...]
    mode: Mode  # a top-level navigation, a fetch from ``top``, or document.cookie writes
    top: Place | None = None  # the page that fetches, for mode "fetch"
    then: Place | None = None  # a later request: its Cookie header is compared


# Host names, each with the domain its cookies may name (its registrable domain, or itself).
HOSTS = (
    ("www.example.test", "example.test"),
    ("www.example.test", "example.test"),
    ("example.test", "example.test"),
    ("a.b.example.test", "example.test"),
    ("WWW.Example.TEST", "example.test"),
    ("www.example.co.uk", "example.co.uk"),
    ("alice.github.io", "alice.github.io"),
    ("github.io", "github.io"),
    ("co.uk", "co.uk"),
    ("localhost", "localhost"),
    ("127.0.0.1", "127.0.0.1"),
    ("xn--bcher-kva.example.test", "example.test"),
)
# Shapes the URL parser canonicalises before cookies see them.
ODD_HOSTS = (
    ("my_app.example.test", "example.test"),
    ("www.example.test.", "example.test."),
    ("bücher.example.test", "example.test"),
    ("127.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0x7f.0.0.1", "127.0.0.1"),
    ("0177.1", "127.0.0.1"),
    ("www.ex%61mple.test", "example.test"),
    ("ab--cd.example.test", "example.test"),
    ("-x.example.test", "example.test"),
    ("a" * 64 + ".example.test", "example.test"),
)
PATHS = ("/", "/a", "/a/", "/a/b", "/a/b/", "/docs/x/page", "/A/b", "/a/b/c/d")
ODD_PATHS = ("/a/b/../c", "/a/./b", "/a b/c", "/é/x", "/a%2Fb/c", "/a//b", "/a;b/c", "/%7Ea/b")

NAMES = ("a", "b", "id", "SID", "a", "b", "session_id", "x-y.z", "A")
ODD_NAMES = (
    "", " a ", "a b", "a\tb", "ä", "a\x01", "a\x7f", "$Version", "a,b", 'a"b', "a=", "(a)",
    "a/b", "a?", "{}", "😀", "a\x0b", "a\x1f", "\ufeffa", "a\u00a0",
)  # fmt: skip
VALUES = ("1", "v", "abc123", "", "1", "0", "hello")
ODD_VALUES = (
    '"q"', '"', '" x "', "a b", " a ", "é", "a=b", "=", "a\x01", "a\x7f", "a\tb", "%20", "a,b",
    "a\\b", '""', "😀", "\u00a0", "a\x1f", "a\x0c", "a\x00b", "a\rb", "a\nb", "a\r\nb: c",
)  # fmt: skip
# A NUL in a header makes Chromium refuse the whole response: a page shows it (the driver
# tells such a navigation apart), a fetch only fails.
_NOT_FETCHED = ("\x00",)

PREFIXES = (
    "__Secure-", "__Host-", "__Http-", "__Host-Http-", "__secure-", "__HOST-", "__host-http-",
    "__HostHttp-", "__Secure", "_Secure-", "__Secure-__Host-",
)  # fmt: skip

EXPIRES_FUTURE = (
    "Fri, 01 Jan 2027 00:00:00 GMT",
    "Tue, 15 Jun 2027 08:09:10 GMT",
    "15 Jun 2027 08:09:10",
    "Tuesday, 15-Jun-27 08:09:10 GMT",
    "Tue Jun 15 08:09:10 2027",
    "Fri, 01 Jan 2100 00:00:00 GMT",
    "Sun, 01 Jan 2090 00:00:00 GMT",
    "01 Jan 30828 00:00:00 GMT",
    "Sat, 01 Jan 10000 00:00:00 GMT",
    "jun 15 2027 8:9:10",
    "15-JUN-2027 08:09:10 UTC",
    "2027 Jun 15 08:09:10",
    "Tue, 15 Jun 2027 08:09:10 +0900",
    "Tue,15-Jun-2027 08:09:10 GMT",
    "Tue, 15 June 2027 08:09:10 GMT",
    "Tue, 15 Jun 27 08:09:10 GMT",
    "Tue, 15 Jun 2027 8:9 GMT",
)
EXPIRES_PAST = (
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Thu, 01 Jan 1970 00:00:01 GMT",
    "Sat, 01 Jan 1601 00:00:00 GMT",
    "Sat, 01 Jan 1600 00:00:00 GMT",
    "Wed, 21-Oct-69 07:28:00 GMT",
    "Wed, 21-Oct-70 07:28:00 GMT",
    "Wed, 21-Oct-99 07:28:00 GMT",
    "Wed, 21-Oct-00 07:28:00 GMT",
    "Wed, 10 Jan 7 10:00:00 GMT",
    "Wed, 11 Dec 1996 20:21:004 GMT",
    "Mon, 31 Dec 2001 23:59:59 GMT",
)
EXPIRES_ODD = (
    "",
    "tomorrow",
    "0",
    "1767225600",
    "2027-01-01T00:00:00Z",
    "Thu, 1st Jul 2027 00:00:00 GMT",
    "Jan 10th 2027 10:00:00",
    "Tue, 1O Jun 2027 08:09:10 GMT",
    "Tue, 15 Jun 2027 24:00:00 GMT",
    "Tue, 15 Jun 2027 23:60:00 GMT",
    "Tue, 15 Jun 2027 23:59:60 GMT",
    "Tue, 32 Jun 2027 08:09:10 GMT",
    "Tue, 00 Jun 2027 08:09:10 GMT",
    "Tue, 31 Feb 2027 08:09:10 GMT",
    "Tue, 15 Foo 2027 08:09:10 GMT",
    "Tue, 15 Jun 08:09:10 GMT",
    "Tue, 15 Jun 2027 GMT",
    "Tue, 15 Jun 2027 08:09:10:11 GMT",
    "Tue, 15 Jun 2027 008:09:10 GMT",
    "Tue, 15 Jun 2027 8:09:10 GMT",
    "Tue, 015 Jun 2027 08:09:10 GMT",
    "Tue, 15 Jun 02027 08:09:10 GMT",
    '"Tue, 15 Jun 2027 08:09:10 GMT"',
    "Tue, 15 Jun 2027 08.09.10 GMT",
    "Tue 15 Jun 2027 08:09:10 GMT;",
    "Tue, 15 Jun 1969 08:09:10 GMT",
)
MAX_AGES = (
    "3600", "0", "-1", "+3600", "+0", "-0", "03600", "1e3", "1.5", "", " 3600", "60 ",
    "99999999999", "34560000", "34560001", "999999999999999999999999", "0x10", "١٢", "-99999999999",
    "2147483648", "9223372036854775808", "abc", "3600abc",
)  # fmt: skip
SAMESITES = ("Strict", "Lax", "None", "strict", "LAX", "nOnE", "", "Sometimes", "None ", '"Lax"')
PRIORITIES = ("Low", "Medium", "High", "low", "HIGH", "urgent", "")
ATTRIBUTE_SEPARATORS = ("; ", ";", " ; ", ";\t", ";  ", "; ;")


def _cased(rng: random.Random, word: str) -> str:
    """The attribute name as written: canonical, lower, upper or mixed case."""
    pick = rng.random()
    if pick < 0.6:
        return word
    if pick < 0.75:
        return word.lower()
    if pick < 0.85:
        return word.upper()
    return "".join(rng.choice((c.lower(), c.upper())) for c in word)


def _sized(rng: random.Random, total: int, name: str) -> str:
    """A value that makes name and value ``total`` bytes together, perhaps ending in UTF-8."""
    room = total - len(name.encode())
    if room <= 0:
        return ""
    if room >= 2 and rng.random() < 0.3:
        return "x" * (room - 2) + "é"
    return "x" * room


class _Generator:
    def __init__(self, rng: random.Random, response: Place, domain: str, mode: Mode) -> None:
        self.rng = rng
        self.host = response.host
        self.secure = response.scheme == "https" or response.host == "localhost"
        self.domain = domain
        self.mode = mode
        self.names: list[str] = []

    def pick(self, *choices):
        return self.rng.choice(choices)

    def odd(self, shapes: tuple[str, ...]) -> str:
        """A shape that can be sent the way this case sends it."""
        fetch = self.mode == "fetch"
        usable = [s for s in shapes if not fetch or not any(c in s for c in _NOT_FETCHED)]
        return self.rng.choice(usable)

    def name(self) -> str:
        rng = self.rng
        if self.names and rng.random() < 0.35:
            return rng.choice(self.names)  # the same name again: replace, delete or block
        name = rng.choice(NAMES) if rng.random() < 0.8 else self.odd(ODD_NAMES)
        if rng.random() < 0.15:
            name = rng.choice(PREFIXES) + (name or "a")
        self.names.append(name)
        return name

    def value(self) -> str:
        return self.rng.choice(VALUES) if self.rng.random() < 0.8 else self.odd(ODD_VALUES)

    def domain_value(self) -> str:
        host, domain = self.host.lower(), self.domain
        if self.rng.random() < 0.4:
            return self.pick(domain, "." + domain, host, domain.upper())
        parent = domain.split(".", 1)[-1]
        return self.pick(
            domain, "." + domain, domain.upper(), domain + ".", host, "." + host,
            "sub." + host, "", ".", parent, "other.test", "test", "co.uk", "github.io",
            "example", "localhost", "127.0.0.1", "xn--bcher-kva.example.test",
            "bücher.example.test", "ex ample.test", f'"{domain}"', domain + ":443",
            ".." + domain, "x" * 1020 + "." + domain, f"{domain};", "*." + domain,
        )  # fmt: skip

    def path_value(self) -> str:
        return self.pick(
            "/", "/", "/a", "/a/", "/a/b", "/A", "", "a", "/docs", "/a/b/../c", "/ä", "/a b",
            "/" + "p" * 1022, "/" + "p" * 1023, "/" + "p" * 1024, "/a;b", '"/a"', "/a?q", "/a#f",
            "//", "/a//",
        )  # fmt: skip

    def long_attribute(self) -> str:
        """An attribute whose value is 1023, 1024 or 1025 bytes: over 1024 it is ignored."""
        size = self.pick(1023, 1024, 1025)
        pick = self.rng.random()
        if pick < 0.3:
            return "Expires=" + "Fri, 01 Jan 2027 00:00:00 GMT".ljust(size - 1) + "x"
        if pick < 0.6:
            return "Max-Age=" + "60".rjust(size, "0")
        if pick < 0.8:
            return "Domain=" + ("x" * size + "." + self.domain)[-size:]
        return "Colour=" + "c" * size

    def attribute(self) -> str:
        rng = self.rng
        kind = rng.choice(
            ("Path", "Path", "Domain", "Domain", "Expires", "Expires", "Max-Age", "Max-Age",
             "Secure", "Secure", "HttpOnly", "SameSite", "SameSite", "Partitioned", "Priority",
             "unknown", "empty", "long")
        )  # fmt: skip
        if kind in ("Secure", "HttpOnly", "Partitioned"):
            word = _cased(rng, kind)
            return word if rng.random() < 0.85 else f"{word}={self.pick('', '1', 'false')}"
        if kind == "unknown":
            return self.pick("Colour=blue", "Comment=x", "Version=1", "x", "=x", "SameParty", "b=2")
        if kind == "empty":
            return ""
        if kind == "long":
            return self.long_attribute()
        value = {
            "Path": self.path_value,
            "Domain": self.domain_value,
            "Expires": lambda: rng.choice(rng.choice((EXPIRES_FUTURE, EXPIRES_PAST, EXPIRES_ODD))),
            "Max-Age": lambda: rng.choice(MAX_AGES),
            "SameSite": lambda: rng.choice(SAMESITES),
            "Priority": lambda: rng.choice(PRIORITIES),
        }[kind]()
        equals = "=" if rng.random() < 0.9 else self.pick(" = ", " =", "= ", "\t=\t")
        return _cased(rng, kind) + equals + value

    def header(self) -> str:
        rng = self.rng
        name = self.name()
        shape = rng.random()
        if shape < 0.05:
            return self.odd(("v", "=v", "=a=b", "===x=2", " = x=y", "=", "", " ", ";", "=a=", "\t"))
        if shape < 0.1:
            total = self.pick(4095, 4096, 4097, 4100)
            pair = f"{name}={_sized(rng, total - 1, name)}"
            if rng.random() < 0.3:  # wpt cookies/size/attributes: every part at its limit
                pair += "; Path=/" + "p" * 1023 + "; " + self.long_attribute()
                pair += "; " + self.long_attribute() if rng.random() < 0.5 else ""
        else:
            pair = f"{name}={self.value()}"
            if rng.random() < 0.08:
                pair = rng.choice((" ", "\t", "  ")) + pair + rng.choice((" ", "\t", ""))
        attributes = []
        if name.lower().startswith(("__host-", "__secure-", "__http-")) and rng.random() < 0.6:
            attributes += ["Secure", "Path=/"]  # mostly right, to reach the rules after
            if "http" in name.lower():
                attributes.append("HttpOnly")
        if rng.random() < (0.5 if self.secure else 0.1):
            attributes.append("Secure")
            if self.mode == "fetch" and rng.random() < 0.6:
                attributes.append("SameSite=None")  # what a cross-site response needs
        if rng.random() < 0.3:
            attributes.append(self.pick("Path=/", "Path=/a", "path=/docs"))
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            attributes.append(self.attribute())
        rng.shuffle(attributes)
        separator = rng.choice(ATTRIBUTE_SEPARATORS) if rng.random() < 0.2 else "; "
        header = separator.join([pair, *attributes])
        if rng.random() < 0.05:
            header += self.pick(";", "; ", " ", "\t")
        return header


def _place(rng: random.Random, host: str, odd_paths: bool = True) -> Place:
    path = rng.choice(ODD_PATHS) if odd_paths and rng.random() < 0.08 else rng.choice(PATHS)
    return Place(rng.choice(("https", "https", "http")), host, path)


def _then(rng: random.Random, response: Place, domain: str, mode: Mode) -> Place:
    """A later request: same host, a path near the first, a sibling, the parent, another site."""
    near = response.path.rsplit("/", 1)[0] + "/next"  # beside the page: in its default path
    path = rng.choice(
        (response.path, response.path, near, near, "/", "/a", "/a/b/c", "/docs/x/next",
         "/docsearch", "/A/b", rng.choice(ODD_PATHS))
    )  # fmt: skip
    host = response.host
    pick = rng.random()
    if pick < 0.15 and not domain[0].isdigit() and domain != "localhost":
        host = rng.choice(("api.", "www.")) + domain
    elif pick < 0.25:
        host = domain
    elif pick < 0.3:
        host = "www.other.test"
    scheme = response.scheme
    if mode != "fetch" and rng.random() < 0.2:
        scheme = "http" if scheme == "https" else "https"
    return Place(scheme, host, path)


def generate_case(seed: int, number: int) -> Case:
    """Case ``number`` of the run with ``seed``, the same every time."""
    rng = random.Random(f"{seed}:{number}")
    host, domain = rng.choice(HOSTS) if rng.random() < 0.92 else rng.choice(ODD_HOSTS)
    mode: Mode = rng.choice(("navigate", "navigate", "navigate", "fetch", "script"))
    response = _place(rng, host)
    top = None
    if mode == "fetch":
        # An https page may not fetch http (mixed content): the top page is http for an http
        # response, and for an https one it may be either, a cross-scheme site.
        top_host = rng.choice(("www.other.test", "www.other.test", "example.test", host))
        top_scheme = "http" if response.scheme == "http" else rng.choice(("https", "http"))
        top = Place(top_scheme, top_host, "/top")
    generator = _Generator(rng, response, domain, mode)
    count = rng.choice((1, 1, 2, 2, 3, 4, 6))
    headers = tuple(generator.header() for _ in range(count))
    then = _then(rng, response, domain, mode) if rng.random() < 0.7 else None
    if then is not None and top is not None and top.scheme == "https":
        then = Place("https", then.host, then.path)
    return Case(number, response, headers, mode, top, then)


def generate_cases(seed: int, count: int, start: int = 0) -> list[Case]:
    return [generate_case(seed, number) for number in range(start, start + count)]
