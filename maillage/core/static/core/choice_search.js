// A search list inside a larger form (the partner of a consent, who provides a plan's action): with
// htmx, « Chercher » and the Enter key search at once, without sending the form; Enter in any other
// field then sends the form, as usual. Without JavaScript, « Chercher » sends the form back to the
// server, which searches and shows everything typed again, saving nothing.
(function () {
  "use strict";
  function enhance() {
    if (!window.htmx) {
      return;
    }
    document.querySelectorAll("[data-choice-search-button]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-choice-search-button"));
      if (!input || button.getAttribute("data-enhanced")) {
        return;
      }
      button.setAttribute("data-enhanced", "true");
      button.type = "button";
      button.addEventListener("click", function () {
        window.htmx.trigger(input, "search");
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          window.htmx.trigger(input, "search");
        }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
