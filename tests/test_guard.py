"""kgtool.guard: what an untrusted query may do, decided before any engine parses it."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest

from kgtool import guard
from kgtool.guard import (ForbiddenOperation, Policy, QueryTooDeep, QueryTooLarge, UnknownGraph, check_query,
                          check_update, nesting_depth, tokenize)
from kgtool.queries import catalogue
from tests.serving import loopback_listener

READ_ONLY = Policy()
GRAPH = "http://example.org/graph/one"
WITH_GRAPH = Policy(graphs=frozenset({GRAPH}))


# --- size -------------------------------------------------------------------------------------

def test_a_query_of_exactly_the_limit_passes_one_byte_more_does_not():
    head = "ASK {}\n#"
    check_query(head + "x" * (guard.MAX_QUERY_BYTES - len(head)), READ_ONLY)
    with pytest.raises(QueryTooLarge, match="65,537 bytes long; the limit is 65,536"):
        check_query(head + "x" * (guard.MAX_QUERY_BYTES - len(head) + 1), READ_ONLY)


def test_size_counts_utf8_bytes_not_characters():
    text = "ASK {}\n#" + "é" * (guard.MAX_QUERY_BYTES // 2)  # two bytes each
    with pytest.raises(QueryTooLarge):
        check_query(text, READ_ONLY)


# --- nesting ----------------------------------------------------------------------------------

def depth(text: str) -> int:
    return nesting_depth(list(tokenize(text)))


def test_every_named_query_passes():
    for named in catalogue().values():
        check_query(named.text, READ_ONLY)
        assert depth(named.text) <= guard.MAX_DEPTH // 2, named.name


def test_parentheses_that_crash_engines_are_refused_before_parsing():
    text = "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    assert len(text.encode()) < guard.MAX_QUERY_BYTES
    with pytest.raises(QueryTooDeep, match=r"nests 50\d\d levels deep; the limit is 100"):
        check_query(text, READ_ONLY)


@pytest.mark.parametrize("chain", [
    " . ".join(["?s ?p ?o"] * 300),                       # a long join
    " UNION ".join(["{ ?s ?p ?o }"] * 300),               # a long union
    "?s " + "/".join(["<http://e/p>"] * 300) + " ?o",     # a long property path
    "FILTER(" + " + ".join(["1"] * 300) + ")",             # a long sum
], ids=["join", "union", "path", "sum"])
def test_long_chains_count_as_nesting(chain):
    assert depth("SELECT * WHERE { " + chain + " }") > guard.MAX_DEPTH
    with pytest.raises(QueryTooDeep):
        check_query("SELECT * WHERE { " + chain + " }", READ_ONLY)


def test_a_long_list_is_not_deep():
    rows = " ".join(f"({i} {i + 1})" for i in range(2000))
    text = f"SELECT * WHERE {{ VALUES (?a ?b) {{ {rows} }} }}"
    assert depth(text) < 10
    check_query(text, READ_ONLY)


def test_the_values_of_in_and_a_function_s_arguments_are_a_list_not_a_chain():
    """Engines keep them side by side (Oxigraph answers IN and CONCAT of 20,000 items); an object list, whose
    commas make a chain of joins, still counts."""
    items = ", ".join(f"<http://e/{i}>" for i in range(2000))
    for text in (f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o IN ({items})) }}",
                 f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o NOT IN ({items})) }}",
                 f"SELECT (COALESCE({items}) AS ?first) WHERE {{}}"):
        assert depth(text) < 10
        check_query(text, READ_ONLY)
    assert depth(f"SELECT * WHERE {{ ?s ?p {items} }}") > guard.MAX_DEPTH
    assert depth(f"SELECT * WHERE {{ ?s ?p [ ?q {items} ] }}") > guard.MAX_DEPTH


def test_a_query_without_the_word_service_is_not_tokenized_to_be_run_locally():
    """The tokenizer's pattern takes ~15 ms to compile: a command whose queries cannot name a service never pays it."""
    program = (
        "from kgtool import guard\n"
        "guard.check_local('SELECT * WHERE { ?s ?p ?o } # no call here')\n"
        "assert guard._token_regex.cache_info().currsize == 0\n"
        "try:\n"
        "    guard.check_local('SELECT * WHERE { \\\\u0053ERVICE <http://e/> { ?s ?p ?o } }')\n"
        "except guard.ForbiddenOperation:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('an escaped SERVICE was let through')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_brackets_inside_strings_iris_and_comments_do_not_count():
    text = 'SELECT * WHERE { ?s ?p "((((((((((" . ?s ?p <http://e/((((> # ((((((((((\n }'
    assert depth(text) == depth("SELECT * WHERE { ?s ?p ?o . ?s ?p ?o }")


# --- SERVICE ----------------------------------------------------------------------------------

SERVICE_PAYLOADS = {
    "plain": "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "lower case, no space": "SELECT * WHERE { service<{url}/sparql>{ ?s ?p ?o } }",
    "mixed case, SILENT": "SELECT * WHERE { SeRvIcE SILENT <{url}/> { ?s ?p ?o } }",
    "prefixed name glued to the keyword": "PREFIX : <{url}/> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "after a comment line": "SELECT * WHERE { ?s ?p ?o #\n SERVICE <{url}/> { } }",
    "after an escaped quote": 'SELECT * WHERE { ?s ?p "\\u0022" SERVICE <{url}/> { } }',
    "relative IRI against BASE": "BASE <{url}/> SELECT * WHERE { SERVICE <x> { ?s ?p ?o } }",
    "escaped IRI": "SELECT * WHERE { SERVICE <{url}/\\u0078> { ?s ?p ?o } }",
    "glued to SILENT": "SELECT * WHERE { SERVICESILENT<{url}/>{ ?s ?p ?o } }",
    "glued to a boolean": "SELECT * WHERE { ?s ?p trueSERVICE<{url}/>{ ?s ?p ?o } }",
    "behind a comparison that looks like an IRI": "PREFIX : <{url}/> SELECT * WHERE { FILTER(1<2)SERVICE:x#>\n{ ?s ?p ?o } }",
}


@pytest.mark.parametrize("payload", SERVICE_PAYLOADS.values(), ids=SERVICE_PAYLOADS.keys())
def test_service_payloads_reach_out_without_the_guard_and_are_refused_with_it(payload):
    import pyoxigraph

    with loopback_listener() as listener:
        text = payload.replace("{url}", listener.url)
        with pytest.raises(ForbiddenOperation, match=r"SERVICE at line \d+, column \d+.* not allowed"):
            check_query(text, READ_ONLY)
        # the payload is live: the engine itself calls the listener (which hangs up, failing the query)
        store = pyoxigraph.Store()
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:p"),
                                  pyoxigraph.Literal(True)))
        with contextlib.suppress(OSError, RuntimeError):
            list(store.query(text))
    assert len(listener.connections) == 1


@pytest.mark.parametrize("text", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1/> { }" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1/> { }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ?o }",
    "SELECT * WHERE { ?s ?p '''it's a ''SERVICE'' <x> {}''' }",
])
def test_the_word_service_elsewhere_is_no_service_call(text):
    check_query(text, READ_ONLY)


def test_service_spelled_with_escapes_is_refused_either_way():
    # Oxigraph decodes \u escapes only inside strings and IRIs; the guard refuses both readings
    with pytest.raises(ForbiddenOperation, match="with its .u escapes decoded"):
        check_query("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1/> { ?s ?p ?o } }", READ_ONLY)


def test_the_refusal_names_line_and_column():
    with pytest.raises(ForbiddenOperation, match="SERVICE at line 3, column 3"):
        check_query("SELECT *\nWHERE {\n  SERVICE <http://127.0.0.1/> { ?s ?p ?o }\n}", READ_ONLY)


# --- FROM, FROM NAMED and the protocol's graphs -------------------------------------------------

@pytest.mark.parametrize("text,clause", [
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
    ("SELECT * FROM NAMED <http://127.0.0.1:1/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
     "FROM NAMED <http://127.0.0.1:1/data.ttl>"),
    ("PREFIX f: <file:///etc/> SELECT * FROM f:passwd WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
    ("PREFIX : <file:///etc/> SELECT * FROM:passwd WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
    ("BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
    ("SELECT * FROM <file:///etc/\\u0070asswd> WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
])
def test_from_a_document_is_refused(text, clause):
    with pytest.raises(UnknownGraph, match=f"{clause} at line 1, column \\d+: not a graph of this dataset"):
        check_query(text, WITH_GRAPH)


def test_from_a_graph_of_the_store_is_allowed():
    check_query(f"SELECT * FROM <{GRAPH}> WHERE {{ ?s ?p ?o }}", WITH_GRAPH)
    check_query(f"SELECT * FROM NAMED <{GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", WITH_GRAPH)
    check_query("PREFIX g: <http://example.org/graph/> SELECT * FROM g:one WHERE { ?s ?p ?o }", WITH_GRAPH)
    check_query("BASE <http://example.org/graph/> SELECT * FROM <one> WHERE { ?s ?p ?o }", WITH_GRAPH)


def test_protocol_graphs_must_be_graphs_of_the_store():
    check_query("ASK {}", WITH_GRAPH, default_graphs=[GRAPH], named_graphs=[GRAPH])
    with pytest.raises(UnknownGraph, match="names the graph <file:///etc/passwd>"):
        check_query("ASK {}", WITH_GRAPH, default_graphs=["file:///etc/passwd"])
    with pytest.raises(UnknownGraph, match="data is all in the default graph"):
        check_query("ASK {}", READ_ONLY, named_graphs=[GRAPH])


# --- LOAD and updates -------------------------------------------------------------------------

def test_updates_are_refused_on_a_read_only_policy():
    with pytest.raises(ForbiddenOperation, match="read-only"):
        check_update("INSERT DATA { <urn:a> <urn:b> <urn:c> }", READ_ONLY)


def test_updates_pass_when_allowed_but_load_never_does():
    writable = Policy(allow_update=True)
    check_update("INSERT DATA { <urn:a> <urn:b> <urn:c> }", writable)
    check_update("DELETE WHERE { ?s <urn:b> ?o }", writable)
    with pytest.raises(ForbiddenOperation, match="LOAD at line 1, column 1 is not allowed"):
        check_update("LOAD <file:///etc/passwd>", writable)
    with pytest.raises(ForbiddenOperation, match="LOAD"):
        check_update("load<http://127.0.0.1:1/x.ttl> INTO GRAPH <urn:g>", writable)
    with pytest.raises(UnknownGraph, match="USING <file:///etc/passwd>"):
        check_update("DELETE { ?s ?p ?o } USING <file:///etc/passwd> WHERE { ?s ?p ?o }", writable)


def test_load_in_a_query_is_refused_too():
    with pytest.raises(ForbiddenOperation, match="LOAD"):
        check_query("LOAD <http://127.0.0.1:1/x.ttl>", READ_ONLY)


def test_load_reaches_out_without_the_guard():
    import pyoxigraph

    with loopback_listener() as listener:
        with pytest.raises(ForbiddenOperation):
            check_update(f"LOAD <{listener.url}/x.ttl>", Policy(allow_update=True))
        with contextlib.suppress(OSError, RuntimeError):
            pyoxigraph.Store().update(f"LOAD <{listener.url}/x.ttl>")
    assert len(listener.connections) == 1


# --- keywords glued to other tokens: the guard agrees with the engine --------------------------------

def _engine_reads(text: str, update: bool) -> bool:
    """Whether Oxigraph parses ``text`` (running it, against an empty store, as far as it goes)."""
    import pyoxigraph

    from kgtool.namespaces import PREFIXES

    try:
        if update:
            pyoxigraph.Store().update(text, prefixes=PREFIXES)
        else:
            answer = pyoxigraph.Store().query(text, prefixes=PREFIXES)
            if not isinstance(answer, pyoxigraph.QueryBoolean):
                list(answer)
    except SyntaxError:
        return False
    except (OSError, RuntimeError, ValueError):
        pass  # read, and run until the listener hung up
    return True


def test_the_guard_refuses_every_spelling_the_engine_reads_as_a_call_out():
    from tests.egress_corpus import SERVICE_SPELLINGS, spellings

    corpus = spellings()
    assert len(corpus) >= 2000
    writable = Policy(allow_update=True)
    live, missed = 0, []
    with loopback_listener() as listener:
        for spelling in corpus:
            text = spelling.at(listener.url)
            if not _engine_reads(text, spelling.update) or _engine_reads(spelling.neutral(listener.url),
                                                                          spelling.update):
                continue  # the engine does not read the keyword as one
            live += 1
            try:
                (check_update if spelling.update else check_query)(text, writable)
            except guard.QueryRefused:
                continue
            missed.append(spelling.name)
    print(f"{len(corpus)} spellings, {live} read by the engine as keywords, {len(listener.connections)} calls out without the guard")
    assert not missed, f"{len(missed)} of {live} spellings the engine reads pass the guard: {missed[:10]}"
    assert live > len(corpus) // 2  # the corpus is live: in most spellings the engine reads the keyword
    assert listener.connections  # and, without the guard, the engine does call out


# --- the embedded engine: the user's own queries never call a service either ------------------------

def test_no_service_spelling_calls_out_from_a_local_query():
    """``kgtool query``, ``export --query``, ``viz --query`` and the library run queries on the embedded
    engine, which would follow SERVICE to any host: every spelling of the corpus, and every payload above,
    is refused there (or read as no call), and the listener hears nothing."""
    import pyoxigraph

    import kgtool
    from kgtool.errors import QueryError
    from tests.egress_corpus import SERVICE_SPELLINGS, spellings

    store = pyoxigraph.Store()
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:p"), pyoxigraph.Literal(True)))
    queries = [s for s in spellings() if s.keyword in SERVICE_SPELLINGS and not s.update]
    assert len(queries) > 1000
    refused = 0
    with loopback_listener() as listener:
        for text in [*(s.at(listener.url) for s in queries), *(p.replace("{url}", listener.url)
                                                                 for p in SERVICE_PAYLOADS.values())]:
            try:
                kgtool.run_query(text, store=store)
            except ForbiddenOperation as err:
                assert "is not allowed: kgtool never calls other services" in str(err)
                refused += 1
            except QueryError:
                pass  # not SPARQL at all
    print(f"{len(queries)} spellings and {len(SERVICE_PAYLOADS)} payloads, {refused} refused")
    assert listener.connections == []
    assert refused > len(queries) // 2


def test_a_query_for_an_endpoint_is_not_run_here_to_learn_its_form():
    """A query sent to an endpoint may call a service there (``SERVICE wikibase:label`` is common): it is
    sent as it is, and Oxigraph, which answers an ASK as it parses it, is not asked to parse it here."""
    import kgtool
    from kgtool.errors import EndpointError
    from tests.serving import free_port

    endpoint = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    with loopback_listener() as listener:
        for text in (f"ASK {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}",
                     f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}/sparql> {{ ?s ?p ?o }} }}"):
            with pytest.raises(EndpointError, match="cannot connect"):
                kgtool.run_query(text, endpoint=endpoint)
    assert listener.connections == []


@pytest.mark.parametrize("text, form", [
    ("PREFIX ask: <urn:x:> SELECT * WHERE { SERVICE <urn:x:s> { ?s ask:p ?o } }", "SELECT"),
    ("# SELECT\nASK { SERVICE <urn:x:s> { } }", "ASK"),
    ("DESCRIBE ?s WHERE { SERVICE <urn:x:s> { ?s ?p ?o } }", "CONSTRUCT"),
    ("CONSTRUCT WHERE { SERVICE <urn:x:s> { ?s ?p ?o } }", "CONSTRUCT"),
])
def test_the_form_is_read_from_the_first_keyword_of_a_form(text, form):
    assert guard.query_form(text) == form
