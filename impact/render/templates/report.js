/* impact release notes: interactivity for one self-contained page.
 * Data comes only from the JSON block #impact-data and reaches the page only
 * through textContent and DOM methods, never as HTML, so a catalog value
 * such as "<script>" stays text. Links are made only for http and https. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("impact-data").textContent);
  var assets = {}, tests = {};
  data.assets.forEach(function (a) { assets[a.id] = a; });
  data.tests.forEach(function (t) { tests[t.id] = t; });
  var multi = data.changes.length > 1;
  var selected = null;

  // Control and bidirectional-override characters are shown as \uXXXX, never raw (as the page's HTML does it).
  var HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
  function shown(text) {
    return String(text).replace(HIDDEN, function (c) { return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4); });
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = shown(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function away(d) { return d === 0 ? "same tool" : d + (d === 1 ? " tool away" : " tools away"); }
  function safeUrl(value) {
    try {
      var u = new URL(String(value));
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (e) { return null; }
  }
  function row(dl, term, value) {
    if (value === undefined || value === null || value === "") { return; }
    dl.appendChild(el("dt", term));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = shown(value); }
    dl.appendChild(dd);
  }
  // An asset id that may wrap only after "/", ":", ".", "_" and "-" (as the page's HTML does it).
  function idCode(id, cls) {
    var code = el("code", null, "aid" + (cls ? " " + cls : ""));
    var pieces = String(id).match(/[^\/:._-]*[\/:._-]+|[^\/:._-]+/g) || [String(id)];
    pieces.forEach(function (piece, i) {
      if (i > 0) { code.appendChild(document.createElement("wbr")); }
      code.appendChild(el("span", piece));
    });
    return code;
  }
  function assetLink(id) {
    var code = idCode(id, assets[id] ? "pick" : "");
    if (assets[id]) { code.setAttribute("data-asset", id); code.tabIndex = 0; }
    return code;
  }

  function details(id) {
    var a = assets[id];
    var body = document.getElementById("details-body");
    var empty = document.getElementById("details-empty");
    var panel = document.getElementById("details");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    if (!a) { body.hidden = true; empty.hidden = false; body.removeAttribute("data-showing"); panel.hidden = true; return; }
    panel.hidden = false;
    empty.hidden = true;
    body.hidden = false;
    body.setAttribute("data-showing", id);
    var heading = el("h3");
    heading.appendChild(idCode(a.id));
    body.appendChild(heading);
    if (a.name) { body.appendChild(el("p", "\u201c" + a.name + "\u201d", "aname")); }
    var badges = el("p");
    if (a.status === "changed") {
      badges.appendChild(el("span", "changed: " + a.changed_by.map(function (c) { return c.action; }).join(", "), "badge b-changed"));
    } else {
      badges.appendChild(el("span", "impacted, " + away(a.tool_distance), "badge"));
    }
    if (a.critical) { badges.appendChild(document.createTextNode(" ")); badges.appendChild(el("span", "critical", "badge b-critical")); }
    if (a.untested) { badges.appendChild(document.createTextNode(" ")); badges.appendChild(el("span", "no test", "badge b-untested")); }
    body.appendChild(badges);

    var dl = el("dl");
    row(dl, "Tool", a.system_name + " (" + a.system + ")");
    row(dl, "Type", a.type);
    row(dl, "Owner", a.owner.name + (a.owner.team && a.owner.team !== a.owner.name ? " (" + a.owner.team + ")" : ""));
    row(dl, "Contact", [a.owner.email, a.owner.slack].filter(Boolean).join(" · "));
    row(dl, "Distance", a.status === "changed" ? "changed by the change itself" : away(a.tool_distance) + " from the change");
    row(dl, "About", a.description);
    if (a.url && safeUrl(a.url)) {
      var link = el("a", a.url);
      link.href = safeUrl(a.url);
      link.rel = "noopener noreferrer";
      row(dl, "Link", link);
    }
    body.appendChild(dl);

    if (a.status === "changed") {
      body.appendChild(el("h4", "What the change does"));
      var ul = el("ul");
      a.changed_by.forEach(function (c) {
        ul.appendChild(el("li", (multi ? c.change + ": " : "") + c.action + (c.note ? " — " + c.note : "")));
      });
      body.appendChild(ul);
    } else {
      body.appendChild(el("h4", "Why it is impacted"));
      var ol = el("ol", null, "why");
      a.path.forEach(function (step, i) {
        var li = el("li");
        li.appendChild(assetLink(step));
        var info = assets[step];
        if (info) { li.appendChild(document.createTextNode(" " + (i === 0 ? "(changed)" : "— " + shown(info.system_name)))); }
        if (i > 0 && a.notes[i - 1]) { li.appendChild(el("div", a.notes[i - 1], "edge-note")); }
        ol.appendChild(li);
      });
      body.appendChild(ol);
      if (multi) {
        body.appendChild(el("h4", "Reached by"));
        body.appendChild(el("p", a.reached_by.map(function (r) { return r.change + " (" + away(r.tool_distance) + ")"; }).join(", ")));
      }
    }

    body.appendChild(el("h4", "Tests that cover it"));
    if (a.tests.length) {
      var tl = el("ul", null, "tests");
      a.tests.forEach(function (tid) {
        var t = tests[tid];
        tl.appendChild(el("li", t ? t.name + " (" + tid + ", " + (t.kind || "test") + ")" : tid));
      });
      body.appendChild(tl);
    } else {
      body.appendChild(el("p", "No regression test covers this asset: check it by hand or add a test.", "none"));
    }
  }

  var nodes = {}, edges = [];
  Array.prototype.forEach.call(document.querySelectorAll("#graph-box g.node[data-asset]"), function (g) {
    nodes[g.getAttribute("data-asset")] = g;
  });
  edges = Array.prototype.slice.call(document.querySelectorAll("#graph-box g.edge[data-from]"));

  function highlight(id) {
    Array.prototype.forEach.call(document.querySelectorAll(".selected, .on-path"), function (n) {
      n.classList.remove("selected"); n.classList.remove("on-path");
    });
    var a = assets[id];
    if (!a) { return; }
    var pathSet = {};
    a.path.forEach(function (step, i) {
      if (nodes[step]) { nodes[step].classList.add("on-path"); }
      if (i > 0) { pathSet[a.path[i - 1] + "\u0000" + step] = true; }
    });
    edges.forEach(function (e) {
      if (pathSet[e.getAttribute("data-from") + "\u0000" + e.getAttribute("data-to")]) { e.classList.add("on-path"); }
    });
    if (nodes[id]) { nodes[id].classList.add("selected"); }
    Array.prototype.forEach.call(document.querySelectorAll("#asset-table tr[data-asset]"), function (tr) {
      if (tr.getAttribute("data-asset") === id) { tr.classList.add("selected"); }
    });
  }
  function select(id) { selected = id; details(id); highlight(id); }
  document.getElementById("details-close").addEventListener("click", function () { select(null); });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && selected) { select(null); } });
  function preview(id) { details(id); }
  function restore() { details(selected); }

  Object.keys(nodes).forEach(function (id) {
    var g = nodes[id];
    g.addEventListener("mouseenter", function () { preview(id); });
    g.addEventListener("mouseleave", restore);
    g.addEventListener("click", function () { select(id); });
    g.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(id); } });
  });
  document.addEventListener("click", function (ev) {
    var target = ev.target instanceof Element ? ev.target.closest(".pick[data-asset]") : null;
    // Opening a folded why-path or list inside a row only opens it: the panel stays as it was.
    var folding = ev.target instanceof Element && ev.target.closest("summary");
    if (target && !folding && !target.closest("#graph-box")) { select(target.getAttribute("data-asset")); }
  });
  document.addEventListener("keydown", function (ev) {
    var target = ev.target instanceof Element ? ev.target.closest("code.pick[data-asset]") : null;
    if (target && ev.key === "Enter") { select(target.getAttribute("data-asset")); }
  });

  // Zoom: wide graphs start at a readable size and scroll; "Fit" shows all of it.
  var box = document.getElementById("graph-box");
  var svg = box ? box.querySelector("svg") : null;
  if (svg) {
    var vb = (svg.getAttribute("viewBox") || "0 0 0 0").split(/[\s,]+/).map(Number);
    var natural = vb[2] || 0;
    var setZoom = function (level) {
      Array.prototype.forEach.call(document.querySelectorAll("button[data-zoom]"), function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-zoom") === level ? "true" : "false");
      });
      if (level === "fit" || !natural) {
        box.classList.add("fit");
        svg.style.width = "";
      } else {
        box.classList.remove("fit");
        svg.style.width = Math.round(natural * Number(level)) + "px";
      }
    };
    Array.prototype.forEach.call(document.querySelectorAll("button[data-zoom]"), function (b) {
      b.addEventListener("click", function () { setZoom(b.getAttribute("data-zoom")); });
    });
    // A wide graph opens at 100% (its labels as large as the page's small print), scrolled so
    // that the changed assets are in view; "Fit" and "60%" show more of it at once.
    var room = box.clientWidth || 1000;
    setZoom(natural > room ? "1" : "fit");
    var changed = svg.querySelectorAll("g.node.changed");
    if (natural > room && changed.length) {
      var at = box.getBoundingClientRect();
      var left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
      Array.prototype.forEach.call(changed, function (node) {
        var r = node.getBoundingClientRect();
        left = Math.min(left, r.left - at.left + box.scrollLeft);
        top = Math.min(top, r.top - at.top + box.scrollTop);
        right = Math.max(right, r.right - at.left + box.scrollLeft);
        bottom = Math.max(bottom, r.bottom - at.top + box.scrollTop);
      });
      var margin = 24;
      // Scroll no further than it takes to show them (the legend and what leads to them stay in
      // view where they can); when they do not fit in the box, start at the first of them.
      var scrollTo = function (low, high, room) {
        return Math.max(0, high - low + 2 * margin < room ? Math.min(low - margin, high + margin - room) : low - margin);
      };
      box.scrollLeft = scrollTo(left, right, box.clientWidth);
      box.scrollTop = scrollTo(top, bottom, box.clientHeight);
    }
  }

  // Filters on the impacted assets table.
  var fTool = document.getElementById("f-tool"), fDist = document.getElementById("f-distance");
  var fText = document.getElementById("f-text"), fUntested = document.getElementById("f-untested");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#asset-table tbody tr"));
  // The long tail of the table stays folded (and counted below it) until "Show all" or a filter.
  var more = document.getElementById("asset-more");
  var folded = !!more;
  function filter() {
    var tool = fTool.value, dist = fDist.value, text = fText.value.trim().toLowerCase(), only = fUntested.checked;
    var filtering = !!(tool || dist !== "" || text || only);
    var shown = 0;
    rows.forEach(function (tr) {
      var ok = (!tool || tr.getAttribute("data-system") === tool) &&
        (dist === "" || tr.getAttribute("data-distance") === dist) &&
        (!text || tr.textContent.toLowerCase().indexOf(text) >= 0) &&
        (!only || tr.getAttribute("data-untested") === "yes");
      if (ok && folded && !filtering && tr.classList.contains("tail")) { ok = false; }
      tr.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (more) { more.hidden = !folded || filtering; }
    document.getElementById("f-count").textContent = "Showing " + shown + " of " + rows.length;
  }
  if (more) {
    document.getElementById("show-all").addEventListener("click", function () { folded = false; filter(); });
  }
  document.getElementById("filters").addEventListener("submit", function (ev) { ev.preventDefault(); });
  [fTool, fDist, fUntested].forEach(function (c) { c.addEventListener("change", filter); });
  fText.addEventListener("input", filter);
  filter();

  // Copy the distribution list.
  var copy = document.getElementById("copy-distribution");
  copy.addEventListener("click", function () {
    var area = document.getElementById("distribution");
    var status = document.getElementById("copy-status");
    function done(ok) { status.textContent = ok ? "Copied." : "Select the list and copy it with Ctrl+C."; }
    function fallback() {
      area.focus(); area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(area.value).then(function () { done(true); }, fallback);
    } else { fallback(); }
  });

  // The test checklist: ticks are kept in this browser only, per report and test.
  var ticks = Array.prototype.slice.call(document.querySelectorAll("input.test-tick"));
  var prefix = "impact:" + data.report.kind + ":" + data.report.id + ":";
  function store(key, value) {
    try { if (value) { window.localStorage.setItem(key, "1"); } else { window.localStorage.removeItem(key); } } catch (e) { /* storage off: ticks last this visit */ }
  }
  function stored(key) { try { return window.localStorage.getItem(key) === "1"; } catch (e) { return false; } }
  function count() {
    var n = 0;
    ticks.forEach(function (box) { box.closest("li").classList.toggle("done", box.checked); if (box.checked) { n += 1; } });
    var out = document.getElementById("tests-done");
    if (out) { out.textContent = n + " of " + ticks.length + " done"; }
  }
  ticks.forEach(function (box) {
    box.checked = stored(prefix + box.getAttribute("data-test"));
    box.addEventListener("change", function () { store(prefix + box.getAttribute("data-test"), box.checked); count(); });
  });
  var clear = document.getElementById("tests-clear");
  if (clear) {
    clear.addEventListener("click", function () {
      ticks.forEach(function (box) { box.checked = false; store(prefix + box.getAttribute("data-test"), false); });
      count();
    });
  }
  count();

  // Printing shows every reason and every row.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
})();
