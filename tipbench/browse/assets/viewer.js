/* Synchronised zoom and pan over any number of viewports, and the before/after slider.
 *
 * One state for every viewport: the zoom `z` in screen (device) pixels per GT pixel and the GT point (cx, cy) shown
 * at each viewport's centre. Every image is placed with a CSS transform computed from that state, so panels cannot
 * drift apart. An image of another size than the GT (the LQ) is scaled to the GT's frame. At z ≥ 1 translations are
 * rounded to whole device pixels and magnified images are drawn with `image-rendering: pixelated`: one image pixel
 * is exactly z × z screen pixels, never smoothed. */
"use strict";

(function () {
  var MAX_ZOOM = 64;

  function Viewer(onChange) {
    this.ports = [];
    this.fit = true;
    this.z = 1;
    this.cx = 0;
    this.cy = 0;
    this.W = 0;
    this.H = 0;
    this.split = 0.5;
    this.onChange = onChange || function () {};
  }

  Viewer.prototype.dpr = function () {
    return window.devicePixelRatio || 1;
  };

  Viewer.prototype.reset = function () {
    this.ports = [];
  };

  Viewer.prototype.setReference = function (width, height) {
    if (!width || !height) return;
    var relative = !this.fit && this.W ? [this.cx / this.W, this.cy / this.H] : null;
    this.W = width;
    this.H = height;
    if (relative) {
      this.cx = relative[0] * width;
      this.cy = relative[1] * height;
    }
  };

  /* A viewport element; its images are added with addImage. `clip` (slider ports) is the layer cut at the divider. */
  Viewer.prototype.addPort = function (node, clip, divider) {
    var port = { node: node, layers: [], clip: clip || null, divider: divider || null };
    this.ports.push(port);
    this.listen(port);
    return port;
  };

  Viewer.prototype.addImage = function (port, img, width, height) {
    var self = this;
    var layer = { img: img, w: width || 0, h: height || 0 };
    port.layers.push(layer);
    var loaded = function () {
      layer.w = img.naturalWidth;
      layer.h = img.naturalHeight;
      if (!self.W && img.getAttribute("data-reference") !== null) self.setReference(layer.w, layer.h);
      self.render();
    };
    if (img.complete && img.naturalWidth) loaded();
    else img.addEventListener("load", loaded);
    return layer;
  };

  Viewer.prototype.fitZoom = function () {
    var self = this;
    var best = Infinity;
    this.ports.forEach(function (port) {
      var vw = port.node.clientWidth, vh = port.node.clientHeight;
      if (vw && vh && self.W && self.H) best = Math.min(best, Math.min(vw / self.W, vh / self.H));
    });
    return (best === Infinity ? 1 : best) * this.dpr();
  };

  Viewer.prototype.zoom = function () {
    return this.fit ? this.fitZoom() : this.z;
  };

  Viewer.prototype.clampCentre = function () {
    this.cx = Math.min(Math.max(this.cx, 0), this.W);
    this.cy = Math.min(Math.max(this.cy, 0), this.H);
  };

  Viewer.prototype.render = function () {
    var self = this;
    var dpr = this.dpr();
    var z = this.zoom();
    if (this.fit) {
      this.cx = this.W / 2;
      this.cy = this.H / 2;
    }
    this.ports.forEach(function (port) {
      var vw = port.node.clientWidth, vh = port.node.clientHeight;
      var tx = Math.round((vw * dpr) / 2 - self.cx * z) / dpr;
      var ty = Math.round((vh * dpr) / 2 - self.cy * z) / dpr;
      port.layers.forEach(function (layer) {
        if (!layer.w || !self.W) return;
        var sx = (z / dpr) * (self.W / layer.w);
        var sy = (z / dpr) * (self.H / layer.h);
        layer.img.style.width = layer.w + "px";
        layer.img.style.height = layer.h + "px";
        layer.img.style.transform = "translate(" + tx + "px, " + ty + "px) scale(" + sx + ", " + sy + ")";
        layer.img.classList.toggle("pixelated", sx * dpr >= 0.999);
      });
      if (port.clip) {
        var cut = Math.round(vw * (1 - self.split));
        port.clip.style.clipPath = "inset(0px " + cut + "px 0px 0px)";
        port.divider.style.left = Math.round(vw * self.split) + "px";
      }
    });
    this.onChange(this);
  };

  /* Zoom to `z` keeping the GT point under (mx, my) of `port` in place (the viewport centre when no port). */
  Viewer.prototype.zoomTo = function (z, port, mx, my) {
    var dpr = this.dpr();
    var old = this.zoom();
    var vw = port ? port.node.clientWidth : 0, vh = port ? port.node.clientHeight : 0;
    var ox = port ? mx - vw / 2 : 0, oy = port ? my - vh / 2 : 0;
    var ix = this.cx + (ox * dpr) / old, iy = this.cy + (oy * dpr) / old;
    var low = Math.min(this.fitZoom(), 1) / 4;
    this.fit = false;
    this.z = Math.min(Math.max(z, low), MAX_ZOOM);
    this.cx = ix - (ox * dpr) / this.z;
    this.cy = iy - (oy * dpr) / this.z;
    this.clampCentre();
    this.render();
  };

  Viewer.prototype.zoomBy = function (factor, port, mx, my) {
    this.zoomTo(this.zoom() * factor, port, mx, my);
  };

  Viewer.prototype.setFit = function () {
    this.fit = true;
    this.render();
  };

  Viewer.prototype.panBy = function (dx, dy) {
    var z = this.zoom();
    if (this.fit) {
      this.fit = false;
      this.z = z;
    }
    this.cx -= (dx * this.dpr()) / z;
    this.cy -= (dy * this.dpr()) / z;
    this.clampCentre();
    this.render();
  };

  Viewer.prototype.setSplit = function (value) {
    this.split = Math.min(Math.max(value, 0), 1);
    this.render();
  };

  Viewer.prototype.listen = function (port) {
    var self = this;
    var node = port.node;
    var drag = null;
    var local = function (event) {
      var rect = node.getBoundingClientRect();
      return [event.clientX - rect.left, event.clientY - rect.top];
    };
    node.addEventListener("wheel", function (event) {
      event.preventDefault();
      var at = local(event);
      var steps = event.deltaMode === 1 ? event.deltaY * 33 : event.deltaY;
      self.zoomBy(Math.pow(2, -steps / 300), port, at[0], at[1]);
    }, { passive: false });
    node.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      var onDivider = port.divider && (event.target === port.divider || port.divider.contains(event.target));
      drag = { x: event.clientX, y: event.clientY, slider: onDivider };
      node.setPointerCapture(event.pointerId);
      node.classList.add("dragging");
    });
    node.addEventListener("pointermove", function (event) {
      if (!drag) return;
      if (drag.slider) {
        self.setSplit(local(event)[0] / node.clientWidth);
      } else {
        self.panBy(event.clientX - drag.x, event.clientY - drag.y);
        drag.x = event.clientX;
        drag.y = event.clientY;
      }
    });
    var end = function () {
      drag = null;
      node.classList.remove("dragging");
    };
    node.addEventListener("pointerup", end);
    node.addEventListener("pointercancel", end);
    node.addEventListener("dblclick", function (event) {
      var at = local(event);
      if (!self.fit && Math.abs(self.z - 1) < 1e-9) self.setFit();
      else self.zoomTo(1, port, at[0], at[1]);
    });
  };

  TB.Viewer = Viewer;
})();
