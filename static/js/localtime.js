// A date poll's times are written in the poll's zone. When the reader's browser is in another
// zone, each time slot gets the reader's own time beneath it; the label comes translated in the
// container's data-your-time. Without JavaScript the page says which zone its times are in.
(function () {
  "use strict";

  function addLocalTimes() {
    var own = Intl.DateTimeFormat().resolvedOptions().timeZone;
    document.querySelectorAll("[data-poll-zone]").forEach(function (box) {
      if (!own || box.dataset.pollZone === own) return;
      var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
      });
      box.querySelectorAll("time[data-ends]").forEach(function (time) {
        if (time.querySelector(".poll-local")) return;  // htmx may bring the same section again
        var start = new Date(time.getAttribute("datetime"));
        var end = new Date(time.dataset.ends);
        var text = format.formatRange ? format.formatRange(start, end) : format.format(start) + " – " + format.format(end);
        var note = document.createElement("span");
        note.className = "poll-local";
        note.textContent = box.dataset.yourTime + ": " + text;
        time.appendChild(note);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", addLocalTimes);
  document.addEventListener("htmx:afterSettle", addLocalTimes);
})();
