// After htmx loads older events or applies a filter of the timeline, put the keyboard focus on what
// changed (the first older event, or the filter chip just chosen), so that a keyboard or screen
// reader user is not sent back to the top of the page.
(function () {
  "use strict";
  if (window.maillageTimelineFocus) {
    return;
  }
  window.maillageTimelineFocus = true;
  var lastChip = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var chip = event.target.closest && event.target.closest("[data-timeline-chip]");
    lastChip = chip ? chip.getAttribute("data-timeline-chip") : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector("[data-focus-after-swap]");
    if (target) {
      target.removeAttribute("data-focus-after-swap");
      target.focus();
      return;
    }
    if (lastChip) {
      var chip = document.querySelector('[data-timeline-chip="' + lastChip + '"]');
      lastChip = null;
      if (chip) {
        chip.focus();
      }
    }
  });
})();
