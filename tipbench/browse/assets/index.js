/* The index: one card per item (paged, thumbnails lazy-loaded), sorting and filtering, the runs and their marks. */
"use strict";

(function () {
  var $ = function (id) {
    return document.getElementById(id);
  };
  var PER_PAGE = [30, 60, 120, 240, 480];

  function option(value, label, selected) {
    return TB.el("option", { value: value, selected: selected, text: label });
  }

  function fill(select, options, value) {
    TB.clear(select);
    options.forEach(function (pair) {
      select.appendChild(option(pair[0], pair[1], pair[0] === value));
    });
  }

  function runOptions() {
    return TB.site.runs.map(function (run) {
      return [run.key, run.label + (run.marks.length ? " " + run.marks.map(function (m) { return m.symbol; }).join("") : "")];
    });
  }

  /* Defaults that depend on the site: the first metric and runs, the thumbnails of the run being viewed. */
  function effective(state) {
    var site = TB.site;
    var s = Object.assign({}, state);
    if (!TB.metric(s.m) && site.metrics.length) s.m = site.metrics[0].name;
    if (!TB.run(s.a) && site.runs.length) s.a = s.run && TB.run(s.run) ? s.run : site.runs[0].key;
    if (!TB.run(s.b) && site.runs.length) s.b = site.runs[site.runs.length > 1 ? 1 : 0].key;
    if (!s.th) s.th = s.run && TB.run(s.run) ? s.run : "gt";
    if (!s.n) s.n = String(site.page_size);
    if ((s.sort === "metric" || s.sort === "diff") && !(site.metrics.length && site.runs.length)) s.sort = "index";
    return s;
  }

  function renderControls(s) {
    var site = TB.site;
    $("q").value = s.q;
    var chosen = s.t ? s.t.split(",") : [];
    var types = TB.clear($("types"));
    types.appendChild(TB.el("legend", { text: "c_r names (all of)" }));
    site.type_names.forEach(function (name) {
      var box = TB.el("input", { type: "checkbox", value: name, checked: chosen.indexOf(name) >= 0 });
      box.addEventListener("change", function () {
        var names = Array.prototype.filter.call(types.querySelectorAll("input"), function (b) { return b.checked; })
          .map(function (b) { return b.value; });
        TB.go({ t: names.join(","), p: "1" });
      });
      types.appendChild(TB.el("label", { className: "type" }, [box, " " + name]));
    });
    var sorts = [["index", "split order"], ["id", "id"]];
    if (site.metrics.length && site.runs.length) sorts.push(["metric", "a run's metric"], ["diff", "run A − run B"]);
    fill($("sort"), sorts, s.sort);
    fill($("metric"), site.metrics.map(function (m) { return [m.name, m.label + (m.higher ? " ↑" : " ↓")]; }), s.m);
    fill($("run-a"), runOptions(), s.a);
    fill($("run-b"), runOptions(), s.b);
    var scored = s.sort === "metric" || s.sort === "diff";
    $("metric-label").hidden = !scored;
    $("a-label").hidden = !scored;
    $("a-word").textContent = s.sort === "diff" ? "A" : "run";
    $("b-label").hidden = s.sort !== "diff";
    var dirs = scored
      ? [["best", s.sort === "diff" ? "A ahead most first" : "best first"], ["worst", s.sort === "diff" ? "B ahead most first" : "worst first"]]
      : [["best", "first to last"], ["worst", "last to first"]];
    fill($("dir"), dirs, s.dir);
    var thumbs = [["gt", "GT"], ["lq", "LQ"]].concat(runOptions());
    fill($("thumb"), thumbs, s.th);
    var pers = PER_PAGE.slice();
    if (pers.indexOf(Number(s.n)) < 0) pers.push(Number(s.n));
    pers.sort(function (x, y) { return x - y; });
    fill($("per"), pers.map(function (n) { return [String(n), String(n)]; }), s.n);
  }

  function sortText(s, position) {
    if (s.sort !== "metric" && s.sort !== "diff") return null;
    var metric = TB.metric(s.m);
    var a = TB.run(s.a).scores[metric.name][position];
    if (s.sort === "metric") return metric.label + " " + TB.format(a, metric.name);
    var b = TB.run(s.b).scores[metric.name][position];
    if (a === null || b === null) return "Δ" + metric.label + " —";
    var d = a - b;
    return "Δ" + metric.label + " A−B " + (d >= 0 ? "+" : "−") + TB.format(Math.abs(d), metric.name);
  }

  function miniTable(position, highlight) {
    var site = TB.site;
    var cols = site.card_metrics;
    var table = TB.el("table", { className: "mini" });
    var head = TB.el("tr", null, [TB.el("th")]);
    cols.forEach(function (name) {
      var m = TB.metric(name);
      head.appendChild(TB.el("th", { text: m.label, title: m.label + (m.higher ? ": higher is better" : ": lower is better") }));
    });
    table.appendChild(head);
    site.runs.forEach(function (run) {
      var label = TB.el("th", { title: run.label }, [TB.el("span", { className: "run-name", text: run.label }), TB.marks(run.marks)]);
      var row = TB.el("tr", { className: run.key === highlight ? "hl" : null, "data-run": run.key }, [label]);
      cols.forEach(function (name) {
        var value = run.scores[name][position];
        row.appendChild(TB.el("td", { "data-metric": name, text: TB.format(value, name) }));
      });
      table.appendChild(row);
    });
    return table;
  }

  /* Cards above the fold load their thumbnails at once; the others get theirs when scrolled within a screen of
   * the viewport (the browser's own `loading=lazy` distance is several screens: 60 loads at once on file://). */
  var EAGER = 15;
  var nearby = "IntersectionObserver" in window
    ? new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          var img = entry.target;
          nearby.unobserve(img);
          img.src = img.getAttribute("data-src");
        });
      }, { rootMargin: "600px 0px" })
    : null;

  function card(s, position, hrefState, rank) {
    var items = TB.site.items;
    var id = items.id[position];
    var src = TB.thumbSrc(s.th, position);
    var thumb = src
      ? TB.el("img", rank < EAGER || !nearby
        ? { src: src, alt: "", loading: rank < EAGER ? "eager" : "lazy", decoding: "async" }
        : { "data-src": src, alt: "", loading: "lazy", decoding: "async" })
      : TB.el("span", { className: "no-image", text: "no image" });
    var value = sortText(s, position);
    hrefState.item = id;
    return TB.el("a", { className: "card", href: TB.hashOf(hrefState), "data-item-id": id, "data-pos": position }, [
      TB.el("div", { className: "thumb" }, [thumb]),
      TB.el("div", { className: "card-body" }, [
        TB.el("div", { className: "card-id", text: id }),
        value ? TB.el("div", { className: "sort-value", text: value }) : null,
        TB.el("p", { className: "cs", title: "c_s: " + items.cs[position], text: items.cs[position] || "(no caption)" }),
        TB.el("p", { className: "cr", title: "c_r: " + items.cr[position], text: items.cr[position] || "(no c_r)" }),
        TB.site.runs.length && TB.site.card_metrics.length ? miniTable(position, s.run || (s.sort === "metric" || s.sort === "diff" ? s.a : "")) : null,
      ]),
    ]);
  }

  function pager(node, page, pages) {
    TB.clear(node);
    if (pages <= 1) return;
    var button = function (label, target, current) {
      return TB.el("button", {
        type: "button", className: current ? "current" : null, disabled: target < 1 || target > pages || current,
        "data-page": target, text: label, onclick: function () { TB.go({ p: String(target) }); window.scrollTo(0, 0); },
      });
    };
    node.appendChild(button("‹ prev", page - 1, false));
    var shown = {};
    [1, page - 2, page - 1, page, page + 1, page + 2, pages].forEach(function (p) {
      if (p >= 1 && p <= pages) shown[p] = true;
    });
    var last = 0;
    Object.keys(shown).map(Number).sort(function (x, y) { return x - y; }).forEach(function (p) {
      if (p > last + 1) node.appendChild(TB.el("span", { className: "gap", text: "…" }));
      node.appendChild(button(String(p), p, p === page));
      last = p;
    });
    node.appendChild(button("next ›", page + 1, false));
  }

  function runBanner(s) {
    var banner = $("run-banner");
    var run = s.run ? TB.run(s.run) : null;
    banner.hidden = !run;
    TB.clear(banner);
    if (!run) return;
    banner.appendChild(TB.el("h2", null, ["Run ", TB.el("span", { className: "run-name", text: run.label }), TB.marks(run.marks)]));
    banner.appendChild(TB.el("p", { text: "prompts: " + run.prompts + " — " + run.policy + (run.ignored.length ? "; the method ignores the " + run.ignored.join(" and ") + " prompt" : "") }));
    banner.appendChild(runFiles(run));
    banner.appendChild(TB.el("a", { href: "#", text: "show all runs" }));
  }

  function runFiles(run) {
    return TB.el("span", { className: "files" }, [
      TB.el("a", { href: run.run_json, text: "run.json" }),
      run.summary_json ? " · " : null,
      run.summary_json ? TB.el("a", { href: run.summary_json, text: "summary.json" }) : null,
    ]);
  }

  function runsTable() {
    var site = TB.site;
    var node = TB.clear($("runs"));
    node.appendChild(TB.el("h2", { text: site.runs.length ? "Runs" : "No scored runs of this split" }));
    if (!site.runs.length) return;
    var names = ["psnr", "ssim", "lpips", "fid", "clip_i", "clip_t"].filter(function (name) {
      return site.runs.some(function (run) { return run.means[name] !== undefined; });
    });
    var head = TB.el("tr", null, [TB.el("th", { text: "run" }), TB.el("th", { text: "prompts fed" }), TB.el("th", { text: "N" })]);
    names.forEach(function (name) { head.appendChild(TB.el("th", { text: name.toUpperCase().replace("_", "-") })); });
    head.appendChild(TB.el("th", { text: "files" }));
    var table = TB.el("table", { className: "runs" }, [head]);
    site.runs.forEach(function (run) {
      var row = TB.el("tr", null, [
        TB.el("td", null, [TB.el("a", { href: "#run=" + encodeURIComponent(run.key), text: run.label }), TB.marks(run.marks)]),
        TB.el("td", { text: run.policy + (run.ignored.length ? " (ignores " + run.ignored.join(", ") + ")" : "") }),
        TB.el("td", { text: run.n === null ? "—" : String(run.n) }),
      ]);
      names.forEach(function (name) { row.appendChild(TB.el("td", { text: TB.format(run.means[name], name) })); });
      row.appendChild(TB.el("td", null, [runFiles(run)]));
      table.appendChild(row);
    });
    node.appendChild(table);
    var legend = TB.el("ul", { className: "legend" });
    Object.keys(site.marks).forEach(function (code) {
      legend.appendChild(TB.el("li", { text: site.marks[code].symbol + " " + site.marks[code].meaning }));
    });
    node.appendChild(legend);
  }

  TB.renderIndex = function (state) {
    var s = effective(state);
    var site = TB.site;
    renderControls(s);
    runBanner(s);
    var order = TB.order(s);
    var per = Math.max(1, Number(s.n) || site.page_size);
    var pages = Math.max(1, Math.ceil(order.length / per));
    var page = Math.min(Math.max(1, Number(s.p) || 1), pages);
    $("count").textContent = order.length + " of " + site.items.id.length + " items" + (pages > 1 ? " — page " + page + " of " + pages : "");
    var cards = TB.clear($("cards"));
    var fragment = document.createDocumentFragment();
    var hrefState = Object.assign({}, state);
    order.slice((page - 1) * per, page * per).forEach(function (position, rank) {
      fragment.appendChild(card(s, position, hrefState, rank));
    });
    cards.appendChild(fragment);
    if (nearby) {
      nearby.disconnect();
      Array.prototype.forEach.call(cards.querySelectorAll("img[data-src]"), function (img) { nearby.observe(img); });
    }
    var eager = Array.prototype.slice.call(cards.querySelectorAll("img[loading=eager]"));
    TB.whenLoaded(eager, function () {
      window.TB_THUMBS_MS = performance.now(); /* the first thumbnails loaded: bench/browse.py reads it */
    });
    pager($("pager-top"), page, pages);
    pager($("pager"), page, pages);
    TB.pageInfo = { page: page, pages: pages };
  };

  function header() {
    var site = TB.site;
    var split = site.split;
    $("split-name").textContent = split.name;
    $("split-facts").textContent = split.n + " items · source " + (split.source || "unknown") + " · protocol " + (split.protocol || "unknown") + " · " + site.runs.length + " scored run(s)";
    var links = $("top-links");
    links.appendChild(TB.el("a", { href: "#", text: "index" }));
    if (site.leaderboard) links.appendChild(TB.el("a", { href: site.leaderboard, text: "leaderboard" }));
    var codes = Object.keys(site.marks);
    if (codes.length) {
      var banner = $("banner");
      banner.hidden = false;
      banner.textContent = "NOT THE BENCHMARK: runs marked " + codes.map(function (c) { return site.marks[c].symbol; }).join(" ") +
        " cannot be compared with the paper — " + codes.map(function (c) { return site.marks[c].symbol + " " + site.marks[c].meaning; }).join("; ");
    }
    document.title = split.name + " — tipbench results";
  }

  function wire() {
    var typing = null;
    $("q").addEventListener("input", function () {
      clearTimeout(typing);
      var value = this.value;
      typing = setTimeout(function () { TB.go({ q: value, p: "1" }); }, 150);
    });
    $("controls").addEventListener("submit", function (event) { event.preventDefault(); });
    var map = { sort: "sort", metric: "m", "run-a": "a", "run-b": "b", dir: "dir", thumb: "th", per: "n" };
    Object.keys(map).forEach(function (id) {
      $(id).addEventListener("change", function () {
        var changes = { p: "1" };
        changes[map[id]] = this.value;
        if (id === "sort") changes.dir = "best";
        if (id === "thumb") delete changes.p;
        TB.go(changes);
      });
    });
    document.addEventListener("keydown", function (event) {
      if (!$("item-view").hidden || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "/" && !TB.isTyping(event)) {
        event.preventDefault();
        $("q").focus();
        return;
      }
      if (TB.isTyping(event) || !TB.pageInfo) return;
      if (event.key === "ArrowRight" && TB.pageInfo.page < TB.pageInfo.pages) TB.go({ p: String(TB.pageInfo.page + 1) });
      else if (event.key === "ArrowLeft" && TB.pageInfo.page > 1) TB.go({ p: String(TB.pageInfo.page - 1) });
    });
    window.addEventListener("hashchange", TB.route);
  }

  TB.route = function () {
    var state = TB.readState();
    var position = state.item ? TB.positionOf(state.item) : -1;
    if (position >= 0) {
      $("index-view").hidden = true;
      $("item-view").hidden = false;
      TB.showItem(effective(state), position);
    } else {
      var wasItem = !$("item-view").hidden;
      $("item-view").hidden = true;
      $("index-view").hidden = false;
      if (TB.closeItem) TB.closeItem();
      TB.renderIndex(state);
      if (wasItem && TB.lastItem !== undefined) {
        var back = document.querySelector('.card[data-pos="' + TB.lastItem + '"]');
        if (back) back.scrollIntoView({ block: "center" });
      }
      document.title = TB.site.split.name + " — tipbench results";
    }
    document.documentElement.setAttribute("data-ready", "1");
  };

  function start() {
    if (!TB.site) {
      document.body.appendChild(TB.el("p", { className: "warn", text: "data/site.js is missing: rebuild the site with python -m tipbench.browse" }));
      return;
    }
    header();
    runsTable();
    wire();
    TB.route();
    window.TB_READY_MS = performance.now();
  }

  start();
})();
