// Upload page: drop files on the form, and post them one at a time so that
// each shows its own upload progress. The server answers each post with the
// file's job fragment (or why it was refused), which then polls itself with
// htmx until the worker is done. Without this script the form posts every
// file at once and the page lists the new jobs.
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  const input = form.querySelector("input[type=file]");
  const zone = form.querySelector("[data-dropzone]");
  const chosen = form.querySelector("[data-chosen]");
  const results = document.getElementById("upload-results");
  const maxBytes = Number(form.dataset.maxBytes) || Infinity;

  function showChosen() {
    const names = Array.from(input.files).map((file) => file.name);
    chosen.textContent = names.length ? names.join(", ") : "";
  }

  input.addEventListener("change", showChosen);
  ["dragenter", "dragover"].forEach((type) =>
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    }),
  );
  ["dragleave", "drop"].forEach((type) =>
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
    }),
  );
  zone.addEventListener("drop", (event) => {
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      showChosen();
    }
  });

  form.addEventListener("submit", (event) => {
    const files = Array.from(input.files);
    // No file, or several files as one "new version": let the server explain.
    if (!files.length || (form.elements.version_of.value && files.length > 1)) return;
    event.preventDefault();
    results.closest("section").hidden = false;
    const none = document.querySelector("#recent-jobs > li.empty");
    if (none) none.closest("section").hidden = true; // nothing earlier to list
    const items = files.map(placeholder);
    input.value = "";
    showChosen();
    // One after another: the worker ingests them in order anyway.
    files.reduce(
      (previous, file, i) => previous.then(() => send(file, items[i])),
      Promise.resolve(),
    );
  });

  function placeholder(file) {
    const item = document.createElement("li");
    item.className = "job job-uploading";
    item.dataset.status = "uploading";
    const line = document.createElement("p");
    line.className = "job-line";
    const name = document.createElement("span");
    name.className = "job-name";
    name.textContent = file.name;
    const status = document.createElement("span");
    status.className = "job-status";
    status.textContent = "Waiting to upload";
    line.append(name, " ", status);
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name + ": upload");
    item.append(line, bar);
    results.append(item);
    return item;
  }

  function send(file, item) {
    if (file.size > maxBytes) {
      // Refused here rather than after sending it all (the server checks too).
      const megabytes = (size) => (size / 1048576).toFixed(1);
      item.querySelector(".job-status").textContent =
        "Refused: " + megabytes(file.size) + " MB is over the " +
        megabytes(maxBytes) + " MB limit for one file";
      item.className = "job job-refused";
      item.dataset.status = "refused";
      item.querySelector("progress").remove();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      data.append("version_of", form.elements.version_of.value);
      data.append("files", file, file.name);
      const request = new XMLHttpRequest();
      const bar = item.querySelector("progress");
      const status = item.querySelector(".job-status");
      status.textContent = "Uploading…";
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) bar.value = Math.round((100 * event.loaded) / event.total);
      });
      request.addEventListener("load", () => {
        replace(item, request.responseText, request.status);
        resolve();
      });
      request.addEventListener("error", () => {
        status.textContent = "Upload failed (the connection broke); try again";
        item.dataset.status = "refused";
        resolve();
      });
      request.open("POST", form.action);
      request.setRequestHeader("HX-Request", "true");
      request.send(data);
    });
  }

  function replace(item, html, code) {
    const template = document.createElement("template");
    template.innerHTML = code < 500 ? html.trim() : "";
    const nodes = Array.from(template.content.children);
    if (!nodes.length) {
      item.querySelector(".job-status").textContent = "Upload failed (server error " + code + ")";
      item.dataset.status = "refused";
      return;
    }
    item.replaceWith(...nodes);
    if (window.htmx) nodes.forEach((node) => window.htmx.process(node));
  }
})();
