/*
 * Small behaviours every page may use, without inline script (the CSP forbids
 * it): a <select data-autosubmit> submits its form when its value changes.
 */
"use strict";

document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit")) {
    field.form.requestSubmit();
  }
});
