// The « Filtrer » panel of the directory search (directory/search.html) is a <details>: it opens and
// closes without this script. The script keeps its aria-expanded in step (the summary is the panel's
// disclosure button) and opens it on a wide screen, where there is room for the filters beside the
// search box.
const WIDE = "(min-width: 48.0625em)";

for (const panel of document.querySelectorAll("details.directory-filters")) {
  const toggle = panel.querySelector("summary");
  const sync = () => toggle.setAttribute("aria-expanded", panel.open ? "true" : "false");
  panel.addEventListener("toggle", sync);
  if (window.matchMedia(WIDE).matches) {
    panel.open = true;
  }
  sync();
}
