// The neutral theme's behaviour: GOV.UK Frontend's components (navigation toggle on a phone, focus
// on the error summary, radios, checkboxes…) and the confirmation dialogs of the component layer.
// A file, never an inline script (CSP script-src 'self').
import { initAll } from "../../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

for (const opener of document.querySelectorAll("[data-ui-dialog-open]")) {
  const dialog = document.getElementById(opener.dataset.uiDialogOpen);
  if (!dialog) continue;
  opener.addEventListener("click", () => dialog.showModal());
  for (const closer of dialog.querySelectorAll("[data-ui-dialog-close]")) {
    closer.addEventListener("click", () => dialog.close());
  }
}
