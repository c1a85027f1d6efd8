/* tipbench results browser: shared state, the list order (filter + sort) and the item-detail loader.
 * Plain JavaScript, no library: the page runs from file://, so data arrive as scripts, never through fetch/XHR. */
"use strict";

var TB = (window.TB = {
  site: null,
  chunks: {},
  pending: {},
  orderCache: { key: null, order: null },
});

/* data/site.js and data/items/<chunk>.js call these. */
window.TIPBENCH_SITE = function (data) {
  TB.site = data;
};
window.TIPBENCH_ITEMS = function (chunk, items) {
  TB.chunks[chunk] = items;
};

/* ------------------------------------------------------------------ DOM helpers */
TB.el = function (tag, attrs, children) {
  var node = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
  }
  (children || []).forEach(function (child) {
    if (child === null || child === undefined) return;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return node;
};

TB.clear = function (node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
};

TB.pad = function (number, width) {
  var text = String(number);
  while (text.length < width) text = "0" + text;
  return text;
};

TB.marks = function (marks) {
  var span = TB.el("span", { className: "marks" });
  (marks || []).forEach(function (mark) {
    span.appendChild(TB.el("sup", { className: "mark", title: mark.meaning, "data-mark": mark.code, text: mark.symbol }));
  });
  return span;
};

/* ------------------------------------------------------------------ site lookups */
TB.metric = function (name) {
  var found = null;
  TB.site.metrics.forEach(function (m) {
    if (m.name === name) found = m;
  });
  return found;
};

TB.run = function (key) {
  var found = null;
  TB.site.runs.forEach(function (run) {
    if (run.key === key) found = run;
  });
  return found;
};

TB.format = function (value, metricName) {
  if (value === null || value === undefined) return "—";
  var metric = TB.metric(metricName);
  return value.toFixed(metric ? metric.decimals : 3);
};

TB.thumbSrc = function (panel, position) {
  var site = TB.site;
  var folder, missing;
  if (panel === "gt" || panel === "lq") {
    folder = site.thumbs[panel];
    missing = site.missing_thumbs[panel];
  } else {
    var run = TB.run(panel);
    if (!run) return null;
    folder = run.thumbs;
    missing = run.missing;
  }
  if (missing.indexOf(position) >= 0) return null;
  return folder + TB.pad(position, 6) + site.thumb_suffix;
};

TB.positionOf = function (id) {
  if (!TB.idIndex) {
    TB.idIndex = {};
    TB.site.items.id.forEach(function (value, i) {
      TB.idIndex[value] = i;
    });
  }
  return Object.prototype.hasOwnProperty.call(TB.idIndex, id) ? TB.idIndex[id] : -1;
};

/* ------------------------------------------------------------------ URL state (all of it lives in the hash) */
TB.DEFAULTS = { q: "", t: "", sort: "index", m: "", a: "", b: "", dir: "best", th: "", p: "1", n: "", item: "", run: "" };

TB.readState = function () {
  var params = new URLSearchParams(location.hash.replace(/^#/, ""));
  var state = {};
  Object.keys(TB.DEFAULTS).forEach(function (key) {
    state[key] = params.has(key) ? params.get(key) : TB.DEFAULTS[key];
  });
  return state;
};

TB.hashOf = function (state) {
  var params = new URLSearchParams();
  Object.keys(TB.DEFAULTS).forEach(function (key) {
    if (state[key] !== undefined && state[key] !== TB.DEFAULTS[key]) params.set(key, state[key]);
  });
  var text = params.toString();
  return text ? "#" + text : "#";
};

/* Change the state: `push` adds a history entry (opening an item), otherwise the entry is replaced (controls). */
TB.go = function (changes, push) {
  var state = TB.readState();
  Object.keys(changes).forEach(function (key) {
    state[key] = changes[key];
  });
  var hash = TB.hashOf(state);
  if (push) location.hash = hash;
  else {
    history.replaceState(null, "", hash);
    TB.route();
  }
};

/* ------------------------------------------------------------------ the list order */
/* The oriented value of an item under the sort: larger is better ("best first" sorts it descending). */
TB.sortValue = function (state, position) {
  var site = TB.site;
  if (state.sort === "metric" || state.sort === "diff") {
    var metric = TB.metric(state.m);
    var runA = TB.run(state.a);
    if (!metric || !runA) return null;
    var sign = metric.higher ? 1 : -1;
    var a = runA.scores[metric.name][position];
    if (a === null || a === undefined) return null;
    if (state.sort === "metric") return sign * a;
    var runB = TB.run(state.b);
    if (!runB) return null;
    var b = runB.scores[metric.name][position];
    if (b === null || b === undefined) return null;
    return sign * (a - b);
  }
  return null;
};

TB.textOf = function (position) {
  if (!TB.texts) {
    var items = TB.site.items;
    TB.texts = items.id.map(function (id, i) {
      return (id + "\n" + items.cs[i] + "\n" + items.cr[i]).toLowerCase();
    });
  }
  return TB.texts[position];
};

/* Search words, all of which an item's id or prompts must contain; "quoted words" are one phrase. */
TB.searchWords = function (query) {
  var words = [];
  var pattern = /"([^"]*)"|(\S+)/g;
  var match;
  while ((match = pattern.exec(query.toLowerCase())) !== null) {
    var word = match[1] !== undefined ? match[1] : match[2];
    if (word) words.push(word);
  }
  return words;
};

TB.order = function (state) {
  var key = [state.q, state.t, state.sort, state.m, state.a, state.b, state.dir].join("\u0001");
  if (TB.orderCache.key === key) return TB.orderCache.order;
  var items = TB.site.items;
  var n = items.id.length;
  var words = TB.searchWords(state.q);
  var wanted = state.t
    ? state.t.split(",").map(function (name) {
        return TB.site.type_names.indexOf(name);
      })
    : [];
  var order = [];
  for (var i = 0; i < n; i++) {
    var types = items.types[i];
    var ok = wanted.every(function (t) {
      return types.indexOf(t) >= 0;
    });
    if (ok && words.length) {
      var text = TB.textOf(i);
      ok = words.every(function (word) {
        return text.indexOf(word) >= 0;
      });
    }
    if (ok) order.push(i);
  }
  var reverse = state.dir === "worst";
  if (state.sort === "metric" || state.sort === "diff") {
    var values = {};
    order.forEach(function (i) {
      values[i] = TB.sortValue(state, i);
    });
    order.sort(function (x, y) {
      var vx = values[x], vy = values[y];
      if (vx === null && vy === null) return x - y;
      if (vx === null) return 1; /* unscored items last, whichever the direction */
      if (vy === null) return -1;
      if (vx === vy) return x - y;
      return reverse ? vx - vy : vy - vx;
    });
  } else if (state.sort === "id") {
    order.sort(function (x, y) {
      var ix = items.id[x], iy = items.id[y];
      var c = ix < iy ? -1 : ix > iy ? 1 : 0;
      return reverse ? -c : c;
    });
  } else if (reverse) {
    order.reverse();
  }
  TB.orderCache = { key: key, order: order };
  return order;
};

/* ------------------------------------------------------------------ item details, loaded as scripts on demand */
TB.loadItem = function (position, done) {
  var chunk = Math.floor(position / TB.site.chunk);
  var pick = function () {
    done(TB.chunks[chunk][position - chunk * TB.site.chunk]);
  };
  if (TB.chunks[chunk]) return pick();
  if (TB.pending[chunk]) return TB.pending[chunk].push(pick);
  TB.pending[chunk] = [pick];
  var script = TB.el("script", { src: "data/items/" + TB.pad(chunk, 4) + ".js" });
  script.addEventListener("load", function () {
    var waiting = TB.pending[chunk];
    delete TB.pending[chunk];
    if (TB.chunks[chunk]) waiting.forEach(function (fn) { fn(); });
  });
  document.head.appendChild(script);
};

/* Call `done` once every image in `imgs` has loaded (or failed): the page's own clock for its load times. */
TB.whenLoaded = function (imgs, done) {
  var left = imgs.length;
  var one = function () {
    if (--left === 0) done();
  };
  if (!left) return done();
  imgs.forEach(function (img) {
    if (img.complete) one();
    else {
      img.addEventListener("load", one);
      img.addEventListener("error", one);
    }
  });
};

TB.isTyping = function (event) {
  var tag = (event.target && event.target.tagName) || "";
  return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA";
};
