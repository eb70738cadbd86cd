/*
 * Archive search: a small, accessible UI on Pagefind's JavaScript API (docs/SEARCH.md).
 *
 * - The site root comes from data-site-url on the search page (SITEURL, may be a sub-path).
 * - Pagefind ranks pages; this file splits each page into deep-linked hits (paragraph #pN,
 *   comment #comment-16-1, heading) from the anchors and word locations Pagefind returns, so
 *   every comment is its own hit without one HTML page per comment, and every quotation on a
 *   speaker's page is a result of its own (labelled Quotation, with speaker and outlets).
 * - All text is inserted with text nodes: excerpts are rebuilt from Pagefind's plain page
 *   text and word locations, with <mark> elements created here, so comment text (written by
 *   anyone) can never become markup. No inline styles, no innerHTML.
 */

const FILTERS = [
  ["type", "Type"],
  ["publisher", "Publisher"],
  ["speaker", "Speaker"],
  ["commenter", "Commenter"],
  ["year", "Year"],
];
const TYPE_LABELS = {
  story: "Story",
  comment: "Comment",
  quote: "Quotation",
  person: "Person",
  organization: "Organization",
  "wire passage": "Wire passage",
  event: "Event",
};
const PAGE_SIZE = 10; // page results loaded at a time
const HITS_PER_PAGE = 3; // deep-linked hits shown under one page result
const EXCERPT_WORDS = 32;
// Elements whose id starts a hit: headings and block containers (not inline spans or links).
const HIT_ELEMENTS = /^(h[1-6]|div|p|article|section|aside|li|blockquote|figure|dd|tr)$/i;

const root = document.querySelector("[data-search-root]");
if (root) {
  start(root);
}

/** The site's root path ("/" or "/archive/"), from SITEURL, absolute or not. */
function sitePath(el) {
  const url = new URL((el.dataset.siteUrl || "").replace(/\/+$/, "") + "/", window.location.href);
  return url.pathname;
}

async function start(el) {
  const input = el.querySelector("#search-query");
  const form = el.querySelector("form");
  const status = el.querySelector("#search-status");
  const list = el.querySelector("#search-results");
  const more = el.querySelector("[data-search-more]");
  const options = el.querySelector("[data-search-options]");
  const sortSelect = el.querySelector("#search-sort");
  const base = sitePath(el);
  const params = new URLSearchParams(window.location.search);
  const selects = {};
  let pagefind;
  let seq = 0; // bumped by every search; stale answers are dropped
  let current = null; // {results, shown, query, filters}

  input.value = params.get("q") || "";
  sortSelect.value = ["asc", "desc"].includes(params.get("sort")) ? params.get("sort") : "";
  const header = document.getElementById("site-search");
  if (header) header.value = input.value;

  try {
    pagefind = await import(`${base}pagefind/pagefind.js`);
    await pagefind.options({ baseUrl: base, excerptLength: EXCERPT_WORDS });
  } catch (err) {
    say(status, "Search is unavailable: the search index was not found. Browse the stories and indexes instead.");
    return;
  }

  // Filters: one labelled <select> per filter the index actually has. Their values are loaded on
  // demand (in a large archive they are most of the bytes: one value per commenter), so a first
  // query fetches only what the query needs; a link that names a filter loads them at once.
  const filterBox = el.querySelector("[data-search-filters]");
  const filterButton = el.querySelector("[data-search-filters-load]");
  let filtersLoading = null;
  function loadFilters() {
    filtersLoading ||= (async () => {
      const available = await pagefind.filters();
      for (const [key, label] of FILTERS) {
        const values = Object.keys(available[key] || {});
        if (!values.length) continue;
        values.sort(key === "year" ? (a, b) => b.localeCompare(a) : (a, b) => a.localeCompare(b));
        selects[key] = makeSelect(filterBox, key, label, values, params.get(key));
      }
      filterButton.hidden = true;
    })();
    return filtersLoading;
  }
  filterButton.addEventListener("click", async () => {
    await loadFilters();
    const first = filterBox.querySelector("select");
    if (first) first.focus();
  });
  if (FILTERS.some(([key]) => params.get(key))) await loadFilters();
  options.hidden = false;

  function chosenFilters() {
    const chosen = {};
    for (const [key, select] of Object.entries(selects)) {
      if (select.value) chosen[key] = select.value;
    }
    return chosen;
  }

  function syncUrl(query, filters) {
    const next = new URLSearchParams();
    if (query) next.set("q", query);
    for (const [key, value] of Object.entries(filters)) next.set(key, value);
    if (sortSelect.value) next.set("sort", sortSelect.value);
    const qs = next.toString();
    window.history.replaceState(null, "", qs ? `?${qs}` : window.location.pathname);
  }

  async function run(debounce) {
    const token = ++seq;
    const query = input.value.trim();
    const filters = chosenFilters();
    syncUrl(query, filters);
    if (!query && !Object.keys(filters).length) {
      list.replaceChildren();
      more.hidden = true;
      say(status, "");
      current = null;
      return;
    }
    const opts = { filters };
    const term = query || null;
    const search = debounce ? await pagefind.debouncedSearch(term, opts, 200) : await pagefind.search(term, opts);
    if (search === null || token !== seq) return;
    if (sortSelect.value) sortByDate(search.results, sortSelect.value);
    current = { results: search.results, shown: 0, query, filters };
    list.replaceChildren();
    await showMore(token);
    if (token !== seq) return;
    // Pages split into quotation results: once every page is shown, count what is shown.
    const n = more.hidden ? list.children.length : search.results.length;
    const what = query ? ` for “${query}”` : "";
    const narrowed = Object.keys(filters).length ? " with the chosen filters" : "";
    if (n === 0) {
      const hint = narrowed ? "Try removing a filter." : "Try other or fewer words.";
      say(status, `No results${what}${narrowed}. ${hint}`);
    } else {
      say(status, `${n} ${n === 1 ? "result" : "results"}${what}${narrowed}.`);
    }
  }

  async function showMore(token) {
    const batch = current.results.slice(current.shown, current.shown + PAGE_SIZE);
    const data = await Promise.all(batch.map((r) => r.data()));
    if (token !== seq) return;
    for (const d of data) list.append(...renderResult(d, current.filters));
    current.shown += batch.length;
    more.hidden = current.shown >= current.results.length;
  }

  input.addEventListener("input", () => run(true));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(false);
  });
  form.addEventListener("change", (event) => {
    if (event.target.tagName === "SELECT") run(false);
  });
  more.addEventListener("click", async () => {
    const first = current.shown;
    await showMore(seq);
    const link = list.children[first]?.querySelector("a");
    if (link) link.focus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      const first = list.querySelector("a");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  list.addEventListener("keydown", (event) => moveFocus(event, list, input));

  if (input.value || Object.keys(chosenFilters()).length) run(false);
}

/**
 * Order results by date, "asc" or "desc". The index has no date sort of its own: each page's
 * place in date order is the base-36 number ending its id (fragment name), as the build's merge
 * writes it (newsarchive/pagefind_output.py, docs/SEARCH.md).
 */
function sortByDate(results, direction) {
  const rank = (result) => parseInt(result.id.slice(result.id.lastIndexOf("_") + 1), 36);
  const sign = direction === "desc" ? -1 : 1;
  results.sort((a, b) => sign * (rank(a) - rank(b)));
}

/** Arrow keys move between result links; Escape goes back to the search box. */
function moveFocus(event, list, input) {
  const links = [...list.querySelectorAll("a")];
  const at = links.indexOf(document.activeElement);
  if (at < 0) return;
  let next = null;
  if (event.key === "ArrowDown") next = links[at + 1];
  else if (event.key === "ArrowUp") next = at === 0 ? input : links[at - 1];
  else if (event.key === "Home") next = links[0];
  else if (event.key === "End") next = links[links.length - 1];
  else if (event.key === "Escape") next = input;
  if (next) {
    event.preventDefault();
    next.focus();
  }
}

function say(status, text) {
  status.textContent = text;
}

function makeSelect(box, key, label, values, chosen) {
  const field = document.createElement("div");
  field.className = "search-field";
  const lab = document.createElement("label");
  lab.htmlFor = `search-filter-${key}`;
  lab.textContent = label;
  const select = document.createElement("select");
  select.id = lab.htmlFor;
  select.name = key;
  select.append(new Option("Any", ""));
  for (const value of values) {
    const text = key === "type" ? TYPE_LABELS[value] || value : value;
    select.append(new Option(text, value, false, value === chosen));
  }
  field.append(lab, select);
  box.append(field);
  return select;
}

/**
 * A page's text cut at its anchored elements: [{anchor, start, textStart, end, locations, score}],
 * one group per anchor (anchor null: the text before the first, headline, byline...), each with
 * the query's word locations that fall in it. A heading's own words (a comment's "16.1 Name
 * says:") are its label, so its excerpt starts after them (textStart).
 */
function groupHits(data, wordCount) {
  const anchors = (data.anchors || [])
    .filter((a) => a.id && HIT_ELEMENTS.test(a.element))
    .sort((a, b) => a.location - b.location);
  const groups = [null, ...anchors].map((anchor, k) => {
    const start = anchor ? anchor.location : 0;
    const end = k < anchors.length ? anchors[k].location : wordCount;
    const own = anchor && /^h[1-6]$/i.test(anchor.element) ? wordsOf(anchor.text).length : 0;
    return { anchor, start, textStart: Math.min(end, start + own), end, locations: [], score: 0 };
  });
  for (const hit of data.weighted_locations || []) {
    let i = -1;
    while (i + 1 < anchors.length && anchors[i + 1].location <= hit.location) i++;
    const group = groups[i + 1];
    group.locations.push(hit);
    group.score += hit.balanced_score || 1;
  }
  return groups;
}

function wordsOf(text) {
  return (text || "").split(/\s+/).filter(Boolean);
}

function isComment(group) {
  return Boolean(group.anchor && /^comment-/.test(group.anchor.id));
}

function isQuote(group) {
  return Boolean(group.anchor && /^quote-/.test(group.anchor.id));
}

const matched = (groups) => groups.filter((g) => g.locations.length);

/** A comment heading's number and author: "16.1 Name says:" (theme/templates/_comments.html). */
function commentHead(anchor) {
  const text = (anchor.text || "").replace(/\s+/g, " ").trim();
  const m = /^([\d.]+) (.+?) says:?( |$)/i.exec(text);
  return m ? { number: m[1], author: m[2] } : null;
}

/**
 * What one page contributes: the hits shown under its own result (null: no result for the page)
 * and the quotations shown as results of their own.
 * - type=comment or a commenter: the comments (that commenter's) the words are in, or all of
 *   them when the words are elsewhere on the page or there are no words.
 * - type=quote: the quotations the words are in, or every quotation on the page (the words
 *   named the speaker).
 * - another type: the page's hits, less comments and quotations.
 * - no type: the page's hits; quotations with hits become results of their own, and the page
 *   keeps a result only if the words are also elsewhere on it (or no words were asked).
 */
function planResult(groups, filters) {
  const comments = groups.filter(isComment);
  const quotes = groups.filter(isQuote);
  const rest = groups.filter((g) => !isComment(g) && !isQuote(g));
  if (filters.type === "comment" || filters.commenter) {
    let theirs = comments;
    if (filters.commenter) {
      const name = filters.commenter.replace(/\s+/g, " ").trim().toLowerCase();
      const named = comments.filter((g) => (commentHead(g.anchor)?.author || "").toLowerCase() === name);
      if (named.length) theirs = named;
    }
    const hit = matched(theirs);
    return { hits: hit.length ? hit : theirs, quotes: [] };
  }
  if (filters.type === "quote") {
    const hit = matched(quotes);
    return { hits: null, quotes: hit.length ? hit : quotes };
  }
  if (filters.type) return { hits: matched(rest), quotes: [] };
  const hits = matched([...rest, ...comments]);
  const quoted = matched(quotes);
  return { hits: hits.length || !quoted.length ? hits : null, quotes: quoted };
}

function hitLabel(anchor) {
  const id = anchor.id;
  const text = (anchor.text || "").trim();
  const m = /^p(\d+)$/.exec(id);
  if (m) return `Paragraph ${m[1]}`;
  if (/^comment-/.test(id)) {
    const head = commentHead(anchor);
    return head ? `Comment ${head.number} by ${head.author}` : `Comment ${id.slice("comment-".length).replace(/-/g, ".")}`;
  }
  if (/^quote-/.test(id)) return "Quotation";
  return text || "Passage";
}

/**
 * A quotation's source line, the text Pagefind records for its anchor (theme/templates/_macros.html
 * quote_items, kept out of the index): "— Speaker · Outlet, Outlet · Month D, YYYY · N printings".
 */
function quoteSource(anchor) {
  const parts = (anchor.text || "").replace(/\s+/g, " ").replace(/^ ?— ?/, "").split(" · ");
  return { speaker: parts[0] || "", outlets: parts.length > 2 ? parts[1] : "", date: parts.length > 3 ? parts[2] : "" };
}

function excerpt(words, group) {
  const p = document.createElement("p");
  p.className = "result-excerpt";
  const marked = new Set(group.locations.map((l) => l.location));
  const first = group.textStart ?? group.start;
  let best = first;
  let bestScore = -1;
  for (const l of group.locations) {
    if ((l.balanced_score || 0) > bestScore) {
      best = l.location;
      bestScore = l.balanced_score || 0;
    }
  }
  let to = Math.min(group.end, Math.max(first, best - Math.floor(EXCERPT_WORDS / 3)) + EXCERPT_WORDS);
  const from = Math.max(first, to - EXCERPT_WORDS);
  to = Math.min(group.end, from + EXCERPT_WORDS);
  if (from > first) p.append("… ");
  for (let i = from; i < to; i++) {
    if (i > from) p.append(" ");
    if (marked.has(i)) {
      const mark = document.createElement("mark");
      mark.textContent = words[i];
      p.append(mark);
    } else {
      p.append(words[i] || "");
    }
  }
  if (to < group.end) p.append(" …");
  return p;
}

function formatDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  if (!m) return "";
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return date.toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
}

function link(href, text, className) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  if (className) a.className = className;
  return a;
}

/** One page's results: its own (kind, title, where/when, its best hits each linking to its
 * anchor) unless its words are all in quotations, then one result per quotation. */
function renderResult(data, filters) {
  const meta = data.meta || {};
  const words = (data.content || "").split(/[\r\n\s]+/g);
  const pageUrl = data.url.split("#")[0];
  const plan = planResult(groupHits(data, words.length), filters);
  const quotes = plan.quotes.map((group) => renderQuote(pageUrl, words, group));
  if (plan.hits === null) return quotes;
  const hits = plan.hits;
  const top = hits.find((g) => !g.anchor);
  const deep = hits.filter((g) => g.anchor).sort((a, b) => b.score - a.score);

  const li = document.createElement("li");
  li.className = "result";
  const kind = meta.type || "";
  if (kind) li.dataset.type = kind;
  const facts = [TYPE_LABELS[kind] || kind];
  const publisher = (data.filters && data.filters.publisher) || [];
  if (publisher.length) facts.push(publisher.join(", "));
  if (meta.date) facts.push(formatDate(meta.date));
  const line = document.createElement("p");
  line.className = "result-meta";
  line.textContent = facts.filter(Boolean).join(" · ");
  const heading = document.createElement("h2");
  heading.className = "result-title";
  heading.append(link(pageUrl, meta.title || pageUrl));
  li.append(line, heading);

  if (top) li.append(excerpt(words, top));
  else if (!deep.length) li.append(excerpt(words, { start: 0, end: words.length, locations: [] }));
  if (deep.length) {
    const ul = document.createElement("ul");
    ul.className = "result-hits";
    const addHits = (groups) => groups.map((group) => ul.appendChild(renderHit(pageUrl, words, group)));
    addHits(deep.slice(0, HITS_PER_PAGE));
    li.append(ul);
    if (deep.length > HITS_PER_PAGE) {
      const rest = document.createElement("button");
      rest.type = "button";
      rest.className = "result-more";
      const n = deep.length - HITS_PER_PAGE;
      rest.textContent = `Show ${n} more ${n === 1 ? "passage" : "passages"} on this page`;
      rest.addEventListener("click", () => {
        const added = addHits(deep.slice(HITS_PER_PAGE));
        rest.remove();
        added[0].querySelector("a").focus();
      });
      li.append(rest);
    }
  }
  return [li, ...quotes];
}

/** A quotation as a result of its own: speaker, outlets and date, its opening words linking to it
 * on its speaker's page (which links on to the quotation's own page), and its excerpt. */
function renderQuote(pageUrl, words, group) {
  const li = document.createElement("li");
  li.className = "result result-quote";
  li.dataset.type = "quote";
  const source = quoteSource(group.anchor);
  const line = document.createElement("p");
  line.className = "result-meta";
  line.textContent = [TYPE_LABELS.quote, source.speaker, source.outlets, source.date].filter(Boolean).join(" · ");
  const opening = words.slice(group.textStart, Math.min(group.end, group.textStart + 10)).join(" ");
  const more = group.end - group.textStart > 10 ? " …" : "";
  const heading = document.createElement("h2");
  heading.className = "result-title";
  const title = source.speaker ? `${source.speaker}: ${opening}${more}` : `${opening}${more}`;
  heading.append(link(`${pageUrl}#${group.anchor.id}`, title, "hit-link"));
  li.append(line, heading, excerpt(words, group));
  return li;
}

/** One deep-linked hit: where it is ("Paragraph 7", "Comment 16.1 by Name") and its excerpt. */
function renderHit(pageUrl, words, group) {
  const item = document.createElement("li");
  item.className = isComment(group) ? "hit hit-comment" : isQuote(group) ? "hit hit-quote" : "hit";
  item.append(link(`${pageUrl}#${group.anchor.id}`, hitLabel(group.anchor), "hit-link"), excerpt(words, group));
  return item;
}
