"""Spellings of the SPARQL keywords that make an engine reach other hosts (SERVICE, LOAD) or name documents
(FROM, FROM NAMED, USING, USING NAMED): each keyword glued after every kind of token, in mixed case, with
``\\u`` escapes and comments between tokens, in queries and in updates.

``{url}`` in each text stands for the base URL of the host the payload tries to reach.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

# what may stand just before the keyword, in a group graph pattern: every kind of token
BEFORE_IN_GROUP = {
    "IRI": "?s ?p <urn:x:o>",
    "prefixed name": "?s ?p kg:o",
    "prefixed name, empty prefix": "?s ?p :o",
    "prefixed name ending in a dot": "?s ?p kg:o.",
    "prefixed name ending in a dash": "?s ?p kg:o-",
    "prefixed name with an escape": "?s ?p kg:o\\-",
    "integer": "?s ?p 1",
    "negative integer": "?s ?p -1",
    "decimal": "?s ?p 1.5",
    "integer and a dot": "?s ?p 1.",
    "double": "?s ?p 1e5",
    "true": "?s ?p true",
    "false": "?s ?p FALSE",
    "string": '?s ?p "x"',
    "single-quoted string": "?s ?p 'x'",
    "long string": '?s ?p """x"""',
    "language string": '?s ?p "x"@en',
    "typed string": '?s ?p "x"^^xsd:string',
    "variable": "?s ?p ?o",
    "dollar variable": "?s ?p $o",
    "variable and a dash": "?s ?p ?o-",
    "blank node": "?s ?p _:b",
    "anonymous blank node": "?s ?p []",
    "blank node property list": "?s ?p [ ?q ?r ]",
    "empty list": "?s ?p ()",
    "list": "?s ?p ( 1 2 )",
    "group": "{ ?s ?p ?o }",
    "filter": "?s ?p ?o FILTER(true)",
    "comparison (read as an IRI by a careless tokenizer)": "?s ?p ?o FILTER(?o<1)",
    "bind": "BIND(1 AS ?x)",
    "triple and a dot": "?s ?p ?o .",
    "values": "VALUES ?v { 1 }",
    "comment": "?s ?p ?o #c\n",
}

SERVICE_SPELLINGS = ["SERVICE", "service", "SeRvIcE", "SERVICESILENT", "serviceSilent", "SERVICE SILENT",
                     "\\u0053ERVICE", "SERVIC\\u0045 SILENT"]
# where the SERVICE clause sits; {pattern} is the group pattern holding it
SERVICE_PLACES = {
    "query": "SELECT * WHERE {{ {pattern} }}",
    "EXISTS": "SELECT * WHERE {{ ?s0 ?p0 ?o0 FILTER EXISTS {{ {pattern} }} }}",
    "NOT EXISTS": "ASK {{ ?s0 ?p0 ?o0 FILTER NOT EXISTS {{ {pattern} }} }}",
    "sub-select": "SELECT * WHERE {{ {{ SELECT * WHERE {{ {pattern} }} }} }}",
    "update": "INSERT {{ ?a ?b ?c }} WHERE {{ {pattern} }}",
}
# between the token before and the keyword, and between the keyword and its endpoint
JOINTS = {"glued": "", "comment": "#c\n"}

# what may stand before FROM in a query, and before USING in an update
BEFORE_FROM = {
    "star": "SELECT*", "variable": "SELECT ?s", "dollar variable": "SELECT $s", "expression": "SELECT(1 AS ?x)",
    "DISTINCT": "SELECT DISTINCT ?s", "template with a variable": "CONSTRUCT{?s ?p ?o}",
    "template with a number": "CONSTRUCT{?s ?p 1}", "template with a string": "CONSTRUCT{?s ?p 'x'}",
    "IRI": "DESCRIBE<urn:x:a>", "prefixed name": "DESCRIBE kg:a", "ASK": "ASK", "number": "SELECT*{}LIMIT 1",
    "boolean": "CONSTRUCT{?s ?p true}",
}
FROM_SPELLINGS = ["FROM", "from", "FrOm", "FROM NAMED", "FROMNAMED", "from named", "fromNamed", "\\u0046ROM"]
BEFORE_USING = {
    "template with an IRI": "DELETE{?s ?p <urn:x:o>}", "template with a variable": "DELETE{?s ?p ?o}",
    "template with a number": "INSERT{?s ?p 1}", "template with a boolean": "INSERT{?s ?p true}",
    "template with a string": "DELETE{?s ?p 'x'}", "WITH": "WITH<urn:x:g>DELETE{?s ?p ?o}INSERT{?s ?p 2}",
}
USING_SPELLINGS = ["USING", "using", "UsInG", "USING NAMED", "USINGNAMED", "usingNamed", "\\u0055SING"]
BEFORE_LOAD = {
    "another update": "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> };", "a prologue IRI": "BASE <urn:x:>",
    "a prologue prefix": "PREFIX p: <urn:x:p>", "nothing": "", "a comment": "#c\n",
}
LOAD_SPELLINGS = ["LOAD", "load", "LoAd", "LOADSILENT", "load silent", "\\u004COAD", "LOA\\u0044"]
LOAD_AFTER = ["<{url}/x.ttl>", "<{url}/x.ttl>INTO GRAPH<urn:x:g>", "<{url}/x.ttl>INTO GRAPH kg:g"]


@dataclass(frozen=True)
class Spelling:
    name: str
    text: str
    update: bool
    keyword: str

    def at(self, url: str) -> str:
        return self.text.replace("{url}", url)

    def neutral(self, url: str) -> str:
        """The same text with the keyword replaced by letters that mean nothing: when the engine reads
        both, the keyword was part of another token (``kg:aFROM``), not a keyword."""
        return self.at(url).replace(self.keyword, "Zq" * len(self.keyword.split()))


def spellings() -> list[Spelling]:
    corpus = []
    for (place, frame), (before_name, before), keyword, (joint_name, joint) in itertools.product(
            SERVICE_PLACES.items(), BEFORE_IN_GROUP.items(), SERVICE_SPELLINGS, JOINTS.items()):
        pattern = f"{before}{joint}{keyword}{joint}<{{url}}/sparql>{joint}{{ ?a ?b ?c }}"
        corpus.append(Spelling(f"{keyword!r} after {before_name} ({place}, {joint_name})",
                               frame.format(pattern=pattern), update=place == "update", keyword=keyword))
    for (before_name, before), keyword, (joint_name, joint) in itertools.product(
            BEFORE_FROM.items(), FROM_SPELLINGS, JOINTS.items()):
        corpus.append(Spelling(f"{keyword!r} after {before_name} ({joint_name})",
                               f"{before}{joint}{keyword}{joint}<{{url}}/x.ttl>WHERE{{ ?s ?p ?o }}", update=False,
                               keyword=keyword))
    for (before_name, before), keyword, (joint_name, joint) in itertools.product(
            BEFORE_USING.items(), USING_SPELLINGS, JOINTS.items()):
        corpus.append(Spelling(f"{keyword!r} after {before_name} ({joint_name})",
                               f"{before}{joint}{keyword}{joint}<{{url}}/x.ttl>WHERE{{ ?s ?p ?o }}", update=True,
                               keyword=keyword))
    for (before_name, before), keyword, after, (joint_name, joint) in itertools.product(
            BEFORE_LOAD.items(), LOAD_SPELLINGS, LOAD_AFTER, JOINTS.items()):
        corpus.append(Spelling(f"{keyword!r} after {before_name} ({joint_name})",
                               f"{before}{joint}{keyword}{joint}{after}", update=True, keyword=keyword))
        corpus.append(Spelling(f"{keyword!r} after {before_name} ({joint_name}, sent as a query)",
                               f"{before}{joint}{keyword}{joint}{after}", update=False, keyword=keyword))
    return corpus
