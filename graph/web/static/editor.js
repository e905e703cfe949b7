// The query editor of /query: CodeMirror over the query textarea, the named queries, and the answer as a table,
// a page at a time. A run is the fields of its URL (name and the parameters' values, query when the text is not
// a named query's own; then page and sort): the page asks its JSON twin, /query.json with the same fields, for
// the rows to show. The server binds the parameters as RDF terms (never this script), runs the query at /sparql,
// keeps the answer, sorts the whole of it, cuts the page and labels its IRIs. Data is only ever put in the page
// as text (textContent, attributes, hrefs from the server or built with URLSearchParams), never parsed as HTML.
"use strict";

(() => {
  const MAX_URL = 2000; // longer requests and download links send the query as a POST form instead
  const MARKS = { ascending: "▲", descending: "▼", none: "↕" };

  const data = JSON.parse(document.getElementById("editor-data").textContent);
  const catalogue = new Map(data.queries.map((query) => [query.name, query]));
  const prefixes = Object.entries(data.prefixes);
  const count = (number) => number.toLocaleString("en");

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
  let lastQuery = null; // the text as run of the answer shown, for the downloads
  let shown = null; // {fields, sort} of the answer shown: paging and sorting ask for other views of it
  let running = null; // AbortController of the request under way

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

  function button(text, className) {
    const node = element("button", text, className);
    node.type = "button";
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

  // -- running: the page's JSON twin answers with a page of the answer ------------------------------

  // What to run, as fields of /query and /query.json.
  function runFields() {
    const text = getText();
    if (!selected) return { query: text };
    const fields = { name: selected.name, ...parameterValues() };
    if (text !== selected.text) fields.query = text; // an edited version of the named query
    return fields;
  }

  const viewFields = (page, sort) => (sort ? { page: String(page), sort } : { page: String(page) });

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

  // A GET of /query.json when the fields fit in a URL, else a POST of the run's fields with the view in the URL.
  async function fetchPage(fields, view, signal) {
    const whole = "/query.json?" + new URLSearchParams({ ...fields, ...view });
    const post = whole.length > MAX_URL;
    const response = await fetch(post ? "/query.json?" + new URLSearchParams(view) : whole, {
      method: post ? "POST" : "GET",
      body: post ? new URLSearchParams(fields) : undefined,
      headers: { Accept: "application/json" },
      signal,
    });
    if (!response.ok) throw await failure(response);
    return (await response.json()).results;
  }

  function run() {
    if (!getText().trim()) {
      if (running) running.abort();
      clear();
      showError("Type a query first, or pick a named query.");
      return;
    }
    show(runFields(), 1, null, true);
  }

  // Shows a page of the answer to a run, sorted by a column (`-` first: descending) or as the query orders it.
  async function show(fields, page, sort, fresh) {
    if (running) running.abort();
    const controller = new AbortController();
    running = controller;
    if (fresh) clear();
    else errorBox.hidden = true;
    status.textContent = fresh ? "Running…" : "Loading…";
    runButton.disabled = true;
    results.setAttribute("aria-busy", "true");
    const started = performance.now();
    try {
      const view = viewFields(page, sort);
      const answer = await fetchPage(fields, view, controller.signal);
      const focused = [...results.querySelectorAll("button")].indexOf(document.activeElement);
      const summary = "boolean" in answer ? showBoolean(answer.boolean)
        : "graph" in answer ? showGraph(answer.graph) : showTable(answer);
      results.querySelectorAll("button")[focused]?.focus(); // keyboard users stay on the control they used
      shown = { fields, sort };
      offerDownloads(answer.query, "graph" in answer);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      status.textContent = `${summary} · ${seconds} s`;
      $("ran-query").textContent = answer.query;
      $("ran").hidden = false;
      const address = "/query?" + new URLSearchParams({ ...fields, ...view });
      const short = fields.name ? "/query?" + new URLSearchParams({ name: fields.name }) : "/query";
      history.replaceState(null, "", address.length <= MAX_URL ? address : short); // long texts stay out of URLs
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = "";
      showError(error.message);
    } finally {
      if (running === controller) {
        running = null;
        runButton.disabled = false;
        results.removeAttribute("aria-busy");
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
    shown = null;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  // -- answers --------------------------------------------------------------------------------

  // An IRI as prefix:local where a prefix fits; the local part may have slashes (id:project/pike): for reading.
  function shorten(iri) {
    for (const [prefix, namespace] of prefixes) {
      if (iri.startsWith(namespace) && /^[\p{L}\p{N}_-]+(\/[\p{L}\p{N}_.-]+)*$/u.test(iri.slice(namespace.length))) {
        return `${prefix}:${iri.slice(namespace.length)}`;
      }
    }
    return iri;
  }

  const NUMBERS = /#(integer|decimal|double|float|long|int|short|byte|\w+(Integer|Long|Int|Short|Byte))$/;
  const DATES = /#(date|dateTime|time|gYear|gYearMonth)$/;

  // An IRI: its label linked to its page (the IRI on hover, and below in small), else the IRI shortened.
  function iri(value) {
    const link = element("a", value.label ?? shorten(value.value));
    link.href = value.url;
    link.title = value.value;
    if (value.label === undefined) return link;
    const both = document.createDocumentFragment();
    both.append(link, element("span", shorten(value.value), "iri"));
    return both;
  }

  function term(value) {
    if (value.type === "uri") return iri(value);
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

  // A column header: a button that sorts the whole answer by it, ascending first, then descending.
  function header(variable, answer, numeric) {
    const cell = element("th", undefined, numeric ? "number" : undefined);
    cell.scope = "col";
    const order = answer.sort !== variable ? "none" : answer.descending ? "descending" : "ascending";
    cell.setAttribute("aria-sort", order);
    const control = button(variable, "sort");
    control.dataset.sort = order === "ascending" ? "-" + variable : variable;
    control.title = `Sort all rows by ${variable}, ${order === "ascending" ? "descending" : "ascending"}`;
    const mark = element("span", MARKS[order], "sort-mark");
    mark.setAttribute("aria-hidden", "true");
    control.append(mark);
    cell.append(control);
    return cell;
  }

  const rowsShown = (answer) => `rows ${count(answer.first)}–${count(answer.last)} of ${count(answer.total)}`;

  // First, previous, the rows shown, next, last: each button carries the page it asks for.
  function pager(answer) {
    const nav = element("nav", undefined, "results-pager");
    nav.setAttribute("aria-label", "Pages of the answer");
    const go = (text, page, label) => {
      const control = button(text);
      control.dataset.page = String(page);
      control.disabled = page < 1 || page > answer.pages || page === answer.page;
      control.setAttribute("aria-label", label);
      return control;
    };
    nav.append(go("« First", 1, "First page"), go("‹ Previous", answer.page - 1, "Previous page"),
               element("span", rowsShown(answer), "range"),
               go("Next ›", answer.page + 1, "Next page"), go("Last »", answer.pages, "Last page"));
    return nav;
  }

  const isNumber = (value) => Boolean(value.datatype && NUMBERS.test(value.datatype));

  function showTable(answer) {
    const table = element("table", undefined, "results");
    const head = table.createTHead().insertRow();
    for (const variable of answer.variables) {
      const values = answer.rows.map((row) => row[variable]).filter(Boolean);
      head.append(header(variable, answer, values.length > 0 && values.every(isNumber)));
    }
    const body = table.createTBody();
    for (const row of answer.rows) {
      const line = body.insertRow();
      for (const variable of answer.variables) {
        const cell = line.insertCell();
        const value = row[variable];
        if (!value) continue;
        cell.append(term(value));
        if (isNumber(value)) cell.className = "number";
        else if (value.datatype && DATES.test(value.datatype)) cell.className = "date";
      }
    }
    const wrapper = element("div", undefined, "table-wrapper");
    wrapper.append(table);
    const bar = element("div", undefined, "results-bar");
    const paged = answer.pages > 1;
    if (paged) bar.append(pager(answer));
    const labelled = answer.rows.some((row) => Object.values(row).some((value) => value.label !== undefined));
    if (labelled) bar.append(iriToggle());
    results.replaceChildren(bar, wrapper, ...(paged ? [pager(answer)] : []));
    if (paged) return rowsShown(answer);
    return answer.total === 1 ? "1 row" : `${count(answer.total)} rows`;
  }

  // Shows or hides the IRIs under their labels, for every page to come too.
  function iriToggle() {
    const toggle = element("label", undefined, "iri-toggle note");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = !results.classList.contains("hide-iris");
    box.addEventListener("change", () => results.classList.toggle("hide-iris", !box.checked));
    toggle.append(box, " IRIs under their labels");
    return toggle;
  }

  function showBoolean(value) {
    results.replaceChildren(element("p", String(value), "boolean"));
    return `ASK: ${value}`;
  }

  function showGraph(turtle) {
    results.replaceChildren(element("pre", turtle, "graph"));
    return "a graph, in Turtle";
  }

  results.addEventListener("click", (event) => {
    const control = event.target.closest("button[data-page], button[data-sort]");
    if (!control || !shown) return;
    if (control.dataset.sort) show(shown.fields, 1, control.dataset.sort, false);
    else show(shown.fields, Number(control.dataset.page), shown.sort, false);
  });

  // -- downloads: the whole answer from /sparql; GET links when short, a POST form when too long for a URL --

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
    const chosen = event.target.closest(".named-query");
    if (!chosen) return;
    select(chosen.dataset.name);
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
  if (data.page !== null) show(runFields(), data.page, data.sort, true); // a run's URL: show that page of it
})();
