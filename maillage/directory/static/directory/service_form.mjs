// The directory's service form: a search list for its commune fields (ARIA combobox with a listbox
// popup, as in the W3C's Authoring Practices), and the error summary given the focus in both themes.
// A file, never an inline script (CSP script-src 'self'). Without JavaScript the fields are plain
// text: the server reads a commune's name (core.territories.find_commune).

const form = document.querySelector(".directory-service-form");

function debounce(fn, wait) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

let counter = 0;

function combobox(input, url, onPick) {
  const id = `commune-liste-${++counter}`;
  const wrapper = document.createElement("div");
  wrapper.className = "directory-combobox";
  input.parentNode.insertBefore(wrapper, input);
  wrapper.appendChild(input);
  const list = document.createElement("ul");
  list.id = id;
  list.className = "directory-combobox__list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Communes proposées");
  list.hidden = true;
  wrapper.appendChild(list);
  const status = document.createElement("div");
  status.setAttribute("role", "status");
  status.className = "directory-combobox__status";
  wrapper.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", id);
  input.setAttribute("autocomplete", "off");

  let options = [];
  let active = -1;
  let lastQuery = "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    options.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function pick(index) {
    const option = options[index];
    if (!option) return;
    close();
    onPick(option.dataset.label);
  }

  function show(communes) {
    list.replaceChildren();
    options = communes.map((commune, i) => {
      const option = document.createElement("li");
      option.id = `${id}-${i}`;
      option.className = "directory-combobox__option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.label = commune.label;
      const hint = document.createElement("span");
      hint.className = "directory-combobox__hint";
      hint.textContent = commune.hint;
      option.append(commune.label, hint);
      option.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the field
      option.addEventListener("click", () => pick(i));
      list.appendChild(option);
      return option;
    });
    active = -1;
    if (options.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = `${options.length} commune${options.length > 1 ? "s" : ""} proposée${options.length > 1 ? "s" : ""} : flèche bas pour les parcourir, Entrée pour choisir.`;
    } else {
      close();
      status.textContent = "Aucune commune ne commence ainsi.";
    }
  }

  const search = debounce(async () => {
    const query = input.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    if (query.length < 2) {
      close();
      status.textContent = "";
      return;
    }
    try {
      const response = await fetch(`${url}?q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      if (input.value.trim() === query) show(data.communes);
    } catch {
      // Offline or refused: the field stays a plain text field, read by its name on sending.
    }
  }, 200);

  input.addEventListener("input", () => search());
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && options.length;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => close());
  return { status, reset: () => (lastQuery = "") };
}

if (form) {
  const url = form.dataset.communeSuggestions;
  for (const field of form.querySelectorAll("[data-commune-search]")) {
    if (field.dataset.communeSearch === "multiple") {
      // Several communes: a search field that adds the chosen one as a new line of the list.
      const label = document.createElement("label");
      const adder = document.createElement("input");
      adder.id = `${field.id}_ajout`;
      adder.type = "text";
      // The theme's classes: those of the text field, and of the field's own label.
      adder.className = field.className
        .split(" ")
        .filter((name) => name && !name.endsWith("--error"))
        .map((name) => (name === "govuk-textarea" ? "govuk-input" : name))
        .join(" ");
      label.htmlFor = adder.id;
      label.textContent = "Ajouter une commune desservie";
      label.className = `${form.querySelector(`label[for="${field.id}"]`)?.className || ""} directory-combobox__label`;
      const holder = document.createElement("div");
      holder.className = "directory-combobox__adder";
      holder.append(label, adder);
      field.parentNode.insertBefore(holder, field);
      const box = combobox(adder, url, (picked) => {
        const lines = field.value.split("\n").map((line) => line.trim()).filter(Boolean);
        if (!lines.includes(picked)) lines.push(picked);
        field.value = lines.join("\n");
        adder.value = "";
        box.reset();
        box.status.textContent = `${picked} ajoutée aux communes desservies.`;
      });
    } else {
      const box = combobox(field, url, (picked) => {
        field.value = picked;
        box.reset();
        box.status.textContent = `${picked} choisie.`;
      });
    }
  }

  // The error summary: focused when the page opens (GOV.UK's script does it in the neutral theme),
  // and each of its links moves the focus to its field.
  const summary = form.querySelector("[data-ui-error-summary]");
  if (summary) {
    if (document.activeElement === document.body || !document.activeElement) summary.focus();
    for (const link of summary.querySelectorAll("a[href^='#']")) {
      link.addEventListener("click", (event) => {
        const target = document.getElementById(link.hash.slice(1));
        if (!target) return;
        event.preventDefault();
        target.focus();
        (target.closest("div, fieldset") || target).scrollIntoView({ block: "center" });
      });
    }
  }
}
