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
    var browse = el("button", { type: "button", class: "btn", "data-testid": "picker-browse-" + name }, "浏览");
    group.append(input, browse);
    var panel = el("div", { class: "gh-picker-panel card", hidden: "", "data-testid": "picker-panel-" + name });
    var status = el("div", { class: "gh-picker-status small text-secondary" });
    var list = el("div", { class: "list-group list-group-flush" });
    var tree = el("ul", { class: "gh-tree gh-picker-tree" });
    panel.append(status, list, tree);
    ui.append(chosen, group, panel);
    root.append(ui);

    function showChosen() {
      chosen.textContent = "";
      var picked = Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value; });
      if (!picked.length) {
        chosen.append(el("span", { class: "text-secondary small" }, multiple ? "尚未选择" : "未选择（全部）"));
      }
      picked.forEach(function (o) {
        var chip = el("span", { class: "badge bg-blue-lt gh-chip" }, o.textContent);
        var remove = el("button", { type: "button", class: "btn-close ms-1", "aria-label": "移除 " + o.textContent });
        remove.addEventListener("click", function () {
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
      showChosen();
      input.value = "";
      if (!multiple) panel.hidden = true;
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
      if (!text) {
        list.textContent = "";
        status.textContent = "";
        return;
      }
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
      }
    });
    browse.addEventListener("click", function () {
      panel.hidden = !panel.hidden;
      if (!panel.hidden && !tree.dataset.loaded) {
        tree.dataset.loaded = "1";
        fetchNodes(url, {}).then(function (data) { renderNodes(tree, data.results, data.more); });
      }
    });
    document.addEventListener("click", function (e) {
      if (!root.contains(e.target)) panel.hidden = true;
    });
    showChosen();
  }

  function initAll(scope) {
    (scope || document).querySelectorAll("[data-picker]").forEach(init);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { initAll(e.target); });
})();
