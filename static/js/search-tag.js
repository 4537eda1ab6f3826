/* Tag a search hit in place (issue 4: "tagging from search").
 *
 * Each hit of a person who may annotate carries a small form: a theme and two
 * buttons, "Tag paragraph" (the whole record) and "Tag matching sentence" (the
 * sentence that holds the first match; the server computed its code-point
 * offsets). The form posts to the JSON API with the page's CSRF token. The
 * listener sits on the document, so hits swapped in by htmx work too.
 */
(function () {
  "use strict";

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function span(form, which) {
    if (which === "match" && form.dataset.matchStart !== undefined) {
      return [Number(form.dataset.matchStart), Number(form.dataset.matchEnd)];
    }
    return [0, Number(form.dataset.length)];
  }

  async function tag(form, which) {
    const status = form.querySelector(".hit-tag-status");
    const select = form.elements.theme;
    const theme = select.value;
    if (!theme) {  // no theme is chosen for the person: they pick one first
      status.textContent = "Choose a theme first.";
      status.classList.add("error");
      select.focus();
      return;
    }
    const name = select.options[select.selectedIndex].textContent;
    const [start, end] = span(form, which);
    status.textContent = "Saving…";
    const response = await fetch("/api/annotations", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({
        paragraph: Number(form.dataset.paragraph), start, end, themes: [theme],
        origin: "search",
      }),
    });
    const data = await response.json().catch(() => ({}));
    status.textContent = response.ok
      ? "Tagged “" + name + "”."
      : (data.error || "Could not tag (" + response.status + ").");
    status.classList.toggle("error", !response.ok);
    if (response.ok) addChip(form.closest(".hit"), theme);
  }

  // The hit's theme chips show the new tag at once, as the next search would
  // (by slug, as the server renders them).
  function addChip(hit, name) {
    if (!hit) return;
    let chips = hit.querySelector(".hit-themes");
    if (!chips) {
      chips = document.createElement("p");
      chips.className = "hit-themes";
      hit.querySelector(".hit-text").after(chips);
    }
    const present = Array.from(chips.querySelectorAll(".theme")).some(function (chip) {
      return chip.textContent === name;
    });
    if (present) return;
    const chip = document.createElement("span");
    chip.className = "theme";
    chip.textContent = name;
    chips.append(chip);
  }

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form.hit-tag");
    if (!form) return;
    event.preventDefault();
    const which = event.submitter ? event.submitter.value : "paragraph";
    tag(form, which);
  });
})();
