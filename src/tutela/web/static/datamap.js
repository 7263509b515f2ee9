/* The console's data map, made interactive: plain ES2017, no library, loaded with defer
   (the Content-Security-Policy allows no inline script).

   Selecting a node (click, or Enter or Space on it) highlights it and the nodes it is
   linked to, dims the rest and shows its details in the side panel (read from the node's
   row in the tables below the map; the panel is aria-live). Selecting it again, or
   Escape, shows everything. The filter keeps the nodes of one purpose or data category
   without a reload and keeps the choice in the address (?focus=).

   Without this script the page still works: each node links to its row in the tables,
   and the filter form asks the server for the filtered map. */
(function () {
  "use strict";

  const svg = document.getElementById("datamap");
  const panel = document.getElementById("datamap-panel");
  const detail = document.getElementById("datamap-detail");
  if (!svg || !panel || !detail) {
    return;
  }
  const select = document.getElementById("datamap-focus");
  const nodes = Array.from(svg.querySelectorAll(".node"));
  const edges = Array.from(svg.querySelectorAll(".edge"));
  const hint = Array.from(detail.childNodes).map((child) => child.cloneNode(true));
  let selected = null;

  /* The ids of the node `id` and of every node it is linked to, either way. */
  function linked(id) {
    const found = new Set([id]);
    edges.forEach((edge) => {
      if (edge.dataset.from === id) {
        found.add(edge.dataset.to);
      }
      if (edge.dataset.to === id) {
        found.add(edge.dataset.from);
      }
    });
    return found;
  }

  /* The ids the filter keeps (null: every node): "purpose:KEY" or "category:GROUP". */
  function kept() {
    const focus = select ? select.value : "";
    if (!focus) {
      return null;
    }
    const split = focus.indexOf(":");
    const attribute = focus.slice(0, split) === "purpose" ? "purposes" : "categories";
    const key = focus.slice(split + 1);
    const keeping = nodes.filter((node) => (node.dataset[attribute] || "").split(" ").includes(key));
    return new Set(keeping.map((node) => node.dataset.id));
  }

  /* Dim what the filter and the selection leave out; mark the selection and its links. */
  function paint() {
    const filter = kept();
    const near = selected ? linked(selected) : null;
    nodes.forEach((node) => {
      const id = node.dataset.id;
      const shown = (!filter || filter.has(id)) && (!near || near.has(id));
      node.classList.toggle("is-dimmed", !shown);
      node.classList.toggle("is-selected", id === selected);
      node.classList.toggle("is-linked", Boolean(near) && near.has(id) && id !== selected);
      node.setAttribute("aria-pressed", id === selected ? "true" : "false");
    });
    edges.forEach((edge) => {
      const ends = [edge.dataset.from, edge.dataset.to];
      const inFilter = !filter || ends.every((id) => filter.has(id));
      const touching = Boolean(selected) && ends.includes(selected);
      edge.classList.toggle("is-dimmed", !inFilter || (Boolean(selected) && !touching));
      edge.classList.toggle("is-linked", touching);
    });
  }

  /* The panel's content: the node's name, then its row's cells as a list of terms. */
  function describe(node) {
    const anchor = (node.getAttribute("href") || "").slice(1);
    const row = document.getElementById(anchor);
    const heading = document.createElement("h3");
    heading.textContent = node.getAttribute("aria-label");
    const parts = [heading];
    if (row) {
      const headers = Array.from(row.closest("table").tHead.rows[0].cells);
      const list = document.createElement("dl");
      Array.from(row.cells).slice(1).forEach((cell, index) => {
        const term = document.createElement("dt");
        term.textContent = headers[index + 1].textContent;
        const value = document.createElement("dd");
        Array.from(cell.childNodes).forEach((child) => value.appendChild(child.cloneNode(true)));
        list.append(term, value);
      });
      const link = document.createElement("a");
      link.href = "#" + anchor;
      link.textContent = panel.dataset.rowLink || anchor;
      parts.push(list, link);
    }
    return parts;
  }

  function show(parts) {
    detail.replaceChildren(...parts);
  }

  function choose(node) {
    const id = node.dataset.id;
    selected = selected === id ? null : id;
    paint();
    show(selected ? describe(node) : hint.map((child) => child.cloneNode(true)));
  }

  function clear() {
    selected = null;
    paint();
    show(hint.map((child) => child.cloneNode(true)));
  }

  nodes.forEach((node) => {
    node.setAttribute("role", "button");
    node.addEventListener("click", (event) => {
      event.preventDefault();
      choose(node);
    });
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose(node);
      }
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && selected) {
      clear();
    }
  });

  if (select && select.form) {
    select.addEventListener("change", () => {
      const address = new URL(window.location.href);
      if (select.value) {
        address.searchParams.set("focus", select.value);
      } else {
        address.searchParams.delete("focus");
      }
      window.history.replaceState(null, "", address.toString());
      clear();
    });
    select.form.addEventListener("submit", (event) => {
      event.preventDefault();
      clear();
    });
  }

  panel.hidden = false;
  paint();
})();
