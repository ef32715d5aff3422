// Share and copy (templates/core/_share.html). Progressive enhancement: without it the plain
// links work and the address sits in a readonly field to select. The classes on <html> show
// the "Copy" and "Share" buttons only where they work; clicks are delegated, so parts that
// htmx swaps in work too.
(function () {
  "use strict";
  var root = document.documentElement;
  if (navigator.clipboard) root.classList.add("can-copy");
  if (navigator.share) root.classList.add("can-share");

  function say(status, text) {
    status.textContent = "";  // a new text, so that screen readers announce a second copy too
    setTimeout(function () { status.textContent = text; }, 100);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy], [data-share-url]");
    if (!button) return;
    if (button.hasAttribute("data-share-url")) {
      navigator.share({ title: button.getAttribute("data-share-title"), url: button.getAttribute("data-share-url") })
        .catch(function () {});  // closed without sharing
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.closest(".copy-field").querySelector(".copy-status");
    navigator.clipboard.writeText(field.value).then(function () {
      say(status, status.getAttribute("data-done"));
    }, function () {
      field.select();
      say(status, status.getAttribute("data-failed"));
    });
  });
})();
