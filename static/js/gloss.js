/*
 * Small behaviours every page may use, without inline script (the CSP forbids
 * it): a <select data-autosubmit> submits its form when its value changes;
 * --header-height follows the sticky header's height (it wraps on a phone),
 * for what must sit below it.
 */
"use strict";

document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit")) {
    field.form.requestSubmit();
  }
});

(function () {
  var header = document.querySelector(".site-header");
  if (!header) return;
  function measure() {
    var height = header.getBoundingClientRect().height;
    document.documentElement.style.setProperty("--header-height", height + "px");
  }
  measure();
  if (window.ResizeObserver) new ResizeObserver(measure).observe(header);
})();
