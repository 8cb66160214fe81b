// A form marked `data-unsaved-warning` warns before the page is left with what was typed in it
// not sent (the browser's own « Quitter le site ? » dialog). Its fields may live outside it (the
// reception's search results carry form="…"). A form given back from a draft
// (`data-unsaved-draft`) is unsaved from the start. Sending the form, by any of its buttons, ends
// the warning.
(function () {
  "use strict";
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-unsaved-warning]"));
  if (!forms.length) {
    return;
  }
  var dirty = forms.some(function (form) {
    return form.hasAttribute("data-unsaved-draft");
  });
  function owns(target) {
    return forms.some(function (form) {
      return target && (target.form === form || form.contains(target));
    });
  }
  function mark(event) {
    if (owns(event.target)) {
      dirty = true;
    }
  }
  document.addEventListener("input", mark);
  document.addEventListener("change", mark);
  document.addEventListener(
    "submit",
    function (event) {
      if (forms.indexOf(event.target) !== -1) {
        dirty = false;
      }
    },
    true
  );
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
