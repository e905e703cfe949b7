// The query editor of /query: CodeMirror over the query textarea, the named queries, runs at /sparql,
// the answer as a table. Data is only ever put in the page as text (textContent, attributes, hrefs
// built with URLSearchParams), never parsed as HTML. Parameter values are bound by the server
// (/queries/<name>/bind.json), never pasted into the SPARQL text here.
"use strict";

(() => {
  const MAX_ROWS = 1000; // rows shown; the downloads have them all
  const MAX_URL = 2000; // longer download links are sent as a POST form instead
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";

  const data = JSON.parse(document.getElementById("editor-data").textContent);
  const catalogue = new Map(data.queries.map((query) => [query.name, query]));
  const prefixes = Object.entries(data.prefixes);

  const $ = (id) => document.getElementById(id);
  const form = $("editor");
  const textarea = $("query");
  const runButton = $("run");
  const status = $("status");
  const errorBox = $("error");
  const results = $("results");
  const downloads = $("downloads");

  let selected = null; // the named query whose parameters are shown
  let inputs = new Map(); // parameter name -> input
  let lastQuery = null; // the text of the last successful run, for the downloads
  let running = null; // AbortController of the run under way

  const editor = window.CodeMirror
    ? CodeMirror.fromTextArea(textarea, {
        mode: "application/sparql-query",
        lineNumbers: true,
        matchBrackets: true,
        lineWrapping: true,
        indentUnit: 2,
        viewportMargin: Infinity,
        extraKeys: { "Ctrl-Enter": () => run(), "Cmd-Enter": () => run() },
      })
    : null;
  const getText = () => (editor ? editor.getValue() : textarea.value);
  const setText = (text) => (editor ? editor.setValue(text) : (textarea.value = text));

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // -- named queries and their parameters ---------------------------------------------------------

  function select(name, { keepText = false, values = {}, keepUrl = false } = {}) {
    const query = catalogue.get(name);
    if (!query) return;
    selected = query;
    for (const button of document.querySelectorAll(".named-query")) {
      const on = button.dataset.name === name;
      button.classList.toggle("selected", on);
      button.setAttribute("aria-pressed", String(on));
    }
    if (!keepText) setText(query.text);
    $("named-title").textContent = query.title || query.name;
    $("named-description").textContent = query.description;
    showParameters(query, values);
    $("named").hidden = false;
    if (!keepUrl) history.replaceState(null, "", "/query?" + new URLSearchParams({ name }));
  }

  function deselect() {
    selected = null;
    inputs = new Map();
    $("parameters").replaceChildren();
    $("named").hidden = true;
    for (const button of document.querySelectorAll(".named-query")) {
      button.classList.remove("selected");
      button.setAttribute("aria-pressed", "false");
    }
  }

  function showParameters(query, values) {
    inputs = new Map();
    const box = $("parameters");
    box.replaceChildren();
    for (const parameter of query.parameters) {
      const label = element("label", undefined, "parameter");
      const input = document.createElement("input");
      input.name = parameter.name;
      input.id = "parameter-" + parameter.name;
      input.dataset.parameter = parameter.name;
      if (parameter.type === "integer") {
        input.type = "number";
        input.step = "1";
        if (parameter.minimum !== null) input.min = String(parameter.minimum);
        if (parameter.maximum !== null) input.max = String(parameter.maximum);
      } else {
        input.type = "text";
        if (parameter.type === "iri") input.placeholder = "https://…";
      }
      input.value = values[parameter.name] ?? parameter.default ?? "";
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          run();
        }
      });
      const about = parameter.default === null ? "required" : `default: ${parameter.default || "empty"}`;
      label.append(element("span", parameter.name, "parameter-name"), input,
                   element("span", `${parameter.type}, ${about}. ${parameter.description}`, "note"));
      box.append(label);
      inputs.set(parameter.name, input);
    }
  }

  function parameterValues() {
    const values = {};
    for (const parameter of selected.parameters) {
      const value = inputs.get(parameter.name).value;
      if (value === "" && parameter.default === null) continue; // the server says it is needed
      values[parameter.name] = value;
    }
    return values;
  }

  // The parameters no longer apply once the text has none of their variables (another query typed in).
  function forgetParametersIfGone() {
    if (!selected || !selected.parameters.length) return;
    const text = getText();
    const mentioned = selected.parameters.some((parameter) =>
      new RegExp(`[?$]${parameter.name}(?![\\w])`).test(text));
    if (!mentioned) deselect();
  }

  // -- running --------------------------------------------------------------------------------

  async function failure(response) {
    const type = response.headers.get("Content-Type") || "";
    let message = (await response.text()).trim();
    if (type.startsWith("application/json")) {
      try {
        message = JSON.parse(message).error ?? message;
      } catch (ignored) {
        // keep the text as it came
      }
    }
    return new Error(`${response.status} ${response.statusText || ""}`.trim() + (message ? `: ${message}` : ""));
  }

  async function boundText(text, signal) {
    if (!selected || !selected.parameters.length) return text;
    const body = { parameters: parameterValues() };
    if (text !== selected.text) body.query = text; // an edited version of the named query
    const response = await fetch(`/queries/${encodeURIComponent(selected.name)}/bind.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    if (!response.ok) throw await failure(response);
    return (await response.json()).query;
  }

  async function run() {
    if (running) running.abort();
    const controller = new AbortController();
    running = controller;
    clear();
    const text = getText();
    if (!text.trim()) {
      showError("Type a query first, or pick a named query.");
      running = null;
      return;
    }
    status.textContent = "Running…";
    runButton.disabled = true;
    const started = performance.now();
    try {
      const query = await boundText(text, controller.signal);
      const response = await fetch("/sparql", {
        method: "POST",
        headers: { Accept: ACCEPT, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ query }),
        signal: controller.signal,
      });
      if (!response.ok) throw await failure(response);
      const type = response.headers.get("Content-Type") || "";
      let summary;
      if (type.startsWith("application/sparql-results+json")) {
        const answer = await response.json();
        summary = "boolean" in answer ? showBoolean(answer.boolean) : showTable(answer);
        offerDownloads(query, false);
      } else {
        summary = showGraph(await response.text());
        offerDownloads(query, true);
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      status.textContent = `${summary} · ${seconds} s`;
      $("ran-query").textContent = query;
      $("ran").hidden = false;
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = "";
      showError(error.message);
    } finally {
      if (running === controller) {
        running = null;
        runButton.disabled = false;
      }
    }
  }

  function clear() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    results.replaceChildren();
    downloads.hidden = true;
    $("ran").hidden = true;
    status.textContent = "";
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  // -- answers --------------------------------------------------------------------------------

  function shorten(iri) {
    for (const [prefix, namespace] of prefixes) {
      if (iri.startsWith(namespace) && /^[\p{L}\p{N}_-]+$/u.test(iri.slice(namespace.length))) {
        return `${prefix}:${iri.slice(namespace.length)}`;
      }
    }
    return iri;
  }

  const NUMBERS = /#(integer|decimal|double|float|long|int|short|nonNegativeInteger|positiveInteger)$/;

  function term(value) {
    if (value.type === "uri") {
      const link = element("a", shorten(value.value));
      link.href = "/entity?" + new URLSearchParams({ iri: value.value });
      link.title = value.value;
      return link;
    }
    if (value.type === "literal" || value.type === "typed-literal") {
      const text = element("span", value.value, "literal");
      if (value["xml:lang"]) text.title = "@" + value["xml:lang"];
      else if (value.datatype) text.title = shorten(value.datatype);
      return text;
    }
    if (value.type === "bnode") return element("span", "_:" + value.value, "bnode");
    if (value.type === "triple") {
      const quoted = element("span", undefined, "triple");
      const { subject, predicate, object } = value.value;
      quoted.append("<< ", term(subject), " ", term(predicate), " ", term(object), " >>");
      return quoted;
    }
    return document.createTextNode(JSON.stringify(value));
  }

  function showTable(answer) {
    const variables = answer.head.vars || [];
    const rows = answer.results.bindings;
    const table = element("table", undefined, "results");
    const head = table.createTHead().insertRow();
    for (const variable of variables) head.append(element("th", variable));
    const body = table.createTBody();
    for (const row of rows.slice(0, MAX_ROWS)) {
      const line = body.insertRow();
      for (const variable of variables) {
        const cell = line.insertCell();
        const value = row[variable];
        if (!value) continue;
        cell.append(term(value));
        if (value.datatype && NUMBERS.test(value.datatype)) cell.className = "number";
      }
    }
    const wrapper = element("div", undefined, "table-wrapper");
    wrapper.append(table);
    results.replaceChildren(wrapper);
    const count = rows.length.toLocaleString("en");
    if (rows.length > MAX_ROWS) {
      results.prepend(element("p", `The first ${MAX_ROWS.toLocaleString("en")} of ${count} rows; ` +
                                   "the downloads have them all.", "note"));
      return `${count} rows`;
    }
    return rows.length === 1 ? "1 row" : `${count} rows`;
  }

  function showBoolean(value) {
    results.replaceChildren(element("p", String(value), "boolean"));
    return `ASK: ${value}`;
  }

  function showGraph(turtle) {
    results.replaceChildren(element("pre", turtle, "graph"));
    return "a graph, in Turtle";
  }

  // -- downloads: GET links when short, a POST form when the query is too long for a URL ----------

  function offerDownloads(query, graph) {
    lastQuery = query;
    for (const [format, extension] of [["csv", graph ? "nt" : "csv"], ["json", graph ? "jsonld" : "json"]]) {
      const link = $("download-" + format);
      link.href = "/sparql?" + new URLSearchParams({ format, query });
      link.download = "results." + extension;
      link.dataset.format = format;
    }
    downloads.hidden = false;
  }

  downloads.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-format]");
    if (!link || link.href.length <= MAX_URL || lastQuery === null) return;
    event.preventDefault();
    const post = $("download-form");
    post.action = "/sparql?" + new URLSearchParams({ format: link.dataset.format });
    post.elements.query.value = lastQuery;
    post.submit();
  });

  // -- wiring ---------------------------------------------------------------------------------

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  $("named-queries").addEventListener("click", (event) => {
    const button = event.target.closest(".named-query");
    if (!button) return;
    select(button.dataset.name);
    if (editor) editor.focus();
  });
  if (editor) {
    editor.on("changes", forgetParametersIfGone);
  } else {
    textarea.addEventListener("input", forgetParametersIfGone);
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        run();
      }
    });
  }
  if (data.name) select(data.name, { keepText: true, values: data.values, keepUrl: true });
})();
