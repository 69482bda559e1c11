/* impact site: the catalog explorer's page script.
 *
 * Data arrives as impactSite.load(name, "<JSON text>") calls from data/*.js
 * and is read with JSON.parse: nothing from a catalog is ever run as code,
 * and everything from a catalog is shown with textContent or as text nodes
 * (no HTML is ever parsed from a string in this file). Links are "#<view>=<percent-encoded id>".
 *
 * What an asset reaches is searched here, with the rule of impact check and
 * impact trace: fewest tool crossings, then fewest steps; among equally short
 * paths, the step from the upstream asset first in id order (assets are
 * numbered in id order, so that is the smallest number).
 */
(function () {
  "use strict";

  var texts = {};
  var site = (window.impactSite = {
    load: function (name, text) {
      texts[name] = text;
    },
    ready: false,
  });

  var ROLES = ["responsible", "accountable", "consulted", "informed"];
  var FIRST_ROWS = 50;
  var MORE_ROWS = 200;

  var meta, N, ids, names, typeOf, sysOf, ownerOf, critical, desc, consulted, informed;
  var offsets, targets, notes, uses, predOff, predTargets, predOrigin, testsOf, teamById, systemById, systemIndex;
  var haystack = null;
  var changeReach = {};

  /* ---------- loading ---------- */

  function init() {
    var status = byId("status");
    if (!texts.meta) {
      status.textContent = "The data file data/meta.js did not load: keep the data folder beside index.html.";
      status.className = "status error";
      return;
    }
    meta = JSON.parse(texts.meta);
    N = meta.counts.assets;
    ids = new Array(N);
    names = new Array(N);
    desc = new Array(N);
    typeOf = new Uint32Array(N);
    sysOf = new Uint32Array(N);
    ownerOf = new Uint32Array(N);
    critical = new Uint8Array(N);
    consulted = new Map();
    informed = new Map();
    offsets = new Int32Array(N + 1);
    targets = new Int32Array(meta.counts.dependencies);
    notes = new Map();
    uses = new Map();
    for (var s = 0; s < meta.shards.length; s++) {
      var info = meta.shards[s];
      var text = texts["shard:" + s];
      if (!text) {
        status.textContent = "The data file " + info.file + " did not load: keep the data folder beside index.html.";
        status.className = "status error";
        return;
      }
      var shard = JSON.parse(text);
      delete texts["shard:" + s];
      var start = shard.start;
      var edgeBase = offsets[start];
      for (var i = 0; i < shard.ids.length; i++) {
        var a = start + i;
        ids[a] = shard.ids[i];
        names[a] = shard.names[i];
        desc[a] = shard.descriptions[i];
        typeOf[a] = shard.types[i];
        sysOf[a] = shard.systems[i];
        ownerOf[a] = shard.owners[i];
        offsets[a + 1] = edgeBase + shard.offsets[i + 1];
      }
      for (i = 0; i < shard.critical.length; i++) critical[start + shard.critical[i]] = 1;
      for (i = 0; i < shard.consulted.length; i++) consulted.set(start + shard.consulted[i][0], shard.consulted[i][1]);
      for (i = 0; i < shard.informed.length; i++) informed.set(start + shard.informed[i][0], shard.informed[i][1]);
      targets.set(shard.targets, edgeBase);
      for (i = 0; i < shard.notes.length; i++) notes.set(edgeBase + shard.notes[i][0], shard.notes[i][1]);
      for (i = 0; i < (shard.uses || []).length; i++) uses.set(edgeBase + shard.uses[i][0], shard.uses[i][1]);
    }
    delete texts.meta;
    teamById = new Map();
    meta.teams.forEach(function (t) {
      teamById.set(t.id, t);
    });
    systemById = new Map();
    systemIndex = new Map();
    meta.systems.forEach(function (sy, k) {
      systemById.set(sy.id, sy);
      systemIndex.set(sy.id, k);
    });
    testsOf = new Map();
    meta.tests.forEach(function (t, k) {
      t.covers.forEach(function (a) {
        if (!testsOf.has(a)) testsOf.set(a, []);
        testsOf.get(a).push(k);
      });
    });
    site.ready = true;
    document.body.setAttribute("data-ready", "1");
    status.textContent =
      fmt(N) + " assets, " + fmt(meta.counts.dependencies) + " dependencies, " + meta.counts.tools + " tools, " +
      meta.counts.teams + " teams · ready " + (performance.now() / 1000).toFixed(1) + " s after opening";
    var q = byId("q");
    q.addEventListener("input", scheduleSearch);
    byId("search-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var first = document.querySelector("#results a.hit");
      if (first) location.hash = first.getAttribute("href");
    });
    window.addEventListener("hashchange", function () {
      route(true);
    });
    document.addEventListener("keydown", function (ev) {
      // "/" jumps to the search box, as on many sites.
      var tag = ev.target && ev.target.tagName;
      if (ev.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA" && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        ev.preventDefault();
        q.focus();
      }
    });
    document.addEventListener("click", function (ev) {
      // A link to the page already shown: show it again (closes the search results).
      var link = ev.target.closest ? ev.target.closest("a[href^='#']") : null;
      if (link && link.getAttribute("href") === location.hash) route(true);
    });
    route(false);
    if (q.value) runSearch();
  }

  /* ---------- small helpers ---------- */

  function byId(id) {
    return document.getElementById(id);
  }

  function fmt(n) {
    return n.toLocaleString("en-US");
  }

  function plural(n, word) {
    if (n === 1) return fmt(n) + " " + word;
    return fmt(n) + " " + (/[^aeiou]y$/.test(word) ? word.slice(0, -1) + "ies" : word + "s");
  }

  // Control and bidirectional-override characters are shown as \uXXXX, never raw.
  var HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
  function clean(text) {
    if (text === null || text === undefined) return "";
    return String(text).replace(/[\n\t]/g, " ").replace(HIDDEN, function (c) {
      return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
    });
  }

  // el("p", {class: "x"}, "text", childNode, ...): text is always a text node.
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, k) && attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }

  function add(node, child) {
    if (arguments.length > 2) {
      for (var i = 1; i < arguments.length; i++) add(node, arguments[i]);
      return;
    }
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
      child.forEach(function (c) {
        add(node, c);
      });
    } else if (typeof child === "object") {
      node.appendChild(child);
    } else {
      node.appendChild(document.createTextNode(clean(child)));
    }
  }

  function href(kind, id) {
    return "#" + kind + "=" + encodeURIComponent(id);
  }

  function sysOfAsset(a) {
    return meta.systems[sysOf[a]];
  }

  function assetLabel(a) {
    return names[a] ? names[a] : ids[a];
  }

  // An id that may wrap only after "/", ":", ".", "_" and "-": a <wbr> after each, never a break inside a word.
  function idText(id) {
    var text = String(id);
    var out = [];
    (text.match(/[^\/:._-]*[\/:._-]+|[^\/:._-]+/g) || [text]).forEach(function (piece, i) {
      if (i > 0) out.push(document.createElement("wbr"));
      out.push(piece);
    });
    return out;
  }

  function assetLink(a, cls) {
    var link = el("a", { href: href("asset", ids[a]), class: "asset" + (cls ? " " + cls : ""), "data-asset": ids[a] });
    if (names[a]) {
      add(link, el("span", { class: "name" }, names[a]));
      add(link, " ");
      add(link, el("code", null, idText(ids[a])));
    } else {
      add(link, el("code", null, idText(ids[a])));
    }
    if (critical[a]) add(link, [" ", el("span", { class: "badge critical" }, "critical")]);
    return link;
  }

  function teamLink(id) {
    var t = teamById.get(id);
    return el("a", { href: href("team", id), class: "team", "data-team": id }, t ? t.name : id);
  }

  function toolLink(id) {
    var sy = systemById.get(id);
    return el("a", { href: href("tool", id), class: "tool", "data-tool": id }, sy ? sy.name : id);
  }

  function changeLink(c) {
    return el("a", { href: href("change", c.id), class: "change", "data-change": c.id }, c.id);
  }

  function away(d) {
    return d === 0 ? "in the same tool" : plural(d, "tool") + " away";
  }

  function findAsset(id) {
    var lo = 0,
      hi = N - 1;
    // ids are sorted by code point; compare the same way (not UTF-16 units).
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      var c = compareCodePoints(ids[mid], id);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  function compareCodePoints(a, b) {
    if (a === b) return 0;
    var ia = 0,
      ib = 0;
    while (ia < a.length && ib < b.length) {
      var ca = a.codePointAt(ia),
        cb = b.codePointAt(ib);
      if (ca !== cb) return ca < cb ? -1 : 1;
      ia += ca > 0xffff ? 2 : 1;
      ib += cb > 0xffff ? 2 : 1;
    }
    return a.length - ia === 0 ? (b.length - ib === 0 ? 0 : -1) : 1;
  }

  /* ---------- the graph: what an asset reaches ---------- */

  function predecessors() {
    if (predOff) return;
    var E = targets.length;
    var count = new Int32Array(N + 1);
    for (var e = 0; e < E; e++) count[targets[e] + 1]++;
    for (var i = 0; i < N; i++) count[i + 1] += count[i];
    predOff = count;
    predTargets = new Int32Array(E);
    predOrigin = new Int32Array(E); // each reversed edge's number among the edges
    var fill = predOff.slice(0, N);
    for (var u = 0; u < N; u++) {
      for (e = offsets[u]; e < offsets[u + 1]; e++) {
        predOrigin[fill[targets[e]]] = e;
        predTargets[fill[targets[e]]++] = u; // ascending u
      }
    }
  }

  // A binary min-heap of (key, value) pairs in two parallel arrays (no object per entry), shared by
  // the downstream and upstream searches. Equal keys pop in heap order: the searches break ties themselves.
  function Heap() {
    this.keys = [];
    this.values = [];
  }
  Heap.prototype.size = function () {
    return this.keys.length;
  };
  Heap.prototype.topKey = function () {
    return this.keys[0];
  };
  Heap.prototype.push = function (k, v) {
    var keys = this.keys,
      values = this.values,
      i = keys.length;
    keys.push(k);
    values.push(v);
    while (i > 0) {
      var p = (i - 1) >> 1;
      if (keys[p] <= k) break;
      keys[i] = keys[p];
      values[i] = values[p];
      i = p;
    }
    keys[i] = k;
    values[i] = v;
  };
  Heap.prototype.pop = function () {
    var keys = this.keys,
      values = this.values,
      top = values[0],
      lastK = keys.pop(),
      lastV = values.pop(),
      n = keys.length;
    if (n > 0) {
      var i = 0;
      for (;;) {
        var l = 2 * i + 1;
        if (l >= n) break;
        var r = l + 1;
        var c = r < n && keys[r] < keys[l] ? r : l;
        if (keys[c] >= lastK) break;
        keys[i] = keys[c];
        values[i] = values[c];
        i = c;
      }
      keys[i] = lastK;
      values[i] = lastV;
    }
    return top;
  };

  // What can break asset a (impact.graph.search.reach_back): an upstream asset is listed when a
  // change to it in every aspect reaches a, i.e. along a path whose first dependency carries such
  // a change and whose later ones all pass on data. Two states per asset: "ends" (listed, never
  // searched further) and "carries" (passes on its data all the way to a, searched further).
  // Paths: an asset's first step, then the carriers' tree; ties go to the first id, as in Python.
  function reachBack(a, maxTools) {
    predecessors();
    var big = N + 1,
      cutoff = maxTools * big + big - 1;
    var best = [new Map(), new Map()],
      done = [new Map(), new Map()];
    var heap = new Heap();
    function allowed(e, to) {
      var used = uses.get(predOrigin[e]);
      if (used === undefined) return true;
      return to === 1 ? used.indexOf("data") >= 0 : used.length > 0;
    }
    var M = 2 * N;
    best[1].set(a, 0);
    heap.push(2 * a + 1, 2 * a + 1);
    while (heap.size()) {
      var key = heap.pop();
      var d = Math.floor(key / M),
        state = key % M,
        u = state >> 1,
        carry = state & 1;
      if (done[carry].has(u)) continue;
      done[carry].set(u, d);
      if (!carry) continue;
      for (var e = predOff[u]; e < predOff[u + 1]; e++) {
        var v = predTargets[e];
        var nd = d + (sysOf[v] !== sysOf[u] ? big + 1 : 1);
        if (nd > cutoff) continue;
        for (var to = 0; to < 2; to++) {
          if ((to === 0 && v === a) || !allowed(e, to) || done[to].has(v)) continue;
          var known = best[to].get(v);
          if (known === undefined || nd < known) {
            best[to].set(v, nd);
            heap.push(nd * M + 2 * v + to, nd * M + 2 * v + to);
          }
        }
      }
    }
    // Each state's nearer neighbour: the first carrier in id order on a shortest path to it.
    var towards = [new Map(), new Map()];
    var carriers = Array.from(done[1].keys()).sort(function (x, y) {
      return x - y;
    });
    carriers.forEach(function (u) {
      var du = done[1].get(u);
      for (var e = predOff[u]; e < predOff[u + 1]; e++) {
        var v = predTargets[e];
        for (var to = 0; to < 2; to++) {
          if (towards[to].has(v) || !done[to].has(v) || (to === 1 && v === a) || !allowed(e, to)) continue;
          if (done[to].get(v) === du + (sysOf[v] !== sysOf[u] ? big + 1 : 1)) towards[to].set(v, u);
        }
      }
    });
    var found = [];
    done[0].forEach(function (d, v) {
      found.push({ asset: v, tools: Math.floor(d / big), steps: d % big });
    });
    found.sort(function (x, y) {
      return x.tools - y.tools || x.steps - y.steps || x.asset - y.asset;
    });
    var toward = towards[0];
    var result = { found: found, toward: toward, upstream: true };
    result.path = function (b) {
      var steps = [b];
      if (!toward.has(b)) return steps;
      steps.push(toward.get(b));
      while (towards[1].has(steps[steps.length - 1])) steps.push(towards[1].get(steps[steps.length - 1]));
      return steps;
    };
    return result;
  }

  var dist = null,
    towardOf = null,
    mark = null,
    stamp = 0;

  // Whether a dependency carries the change out of asset u (impact.core.aspects): a changed
  // asset (every aspect touched here) passes it along any dependency; a reached one only
  // along a dependency that uses its data. A dependency that does not say what it uses uses everything.
  // touched (optional): changed asset -> the aspects its change items touch.
  function carries(e, u, isSource, touched) {
    var used = uses.get(e);
    if (used === undefined) return true;
    if (!isSource) return used.indexOf("data") >= 0;
    var t = touched ? touched.get(u) : undefined;
    return t === undefined || used.some(function (x) { return t.indexOf(x) >= 0; });
  }

  // Dijkstra on (tool crossings, steps) as one number: crossings * big + steps.
  function reach(sources, upstream, maxTools, touched) {
    if (upstream) predecessors();
    var off = upstream ? predOff : offsets,
      adj = upstream ? predTargets : targets;
    var big = N + 1,
      cutoff = maxTools * big + big - 1;
    if (!dist) {
      dist = new Float64Array(N).fill(Infinity);
      towardOf = new Int32Array(N).fill(-1);
      mark = new Int32Array(N);
    }
    stamp += 2; // mark[x] === stamp: a source; stamp + 1: settled
    var seen = [];
    var heap = new Heap();
    var sourceMark = stamp,
      settledMark = stamp + 1;
    for (var k = 0; k < sources.length; k++) {
      var s0 = sources[k];
      if (dist[s0] !== 0) {
        dist[s0] = 0;
        mark[s0] = sourceMark;
        seen.push(s0);
        heap.push(0, s0);
      }
    }
    var u, v, e, su, d;
    while (heap.size()) {
      d = heap.topKey();
      u = heap.pop();
      if (d > dist[u] || (mark[u] === settledMark)) continue;
      if (mark[u] !== sourceMark) mark[u] = settledMark;
      su = sysOf[u];
      for (e = off[u]; e < off[u + 1]; e++) {
        if (!upstream && !carries(e, u, mark[u] === sourceMark, touched)) continue;
        v = adj[e];
        var nd = d + (sysOf[v] !== su ? big + 1 : 1);
        if (nd > cutoff) continue;
        if (nd < dist[v]) {
          if (dist[v] === Infinity) seen.push(v);
          dist[v] = nd;
          heap.push(nd, v);
        }
      }
    }
    // The search tree: each reached asset's nearer neighbour is the smallest
    // (first in id order) neighbour on a shortest path to it.
    seen.sort(function (x, y) {
      return x - y;
    });
    var toward = new Map();
    for (k = 0; k < seen.length; k++) {
      u = seen[k];
      var du = dist[u];
      su = sysOf[u];
      for (e = off[u]; e < off[u + 1]; e++) {
        if (!upstream && !carries(e, u, mark[u] === sourceMark, touched)) continue;
        v = adj[e];
        if (towardOf[v] >= 0 || mark[v] === sourceMark) continue;
        if (dist[v] === du + (sysOf[v] !== su ? big + 1 : 1)) towardOf[v] = u;
      }
    }
    var found = [];
    for (k = 0; k < seen.length; k++) {
      u = seen[k];
      d = dist[u];
      if (d > 0) {
        found.push({ asset: u, tools: Math.floor(d / big), steps: d % big });
        toward.set(u, towardOf[u]);
      }
      dist[u] = Infinity;
      towardOf[u] = -1;
    }
    found.sort(function (x, y) {
      return x.tools - y.tools || x.steps - y.steps || x.asset - y.asset;
    });
    var result = { found: found, toward: toward, upstream: upstream };
    result.path = function (a) {
      var steps = [a];
      while (toward.has(steps[steps.length - 1])) steps.push(toward.get(steps[steps.length - 1]));
      return upstream ? steps : steps.reverse();
    };
    return result;
  }

  function noteOf(up, down) {
    for (var e = offsets[up]; e < offsets[up + 1]; e++) {
      if (targets[e] === down) return notes.has(e) ? notes.get(e) : null;
    }
    return null;
  }

  /* ---------- who to ask: the RACI rule of impact check ---------- */

  // A reason is [role, asset, kind, detail]; its sentence is written only when shown.
  // A reason is [role, asset, kind, detail, id]; its sentence is written only when shown.
  // asset is -1 for an asset a change creates (not in the catalog yet): id and its tool come from r[4].
  function rid(r) {
    return r[1] >= 0 ? ids[r[1]] : r[4];
  }
  function rsys(r) {
    return r[1] >= 0 ? sysOfAsset(r[1]) : systemById.get(r[4].slice(0, r[4].indexOf(":")));
  }
  var REASON_TEXT = [
    function (r) { return "owns " + rid(r) + ", which this change will " + r[3]; },
    function (r) { var sy = rsys(r); return "owns the tool " + sy.name + " (" + sy.id + "), where " + rid(r) + " changes"; },
    function (r) { return "listed as " + ROLES[r[0]] + " on the tool " + rsys(r).id + ", where " + rid(r) + " changes"; },
    function (r) { return "listed as " + ROLES[r[0]] + " on " + rid(r) + ", which changes"; },
    function (r) { return "owns " + rid(r) + ", impacted " + away(r[3]); },
    function (r) { var sy = rsys(r); return "owns the tool " + sy.name + " (" + sy.id + "), where " + rid(r) + " is impacted"; },
    function (r) { return "listed as " + ROLES[r[0]] + " on the tool " + rsys(r).id + ", where " + rid(r) + " is impacted"; },
    function (r) { return "listed as " + ROLES[r[0]] + " on " + rid(r) + ", impacted " + away(r[3]); },
  ];
  function reasonText(r) {
    return REASON_TEXT[r[2]](r);
  }

  function stakeholders(changedList, found) {
    // changedList: [{asset: number (-1: created, not in the catalog), id: string, action: string}],
    // found: reach().found. The first reason given for a (role, asset) pair is kept, as impact check does.
    var reasons = new Map();
    var anyNew = false;
    function addReason(team, role, asset, kind, detail, id) {
      var m = reasons.get(team);
      if (!m) reasons.set(team, (m = new Map()));
      var key = asset >= 0 ? role * N + asset : "new\u0000" + role + "\u0000" + id;
      if (!m.has(key)) m.set(key, [role, asset, kind, detail, id]);
    }
    function lists(a, sy, kindTool, kindAsset, detail, id) {
      for (var role = 2; role < 4; role++) {
        var onTool = role === 2 ? sy.consulted : sy.informed;
        for (var i = 0; i < onTool.length; i++) addReason(onTool[i], role, a, kindTool, detail, id);
        var onAsset = a >= 0 ? (role === 2 ? consulted : informed).get(a) : null;
        if (onAsset) for (i = 0; i < onAsset.length; i++) addReason(onAsset[i], role, a, kindAsset, detail, id);
      }
    }
    changedList.forEach(function (c) {
      var a = c.asset,
        id = a >= 0 ? ids[a] : c.id,
        sy = a >= 0 ? sysOfAsset(a) : systemById.get(id.slice(0, id.indexOf(":")));
      if (a < 0) anyNew = true;
      addReason(a >= 0 ? meta.owners[ownerOf[a]] : sy.owner, 0, a, 0, c.action, id);
      addReason(sy.owner, 1, a, 1, null, id);
      lists(a, sy, 2, 3, null, id);
    });
    for (var k = 0; k < found.length; k++) {
      var a = found[k].asset,
        sy = sysOfAsset(a);
      addReason(meta.owners[ownerOf[a]], 2, a, 4, found[k].tools, null);
      addReason(sy.owner, 2, a, 5, null, null);
      lists(a, sy, 6, 7, found[k].tools, null);
    }
    var out = [];
    reasons.forEach(function (m, team) {
      var list = Array.from(m.values());
      if (anyNew) {
        list.sort(function (x, y) {
          return x[0] - y[0] || compareCodePoints(rid(x), rid(y));
        });
      } else {
        list.sort(function (x, y) {
          return x[0] - y[0] || x[1] - y[1];
        });
      }
      var roles = [];
      list.forEach(function (r) {
        if (roles.indexOf(ROLES[r[0]]) < 0) roles.push(ROLES[r[0]]);
      });
      out.push({ team: team, roles: roles, reasons: list });
    });
    out.sort(function (x, y) {
      return ROLES.indexOf(x.roles[0]) - ROLES.indexOf(y.roles[0]) || compareCodePoints(x.team, y.team);
    });
    return out;
  }

  /* ---------- change requests in flight ---------- */

  // A change that names values and touches nothing else comes with impact's own answer
  // (impact.graph.values_reach: what tests other values is left out, a copy carries the value on):
  // shown as it is, rather than searched again here by the aspects rule alone.
  function givenReach(rows) {
    var found = [],
      toward = new Map();
    rows.forEach(function (row) {
      found.push({ asset: row[0], tools: row[1], steps: row[2] });
      if (row[3] >= 0) toward.set(row[0], row[3]);
    });
    var result = { found: found, toward: toward, upstream: false };
    result.path = function (a) {
      var steps = [a];
      while (toward.has(steps[steps.length - 1])) steps.push(toward.get(steps[steps.length - 1]));
      return steps.reverse();
    };
    return result;
  }

  function reachOfChange(k) {
    if (!changeReach[k] && meta.changes[k].reached) changeReach[k] = givenReach(meta.changes[k].reached);
    if (!changeReach[k]) {
      var c = meta.changes[k];
      var sources = c.changed
        .filter(function (x) {
          return x.asset >= 0;
        })
        .map(function (x) {
          return x.asset;
        });
      var touched = new Map();
      c.changed.forEach(function (x) {
        if (x.asset >= 0 && x.aspects) touched.set(x.asset, x.aspects);
      });
      changeReach[k] = reach(sources, false, meta.max_tools, touched);
    }
    return changeReach[k];
  }

  function stakeholdersOfChange(k) {
    var c = meta.changes[k];
    return stakeholders(
      c.changed.map(function (x) {
        return { asset: x.asset, id: x.id, action: x.action };
      }),
      reachOfChange(k).found
    );
  }

  // The changes that change asset a (distance 0) or reach it, nearest first.
  function changesFor(a, upstreamResult) {
    var near = new Map();
    upstreamResult.found.forEach(function (r) {
      near.set(r.asset, r);
    });
    var hits = [];
    meta.changes.forEach(function (c, k) {
      var direct = c.changed.find(function (x) {
        return x.asset === a;
      });
      if (direct) {
        hits.push({ change: c, tools: 0, path: [a], action: direct.action });
        return;
      }
      var touches = c.changed.some(function (x) {
        return x.asset >= 0 && near.has(x.asset);
      });
      if (!touches) return;
      var r = reachOfChange(k);
      var hit = r.found.find(function (x) {
        return x.asset === a;
      });
      if (!hit) return;
      var path = r.path(a);
      var action = c.changed.find(function (x) {
        return x.asset === path[0];
      }).action;
      hits.push({ change: c, tools: hit.tools, path: path, action: action });
    });
    hits.sort(function (x, y) {
      return x.tools - y.tools || x.path.length - y.path.length || compareCodePoints(x.change.id, y.change.id);
    });
    return hits;
  }

  /* ---------- search ---------- */

  function buildHaystack() {
    haystack = new Array(N);
    var teamNames = meta.owners.map(function (o) {
      var t = teamById.get(o);
      return (o + " " + (t ? t.name : "")).toLowerCase();
    });
    var sysNames = meta.systems.map(function (sy) {
      return (sy.id + " " + sy.name + " " + (sy.kind || "")).toLowerCase();
    });
    var typeNames = meta.types.map(function (t) {
      return t.toLowerCase();
    });
    for (var a = 0; a < N; a++) {
      haystack[a] =
        ids[a].toLowerCase() + "\n" + (names[a] ? names[a].toLowerCase() : "") + "\n" + typeNames[typeOf[a]] + "\n" +
        teamNames[ownerOf[a]] + "\n" + sysNames[sysOf[a]] + "\n" + (desc[a] ? desc[a].toLowerCase() : "");
    }
  }

  var searchPending = false;
  function scheduleSearch() {
    if (searchPending) return;
    searchPending = true;
    requestAnimationFrame(function () {
      searchPending = false;
      runSearch();
    });
  }

  // Every word must appear somewhere; exact ids and names first, then
  // prefixes, then matches in the id or name, then elsewhere.
  function search(query) {
    var q = query.trim().toLowerCase();
    if (!q) return { total: 0, hits: [] };
    if (!haystack) buildHaystack();
    var words = q.split(/\s+/);
    var buckets = [[], [], [], [], []];
    var total = 0;
    for (var a = 0; a < N; a++) {
      var h = haystack[a];
      var ok = true;
      for (var w = 0; w < words.length; w++) {
        if (h.indexOf(words[w]) < 0) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      total++;
      var id = h.slice(0, ids[a].length);
      var nm = names[a] ? names[a].toLowerCase() : "";
      var key = id.slice(id.indexOf(":") + 1);
      var score;
      if (id === q || nm === q || key === q) score = 0;
      else if (id.startsWith(q) || key.startsWith(q) || nm.startsWith(q)) score = 1;
      else if (id.indexOf(q) >= 0 || nm.indexOf(q) >= 0) score = 2;
      else if (h.indexOf(q) >= 0) score = 3;
      else score = 4;
      if (buckets[score].length < FIRST_ROWS) buckets[score].push(a);
    }
    var hits = [].concat(buckets[0], buckets[1], buckets[2], buckets[3], buckets[4]).slice(0, FIRST_ROWS);
    return { total: total, hits: hits };
  }

  function runSearch() {
    var box = byId("results");
    var q = byId("q").value;
    if (!site.ready) return;
    if (!q.trim()) {
      if (box) box.remove();
      return;
    }
    var found = search(q);
    var fresh = el("section", { id: "results", class: "results", "aria-label": "Search results", "data-query": q });
    add(
      fresh,
      el("p", { class: "muted count" }, found.total === 0 ? "No asset matches “" + q.trim() + "”." :
        plural(found.total, "asset") + " match" + (found.total === 1 ? "es" : "") + (found.total > found.hits.length ? "; the first " + found.hits.length + " are shown, type more to narrow" : "") + ".")
    );
    var list = el("ol", { class: "hits" });
    found.hits.forEach(function (a) {
      var sy = sysOfAsset(a);
      list.appendChild(
        el(
          "li",
          null,
          el("a", { class: "hit", href: href("asset", ids[a]), "data-asset": ids[a] }, names[a] ? el("span", { class: "name" }, names[a]) : null, names[a] ? " " : null, el("code", null, idText(ids[a]))),
          critical[a] ? [" ", el("span", { class: "badge critical" }, "critical")] : null,
          el("span", { class: "meta" }, meta.types[typeOf[a]] + " in " + sy.name + " · owner " + teamName(meta.owners[ownerOf[a]])),
          desc[a] ? el("span", { class: "desc" }, desc[a]) : null
        )
      );
    });
    add(fresh, list);
    if (box) box.replaceWith(fresh);
    else byId("view").before(fresh);
  }

  function teamName(id) {
    var t = teamById.get(id);
    return t ? t.name : id;
  }

  /* ---------- views ---------- */

  function route(byUser) {
    var raw = location.hash.slice(1);
    var eq = raw.indexOf("=");
    var kind = eq < 0 ? raw : raw.slice(0, eq);
    var value = "";
    if (eq >= 0) {
      try {
        value = decodeURIComponent(raw.slice(eq + 1));
      } catch (err) {
        value = raw.slice(eq + 1);
      }
    }
    if (kind === "q") {
      byId("q").value = value;
      runSearch();
    } else if (byUser) {
      var q = byId("q");
      if (q.value) {
        q.value = "";
        var box = byId("results");
        if (box) box.remove();
      }
    }
    var view = el("main", { id: "view", tabindex: "-1", "data-view": kind || "home" });
    if (kind === "asset") assetView(view, value);
    else if (kind === "team") teamView(view, value);
    else if (kind === "tool") toolView(view, value);
    else if (kind === "change") changeView(view, value);
    else if (kind === "teams") teamsView(view);
    else if (kind === "tools") toolsView(view);
    else if (kind === "changes") changesView(view);
    else if (kind === "coverage") coverageView(view);
    else homeView(view);
    byId("view").replaceWith(view);
    if (byUser) {
      window.scrollTo(0, 0);
      view.focus({ preventScroll: true });
    }
    var h1 = view.querySelector("h1");
    document.title = (h1 ? h1.textContent + " · " : "") + "Catalog explorer";
  }

  function section(title, id) {
    return el("section", { class: "card", id: id || null }, el("h2", null, title));
  }

  // A long list: the first rows, then a button for more.
  function longList(parent, count, render, tag) {
    var list = el(tag || "ul", { class: "rows" });
    parent.appendChild(list);
    var shown = 0;
    var more = el("button", { type: "button", class: "more" });
    function next(n) {
      var end = Math.min(count, shown + n);
      for (; shown < end; shown++) list.appendChild(render(shown));
      if (shown < count) {
        more.textContent = "Show " + fmt(Math.min(MORE_ROWS, count - shown)) + " more (" + fmt(count - shown) + " not shown)";
        if (!more.parentNode) parent.appendChild(more);
      } else if (more.parentNode) more.remove();
    }
    more.addEventListener("click", function () {
      next(MORE_ROWS);
    });
    next(FIRST_ROWS);
    return list;
  }

  function pathView(path, upstream) {
    // A why-path: every asset a link, tool crossings marked, notes shown.
    var box = el("span", { class: "path" });
    path.forEach(function (a, i) {
      if (i > 0) {
        // Both kinds of path read with the edges: each asset depends on the one before it.
        var prev = path[i - 1];
        var up = prev,
          down = a;
        var cross = sysOf[prev] !== sysOf[a];
        var note = noteOf(up, down);
        add(box, el("span", { class: "arrow" + (cross ? " cross" : "") }, cross ? " ⇒ " : " → "));
        if (note) add(box, el("span", { class: "note" }, "(" + note + ") "));
      }
      add(box, el("a", { href: href("asset", ids[a]), "data-asset": ids[a] }, idText(ids[a])));
    });
    return box;
  }

  function reachSection(parent, result, title, intro, upstream) {
    var found = result.found;
    var card = section(title, upstream ? "upstream" : "downstream");
    parent.appendChild(card);
    if (!found.length) {
      card.appendChild(el("p", { class: "muted" }, intro.none));
      return;
    }
    var tools = new Set(
      found.map(function (r) {
        return sysOf[r.asset];
      })
    );
    card.appendChild(el("p", { class: "lead" }, intro.some(found.length, tools.size, found[found.length - 1].tools)));
    var groups = [];
    found.forEach(function (r) {
      if (!groups.length || groups[groups.length - 1].tools !== r.tools) groups.push({ tools: r.tools, rows: [] });
      groups[groups.length - 1].rows.push(r);
    });
    groups.forEach(function (g) {
      var crit = g.rows.filter(function (r) {
        return critical[r.asset];
      }).length;
      var group = el(
        "div",
        { class: "group", "data-tool-distance": String(g.tools) },
        el("h3", null, away(g.tools).replace(/^in the same tool$/, "In the same tool") + " · " + plural(g.rows.length, "asset") + (crit ? " · " + crit + " critical" : ""))
      );
      card.appendChild(group);
      longList(group, g.rows.length, function (i) {
        var r = g.rows[i];
        return el(
          "li",
          { class: "reach", "data-asset": ids[r.asset], "data-tool-distance": String(r.tools) },
          assetLink(r.asset),
          el("span", { class: "meta" }, meta.types[typeOf[r.asset]] + " in " + sysOfAsset(r.asset).name + " · owner " + teamName(meta.owners[ownerOf[r.asset]])),
          el("span", { class: "why" }, el("b", null, "why: "), pathView(result.path(r.asset), upstream))
        );
      });
    });
  }

  function facts(rows) {
    var dl = el("dl", { class: "facts" });
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") return;
      dl.appendChild(el("dt", null, r[0]));
      dl.appendChild(el("dd", null, r[1]));
    });
    return dl;
  }

  function contacts(t) {
    if (!t) return null;
    return [
      t.email ? el("span", { class: "contact" }, t.email) : null,
      t.slack ? el("span", { class: "contact" }, t.slack) : null,
    ];
  }

  function notFound(view, what, value) {
    add(view, el("h1", null, "No " + what + " “" + value + "”"));
    add(view, el("p", null, "This catalog has no " + what + " with that id. Try the search box above."));
  }

  function assetView(view, id) {
    var a = findAsset(id);
    if (a < 0) return notFound(view, "asset", id);
    view.setAttribute("data-asset", ids[a]);
    var sy = sysOfAsset(a);
    var owner = meta.owners[ownerOf[a]];
    add(view, el("p", { class: "kicker" }, meta.types[typeOf[a]], " in ", toolLink(sy.id)));
    add(view, el("h1", null, assetLabel(a), critical[a] ? [" ", el("span", { class: "badge critical" }, "critical")] : null));
    var about = el("section", { class: "card", id: "about" });
    add(
      about,
      facts([
        ["Id", el("code", null, idText(ids[a]))],
        ["Name", names[a]],
        ["Type", el("a", { href: href("q", meta.types[typeOf[a]]), class: "type" }, meta.types[typeOf[a]])],
        ["Tool", toolLink(sy.id)],
        ["Owner", [teamLink(owner), " ", contacts(teamById.get(owner))]],
        ["Critical", critical[a] ? "yes: a break here stops revenue work" : "no"],
        ["Description", desc[a]],
        ["Consulted", (consulted.get(a) || []).length ? joinLinks((consulted.get(a) || []).map(teamLink)) : null],
        ["Informed", (informed.get(a) || []).length ? joinLinks((informed.get(a) || []).map(teamLink)) : null],
      ])
    );

    var down = reach([a], false, meta.max_tools);
    var up = reachBack(a, meta.max_tools);
    var people = stakeholders([{ asset: a, action: "modify" }], down.found);
    var hits = changesFor(a, up);
    var tlist = testsOf.get(a) || [];

    // The answer first, in one paragraph.
    var reachedTools = new Set(down.found.map(function (r) { return sysOf[r.asset]; }));
    var critReached = down.found.filter(function (r) { return critical[r.asset]; }).length;
    var answer = el("section", { class: "card answer", id: "answer" });
    add(answer, el("p", null,
      down.found.length
        ? [el("b", null, "If it changes, " + plural(down.found.length, "asset") + " in " + plural(reachedTools.size, "tool") + " can break"),
           (critReached ? ", " + fmt(critReached) + " of them critical" : "") + ", up to " + away(down.found[down.found.length - 1].tools) + "."]
        : el("b", null, "Nothing else in the catalog depends on it."),
      " ",
      "Ask " + plural(people.length, "team") + " first (below). ",
      tlist.length ? plural(tlist.length, "test") + " cover" + (tlist.length === 1 ? "s" : "") + " it. " : "No test covers it. ",
      hits.length ? plural(hits.length, "change request") + " in flight " + (hits.length === 1 ? "touches" : "touch") + " it." : ""));
    add(view, answer);
    add(view, about);

    // Whom to ask before changing it: the same roles impact check gives.
    var ask = section("Whom to ask before you change it", "ask");
    add(ask, el("p", { class: "muted" }, "The teams impact check would list for a change to this asset, with why."));
    var table = el("ul", { class: "people" });
    people.forEach(function (p) {
      var t = teamById.get(p.team);
      table.appendChild(
        el(
          "li",
          { "data-team": p.team },
          teamLink(p.team),
          " ",
          // One role per team, the strongest, as impact check shows it; the others in its tooltip.
          el("span", { class: "badge role", title: p.roles.length > 1 ? "also " + p.roles.slice(1).join(", ") : p.roles[0] }, p.roles[0]),
          el("span", { class: "meta" }, contacts(t)),
          el("span", { class: "why" }, reasonText(p.reasons[0]) + (p.reasons.length > 1 ? " (+" + fmt(p.reasons.length - 1) + " more)" : ""))
        )
      );
    });
    add(ask, table);
    add(view, ask);
    add(view, picture(a));

    reachSection(view, down, "What it reaches downstream", {
      none: "Nothing depends on it: a change here breaks nothing else in the catalog.",
      some: function (n, t, far) {
        return "A change here can break " + plural(n, "asset") + " in " + plural(t, "tool") + ", up to " + away(far) + " (followed up to " + plural(meta.max_tools, "tool") + " away).";
      },
    }, false);
    reachSection(view, up, "What feeds it upstream", {
      none: "It depends on nothing in the catalog.",
      some: function (n, t, far) {
        return plural(n, "asset") + " in " + plural(t, "tool") + " can break it, up to " + away(far) + ".";
      },
    }, true);

    var tests = section("Tests that cover it", "tests");
    if (!tlist.length) add(tests, el("p", { class: "warn" }, "No regression test covers this asset."));
    else {
      var ul = el("ul", { class: "rows" });
      tlist.forEach(function (k) {
        ul.appendChild(testRow(meta.tests[k]));
      });
      add(tests, ul);
    }
    add(view, tests);

    var cs = section("Change requests in flight", "changes");
    if (!hits.length) add(cs, el("p", { class: "muted" }, "No change request that is not released yet changes it or reaches it."));
    else {
      var cl = el("ul", { class: "rows" });
      hits.forEach(function (h) {
        cl.appendChild(
          el(
            "li",
            { class: "hit-change", "data-change": h.change.id, "data-tool-distance": String(h.tools) },
            changeLink(h.change),
            " ",
            h.change.title,
            " ",
            h.change.status ? el("span", { class: "badge" }, h.change.status) : null,
            el("span", { class: "meta" }, h.tools === 0 && h.path.length === 1 ? "changes it (" + h.action + ")" : "reaches it " + away(h.tools) + " (" + h.action + " of " + ids[h.path[0]] + ")"),
            h.path.length > 1 ? el("span", { class: "why" }, el("b", null, "why: "), pathView(h.path, false)) : null
          )
        );
      });
      add(cs, cl);
    }
    add(view, cs);
  }

  function joinLinks(links) {
    var out = [];
    links.forEach(function (l, i) {
      if (i) out.push(", ");
      out.push(l);
    });
    return out;
  }

  function testRow(t) {
    return el(
      "li",
      { class: "test", "data-test": t.id },
      el("b", null, t.name),
      " ",
      el("code", null, t.id),
      el("span", { class: "meta" }, [t.kind || "test", t.minutes ? t.minutes + " min" : null].filter(Boolean).join(" · "), t.owner ? [" · owner ", teamLink(t.owner)] : null),
      t.covers.length > 1 ? el("span", { class: "meta" }, "covers " + plural(t.covers.length, "asset") + ": ", joinLinks(t.covers.slice(0, 8).map(function (b) { return el("a", { href: href("asset", ids[b]), "data-asset": ids[b] }, ids[b]); })), t.covers.length > 8 ? " …" : null) : null,
      t.steps.length ? el("ol", { class: "steps" }, t.steps.map(function (s) { return el("li", null, s); })) : null,
      t.run ? el("span", { class: "meta" }, "run: ", el("code", null, t.run)) : null
    );
  }

  /* The neighbourhood picture: direct feeders left, direct dependents right. */
  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = clean(text);
    return node;
  }

  function short(text, n) {
    text = clean(text);
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  function picture(a) {
    predecessors();
    var ups = Array.from(predTargets.subarray(predOff[a], predOff[a + 1]));
    var downs = Array.from(targets.subarray(offsets[a], offsets[a + 1]));
    if (!ups.length && !downs.length) return null;
    // Wide screens: feeders left, dependents right. Phones: feeders above, dependents below, two per row.
    var narrow = (document.documentElement.clientWidth || window.innerWidth) < 640;
    var card = el("section", { class: "card", id: "picture" }, el("h2", null, "Neighbourhood"));
    add(card, el("p", { class: "muted" }, "What feeds it directly (" + (narrow ? "above" : "left") + ") and what depends on it directly (" + (narrow ? "below" : "right") + "); blue lines cross into another tool. Click a box to go there."));
    var MAX = narrow ? 4 : 6;
    var boxH = 34, gap = 10, W, boxW, H, cx, cy, chars;
    function slots(list) {
      var shown = list.length > MAX + 1 ? list.slice(0, MAX) : list;
      return { shown: shown, more: list.length - shown.length, count: shown.length + (list.length > shown.length ? 1 : 0) };
    }
    var su = slots(ups),
      sd = slots(downs);
    if (narrow) {
      W = 320;
      boxW = 152;
      chars = 21;
      var upRows = Math.ceil(su.count / 2),
        downRows = Math.ceil(sd.count / 2);
      H = gap + upRows * (boxH + gap) + (upRows ? 24 : 0) + boxH + (downRows ? 24 : 0) + downRows * (boxH + gap) + gap;
      cx = (W - boxW) / 2;
      cy = gap + upRows * (boxH + gap) + (upRows ? 24 : 0);
    } else {
      W = 720;
      boxW = 210;
      chars = 30;
      H = Math.max(su.count, sd.count, 1) * (boxH + gap) + gap;
      cx = W / 2 - boxW / 2;
      cy = H / 2 - boxH / 2;
    }
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "hood", role: "img", "aria-label": "Direct neighbours of " + ids[a] });
    function node(b, x, y, cls) {
      var g = svg("a", { href: href("asset", ids[b]), class: "n " + cls, "data-asset": ids[b] });
      g.appendChild(svg("title", {}, ids[b]));
      g.appendChild(svg("rect", { x: x, y: y, width: boxW, height: boxH, rx: 6 }));
      g.appendChild(svg("text", { x: x + 8, y: y + 14 }, short(names[b] || ids[b].slice(ids[b].indexOf(":") + 1), chars)));
      g.appendChild(svg("text", { x: x + 8, y: y + 28, class: "sub" }, short(sysOfAsset(b).name + " · " + meta.types[typeOf[b]], chars + 2)));
      return g;
    }
    function more(n, x, y) {
      var g = svg("g", { class: "n more" });
      g.appendChild(svg("rect", { x: x, y: y, width: boxW, height: boxH, rx: 6 }));
      g.appendChild(svg("text", { x: x + 8, y: y + 21 }, "+" + fmt(n) + " more, listed below"));
      return g;
    }
    function edge(x1, y1, x2, y2, vertical, cross) {
      var d = vertical
        ? "M" + x1 + "," + y1 + " C" + x1 + "," + (y1 + 18) + " " + x2 + "," + (y2 - 18) + " " + x2 + "," + y2
        : "M" + x1 + "," + y1 + " C" + (x1 + 30) + "," + y1 + " " + (x2 - 30) + "," + y2 + " " + x2 + "," + y2;
      root.insertBefore(svg("path", { d: d, class: "edge" + (cross ? " cross" : "") }), root.firstChild);
    }
    function place(slot, feeders) {
      for (var i = 0; i < slot.count; i++) {
        var x, y;
        if (narrow) {
          x = i % 2 === 0 ? 6 : W - boxW - 6;
          if (i % 2 === 0 && i === slot.count - 1) x = cx; // a lone last box sits in the middle
          var row = Math.floor(i / 2);
          y = feeders ? gap + row * (boxH + gap) : cy + boxH + 24 + gap + row * (boxH + gap) - gap;
        } else {
          var top = (H - slot.count * (boxH + gap) + gap) / 2;
          x = feeders ? 10 : W - boxW - 10;
          y = top + i * (boxH + gap);
        }
        if (i >= slot.shown.length) {
          root.appendChild(more(slot.more, x, y));
          continue;
        }
        var b = slot.shown[i];
        var cross = sysOf[b] !== sysOf[a];
        if (narrow) {
          if (feeders) edge(x + boxW / 2, y + boxH, cx + boxW / 2, cy, true, cross);
          else edge(cx + boxW / 2, cy + boxH, x + boxW / 2, y, true, cross);
        } else if (feeders) edge(x + boxW, y + boxH / 2, cx, cy + boxH / 2, false, cross);
        else edge(cx + boxW, cy + boxH / 2, x, y + boxH / 2, false, cross);
        root.appendChild(node(b, x, y, cross ? "other" : "same"));
      }
    }
    place(su, true);
    place(sd, false);
    root.appendChild(node(a, cx, cy, "focus"));
    add(card, el("div", { class: "hood-box" }, root));
    return card;
  }

  function teamView(view, id) {
    var t = teamById.get(id);
    if (!t) return notFound(view, "team", id);
    view.setAttribute("data-team", id);
    add(view, el("p", { class: "kicker" }, "Team"));
    add(view, el("h1", null, t.name));
    add(
      view,
      el(
        "section",
        { class: "card", id: "about" },
        facts([
          ["Id", el("code", null, t.id)],
          ["E-mail", t.email],
          ["Slack", t.slack],
          ["Members", t.members.length ? t.members.join(", ") : null],
        ])
      )
    );
    var own = [];
    var byTool = new Map();
    var untested = 0;
    for (var a = 0; a < N; a++) {
      if (meta.owners[ownerOf[a]] === id) {
        own.push(a);
        byTool.set(sysOf[a], (byTool.get(sysOf[a]) || 0) + 1);
        if (!testsOf.has(a)) untested++;
      }
    }
    var tools = meta.systems.filter(function (sy) {
      return sy.owner === id;
    });
    var s1 = section("Tools it owns", "tools");
    if (!tools.length) add(s1, el("p", { class: "muted" }, "None."));
    else add(s1, el("ul", { class: "rows" }, tools.map(function (sy) { return el("li", null, toolLink(sy.id)); })));
    add(view, s1);
    var s2 = section("Assets it owns", "owns");
    add(s2, el("p", { class: "lead" }, plural(own.length, "asset") + (own.length ? " in " + plural(byTool.size, "tool") + "; " + fmt(untested) + " with no test" : "") + "."));
    if (byTool.size) {
      add(s2, el("p", { class: "chips" }, Array.from(byTool.entries()).sort(function (x, y) { return x[0] - y[0]; }).map(function (e) {
        return el("span", { class: "chip" }, toolLink(meta.systems[e[0]].id), " " + fmt(e[1]));
      })));
    }
    longList(s2, own.length, function (i) {
      return el("li", null, assetLink(own[i]), el("span", { class: "meta" }, meta.types[typeOf[own[i]]] + " in " + sysOfAsset(own[i]).name));
    });
    add(view, s2);
    var s3 = section("Where it is consulted or informed", "roles");
    var rows = [];
    meta.systems.forEach(function (sy) {
      if (sy.consulted.indexOf(id) >= 0) rows.push(el("li", null, "consulted on the tool ", toolLink(sy.id)));
      if (sy.informed.indexOf(id) >= 0) rows.push(el("li", null, "informed on the tool ", toolLink(sy.id)));
    });
    var assetRoles = [];
    [["consulted", consulted], ["informed", informed]].forEach(function (pair) {
      pair[1].forEach(function (teams, b) {
        if (teams.indexOf(id) >= 0) assetRoles.push([b, pair[0]]);
      });
    });
    assetRoles.sort(function (x, y) { return x[0] - y[0]; });
    if (!rows.length && !assetRoles.length) add(s3, el("p", { class: "muted" }, "Nowhere."));
    if (rows.length) add(s3, el("ul", { class: "rows" }, rows));
    if (assetRoles.length) longList(s3, assetRoles.length, function (i) {
      return el("li", null, assetRoles[i][1] + " on ", assetLink(assetRoles[i][0]));
    });
    add(view, s3);
    var owned = meta.tests.filter(function (x) { return x.owner === id; });
    if (owned.length) {
      var s4 = section("Tests it owns", "team-tests");
      longList(s4, owned.length, function (i) { return testRow(owned[i]); });
      add(view, s4);
    }
  }

  function toolView(view, id) {
    var sy = systemById.get(id);
    if (!sy) return notFound(view, "tool", id);
    var k = systemIndex.get(id);
    view.setAttribute("data-tool", id);
    add(view, el("p", { class: "kicker" }, "Tool" + (sy.kind ? " · " + sy.kind : "")));
    add(view, el("h1", null, sy.name));
    add(view, el("section", { class: "card", id: "about" }, facts([
      ["Id", el("code", null, sy.id)],
      ["Kind", sy.kind],
      ["Owner", [teamLink(sy.owner), " ", contacts(teamById.get(sy.owner))]],
      ["Consulted", sy.consulted.length ? joinLinks(sy.consulted.map(teamLink)) : null],
      ["Informed", sy.informed.length ? joinLinks(sy.informed.map(teamLink)) : null],
    ])));
    var mine = [];
    var feeds = new Map(), fedBy = new Map(), types = new Map();
    var untested = 0;
    predecessors();
    for (var a = 0; a < N; a++) {
      if (sysOf[a] !== k) continue;
      mine.push(a);
      types.set(typeOf[a], (types.get(typeOf[a]) || 0) + 1);
      if (!testsOf.has(a)) untested++;
      for (var e = offsets[a]; e < offsets[a + 1]; e++) if (sysOf[targets[e]] !== k) feeds.set(sysOf[targets[e]], (feeds.get(sysOf[targets[e]]) || 0) + 1);
      for (e = predOff[a]; e < predOff[a + 1]; e++) if (sysOf[predTargets[e]] !== k) fedBy.set(sysOf[predTargets[e]], (fedBy.get(sysOf[predTargets[e]]) || 0) + 1);
    }
    function chips(m) {
      return Array.from(m.entries()).sort(function (x, y) { return x[0] - y[0]; }).map(function (x) {
        return el("span", { class: "chip" }, toolLink(meta.systems[x[0]].id), " " + plural(x[1], "dependency"));
      });
    }
    var s1 = section("How it connects", "links");
    add(s1, el("h3", null, "Fed by"), fedBy.size ? el("p", { class: "chips" }, chips(fedBy)) : el("p", { class: "muted" }, "No other tool."));
    add(s1, el("h3", null, "Feeds"), feeds.size ? el("p", { class: "chips" }, chips(feeds)) : el("p", { class: "muted" }, "No other tool."));
    add(view, s1);
    var s2 = section("Assets", "assets");
    add(s2, el("p", { class: "lead" }, plural(mine.length, "asset") + "; " + fmt(untested) + " with no test."));
    add(s2, el("p", { class: "chips" }, Array.from(types.entries()).sort(function (x, y) { return x[0] - y[0]; }).map(function (x) {
      return el("span", { class: "chip" }, meta.types[x[0]] + " " + fmt(x[1]));
    })));
    longList(s2, mine.length, function (i) {
      return el("li", null, assetLink(mine[i]), el("span", { class: "meta" }, meta.types[typeOf[mine[i]]] + " · owner " + teamName(meta.owners[ownerOf[mine[i]]])));
    });
    add(view, s2);
  }

  function changeView(view, id) {
    var k = -1;
    meta.changes.forEach(function (c, i) { if (c.id === id) k = i; });
    if (k < 0) return notFound(view, "change request in flight", id);
    var c = meta.changes[k];
    view.setAttribute("data-change", id);
    add(view, el("p", { class: "kicker" }, "Change request" + (c.status ? " · " + c.status : "")));
    add(view, el("h1", null, c.id + ": " + c.title));
    add(view, el("section", { class: "card", id: "about" }, facts([
      ["Verdict", c.verdict],
      ["Tests", c.tests],
      ["Readiness", c.readiness && c.readiness.length ? el("ul", { class: "rows" }, c.readiness.map(function (line) { return el("li", null, line); })) : null],
      ["Status", c.status],
      ["Release", c.release],
      ["Release path", c.path],
      ["Requested by", c.requested_by ? teamLink(c.requested_by) : null],
      ["File", el("code", null, c.file)],
    ])));
    var s1 = section("What it changes", "changed");
    add(s1, el("ul", { class: "rows" }, c.changed.map(function (x) {
      return el("li", null, el("span", { class: "badge" }, x.action), " ", x.asset >= 0 ? assetLink(x.asset) : el("code", null, idText(x.id)), x.asset < 0 ? " (new)" : null, x.note ? el("span", { class: "meta" }, x.note) : null);
    })));
    add(view, s1);
    var r = reachOfChange(k);
    var people = stakeholdersOfChange(k);
    var ask = section("Whom to involve", "ask");
    add(ask, el("ul", { class: "people" }, people.map(function (p) {
      return el("li", { "data-team": p.team }, teamLink(p.team), " ", el("span", { class: "badge role", title: p.roles.length > 1 ? "also " + p.roles.slice(1).join(", ") : p.roles[0] }, p.roles[0]), el("span", { class: "meta" }, contacts(teamById.get(p.team))), el("span", { class: "why" }, reasonText(p.reasons[0]) + (p.reasons.length > 1 ? " (+" + fmt(p.reasons.length - 1) + " more)" : "")));
    })));
    add(view, ask);
    reachSection(view, r, "What it reaches", {
      none: "It reaches nothing else in the catalog.",
      some: function (n, t, far) { return plural(n, "asset") + " impacted in " + plural(t, "tool") + ", up to " + away(far) + "."; },
    }, false);
  }

  function teamsView(view) {
    add(view, el("h1", null, "Teams"));
    var counts = new Map();
    for (var a = 0; a < N; a++) counts.set(meta.owners[ownerOf[a]], (counts.get(meta.owners[ownerOf[a]]) || 0) + 1);
    var s = section("Every team", "all-teams");
    add(s, el("ul", { class: "rows" }, meta.teams.map(function (t) {
      return el("li", null, teamLink(t.id), " ", el("span", { class: "meta" }, plural(counts.get(t.id) || 0, "asset") + " owned"), contacts(t));
    })));
    add(view, s);
  }

  function toolsView(view) {
    add(view, el("h1", null, "Tools"));
    var counts = new Uint32Array(meta.systems.length);
    for (var a = 0; a < N; a++) counts[sysOf[a]]++;
    var s = section("Every tool", "all-tools");
    add(s, el("ul", { class: "rows" }, meta.systems.map(function (sy, k) {
      return el("li", null, toolLink(sy.id), " ", el("code", null, sy.id), el("span", { class: "meta" }, (sy.kind ? sy.kind + " · " : "") + plural(counts[k], "asset") + " · owner " + teamName(sy.owner)));
    })));
    add(view, s);
  }

  function changesView(view) {
    add(view, el("h1", null, "Change requests in flight"));
    var s = section("Not released yet", "all-changes");
    if (!meta.changes.length) add(s, el("p", { class: "muted" }, "None: no change request in the changes folder is waiting to be released."));
    else add(s, el("ul", { class: "rows" }, meta.changes.map(function (c) {
      return el("li", null, changeLink(c), " ", c.title, " ", c.status ? el("span", { class: "badge" }, c.status) : null, el("span", { class: "meta" }, [c.verdict, plural(c.changed.length, "asset") + " changed" + (c.release ? " · release " + c.release : "")].filter(Boolean).join(" · ")));
    })));
    if (meta.skipped.length) add(s, el("p", { class: "warn" }, "Left out because they do not match the catalog: " + meta.skipped.join("; ")));
    add(view, s);
  }

  function coverageView(view) {
    add(view, el("h1", null, "Test coverage"));
    var byTeam = new Map(), byTool = new Map();
    var total = [0, 0], crit = [0, 0];
    var untested = [];
    function bump(m, key, hit, isCrit) {
      if (!m.has(key)) m.set(key, [0, 0, 0, 0]);
      var x = m.get(key);
      x[1]++;
      if (hit) x[0]++;
      if (isCrit) {
        x[3]++;
        if (hit) x[2]++;
      }
    }
    for (var a = 0; a < N; a++) {
      var hit = testsOf.has(a);
      total[1]++;
      if (hit) total[0]++;
      if (critical[a]) {
        crit[1]++;
        if (hit) crit[0]++;
      } 
      if (!hit) untested.push(a);
      bump(byTeam, meta.owners[ownerOf[a]], hit, critical[a]);
      bump(byTool, sysOf[a], hit, critical[a]);
    }
    untested.sort(function (x, y) { return critical[y] - critical[x] || x - y; });
    function pct(x) {
      return x[1] === 0 ? "100%" : (Math.round((1000 * x[0]) / x[1]) / 10).toFixed(1) + "%";
    }
    var s0 = section("Overall", "overall");
    add(s0, el("ul", { class: "cards" },
      el("li", null, el("b", null, pct(total)), " of assets covered (" + fmt(total[0]) + " of " + fmt(total[1]) + ")"),
      el("li", { class: crit[1] > crit[0] ? "warn" : null }, el("b", null, pct(crit)), " of critical assets covered (" + fmt(crit[0]) + " of " + fmt(crit[1]) + ")")));
    add(view, s0);
    var s1 = section("Assets no test covers", "untested");
    add(s1, el("p", { class: "lead" }, plural(untested.length, "asset") + " with no test; critical ones first."));
    longList(s1, untested.length, function (i) {
      var b = untested[i];
      return el("li", { class: "untested", "data-asset": ids[b] }, assetLink(b), el("span", { class: "meta" }, meta.types[typeOf[b]] + " in " + sysOfAsset(b).name + " · owner " + teamName(meta.owners[ownerOf[b]])));
    });
    add(view, s1);
    function table(title, m, label, id) {
      var s = section(title, id);
      var rows = Array.from(m.entries()).sort(function (x, y) { return (x[1][0] / x[1][1]) - (y[1][0] / y[1][1]) || (typeof x[0] === "number" ? x[0] - y[0] : compareCodePoints(x[0], y[0])); });
      add(s, el("ul", { class: "rows" }, rows.map(function (r) {
        return el("li", null, label(r[0]), el("span", { class: "meta" }, pct([r[1][0], r[1][1]]) + " of " + plural(r[1][1], "asset") + " covered" + (r[1][3] ? "; critical " + pct([r[1][2], r[1][3]]) : "")));
      })));
      add(view, s);
    }
    table("By team, least covered first", byTeam, teamLink, "by-team");
    table("By tool, least covered first", byTool, function (k) { return toolLink(meta.systems[k].id); }, "by-tool");
  }

  function homeView(view) {
    add(view, el("h1", null, "What breaks if it changes, and whom to ask"));
    add(view, el("p", { class: "lead" }, "Type the name of a page, field, list, campaign or report in the search box. Its page shows what depends on it, up to " + plural(meta.max_tools, "tool") + " away, who to ask before changing it, what feeds it and which tests cover it."));
    add(view, el("ul", { class: "cards" },
      el("li", null, el("b", null, fmt(N)), " assets"),
      el("li", null, el("a", { href: "#tools" }, el("b", null, fmt(meta.counts.tools)), " tools")),
      el("li", null, el("a", { href: "#teams" }, el("b", null, fmt(meta.counts.teams)), " teams")),
      el("li", null, el("a", { href: "#coverage" }, el("b", null, fmt(meta.counts.tests)), " tests")),
      el("li", null, el("a", { href: "#changes" }, el("b", null, fmt(meta.changes.length)), " changes in flight"))));
    if (meta.changes.length) {
      var s = section("Change requests in flight", "home-changes");
      add(s, el("ul", { class: "rows" }, meta.changes.slice(0, 20).map(function (c) {
        return el("li", null, changeLink(c), " ", c.title, " ", c.status ? el("span", { class: "badge" }, c.status) : null, c.verdict ? el("span", { class: "meta" }, c.verdict) : null);
      })));
      add(view, s);
    }
    var s2 = section("Tools", "home-tools");
    add(s2, el("p", { class: "chips" }, meta.systems.map(function (sy) { return el("span", { class: "chip" }, toolLink(sy.id)); })));
    add(view, s2);
    var s3 = section("Teams", "home-teams");
    add(s3, el("p", { class: "chips" }, meta.teams.map(function (t) { return el("span", { class: "chip" }, teamLink(t.id)); })));
    add(view, s3);
  }

  /* ---------- for tests and curious people: the page's own answers ---------- */

  site.answer = {
    downstream: function (id, maxTools) {
      var a = findAsset(id);
      var r = reach([a], false, maxTools === undefined ? meta.max_tools : maxTools);
      return r.found.map(function (x) {
        return [ids[x.asset], x.tools, x.steps, r.path(x.asset).map(function (b) { return ids[b]; })];
      });
    },
    upstream: function (id, maxTools) {
      var a = findAsset(id);
      var r = reachBack(a, maxTools === undefined ? meta.max_tools : maxTools);
      return r.found.map(function (x) {
        return [ids[x.asset], x.tools, x.steps, r.path(x.asset).map(function (b) { return ids[b]; })];
      });
    },
    stakeholders: function (id) {
      var a = findAsset(id);
      var r = reach([a], false, meta.max_tools);
      return stakeholders([{ asset: a, action: "modify" }], r.found).map(function (p) {
        return [p.team, p.roles, p.reasons.map(function (x) { return [ROLES[x[0]], rid(x), reasonText(x)]; })];
      });
    },
    changes: function (id) {
      var a = findAsset(id);
      return changesFor(a, reachBack(a, meta.max_tools)).map(function (h) {
        return [h.change.id, h.tools, h.path.map(function (b) { return ids[b]; }), h.action];
      });
    },
    change: function (id) {
      var k = meta.changes.findIndex(function (c) { return c.id === id; });
      var r = reachOfChange(k);
      return {
        impacted: r.found.map(function (x) {
          return [ids[x.asset], x.tools, x.steps, r.path(x.asset).map(function (b) { return ids[b]; })];
        }),
        stakeholders: stakeholdersOfChange(k).map(function (p) {
          return [p.team, p.roles, p.reasons.map(function (x) { return [ROLES[x[0]], rid(x), reasonText(x)]; })];
        }),
      };
    },
    search: function (q) {
      return search(q).hits.map(function (a) { return ids[a]; });
    },
  };

  document.addEventListener("DOMContentLoaded", init);
})();
