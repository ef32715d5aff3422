// Drag and drop for the agenda (templates/minutes/_agenda.html). Progressive enhancement: the
// "Up" and "Down" buttons work without it, and keyboard users keep using them. After a drop the
// new order goes to the list's data-sort-url; the answer (the agenda section) replaces the list,
// so numbers and planned times follow. Anything but success reloads the page, which shows the
// order that was really saved.
(function () {
  "use strict";

  var ITEMS = "ol[data-sort-url] > li[data-item-id]";
  var dragged = null;
  var before = "";

  function order(list) {
    return Array.prototype.map.call(list.querySelectorAll(":scope > li[data-item-id]"), function (li) {
      return li.getAttribute("data-item-id");
    }).join(",");
  }

  function enable(root) {
    (root || document).querySelectorAll(ITEMS).forEach(function (li) {
      if (!li.classList.contains("is-editing")) {
        li.setAttribute("draggable", "true");
        li.classList.add("is-draggable");
      }
    });
  }

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      return {};
    }
  }

  function save(list) {
    var section = list.closest("section");
    var headers = csrfHeaders();
    headers["HX-Request"] = "true";
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    fetch(list.getAttribute("data-sort-url"), {
      method: "POST",
      headers: headers,
      body: new URLSearchParams({ order: order(list) }),
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok || !window.htmx || !section) {
        window.location.reload();
        return null;
      }
      return response.text().then(function (html) {
        window.htmx.swap(section, html, { swapStyle: "outerHTML" });
      });
    }).catch(function () {
      window.location.reload();
    });
  }

  document.addEventListener("dragstart", function (event) {
    var li = event.target.closest && event.target.closest(ITEMS);
    if (!li || li.getAttribute("draggable") !== "true") {
      return;
    }
    dragged = li;
    before = order(li.parentElement);
    li.classList.add("is-dragged");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.getAttribute("data-item-id"));
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) {
      return;
    }
    var over = event.target.closest && event.target.closest(ITEMS);
    if (!over || over.parentElement !== dragged.parentElement) {
      return;
    }
    event.preventDefault();
    if (over === dragged) {
      return;
    }
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    over.parentElement.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) {
      event.preventDefault();
    }
  });

  document.addEventListener("dragend", function () {
    if (!dragged) {
      return;
    }
    var list = dragged.parentElement;
    dragged.classList.remove("is-dragged");
    dragged = null;
    if (order(list) !== before) {
      save(list);
    }
  });

  document.addEventListener("DOMContentLoaded", function () { enable(document); });
  // New content from htmx (the list after a change, an item back from editing).
  document.addEventListener("htmx:load", function (event) { enable(event.target.parentElement || document); });
})();
