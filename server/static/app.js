/* paperkg pages: gallery filter, running gallery queries, the SPARQL editor, result tables.
 *
 * Plain JavaScript, no framework, no external asset. Data from the server is only ever put in the page with
 * textContent / setAttribute on elements made with createElement (never innerHTML), and a link is made only for
 * resource pages of this server and for http(s) IRIs, so no value from the graph can become markup or script.
 */
(function () {
  "use strict";

  var doc = document;
  doc.documentElement.classList.remove("no-js");
  doc.documentElement.classList.add("js");

  var body = doc.body;
  var BASE = body.getAttribute("data-base") || "https://w3id.org/paperkg/resource/";
  var ROOT = body.getAttribute("data-root") || "";
  var SHOW_ROWS = 1000;
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte"].map(function (t) { return XSD + t; });
  var PREFIXES = [
    ["kg", "https://w3id.org/paperkg/ontology#"], ["dcterms", "http://purl.org/dc/terms/"],
    ["rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"], ["rdfs", "http://www.w3.org/2000/01/rdf-schema#"],
    ["skos", "http://www.w3.org/2004/02/skos/core#"], ["prov", "http://www.w3.org/ns/prov#"],
    ["xsd", XSD], ["owl", "http://www.w3.org/2002/07/owl#"], ["schema", "https://schema.org/"]
  ];

  // -- small DOM helpers ----------------------------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = doc.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
      });
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function plural(n, word) { return n.toLocaleString("en") + " " + word + (n === 1 ? "" : "s"); }

  // -- IRIs -------------------------------------------------------------------------------------------------------

  /* A link for an IRI: this server's page for IRIs under the base, the IRI itself for http(s), else none. */
  function hrefFor(iri) {
    if (BASE && iri.indexOf(BASE) === 0 && iri.length > BASE.length) {
      return { href: ROOT + "/resource/" + iri.slice(BASE.length).split("/").map(encodeURIComponent).join("/"),
               external: false };
    }
    if (/^https?:\/\//i.test(iri)) return { href: iri, external: true };
    return null;
  }

  function compact(iri) {
    if (BASE && iri.indexOf(BASE) === 0 && iri.length > BASE.length) return iri.slice(BASE.length);
    for (var i = 0; i < PREFIXES.length; i++) {
      var ns = PREFIXES[i][1];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length && /^[\w.-]+$/.test(iri.slice(ns.length))) {
        return PREFIXES[i][0] + ":" + iri.slice(ns.length);
      }
    }
    return iri;
  }

  function link(text, iri, lang) {
    var target = hrefFor(iri);
    if (!target) return el("span", { title: iri, lang: lang || null }, text);
    var a = el("a", { href: target.href, title: iri, lang: lang || null }, text);
    if (target.external) {
      a.className = "ext";
      a.rel = "noopener noreferrer nofollow";
    }
    return a;
  }

  function kindOf(term) {
    if (!term) return "empty";
    if (term.type === "uri") return "iri";
    if (term.type === "bnode") return "bnode";
    if (term.type === "triple") return "literal";
    if (term.datatype && NUMERIC.indexOf(term.datatype) >= 0) return "number";
    if (term.datatype === XSD + "boolean") return "boolean";
    return "literal";
  }

  function termNode(term) {
    if (!term) return null;
    if (term.type === "uri") return link(compact(term.value), term.value);
    if (term.type === "bnode") return el("span", null, "_:" + term.value);
    if (term.type === "triple") {
      var t = term.value;
      return el("span", null, "<< " + [t.subject, t.predicate, t.object].map(function (x) {
        return x.type === "uri" ? compact(x.value) : x.value;
      }).join(" ") + " >>");
    }
    var attrs = { lang: term["xml:lang"] || null };
    if (term.datatype && term.datatype !== XSD + "string" && kindOf(term) !== "boolean") {
      attrs.title = compact(term.datatype);
    }
    return el("span", attrs, term.value);
  }

  /* Label columns and the IRI column each names (the same rule as server/views.py `pairs`). */
  function pairs(vars) {
    var out = {};
    vars.forEach(function (v) {
      var candidates = null;
      if (v === "title") candidates = ["paper"];
      else if (v === "label") candidates = ["entity"];
      else if (/_label$/.test(v)) { var stem = v.slice(0, -6); candidates = [stem + "_iri", stem]; }
      if (!candidates) return;
      for (var i = 0; i < candidates.length; i++) {
        if (vars.indexOf(candidates[i]) >= 0) { out[v] = candidates[i]; return; }
      }
    });
    return out;
  }

  // -- N-Triples (CONSTRUCT / DESCRIBE answers) -------------------------------------------------------------------

  var NT_TERM = /^(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[a-z]+)?|\^\^<[^>]*>)?)\s*/;

  function unescapeNT(s) {
    return s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[tbnrf"'\\])/g, function (m, e) {
      switch (e[0]) {
        case "t": return "\t"; case "b": return "\b"; case "n": return "\n"; case "r": return "\r";
        case "f": return "\f"; case "u": case "U": return String.fromCodePoint(parseInt(e.slice(1), 16));
        default: return e;
      }
    });
  }

  function ntTerm(text) {
    if (text[0] === "<") return { type: "uri", value: unescapeNT(text.slice(1, -1)) };
    if (text[0] === "_") return { type: "bnode", value: text.slice(2) };
    var end = text.lastIndexOf('"');
    var term = { type: "literal", value: unescapeNT(text.slice(1, end)) };
    var rest = text.slice(end + 1);
    if (rest[0] === "@") term["xml:lang"] = rest.slice(1);
    else if (rest.indexOf("^^<") === 0) term.datatype = unescapeNT(rest.slice(3, -1));
    return term;
  }

  function parseNTriples(text) {
    var triples = [];
    text.split("\n").forEach(function (line) {
      var rest = line.trim();
      if (!rest || rest[0] === "#") return;
      var terms = [];
      for (var i = 0; i < 3; i++) {
        var m = NT_TERM.exec(rest);
        if (!m) return;
        terms.push(ntTerm(m[1]));
        rest = rest.slice(m[0].length);
      }
      triples.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    });
    return triples;
  }

  // -- result tables ----------------------------------------------------------------------------------------------

  function metaLine(count, noun, info) {
    var p = el("p", { "class": "result-meta" });
    var lead = el("span");
    lead.appendChild(el("strong", null, count.toLocaleString("en")));
    lead.appendChild(doc.createTextNode(" " + noun + (count === 1 ? "" : "s")));
    p.appendChild(lead);
    if (info.truncated) p.appendChild(el("span", { "class": "warn" }, "cut at the server's row cap (" + info.truncated + ")"));
    if (count > SHOW_ROWS) p.appendChild(el("span", null, "showing the first " + SHOW_ROWS.toLocaleString("en") + ", download for all"));
    if (info.ms !== undefined) p.appendChild(el("span", { "class": "timing" }, info.ms + " ms"));
    if (info.permalink) {
      var a = el("a", { href: info.permalink }, "link to these results");
      p.appendChild(a);
    }
    return p;
  }

  function tableOf(columns, rows, makeCell) {
    var wrap = el("div", { "class": "table-wrap", tabindex: "0", role: "region", "aria-label": "Results" });
    var table = el("table", { "class": "data" });
    var thead = el("thead"), tr = el("tr");
    columns.forEach(function (c) { tr.appendChild(el("th", { scope: "col" }, c)); });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    var frag = doc.createDocumentFragment();
    rows.slice(0, SHOW_ROWS).forEach(function (row) {
      var r = el("tr");
      columns.forEach(function (c, i) {
        var made = makeCell(row, c, i);
        var long = made.node && made.node.textContent.length > 80;
        var td = el("td", { "class": "k-" + made.kind + (long ? " k-long" : "") });
        if (made.node) td.appendChild(made.node);
        r.appendChild(td);
      });
      frag.appendChild(r);
    });
    tbody.appendChild(frag);
    table.appendChild(tbody);
    wrap.appendChild(table);
    return wrap;
  }

  function renderSelect(container, data, info) {
    var vars = data.head.vars || [];
    var hide = info.hide || [];
    var columns = vars.filter(function (v) { return hide.indexOf(v) < 0; });
    if (!columns.length) columns = vars.slice();
    var rows = data.results.bindings;
    var linked = pairs(vars);
    container.appendChild(metaLine(rows.length, "row", info));
    if (!rows.length) {
      container.appendChild(el("p", { "class": "empty-result" }, "No rows. Try other values."));
      return;
    }
    container.appendChild(tableOf(columns, rows, function (row, name) {
      var term = row[name];
      var target = linked[name] && row[linked[name]];
      if (term && term.type === "literal" && target && target.type === "uri") {
        return { kind: "label", node: link(term.value, target.value, term["xml:lang"]) };
      }
      return { kind: kindOf(term), node: termNode(term) };
    }));
  }

  function renderBoolean(container, value, info) {
    var p = el("p", { "class": "answer answer-" + (value ? "yes" : "no") }, "Answer: ");
    p.appendChild(el("strong", null, value ? "true" : "false"));
    container.appendChild(p);
    if (info.ms !== undefined) container.appendChild(el("p", { "class": "result-meta timing" }, info.ms + " ms"));
  }

  function renderTriples(container, text, info) {
    var triples = parseNTriples(text);
    container.appendChild(metaLine(triples.length, "triple", info));
    if (!triples.length) {
      container.appendChild(el("p", { "class": "empty-result" }, "No triples."));
      return;
    }
    var columns = ["subject", "predicate", "object"];
    container.appendChild(tableOf(columns, triples, function (t, name) {
      return { kind: kindOf(t[name]), node: termNode(t[name]) };
    }));
  }

  // A fetch that failed without an answer (not one the page cancelled): say so where the results go.
  function unreachable(results) {
    return function (err) {
      if (err && err.name === "AbortError") return;
      clear(results);
      renderError(results, "The server could not be reached: " + (err && err.message ? err.message : err));
    };
  }

  function renderError(container, message) {
    container.appendChild(el("div", { "class": "alert", role: "alert" }, message));
  }

  /* Render a fetch Response into a container; resolves to the kind of result ("table", "graph", "boolean"). */
  function renderResponse(container, response, info) {
    var type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
    var truncated = response.headers.get("X-Paperkg-Truncated") === "true";
    if (truncated) info.truncated = plural(parseInt(response.headers.get("X-Paperkg-Max-Rows") || "0", 10), "row");
    if (type === "application/sparql-results+json" || type === "application/json") {
      return response.json().then(function (data) {
        clear(container);
        if (typeof data.boolean === "boolean") { renderBoolean(container, data.boolean, info); return "boolean"; }
        renderSelect(container, data, info);
        return "table";
      });
    }
    return response.text().then(function (text) {
      clear(container);
      if (type === "application/n-triples") { renderTriples(container, text, info); return "graph"; }
      container.appendChild(metaLine(text.length, "character", info));
      container.appendChild(el("pre", { "class": "code raw" }, text));
      return "text";
    });
  }

  function errorText(response) {
    return response.text().then(function (text) {
      return (text || (response.status + " " + response.statusText)).trim();
    });
  }

  // -- the gallery ----------------------------------------------------------------------------------------------

  function initGallery() {
    var cards = Array.prototype.slice.call(doc.querySelectorAll(".card[data-query]"));
    var input = doc.getElementById("filter");
    var status = doc.getElementById("filter-status");
    var noMatch = doc.getElementById("no-match");
    var tagButtons = Array.prototype.slice.call(doc.querySelectorAll(".tag-filter"));
    var state = { text: "", tag: "" };
    var haystack = cards.map(function (card) {
      return [card.getAttribute("data-query"), card.querySelector(".card-title").textContent,
              card.querySelector(".card-desc").textContent, (card.getAttribute("data-tags") || "").replace(/\|/g, " ")]
        .join(" ").toLowerCase();
    });

    function apply(updateUrl) {
      var words = state.text.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      cards.forEach(function (card, i) {
        var tags = (card.getAttribute("data-tags") || "").split("|");
        var ok = (!state.tag || tags.indexOf(state.tag) >= 0) &&
          words.every(function (w) { return haystack[i].indexOf(w) >= 0; });
        card.hidden = !ok;
        if (ok) shown++;
      });
      tagButtons.forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-tag") === state.tag));
      });
      if (status) {
        status.textContent = shown === cards.length ? cards.length + " queries"
          : shown + " of " + cards.length + " queries" + (state.tag ? " tagged " + state.tag : "");
      }
      if (noMatch) noMatch.hidden = shown !== 0;
      if (updateUrl && window.history && history.replaceState) {
        var params = new URLSearchParams();
        if (state.text) params.set("filter", state.text);
        if (state.tag) params.set("tag", state.tag);
        var qs = params.toString();
        history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
      }
    }

    function setTag(tag) {
      state.tag = state.tag === tag ? "" : tag;
      apply(true);
    }

    var initial = new URLSearchParams(location.search);
    state.text = initial.get("filter") || "";
    state.tag = initial.get("tag") || "";
    if (input) {
      input.value = state.text;
      input.addEventListener("input", function () { state.text = input.value; apply(true); });
      input.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { input.value = ""; state.text = ""; apply(true); }
      });
    }
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || !input) return;
      var t = e.target;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
    tagButtons.forEach(function (b) {
      b.addEventListener("click", function () { setTag(b.getAttribute("data-tag")); });
    });
    Array.prototype.forEach.call(doc.querySelectorAll(".card .tag"), function (b) {
      b.addEventListener("click", function () {
        state.tag = "";
        setTag(b.getAttribute("data-tag"));
        var side = doc.querySelector(".sidebar");
        if (side && side.getBoundingClientRect().top < 0) side.scrollIntoView({ block: "start" });
      });
    });
    Array.prototype.forEach.call(doc.querySelectorAll("[data-clear-filter]"), function (b) {
      b.addEventListener("click", function () {
        state.text = ""; state.tag = "";
        if (input) { input.value = ""; input.focus(); }
        apply(true);
      });
    });
    if (state.text || state.tag) apply(false);
    else if (status) status.textContent = cards.length + " queries";
  }

  /* The values of a query form as URL parameters; an empty value of a number, IRI... means "the default". */
  function formParams(form) {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled) return;
      if (field.value === "" && field.getAttribute("data-empty-ok") !== "true") return;
      params.append(field.name, field.value);
    });
    return params;
  }

  function initQueryCards() {
    Array.prototype.forEach.call(doc.querySelectorAll(".card[data-query]"), function (card) {
      var form = card.querySelector("form.run-form");
      var results = card.querySelector(".results");
      var button = form && form.querySelector("button.run");
      var graph = /^(CONSTRUCT|DESCRIBE)$/.test(card.getAttribute("data-form"));
      var hide = (card.getAttribute("data-params") || "").split(" ").filter(Boolean);
      var running = null;
      if (!form) return;

      function updateLinks() {
        var qs = formParams(form).toString();
        var editor = card.querySelector('[data-link="editor"]');
        if (editor) editor.href = form.getAttribute("data-editor") + (qs ? "?" + qs : "");
        Array.prototype.forEach.call(card.querySelectorAll('[data-link="download"]'), function (a) {
          var p = formParams(form);
          p.set("_format", a.getAttribute("data-format"));
          a.href = form.getAttribute("data-api") + "?" + p.toString();
        });
      }

      form.addEventListener("input", updateLinks);
      form.addEventListener("change", updateLinks);
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        if (running) running.abort();
        var controller = window.AbortController ? new AbortController() : null;
        running = controller;
        var params = formParams(form);
        var qs = params.toString();
        var url = form.getAttribute("data-api") + (qs ? "?" + qs : "");
        var permalink = form.getAttribute("action") + (qs ? "?" + qs : "");
        Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (f) { f.removeAttribute("aria-invalid"); });
        if (button) { button.setAttribute("aria-busy", "true"); button.disabled = true; }
        card.setAttribute("aria-busy", "true");
        var started = performance.now();
        fetch(url, {
          headers: { Accept: graph ? "application/n-triples" : "application/sparql-results+json" },
          signal: controller ? controller.signal : undefined
        }).then(function (response) {
          if (!response.ok) {
            return errorText(response).then(function (message) {
              clear(results);
              renderError(results, message);
              var m = /parameter '([A-Za-z0-9_]+)'/.exec(message);
              var field = m && form.elements.namedItem(m[1]);
              if (field && field.setAttribute) { field.setAttribute("aria-invalid", "true"); field.focus(); }
            });
          }
          var info = { hide: hide, ms: Math.round(performance.now() - started), permalink: permalink };
          return renderResponse(results, response, info).then(function () {
            if (body.getAttribute("data-page") === "query" && history.replaceState) {
              history.replaceState(null, "", permalink);
            }
          });
        }).catch(unreachable(results)).then(function () {
          if (running === controller) {
            running = null;
            if (button) { button.removeAttribute("aria-busy"); button.disabled = false; }
            card.removeAttribute("aria-busy");
          }
        });
      });
    });
  }

  function initCopyButtons() {
    Array.prototype.forEach.call(doc.querySelectorAll("[data-copy]"), function (button) {
      button.addEventListener("click", function () {
        var code = button.parentNode.querySelector("pre");
        if (!code || !navigator.clipboard) return;
        navigator.clipboard.writeText(code.textContent).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        });
      });
    });
  }

  // -- SPARQL highlighting (for the editor; the server highlights the gallery's texts) ---------------------------

  var KEYWORDS = ("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED FROM NAMED WHERE GROUP BY HAVING ORDER ASC " +
    "DESC LIMIT OFFSET VALUES OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND AS UNDEF NOT IN EXISTS A " +
    "INSERT DELETE DATA LOAD CLEAR DROP CREATE ADD MOVE COPY WITH USING INTO TO DEFAULT ALL").split(" ");
  var FUNCTIONS = ("COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI " +
    "BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE " +
    "STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 " +
    "COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE").split(" ");
  var TOKEN = new RegExp([
    "(#[^\\n\\r]*)",
    "(\"\"\"(?:[^\"\\\\]|\\\\[\\s\\S]|\"(?!\"\"))*\"\"\"|'''(?:[^'\\\\]|\\\\[\\s\\S]|'(?!''))*'''|\"(?:[^\"\\\\\\n\\r]|\\\\.)*\"|'(?:[^'\\\\\\n\\r]|\\\\.)*')",
    "(<[^<>\"{}|^`\\\\\\x00-\\x20]*>)",
    "([?$][A-Za-z0-9_\\u00B7-\\uFFFF]+)",
    "((?:[A-Za-z][\\w.-]*)?:[\\w.%:-]*)",
    "([A-Za-z_][\\w-]*)",
    "(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)",
    "([\\s\\S])"
  ].join("|"), "g");
  var KINDS = ["comment", "string", "iri", "var", "pname", "word", "number", ""];

  function highlight(code, text) {
    var frag = doc.createDocumentFragment();
    var plain = "";
    var m;
    TOKEN.lastIndex = 0;
    function flush() { if (plain) { frag.appendChild(doc.createTextNode(plain)); plain = ""; } }
    while ((m = TOKEN.exec(text)) !== null) {
      var kind = "";
      for (var i = 1; i < m.length; i++) { if (m[i] !== undefined) { kind = KINDS[i - 1]; break; } }
      if (kind === "word") {
        var upper = m[0].toUpperCase();
        kind = KEYWORDS.indexOf(upper) >= 0 ? "kw" : FUNCTIONS.indexOf(upper) >= 0 ? "fn" : "";
      }
      if (!kind) { plain += m[0]; continue; }
      flush();
      frag.appendChild(el("span", { "class": "t-" + kind }, m[0]));
    }
    plain += "\n ";  // the textarea's last line, even when empty
    flush();
    clear(code);
    code.appendChild(frag);
  }

  // -- the editor -------------------------------------------------------------------------------------------------

  var TABULAR_DOWNLOADS = [["CSV", "text/csv", "csv"], ["TSV", "text/tab-separated-values", "tsv"],
    ["JSON", "application/sparql-results+json", "json"], ["XML", "application/sparql-results+xml", "xml"]];
  var GRAPH_DOWNLOADS = [["Turtle", "text/turtle", "ttl"], ["N-Triples", "application/n-triples", "nt"],
    ["JSON-LD", "application/ld+json", "jsonld"], ["RDF/XML", "application/rdf+xml", "rdf"]];

  function initEditor() {
    var form = doc.getElementById("editor-form");
    var textarea = doc.getElementById("query");
    var results = doc.getElementById("editor-results");
    var button = doc.getElementById("run");
    var wrapper = doc.getElementById("code-editor");
    var code = doc.getElementById("query-highlight");
    var select = doc.getElementById("load-query");
    var share = doc.getElementById("share");
    var downloads = doc.getElementById("editor-downloads");
    var endpoint = form.getAttribute("action");
    var choices = [];
    try { choices = JSON.parse(doc.getElementById("gallery-queries").textContent); } catch (e) { choices = []; }
    var running = null;

    function sync() {
      code.parentNode.scrollTop = textarea.scrollTop;
      code.parentNode.scrollLeft = textarea.scrollLeft;
    }
    function refresh() { highlight(code, textarea.value); sync(); }
    if (wrapper && code) {
      wrapper.classList.add("enhanced");
      textarea.addEventListener("input", refresh);
      textarea.addEventListener("scroll", sync);
      refresh();
    }

    textarea.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });

    if (select) {
      select.addEventListener("change", function () {
        var chosen = choices.filter(function (c) { return c.id === select.value; })[0];
        if (!chosen) return;
        textarea.value = chosen.sparql;
        refresh();
        if (history.replaceState) history.replaceState(null, "", endpointPage() + "/" + encodeURIComponent(chosen.id));
        textarea.focus();
      });
    }

    function endpointPage() { return ROOT + "/editor"; }

    function post(accept) {
      var bodyParams = new URLSearchParams();
      bodyParams.set("query", textarea.value);
      return fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
        body: bodyParams.toString()
      });
    }

    function showDownloads(kind) {
      if (!downloads) return;
      Array.prototype.slice.call(downloads.querySelectorAll("button")).forEach(function (b) { b.remove(); });
      var list = kind === "graph" ? GRAPH_DOWNLOADS : kind === "table" ? TABULAR_DOWNLOADS : [];
      list.forEach(function (d) {
        var b = el("button", { type: "button", "data-format": d[2] }, d[0]);
        b.addEventListener("click", function () {
          post(d[1]).then(function (response) {
            if (!response.ok) return errorText(response).then(function (m) { clear(results); renderError(results, m); });
            return response.blob().then(function (blob) {
              var url = URL.createObjectURL(blob);
              var a = el("a", { href: url, download: "query-results." + d[2] });
              body.appendChild(a);
              a.click();
              a.remove();
              setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
            });
          });
        });
        downloads.appendChild(b);
      });
      downloads.hidden = list.length === 0;
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (running) running.abort();
      var controller = window.AbortController ? new AbortController() : null;
      running = controller;
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
      var started = performance.now();
      var bodyParams = new URLSearchParams();
      bodyParams.set("query", textarea.value);
      fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded",
                   Accept: "application/sparql-results+json, application/n-triples;q=0.9" },
        body: bodyParams.toString(),
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) {
          return errorText(response).then(function (message) {
            clear(results);
            renderError(results, message);
            showDownloads(null);
          });
        }
        return renderResponse(results, response, { ms: Math.round(performance.now() - started) }).then(showDownloads);
      }).catch(unreachable(results)).then(function () {
        if (running === controller) {
          running = null;
          button.removeAttribute("aria-busy");
          button.disabled = false;
        }
      });
    });

    if (share) {
      share.addEventListener("click", function () {
        var url = location.origin + endpointPage() + "?query=" + encodeURIComponent(textarea.value);
        if (history.replaceState) history.replaceState(null, "", url);
        if (navigator.clipboard) {
          navigator.clipboard.writeText(url).then(function () {
            share.textContent = "Link copied";
            setTimeout(function () { share.textContent = "Copy link"; }, 1500);
          }, function () {});
        }
      });
    }
  }

  // -- start ------------------------------------------------------------------------------------------------------

  function start() {
    var page = body.getAttribute("data-page");
    if (page === "gallery") initGallery();
    if (page === "gallery" || page === "query") initQueryCards();
    if (page === "editor") initEditor();
    initCopyButtons();
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})();
