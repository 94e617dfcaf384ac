// The upload page: drop a file anywhere on the form (a static file: the CSP allows no inline script).
(function () {
  var form = document.getElementById("upload-form");
  var input = form.querySelector("input[type=file]");
  ["dragenter", "dragover"].forEach(function (name) {
    form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    form.addEventListener(name, function () { form.classList.remove("dragging"); });
  });
  form.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer.files.length) { input.files = event.dataTransfer.files; }
  });
})();
