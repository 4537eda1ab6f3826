/* Gloss reader: annotation highlights, filters and the tagging popover.
 *
 * Plain JavaScript, no build step. The page gives us each record as
 * <… class="record" data-id="PARAGRAPH_ID"><span class="text">TEXT</span>…,
 * where TEXT is exactly Paragraph.text, and a JSON config (#gloss-reader-config).
 * Annotations come from and go to the JSON API (/api/annotations).
 *
 * Offsets: the server counts Unicode code points; JavaScript strings count
 * UTF-16 units (an emoji or a rare CJK character is two). Every offset that
 * crosses the API boundary is converted here (u16ToCp, and Array.from(text)
 * to slice by code points). Highlights are drawn by splitting the text at
 * every annotation boundary into segments; a segment covered by several
 * annotations gets one translucent layer per annotation and one underline per
 * theme, so overlaps stay readable. Text goes in with textContent only, never
 * innerHTML: notes and quotes are data, not markup.
 *
 * Live updates: every config.livePollMs the page asks config.api.live what
 * changed after its cursor (others' new, edited and deleted annotations, and
 * who else is reading), redraws only the records concerned, keeps the focus
 * where it was, and says what changed in a polite live region (#live-news).
 * Edits and deletions carry the version the page had; a 409 shows both
 * versions in the popover and saves nothing.
 */
(function () {
  "use strict";

  const configElement = document.getElementById("gloss-reader-config");
  if (!configElement) return;
  const config = JSON.parse(configElement.textContent);

  const state = {
    themes: [], // from /api/themes, retired ones included
    bySlug: new Map(),
    annotations: [], // from /api/annotations?document=…
    filters: { theme: "", user: "" },
    cursor: config.liveCursor || 0, // the last change seen (live updates)
    readers: "", // the text of #live-readers, to announce only changes
  };
  const records = new Map(); // paragraph id -> {element, textElement, text, chars}
  let popover = null; // the one popover element, built on first use
  let editing = null; // what the open editor saves: {span} or {annotation}
  let returnFocus = null; // the element that had the focus before the popover opened

  /* ---------- offsets ---------- */

  // Code points in the first `u16` UTF-16 units of `text`.
  function u16ToCp(text, u16) {
    return Array.from(text.slice(0, u16)).length;
  }

  /* ---------- API ---------- */

  async function api(method, url, body) {
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") init.headers["X-CSRFToken"] = config.csrfToken;
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    if (response.status === 204) return null;
    let data = null;
    try { data = await response.json(); } catch (error) { data = null; }
    if (!response.ok) {
      const failure = new Error((data && data.error) || "The server said " + response.status + ".");
      failure.status = response.status;
      failure.data = data;
      throw failure;
    }
    return data;
  }

  async function loadAnnotations() {
    const found = [];
    let offset = 0;
    while (offset !== null) { // the API pages by 1000
      const query = new URLSearchParams({ document: config.document, offset: String(offset) });
      const page = await api("GET", config.api.annotations + "?" + query);
      found.push(...page.results);
      offset = page.next_offset;
    }
    return found;
  }

  /* ---------- start-up ---------- */

  async function start() {
    document.querySelectorAll(".record[data-id]").forEach(function (element) {
      const textElement = element.querySelector(".text");
      if (!textElement) return;
      const text = textElement.textContent;
      records.set(Number(element.dataset.id), { element, textElement, text, chars: Array.from(text) });
      if (config.canAnnotate) addWholeParagraphButton(element);
    });
    readFiltersFromUrl();
    try {
      const [themes, annotations] = await Promise.all([api("GET", config.api.themes), loadAnnotations()]);
      state.themes = themes.results;
      state.themes.forEach(function (theme) { state.bySlug.set(theme.slug, theme); });
      state.annotations = annotations;
    } catch (error) {
      say("Annotations could not be loaded: " + error.message, true);
      return;
    }
    buildFilterBar();
    renderAll();
    document.addEventListener("mouseup", onSelectionEnd);
    document.addEventListener("keyup", function (event) {
      if (event.shiftKey) onSelectionEnd(event); // keyboard selection (Shift+arrows)
    });
    document.addEventListener("click", onClick);
    document.addEventListener("keydown", onMarkKey);
    document.addEventListener("mousedown", function (event) {
      if (popover && !popover.hidden && !popover.contains(event.target)) closePopover();
    });
    window.setTimeout(poll, config.livePollMs);
  }

  /* ---------- live updates ---------- */

  // Ask what changed since the cursor; the browser revalidates with the ETag
  // (a 304 comes back as the cached answer, which changes nothing here).
  async function poll() {
    try {
      const data = await api("GET", config.api.live + "?since=" + state.cursor);
      if (data.reset) {
        state.annotations = await loadAnnotations();
        state.cursor = data.cursor;
        refreshPeople();
        renderAll();
      } else if (data.cursor !== state.cursor || data.annotations.length || data.removed.length) {
        applyChanges(data);
        state.cursor = data.cursor;
      }
      showReaders(data.readers);
    } catch (error) {
      // A passing failure (server restarting, network): try again later.
    }
    const wait = document.hidden ? config.livePollMs * 4 : config.livePollMs;
    window.setTimeout(poll, wait);
  }

  function applyChanges(data) {
    const touched = new Set();
    const news = [];
    data.annotations.forEach(function (fresh) {
      const old = state.annotations.find(function (a) { return a.id === fresh.id; });
      if (old && old.version === fresh.version) return; // already shown (our own save)
      if (old) touched.add(old.paragraph);
      touched.add(fresh.paragraph);
      upsert(fresh);
      if (fresh.author.username !== config.user.username || !old) news.push(describe(fresh, old));
    });
    data.removed.forEach(function (id) {
      const old = state.annotations.find(function (a) { return a.id === id; });
      if (!old) return;
      touched.add(old.paragraph);
      state.annotations = state.annotations.filter(function (a) { return a.id !== id; });
      news.push("An annotation by " + old.author.name + " was removed: “" + excerpt(old.quote, 60) + "”.");
    });
    if (!touched.size) return;
    refreshPeople();
    keepingFocus(function () { touched.forEach(function (id) { renderParagraph(id); }); });
    updateCount();
    if (news.length) announce(news.join(" "));
  }

  function describe(annotation, old) {
    const names = annotation.themes.map(nameOf).join(", ");
    const verb = old ? " changed an annotation: " : " tagged ";
    return annotation.author.name + verb + "“" + excerpt(annotation.quote, 60) + "” with " + names + ".";
  }

  // Redraw without losing the keyboard focus: a focused highlight that is
  // redrawn gets the focus back on its successor (same annotations).
  function keepingFocus(redraw) {
    const active = document.activeElement;
    const ids = active && active.matches && active.matches("mark.hl") ? active.dataset.ids : null;
    const record = ids ? active.closest(".record[data-id]") : null;
    redraw();
    if (ids && !document.contains(active) && record) {
      const again = Array.from(record.querySelectorAll("mark.hl")).find(function (m) { return m.dataset.ids === ids; })
        || record.querySelector("mark.hl");
      if (again) again.focus({ preventScroll: true });
    }
  }

  function showReaders(readers) {
    const names = readers.map(function (r) { return r.name; });
    const text = names.length ? "Also reading: " + names.join(", ") : "";
    if (text === state.readers) return;
    state.readers = text;
    document.getElementById("live-readers").textContent = text;
  }

  function announce(message) {
    const region = document.getElementById("live-news");
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  /* ---------- filters ---------- */

  function readFiltersFromUrl() {
    const params = new URLSearchParams(window.location.search);
    state.filters.theme = params.get("theme") || "";
    state.filters.user = params.get("annotator") || "";
  }

  function writeFiltersToUrl() {
    const url = new URL(window.location.href);
    const pairs = { theme: state.filters.theme, annotator: state.filters.user };
    Object.entries(pairs).forEach(function ([key, value]) {
      if (value) url.searchParams.set(key, value); else url.searchParams.delete(key);
    });
    window.history.replaceState(null, "", url);
  }

  function buildFilterBar() {
    const bar = document.getElementById("annotation-bar");
    const themeSelect = document.getElementById("filter-theme");
    state.themes.forEach(function (theme) {
      themeSelect.append(new Option(theme.name + (theme.retired ? " (retired)" : ""), theme.slug));
    });
    themeSelect.value = state.filters.theme;
    themeSelect.addEventListener("change", function () {
      state.filters.theme = themeSelect.value;
      writeFiltersToUrl();
      renderAll();
    });
    const userSelect = document.getElementById("filter-user");
    refreshPeople();
    userSelect.addEventListener("change", function () {
      state.filters.user = userSelect.value;
      writeFiltersToUrl();
      renderAll();
    });
    bar.hidden = false;
  }

  // The annotator filter lists "Everyone", "Mine" and every author seen.
  function refreshPeople() {
    const select = document.getElementById("filter-user");
    const people = new Map();
    state.annotations.forEach(function (a) { people.set(a.author.username, a.author.name); });
    if (state.filters.user && state.filters.user !== "me" && !people.has(state.filters.user)) {
      people.set(state.filters.user, state.filters.user);
    }
    Array.from(select.options).slice(2).forEach(function (option) { option.remove(); });
    Array.from(people.entries()).sort().forEach(function ([username, name]) {
      select.append(new Option(name, username));
    });
    select.value = state.filters.user;
  }

  function shown(annotation) {
    const f = state.filters;
    if (annotation.orphaned || annotation.paragraph === null) return false;
    if (f.theme && !annotation.themes.includes(f.theme)) return false;
    if (f.user === "me") return annotation.author.username === config.user.username;
    return !f.user || annotation.author.username === f.user;
  }

  /* ---------- highlights ---------- */

  function renderAll() {
    records.forEach(function (record, id) { renderParagraph(id); });
    updateCount();
  }

  function updateCount() {
    const count = state.annotations.filter(shown).length;
    document.getElementById("annotation-count").textContent =
      count + " annotation" + (count === 1 ? "" : "s") + " shown";
  }

  function renderParagraph(id) {
    const record = records.get(id);
    if (!record) return;
    const here = state.annotations.filter(function (a) { return a.paragraph === id && shown(a); });
    const cuts = new Set([0, record.chars.length]);
    here.forEach(function (a) { cuts.add(a.start); cuts.add(a.end); });
    const points = Array.from(cuts).sort(function (x, y) { return x - y; });
    const fragment = document.createDocumentFragment();
    for (let i = 0; i < points.length - 1; i++) {
      const from = points[i], to = points[i + 1];
      const segment = record.chars.slice(from, to).join("");
      const covering = here.filter(function (a) { return a.start <= from && a.end >= to; });
      fragment.append(covering.length ? markFor(segment, covering) : document.createTextNode(segment));
    }
    record.textElement.replaceChildren(fragment);
    record.element.classList.toggle("annotated", here.length > 0);
  }

  function markFor(segment, covering) {
    const mark = document.createElement("mark");
    mark.className = "hl" + (covering.length > 1 ? " overlap" : "");
    mark.dataset.ids = covering.map(function (a) { return a.id; }).join(" ");
    mark.tabIndex = 0;
    mark.textContent = segment;
    // One translucent layer per annotation: overlaps come out darker.
    mark.style.backgroundImage = covering.map(function (a) {
      const tint = rgba(colourOf(a.themes[0]), 0.22);
      return "linear-gradient(" + tint + ", " + tint + ")";
    }).join(", ");
    // One underline band per distinct theme, stacked upwards.
    const colours = Array.from(new Set(covering.flatMap(function (a) { return a.themes.map(colourOf); })));
    mark.style.boxShadow = colours.map(function (colour, i) {
      return "inset 0 -" + 2 * (i + 1) + "px 0 " + colour;
    }).join(", ");
    mark.title = covering.map(function (a) { return a.themes.map(nameOf).join(", ") + " — " + a.author.name; }).join("\n");
    // A name for screen readers: what is tagged, and how; Enter opens it.
    mark.setAttribute("role", "button");
    mark.setAttribute("aria-label", "Tagged “" + segment + "”: " + covering.map(function (a) {
      return a.themes.map(nameOf).join(", ") + " by " + a.author.name;
    }).join("; "));
    return mark;
  }

  function colourOf(slug) {
    const theme = state.bySlug.get(slug);
    return theme ? theme.colour : "#888888";
  }

  function nameOf(slug) {
    const theme = state.bySlug.get(slug);
    return theme ? theme.name : slug;
  }

  function rgba(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + ", " + ((n >> 8) & 255) + ", " + (n & 255) + ", " + alpha + ")";
  }

  /* ---------- selection -> span ---------- */

  function onSelectionEnd(event) {
    if (!config.canAnnotate || (popover && popover.contains(event.target))) return;
    window.setTimeout(function () { // let the browser settle the selection first
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
      const range = selection.getRangeAt(0);
      const span = spanOf(range);
      if (!span) {
        say("Select text within one paragraph to tag it.");
        return;
      }
      openEditor({ span }, range.getBoundingClientRect());
    }, 0);
  }

  // The selection as {paragraph, start, end, quote} in code points, or null
  // when it is not inside one record's text. Ends outside the text but inside
  // the same record (a footnote label, the ¶ link) are clipped to the text.
  function spanOf(range) {
    const first = recordElementOf(range.startContainer);
    const last = recordElementOf(range.endContainer);
    if (!first || first !== last) return null;
    const id = Number(first.dataset.id);
    const record = records.get(id);
    const whole = document.createRange();
    whole.selectNodeContents(record.textElement);
    const from = whole.comparePoint(range.startContainer, range.startOffset);
    const to = whole.comparePoint(range.endContainer, range.endOffset);
    if (from > 0 || to < 0) return null; // starts after or ends before the text
    const before = document.createRange();
    before.selectNodeContents(record.textElement);
    if (from === 0) before.setEnd(range.startContainer, range.startOffset);
    else before.collapse(true);
    const upTo = document.createRange();
    upTo.selectNodeContents(record.textElement);
    if (to === 0) upTo.setEnd(range.endContainer, range.endOffset);
    let start = u16ToCp(record.text, before.toString().length);
    let end = u16ToCp(record.text, upTo.toString().length);
    // Double-click selects a trailing space; spans never start or end on one.
    while (start < end && /\s/.test(record.chars[start])) start++;
    while (end > start && /\s/.test(record.chars[end - 1])) end--;
    if (end <= start) return null;
    return { paragraph: id, start, end, quote: record.chars.slice(start, end).join("") };
  }

  function recordElementOf(node) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest(".record[data-id]") : null;
  }

  function addWholeParagraphButton(element) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "tag-whole";
    button.textContent = "+";
    button.title = "Tag the whole paragraph";
    button.setAttribute("aria-label", "Tag the whole paragraph");
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      const record = records.get(Number(element.dataset.id));
      const span = { paragraph: Number(element.dataset.id), start: 0, end: record.chars.length, quote: record.text };
      openEditor({ span }, button.getBoundingClientRect());
    });
    element.append(button);
  }

  /* ---------- popover: shell ---------- */

  function show() {
    // Where the focus goes back when the popover closes (Esc, Cancel, Save).
    if (popover.hidden) returnFocus = document.activeElement;
    popover.hidden = false;
  }

  function ensurePopover() {
    if (popover) return popover;
    popover = document.createElement("div");
    popover.id = "gloss-popover";
    popover.className = "popover";
    popover.setAttribute("role", "dialog");
    popover.hidden = true;
    popover.addEventListener("keydown", onPopoverKey);
    document.body.append(popover);
    return popover;
  }

  function place(rect) {
    const width = Math.min(24 * 16, window.innerWidth - 16);
    popover.style.width = width + "px";
    const left = Math.max(8, Math.min(rect.left + window.scrollX, window.scrollX + window.innerWidth - width - 8));
    popover.style.left = left + "px";
    popover.style.top = rect.bottom + window.scrollY + 8 + "px";
  }

  function closePopover() {
    if (!popover) return;
    const hadFocus = popover.contains(document.activeElement);
    popover.hidden = true;
    popover.replaceChildren();
    editing = null;
    const back = returnFocus;
    returnFocus = null;
    if (hadFocus && back && back !== document.body && document.contains(back)) back.focus();
  }

  function el(tag, attributes, text) {
    const element = document.createElement(tag);
    Object.entries(attributes || {}).forEach(function ([key, value]) { element.setAttribute(key, value); });
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function button(label, className, onClick) {
    const b = el("button", { type: "button", class: "button " + className }, label);
    b.addEventListener("click", onClick);
    return b;
  }

  /* ---------- popover: the editor (create and edit) ---------- */

  // target is {span} for a new annotation or {annotation} to edit one.
  function openEditor(target, rect) {
    ensurePopover();
    editing = target;
    const annotation = target.annotation;
    const quote = annotation ? annotation.quote : target.span.quote;
    const chosen = new Set(annotation ? annotation.themes : []);
    popover.setAttribute("aria-label", annotation ? "Edit annotation" : "Tag passage");
    const filter = el("input", { type: "search", class: "theme-filter", placeholder: "Filter themes…", "aria-label": "Filter themes" });
    const list = el("ul", { class: "theme-options", role: "group", "aria-label": "Themes" });
    const note = el("textarea", { class: "note-input", rows: "3", maxlength: "5000", placeholder: "Note (optional)", "aria-label": "Note" });
    note.value = annotation ? annotation.note : "";
    const error = el("p", { class: "popover-error", role: "alert" });
    popover.replaceChildren(
      el("p", { class: "popover-quote" }, excerpt(quote, 140)),
      filter, list, note, error,
      el("div", { class: "popover-actions" }),
      el("p", { class: "popover-hint" }, "1–9 toggle a theme · type to filter, Enter picks · Enter saves · Esc closes")
    );
    popover.querySelector(".popover-actions").append(
      button(annotation ? "Save" : "Tag", "primary save", saveEditor),
      button("Cancel", "cancel", closePopover)
    );
    const offered = state.themes.filter(function (t) { return !t.retired || chosen.has(t.slug); });
    offered.forEach(function (theme) { list.append(themeOption(theme, chosen.has(theme.slug))); });
    filter.addEventListener("input", function () { filterOptions(filter.value); });
    filterOptions("");
    show();
    place(rect);
    filter.focus();
  }

  function themeOption(theme, checked) {
    const item = el("li", { class: "theme-option", "data-slug": theme.slug });
    const label = el("label");
    const box = el("input", { type: "checkbox", value: theme.slug });
    box.checked = checked;
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = theme.colour;
    label.append(el("kbd", { class: "key" }), box, swatch, el("span", { class: "name" }, theme.name + (theme.retired ? " (retired)" : "")));
    label.title = theme.description;
    item.append(label);
    return item;
  }

  // Type-ahead: hide non-matching themes, number the visible ones 1–9, and
  // make the first the "active" one that Enter picks.
  function filterOptions(text) {
    const needle = text.trim().toLowerCase();
    let n = 0;
    popover.querySelectorAll(".theme-option").forEach(function (item) {
      const name = item.querySelector(".name").textContent.toLowerCase();
      const match = !needle || name.includes(needle) || item.dataset.slug.includes(needle);
      item.hidden = !match;
      item.classList.remove("active");
      if (match) {
        n += 1;
        item.querySelector(".key").textContent = n <= 9 ? String(n) : "";
        if (n === 1) item.classList.add("active");
      }
    });
  }

  function visibleOptions() {
    return Array.from(popover.querySelectorAll(".theme-option")).filter(function (item) { return !item.hidden; });
  }

  function toggle(item) {
    if (!item) return;
    const box = item.querySelector("input");
    box.checked = !box.checked;
  }

  function moveActive(step) {
    const items = visibleOptions();
    const at = items.findIndex(function (item) { return item.classList.contains("active"); });
    if (!items.length) return;
    items.forEach(function (item) { item.classList.remove("active"); });
    items[(at + step + items.length) % items.length].classList.add("active");
  }

  function onPopoverKey(event) {
    const target = event.target;
    if (event.key === "Escape") {
      event.preventDefault();
      closePopover();
      return;
    }
    if (!editing || target.tagName === "BUTTON") return; // viewer, or a button's own Enter
    if (target.tagName === "TEXTAREA") {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); saveEditor(); }
      return;
    }
    const filter = popover.querySelector(".theme-filter");
    if (/^[1-9]$/.test(event.key)) {
      event.preventDefault();
      toggle(visibleOptions()[Number(event.key) - 1]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (target === filter && filter.value.trim()) { // pick the active match
        toggle(popover.querySelector(".theme-option.active"));
        filter.value = "";
        filterOptions("");
      } else {
        saveEditor();
      }
    } else if (target === filter && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      moveActive(event.key === "ArrowDown" ? 1 : -1);
    }
  }

  async function saveEditor() {
    if (!editing) return;
    const themes = Array.from(popover.querySelectorAll(".theme-option input:checked")).map(function (box) { return box.value; });
    const note = popover.querySelector(".note-input").value;
    const error = popover.querySelector(".popover-error");
    if (!themes.length) { error.textContent = "Pick at least one theme."; return; }
    try {
      if (editing.annotation) {
        const version = editing.annotation.version;
        const saved = await api("PATCH", editing.annotation.url, { themes, note, version });
        replaceAnnotation(saved);
        say("Saved.");
      } else {
        const span = editing.span;
        const saved = await api("POST", config.api.annotations, {
          paragraph: span.paragraph, start: span.start, end: span.end, quote: span.quote, themes, note,
        });
        upsert(saved); // a poll may have brought it first
        say("Tagged with " + saved.themes.map(nameOf).join(", ") + ".");
        window.getSelection().removeAllRanges();
      }
    } catch (failure) {
      if (failure.status === 409 && failure.data && failure.data.current) {
        showConflict(failure.data, themes, note);
        return;
      }
      error.textContent = failure.message;
      return;
    }
    closePopover();
    refreshPeople();
    renderAll();
  }

  function replaceAnnotation(saved) {
    state.annotations = state.annotations.map(function (a) { return a.id === saved.id ? saved : a; });
  }

  function upsert(annotation) {
    if (state.annotations.some(function (a) { return a.id === annotation.id; })) replaceAnnotation(annotation);
    else state.annotations.push(annotation);
  }

  // The save was refused: someone changed the annotation since this page had
  // it. Show both versions; nothing was saved, and the page now has theirs.
  function showConflict(data, themes, note) {
    const current = data.current;
    replaceAnnotation(current);
    renderAll();
    const box = el("section", { class: "conflict", "aria-labelledby": "conflict-title" });
    box.append(
      el("h3", { id: "conflict-title" }, "Not saved: someone else changed this annotation"),
      el("p", {}, data.error),
      versionList("Yours (from version " + data.yours.version + ")", themes, note),
      versionList("Now (version " + current.version + ")", current.themes, current.note)
    );
    const actions = el("div", { class: "popover-actions" });
    actions.append(
      button("Edit the current version", "primary reopen", function () {
        openEditor({ annotation: current }, popover.getBoundingClientRect());
      }),
      button("Close", "cancel", closePopover)
    );
    popover.querySelector(".popover-error").textContent = "Not saved: someone else changed this annotation.";
    popover.querySelector(".popover-actions").replaceWith(actions);
    const old = popover.querySelector(".conflict");
    if (old) old.remove();
    actions.before(box);
    editing = null;
    actions.querySelector(".reopen").focus();
  }

  function versionList(title, themes, note) {
    const list = el("dl", {});
    list.append(
      el("dt", {}, "Themes"), el("dd", {}, themes.map(nameOf).join(", ")),
      el("dt", {}, "Note"), el("dd", {}, note || "(none)")
    );
    const part = el("div", { class: "version" });
    part.append(el("h4", {}, title), list);
    return part;
  }

  /* ---------- popover: the viewer (click on a highlight) ---------- */

  function onClick(event) {
    const mark = event.target.closest && event.target.closest("mark.hl");
    if (!mark) return;
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return; // a drag to select, not a click
    openViewer(mark);
  }

  function onMarkKey(event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("mark.hl")) {
      event.preventDefault();
      openViewer(event.target);
    }
  }

  function openViewer(mark) {
    ensurePopover();
    editing = null;
    const ids = mark.dataset.ids.split(" ").map(Number);
    const here = state.annotations.filter(function (a) { return ids.includes(a.id); });
    popover.setAttribute("aria-label", "Annotations");
    popover.replaceChildren(...here.map(annotationCard));
    show();
    place(mark.getBoundingClientRect());
    const first = popover.querySelector("button");
    if (first) first.focus();
  }

  function annotationCard(annotation) {
    const card = el("article", { class: "annotation-card", "data-id": String(annotation.id) });
    const chips = el("p", { class: "chips" });
    annotation.themes.forEach(function (slug) {
      const chip = el("span", { class: "theme-chip" }, nameOf(slug));
      chip.style.setProperty("--theme", colourOf(slug));
      chips.append(chip);
    });
    const when = new Date(annotation.created).toLocaleString();
    card.append(
      chips,
      el("p", { class: "popover-quote" }, excerpt(annotation.quote, 140)),
      el("p", { class: "attribution" }, annotation.author.name + " · " + when)
    );
    if (annotation.note) card.append(el("p", { class: "note" }, annotation.note));
    if (annotation.can_change) card.append(cardActions(annotation, card));
    return card;
  }

  function cardActions(annotation, card) {
    const actions = el("div", { class: "popover-actions" });
    actions.append(
      button("Edit", "edit", function () { openEditor({ annotation }, card.getBoundingClientRect()); }),
      button("Delete", "danger delete", function () { confirmDelete(annotation, actions); })
    );
    return actions;
  }

  // An inline confirmation instead of window.confirm(): keyboard-friendly
  // and testable.
  function confirmDelete(annotation, actions) {
    actions.replaceChildren(
      el("span", { class: "confirm" }, "Delete this annotation?"),
      button("Delete", "danger confirm-delete", async function () {
        try {
          await api("DELETE", annotation.url + "?version=" + annotation.version);
        } catch (failure) {
          say(failure.message, true);
          return;
        }
        state.annotations = state.annotations.filter(function (a) { return a.id !== annotation.id; });
        closePopover();
        refreshPeople();
        renderAll();
        say("Deleted.");
      }),
      button("Keep", "keep", closePopover)
    );
    actions.querySelector(".confirm-delete").focus();
  }

  /* ---------- small helpers ---------- */

  function excerpt(text, limit) {
    const flat = text.replace(/\s+/g, " ").trim();
    const chars = Array.from(flat);
    return chars.length <= limit ? flat : chars.slice(0, limit - 1).join("") + "…";
  }

  let sayTimer = null;
  function say(message, isError) {
    const status = document.getElementById("annotation-status");
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
    status.hidden = false;
    window.clearTimeout(sayTimer);
    sayTimer = window.setTimeout(function () { status.hidden = true; }, 4000);
  }

  start();
})();
