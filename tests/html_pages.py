"""The one HTML parser of the tests: a page as the tests look at it, read with the standard library's parser.

Each element is a dict: ``tag``, ``attrs``, ``text`` (all the text inside it), ``rows`` (for a table, the
text of each of its rows, spaces collapsed) and ``children`` (the elements directly inside it).
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

# elements that have no end tag, so never hold text
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []  # every element, in the order its start tag comes
        self.ids: dict[str, dict] = {}
        self.links: list[tuple[str | None, str]] = []  # (href, text) of each <a>
        self._text: list[str] = []
        self._open: list[dict] = []
        self.feed(html)
        self.close()
        self.text = "".join(self._text)  # all the text of the page
        for element in self.elements:
            element["text"] = "".join(element["text"])

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": [], "rows": [], "children": []}
        self.elements.append(element)
        if self._open:
            self._open[-1]["children"].append(element)
        if "id" in element["attrs"]:
            self.ids[element["attrs"]["id"]] = element
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        if not any(element["tag"] == tag for element in self._open):
            return  # an end tag with no element open (</br>, a stray one)
        while self._open:  # an end tag also closes the elements left open inside it
            element = self._open.pop()
            if element["tag"] == "a":
                self.links.append((element["attrs"].get("href"), _collapsed(element["text"])))
            if element["tag"] == "tr":
                table = next((e for e in reversed(self._open) if e["tag"] == "table"), None)
                if table is not None:
                    table["rows"].append(_collapsed(element["text"]))
            if element["tag"] == tag:
                break

    def handle_data(self, data):
        self._text.append(data)
        for element in self._open:
            element["text"].append(data)

    @property
    def tags(self) -> list[tuple[str, dict]]:
        """Each element's tag and attributes, in order."""
        return [(element["tag"], element["attrs"]) for element in self.elements]

    def all(self, tag: str) -> list[dict]:
        return [element for element in self.elements if element["tag"] == tag]

    def first(self, tag: str) -> dict:
        return next(element for element in self.elements if element["tag"] == tag)

    @property
    def scripts(self) -> list[dict]:
        return self.all("script")

    @property
    def title(self) -> str:
        titles = self.all("title")
        return titles[0]["text"] if titles else ""

    def data(self) -> dict:
        """The data the page carries in its first <script type="application/json">."""
        return json.loads(next(s["text"] for s in self.scripts if s["attrs"].get("type") == "application/json"))

    def csp(self) -> str:
        """The Content-Security-Policy the page sets in a <meta http-equiv>."""
        return next(meta["attrs"]["content"] for meta in self.all("meta")
                    if meta["attrs"].get("http-equiv") == "Content-Security-Policy")


def descendants(element: dict) -> list[dict]:
    """The elements inside ``element``, in order."""
    found = []
    for child in element["children"]:
        found += [child, *descendants(child)]
    return found


def _collapsed(parts: list[str]) -> str:
    return " ".join("".join(parts).split())
