// While something on the page is still being made ([data-refresh-region][data-pending]), fetch the page again every
// few seconds and put the rows that changed in place: no reload, so focus and reading position stay, and rows that
// did not change (with their links and buttons) are left alone. A change of status is read out through a polite live
// region. No inline script: the CSP allows scripts from this site only.
(function () {
  "use strict";
  var region = document.querySelector("[data-refresh-region]");
  if (!region || !window.fetch || !window.DOMParser) {
    return;
  }
  var seconds = parseInt(region.getAttribute("data-refresh-seconds"), 10) || 5;
  var announcer = document.getElementById(region.getAttribute("data-announce-to"));

  function rowsById(root) {
    var rows = {};
    root.querySelectorAll("[data-package]").forEach(function (row) {
      rows[row.getAttribute("data-package")] = row;
    });
    return rows;
  }

  function update(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-refresh-region]");
    if (!fresh) {
      return;
    }
    var current = rowsById(region);
    var changed = [];
    fresh.querySelectorAll("[data-package]").forEach(function (row) {
      var old = current[row.getAttribute("data-package")];
      if (!old || old.innerHTML === row.innerHTML) {
        return;
      }
      if (old.getAttribute("data-status") !== row.getAttribute("data-status")) {
        changed.push(row.getAttribute("data-announce"));
      }
      old.replaceWith(document.importNode(row, true));
    });
    if (!fresh.hasAttribute("data-pending")) {
      region.removeAttribute("data-pending");
    }
    if (changed.length && announcer) {
      announcer.textContent = changed.join(" ");
    }
  }

  function poll() {
    if (!region.hasAttribute("data-pending")) {
      return;
    }
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(update)
      .catch(function () {})
      .then(function () {
        window.setTimeout(poll, seconds * 1000);
      });
  }

  window.setTimeout(poll, seconds * 1000);
})();
