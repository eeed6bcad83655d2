/* The organisation picker (orgs/widgets.py): turns the plain select into a search box with a tree to
 * browse. The select stays in the form and holds the value, so the server sees exactly what it would
 * see without this script. Every list comes from the scoped endpoint named in data-url. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function fetchNodes(url, params) {
    var q = Object.keys(params).map(function (k) { return "&" + k + "=" + encodeURIComponent(params[k]); }).join("");
    return fetch(url + q, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); });
  }

  function init(root) {
    var select = root.querySelector("select");
    if (!select || root.dataset.ready) return;
    root.dataset.ready = "1";
    var url = root.dataset.url;
    var field = root.dataset.valueField;
    var multiple = root.hasAttribute("data-multiple");
    var name = select.name;

    select.hidden = true;
    var ui = el("div", { class: "gh-picker-ui" });
    var chosen = el("div", { class: "gh-picker-chosen", "data-testid": "picker-chosen-" + name });
    var group = el("div", { class: "input-group" });
    var input = el("input", {
      type: "search", class: "form-control", autocomplete: "off",
      placeholder: "输入名称、编码或拼音首字母搜索", "aria-label": "搜索组织", "data-testid": "picker-search-" + name,
    });
    var clear = el("button", { type: "button", class: "btn", "aria-label": "清除所选组织", "data-testid": "picker-clear-" + name }, "×");
    var browse = el("button", { type: "button", class: "btn", "data-testid": "picker-browse-" + name }, "浏览");
    group.append(input, clear, browse);
    var panel = el("div", { class: "gh-picker-panel card", hidden: "", "data-testid": "picker-panel-" + name });
    var status = el("div", { class: "gh-picker-status small text-secondary" });
    var list = el("div", { class: "list-group list-group-flush" });
    var tree = el("ul", { class: "gh-tree gh-picker-tree" });
    panel.append(status, list, tree);
    if (multiple) ui.append(chosen);
    ui.append(group, panel);
    root.append(ui);

    function picked() {
      return Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value; });
    }

    // One organisation: its name stands in the search box. Several: chips above it, each removable.
    function showChosen() {
      var current = picked();
      clear.hidden = multiple || !current.length;
      if (!multiple) {
        input.value = current.length ? current[0].textContent : "";
        return;
      }
      chosen.textContent = "";
      if (!current.length) chosen.append(el("span", { class: "text-secondary small" }, "尚未选择"));
      current.forEach(function (o) {
        var chip = el("span", { class: "badge bg-blue-lt gh-picker-chip" }, o.textContent);
        var remove = el("button", { type: "button", class: "btn-close ms-1", "aria-label": "移除 " + o.textContent });
        remove.addEventListener("click", function (e) {
          e.stopPropagation();
          o.selected = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          showChosen();
        });
        chip.append(remove);
        chosen.append(chip);
      });
    }

    function choose(item) {
      var value = String(item[field]);
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
      if (!option) {
        option = new Option(item.name + "（" + item.code + "）", value);
        select.append(option);
      }
      if (!multiple) select.value = value;
      option.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      if (multiple) input.value = "";
      else panel.hidden = true;
      showChosen();
    }

    function row(item) {
      var line = el("div", { class: "gh-tree-row" });
      if (item.choosable) {
        var pick = el("button", { type: "button", class: "btn btn-link p-0 text-start", "data-testid": "pick-" + item.code }, item.name);
        pick.addEventListener("click", function () { choose(item); });
        line.append(pick);
      } else {
        line.append(el("span", { class: "text-secondary" }, item.name));
      }
      line.append(el("span", { class: "badge bg-secondary-lt" }, item.kind));
      return line;
    }

    function renderNodes(target, nodes, more) {
      target.textContent = "";
      nodes.forEach(function (item) {
        var li = el("li");
        var line = row(item);
        var children = el("ul", { class: "gh-tree", hidden: "" });
        var toggle = el("button", { type: "button", class: "gh-toggle", "aria-label": "展开", "aria-expanded": "false" }, item.has_children ? "▸" : "·");
        if (item.has_children) {
          toggle.addEventListener("click", function () {
            var open = children.hidden;
            children.hidden = !open;
            toggle.textContent = open ? "▾" : "▸";
            toggle.setAttribute("aria-expanded", String(open));
            if (open && !children.dataset.loaded) {
              children.dataset.loaded = "1";
              fetchNodes(url, { parent: item.id }).then(function (data) { renderNodes(children, data.results, data.more); });
            }
          });
        } else {
          toggle.disabled = true;
        }
        line.prepend(toggle);
        li.append(line, children);
        target.append(li);
      });
      if (!nodes.length) target.append(el("li", { class: "text-secondary small p-1" }, "没有可选择的下级组织"));
      if (more) target.append(el("li", { class: "text-secondary small p-1" }, "仅显示前 100 个，请用搜索查找其余组织"));
    }

    function search() {
      var text = input.value.trim();
      panel.hidden = false;
      tree.hidden = !!text;
      list.textContent = "";
      status.textContent = "";
      if (!text) return openTree();
      fetchNodes(url, { q: text }).then(function (data) {
        if (input.value.trim() !== text) return;
        list.textContent = "";
        status.textContent = data.error || (data.results.length ? "" : "没有找到可选择的“" + text + "”");
        data.results.forEach(function (item) {
          var a = el("button", { type: "button", class: "list-group-item list-group-item-action", "data-testid": "result-" + item.code });
          a.append(el("div", {}, item.name + "  "), el("div", { class: "small text-secondary" }, [item.kind, item.code, item.trail].filter(Boolean).join(" · ")));
          a.addEventListener("click", function () { choose(item); });
          list.append(a);
        });
      });
    }

    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        var first = list.querySelector("button");
        if (first) first.click();
      } else if (e.key === "Escape") {
        panel.hidden = true;
        if (!multiple) showChosen();
      }
    });
    function openTree() {
      panel.hidden = false;
      tree.hidden = false;
      if (!tree.dataset.loaded) {
        tree.dataset.loaded = "1";
        fetchNodes(url, {}).then(function (data) {
          renderNodes(tree, data.results, data.more);
          // One organisation at the top (a town officer's town): open it, its unions are the choice.
          var only = data.results.length === 1 && tree.querySelector(".gh-toggle:not([disabled])");
          if (only) only.click();
        });
      }
    }
    browse.addEventListener("click", function () {
      if (!panel.hidden && !tree.hidden) {
        panel.hidden = true;
        return;
      }
      list.textContent = "";
      status.textContent = "";
      if (!multiple) showChosen();
      openTree();
    });
    clear.addEventListener("click", function () {
      select.value = "";
      select.dispatchEvent(new Event("change", { bubbles: true }));
      showChosen();
    });
    input.addEventListener("focus", function () { input.select(); });
    document.addEventListener("click", function (e) {
      if (root.contains(e.target) || !document.contains(e.target)) return;
      panel.hidden = true;
      if (!multiple) showChosen();  // a search left unfinished gives back the chosen name
    });
    showChosen();
  }

  function initAll(scope) {
    (scope || document).querySelectorAll("[data-picker]").forEach(init);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { initAll(e.target); });
})();

/* The tree beside a list (templates/orgs/_side_tree.html): a toggle loads its children once through
 * htmx (hx-trigger="click once"), then shows and hides them; without script it is a plain link. */
document.addEventListener("click", function (e) {
  var toggle = e.target.closest("[data-side-toggle]");
  if (!toggle) return;
  var children = toggle.closest("li").querySelector(":scope > ul");
  if (toggle.dataset.loaded) {
    e.preventDefault();
    children.hidden = !children.hidden;
  } else {
    toggle.dataset.loaded = "1";
    children.hidden = false;
  }
  toggle.textContent = children.hidden ? "▸" : "▾";
});
