/* The item view: LQ, every run's output and the GT side by side (or one alone, or two under a before/after
 * slider), synchronised zoom and pan, keyboard navigation, the prompts each run was fed, and the runs' files. */
"use strict";

(function () {
  var $ = function (id) {
    return document.getElementById(id);
  };
  function showZoom(v) {
    var label = $("zoom-level");
    if (label) label.textContent = (v.fit ? "fit " : "") + Math.round(v.zoom() * 100) + " %";
  }
  var viewer = new TB.Viewer(showZoom);
  var mode = { kind: "grid", key: null, a: null, b: null };
  var current = null; /* {state, position, item, panels} */
  var token = 0;
  var KEYS = "← → item · 1–9 one panel (again: all) · 0 all panels · s slider (digits: right, shift+digits: left) · " +
    "wheel / + − zoom · z 100 % · f fit · drag to pan · double-click 100 % ↔ fit · Esc index";

  function ratioText(value) {
    return Math.abs(value - Math.round(value)) < 0.01 ? String(Math.round(value)) : value.toFixed(2);
  }

  function panelsOf(item) {
    var site = TB.site;
    var gt = item.gt;
    var lqNote = "LQ";
    if (item.lq.w && gt.w) {
      lqNote = "LQ " + item.lq.w + "×" + item.lq.h;
      if (item.lq.w !== gt.w) lqNote += ", upscaled ×" + ratioText(gt.w / item.lq.w) + " for display";
    }
    var panels = [{ key: "lq", title: lqNote, image: item.lq, marks: [], run: null }];
    site.runs.forEach(function (run, r) {
      panels.push({ key: run.key, title: run.label, image: item.out[r], marks: run.marks, run: run });
    });
    panels.push({ key: "gt", title: "GT " + (gt.w ? gt.w + "×" + gt.h : ""), image: gt, marks: [], run: null, reference: true });
    if (item.target) panels.push({ key: "target", title: "target (selective)", image: item.target, marks: [], run: null });
    return panels;
  }

  function scoresLine(run, position) {
    return TB.site.card_metrics.map(function (name) {
      return TB.metric(name).label + " " + TB.format(run.scores[name][position], name);
    }).join(" · ");
  }

  function caption(panel, index, position) {
    return TB.el("figcaption", null, [
      index < 9 ? TB.el("kbd", { text: String(index + 1) }) : null,
      TB.el("span", { className: "label", text: panel.title, title: panel.title }),
      TB.marks(panel.marks),
      panel.run ? TB.el("span", { className: "scores", text: scoresLine(panel.run, position), title: scoresLine(panel.run, position) }) : null,
    ]);
  }

  function image(panel) {
    var attrs = { src: panel.image.href, alt: panel.title, draggable: "false", "data-panel": panel.key };
    if (panel.reference) attrs["data-reference"] = "";
    return TB.el("img", attrs);
  }

  function port(extraClass) {
    return TB.el("div", { className: "port" + (extraClass ? " " + extraClass : "") });
  }

  function sizePort(node, single) {
    if (viewer.W && viewer.H) {
      node.style.aspectRatio = viewer.W + " / " + viewer.H;
      if (single) node.style.width = "min(100%, calc(76vh * " + viewer.W / viewer.H + "))";
    }
  }

  function placeImage(target, panel) {
    var img = image(panel);
    target.appendChild(img);
    return img;
  }

  function gridStage(stage, panels, position, only) {
    panels.forEach(function (panel, index) {
      if (only !== null && panel.key !== only) return;
      var node = port();
      var figure = TB.el("figure", { className: "panel", "data-panel": panel.key }, [caption(panel, index, position), node]);
      stage.appendChild(figure);
      sizePort(node, only !== null);
      var p = viewer.addPort(node);
      if (panel.image) {
        viewer.addImage(p, placeImage(node, panel), panel.image.w, panel.image.h);
      } else {
        node.appendChild(TB.el("span", { className: "no-image", text: "no output for this item (not restored: a --limit run, or a failure)" }));
      }
    });
  }

  function sliderStage(stage, panels, position) {
    var byKey = {};
    panels.forEach(function (p, i) { byKey[p.key] = [p, i]; });
    var a = byKey[mode.a] || byKey[panels[1] ? panels[1].key : panels[0].key];
    var b = byKey[mode.b] || byKey.gt;
    mode.a = a[0].key;
    mode.b = b[0].key;
    var node = port("slider");
    var clip = TB.el("div", { className: "clip" });
    var divider = TB.el("div", { className: "divider", title: "drag to move" }, [TB.el("span", { className: "handle" })]);
    var range = TB.el("input", { type: "range", min: "0", max: "1000", value: String(Math.round(viewer.split * 1000)), className: "slider-range", "aria-label": "slider position" });
    range.addEventListener("input", function () { viewer.setSplit(Number(range.value) / 1000); });
    var figure = TB.el("figure", { className: "panel slider", "data-panel": "slider" }, [
      TB.el("figcaption", null, [
        TB.el("span", { className: "side-a" }, [TB.el("kbd", { text: String(a[1] + 1) }), " " + a[0].title, TB.marks(a[0].marks)]),
        TB.el("span", { className: "vs", text: " ⟷ " }),
        TB.el("span", { className: "side-b" }, [TB.el("kbd", { text: String(b[1] + 1) }), " " + b[0].title, TB.marks(b[0].marks)]),
      ]),
      node, range,
    ]);
    stage.appendChild(figure);
    sizePort(node, true);
    var p = viewer.addPort(node, clip, divider);
    if (b[0].image) viewer.addImage(p, placeImage(node, b[0]), b[0].image.w, b[0].image.h);
    node.appendChild(clip);
    if (a[0].image) viewer.addImage(p, placeImage(clip, a[0]), a[0].image.w, a[0].image.h);
    node.appendChild(divider);
    viewer.onChange = function (v) {
      showZoom(v);
      range.value = String(Math.round(v.split * 1000));
    };
  }

  function button(label, title, action, active) {
    return TB.el("button", { type: "button", title: title, className: active ? "active" : null, text: label, onclick: action });
  }

  function panelSelect(panels, value, onChange) {
    var select = TB.el("select");
    panels.forEach(function (p, i) {
      select.appendChild(TB.el("option", { value: p.key, selected: p.key === value, text: (i + 1) + " " + p.title }));
    });
    select.addEventListener("change", function () { onChange(select.value); });
    return select;
  }

  function bar(state, position, panels) {
    var order = TB.order(state);
    var at = order.indexOf(position);
    var node = TB.clear($("item-bar"));
    var neighbour = function (step) {
      var list = at >= 0 ? order : TB.site.items.id.map(function (_, i) { return i; });
      var here = at >= 0 ? at : position;
      return list[here + step];
    };
    var prev = neighbour(-1), next = neighbour(1);
    node.appendChild(TB.el("a", { href: TB.hashOf(Object.assign({}, TB.readState(), { item: "" })), className: "back", text: "← index (Esc)" }));
    node.appendChild(button("‹", "previous item (←)", function () { step(-1); }, false));
    node.appendChild(TB.el("span", { className: "where", text: at >= 0 ? at + 1 + " / " + order.length : "not in the current filter" }));
    node.appendChild(button("›", "next item (→)", function () { step(1); }, false));
    node.lastChild.disabled = next === undefined;
    node.children[1].disabled = prev === undefined;
    node.appendChild(TB.el("strong", { className: "item-id", text: TB.site.items.id[position] }));
    var zoom = TB.el("span", { className: "zoom" }, [
      button("fit", "fit (f)", function () { viewer.setFit(); }, false),
      button("100 %", "one image pixel per screen pixel (z)", function () { viewer.zoomTo(1); }, false),
      button("200 %", "", function () { viewer.zoomTo(2); }, false),
      button("400 %", "", function () { viewer.zoomTo(4); }, false),
      button("−", "zoom out (−)", function () { viewer.zoomBy(1 / 1.5); }, false),
      button("+", "zoom in (+)", function () { viewer.zoomBy(1.5); }, false),
      TB.el("span", { id: "zoom-level" }),
    ]);
    node.appendChild(zoom);
    node.appendChild(TB.el("span", { className: "modes" }, [
      button("all panels", "all panels (0)", function () { setMode({ kind: "grid" }); }, mode.kind === "grid"),
      button("slider", "before/after slider (s)", function () { setMode({ kind: "slider" }); }, mode.kind === "slider"),
    ]));
    if (mode.kind === "slider") {
      node.appendChild(TB.el("span", { className: "slider-pick" }, [
        "left ", panelSelect(panels, mode.a, function (key) { setMode({ kind: "slider", a: key }); }),
        " right ", panelSelect(panels, mode.b, function (key) { setMode({ kind: "slider", b: key }); }),
      ]));
    }
  }

  function factsTable(item) {
    var rows = [["c_s (caption)", item.cs || "(none)"], ["c_r (restoration)", item.cr || "(none)"],
      ["c_r, type only", item.crt || "(none)"], ["pipeline", item.pipeline], ["seed", String(item.seed)]];
    Object.keys(item.params).sort().forEach(function (key) {
      var value = item.params[key];
      if (value === null) return; /* an operation the pipeline did not apply */
      rows.push(["param " + key, typeof value === "object" ? JSON.stringify(value) : String(value)]);
    });
    return TB.el("table", { className: "facts" }, rows.map(function (row) {
      return TB.el("tr", null, [TB.el("th", { text: row[0] }), TB.el("td", { text: row[1] })]);
    }));
  }

  function fedTable(item, position) {
    var site = TB.site;
    var head = TB.el("tr", null, ["run", "prompts", "c_s fed", "c_r fed"].map(function (t) { return TB.el("th", { text: t }); }));
    site.metrics.forEach(function (m) { head.appendChild(TB.el("th", { text: m.label + (m.higher ? "↑" : "↓") })); });
    head.appendChild(TB.el("th", { text: "files" }));
    var table = TB.el("table", { className: "fed" }, [head]);
    site.runs.forEach(function (run) {
      var fed = item.fed[run.prompts] || ["", ""];
      var said = function (text, kind) {
        var shown = text ? "“" + text + "”" : "(nothing)";
        return text && run.ignored.indexOf(kind) >= 0 ? shown + " — ignored by the method" : shown;
      };
      var row = TB.el("tr", { "data-run": run.key }, [
        TB.el("td", null, [TB.el("a", { href: "#run=" + encodeURIComponent(run.key), text: run.label }), TB.marks(run.marks)]),
        TB.el("td", { text: run.prompts, title: run.policy }),
        TB.el("td", { className: "fed-cs", text: said(fed[0], "semantic") }),
        TB.el("td", { className: "fed-cr", text: said(fed[1], "restoration") }),
      ]);
      site.metrics.forEach(function (m) { row.appendChild(TB.el("td", { text: TB.format(run.scores[m.name][position], m.name) })); });
      row.appendChild(TB.el("td", null, [TB.el("a", { href: run.run_json, text: "run.json" }),
        run.summary_json ? " · " : null, run.summary_json ? TB.el("a", { href: run.summary_json, text: "summary.json" }) : null]));
      table.appendChild(row);
    });
    return table;
  }

  function info(item, position) {
    var node = TB.clear($("item-info"));
    node.appendChild(TB.el("h2", { text: item.id }));
    node.appendChild(factsTable(item));
    if (TB.site.runs.length) {
      node.appendChild(TB.el("h3", { text: "What each run was fed (its prompt policy), and its scores on this item" }));
      node.appendChild(fedTable(item, position));
    }
  }

  function draw() {
    if (!current) return;
    var stage = TB.clear($("stage"));
    stage.className = mode.kind;
    viewer.reset();
    viewer.onChange = showZoom;
    var gt = current.item.gt;
    if (gt.w && gt.h) viewer.setReference(gt.w, gt.h);
    if (mode.kind === "slider") sliderStage(stage, current.panels, current.position);
    else gridStage(stage, current.panels, current.position, mode.kind === "single" ? mode.key : null);
    bar(current.state, current.position, current.panels);
    viewer.render();
    var shown = current.item.id;
    TB.whenLoaded(Array.prototype.slice.call(stage.querySelectorAll("img")), function () {
      if (current && current.item.id === shown) document.documentElement.setAttribute("data-item-images-ms", String(performance.now()));
    });
  }

  function setMode(next) {
    mode = { kind: next.kind, key: next.key || null, a: next.a || mode.a, b: next.b || mode.b };
    draw();
  }

  function step(delta) {
    if (!current) return;
    var order = TB.order(current.state);
    var at = order.indexOf(current.position);
    var target = at >= 0 ? order[at + delta] : current.position + delta;
    if (target === undefined || target < 0 || target >= TB.site.items.id.length) return;
    TB.go({ item: TB.site.items.id[target] });
  }

  function pick(index, left) {
    if (!current || index >= current.panels.length) return;
    var key = current.panels[index].key;
    if (mode.kind === "slider") setMode(left ? { kind: "slider", a: key } : { kind: "slider", b: key });
    else if (mode.kind === "single" && mode.key === key) setMode({ kind: "grid" });
    else setMode({ kind: "single", key: key });
  }

  TB.showItem = function (state, position) {
    var mine = ++token;
    TB.lastItem = position;
    document.documentElement.removeAttribute("data-item-images-ms");
    document.title = TB.site.items.id[position] + " — " + TB.site.split.name;
    TB.loadItem(position, function (item) {
      if (mine !== token) return;
      current = { state: state, position: position, item: item, panels: panelsOf(item) };
      info(item, position);
      draw();
      $("keys").hidden = false;
      $("keys").textContent = KEYS;
      document.documentElement.setAttribute("data-item-ready", item.id);
    });
  };

  TB.closeItem = function () {
    token++;
    current = null;
    viewer.reset();
    $("keys").hidden = true;
    document.documentElement.removeAttribute("data-item-ready");
    document.documentElement.removeAttribute("data-item-images-ms");
  };

  TB.viewer = viewer;
  TB.itemMode = function () { return mode; };

  document.addEventListener("keydown", function (event) {
    if ($("item-view").hidden || !current) return;
    if (event.key === "Escape") {
      event.preventDefault();
      TB.go({ item: "" });
      return;
    }
    if (TB.isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    var digit = /^Digit([0-9])$/.exec(event.code || "");
    if (digit) {
      event.preventDefault();
      var n = Number(digit[1]);
      if (n === 0) setMode({ kind: "grid" });
      else pick(n - 1, event.shiftKey);
      return;
    }
    var actions = {
      ArrowLeft: function () { step(-1); },
      ArrowRight: function () { step(1); },
      "+": function () { viewer.zoomBy(1.5); },
      "=": function () { viewer.zoomBy(1.5); },
      "-": function () { viewer.zoomBy(1 / 1.5); },
      f: function () { viewer.setFit(); },
      z: function () { viewer.zoomTo(1); },
      s: function () { setMode({ kind: mode.kind === "slider" ? "grid" : "slider" }); },
    };
    if (actions[event.key]) {
      event.preventDefault();
      actions[event.key]();
    }
  });

  window.addEventListener("resize", function () {
    if (current) viewer.render();
  });
})();
