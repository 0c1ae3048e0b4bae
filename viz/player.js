/*
 * player.js - the disco run player, embedded in every --html page.
 *
 * Reads the run from the JSON element #run (written by viz/player.c), then:
 * - steps through events forwards and backwards incrementally: each event
 *   is applied or undone in O(1) with what one pass at load time recorded
 *   (the state text, Lamport clock and decision each event replaced), and
 *   a long jump restores the nearest checkpoint (every K events) first;
 * - animates on requestAnimationFrame only while playing or after a change,
 *   drawing only the messages in flight and, in the space-time view, only
 *   the messages and events inside the visible time window.
 * Plain JavaScript, no library, nothing from the network.
 */
'use strict';

/* Errors go into the self-test report (#selftest=N) as well as the console. */
var errors = [];
window.onerror = function (message, source, line) {
    errors.push(String(message) + ' (line ' + line + ')');
};
window.addEventListener('unhandledrejection', function (e) {
    errors.push('unhandled rejection: ' + String(e.reason));
});
(function () {
    var original = console.error;
    console.error = function () {
        errors.push(Array.prototype.map.call(arguments, String).join(' '));
        return original.apply(console, arguments);
    };
})();

(function () {
'use strict';

var loadStart = performance.now();
var TYPES = ['send', 'recv', 'timer', 'drop', 'dup', 'crash', 'recover',
             'state', 'decide', 'link_down', 'link_up', 'mark'];
var SEND = 0, RECV = 1, TIMER = 2, DROP = 3, DUP = 4, CRASH = 5,
    RECOVER = 6, STATE = 7, DECIDE = 8, LINK_DOWN = 9, LINK_UP = 10, MARK = 11;
/* Okabe-Ito, then darker extras: distinct for the colour-blind too. */
var KIND_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9',
                    '#e69f00', '#000000', '#8f5b00', '#6a3d9a', '#1f7a7a'];
/* The SVG namespace, from the page's own <svg> element. */
var SVGNS = document.getElementById('topo').namespaceURI;

var R = JSON.parse(document.getElementById('run').textContent);
var N = R.nodes, E = R.t.length;
var T = Float64Array.from(R.t), TYPE = Uint8Array.from(R.type),
    NODE = Int32Array.from(R.node), PEER = Int32Array.from(R.peer),
    KIND = Int32Array.from(R.kind), LAMPORT = Float64Array.from(R.lamport),
    STATE_OF = Int32Array.from(R.state);
var tEnd = E ? T[E - 1] : 0;

function kindColour(k) {
    return k < 0 ? '#57606a' : KIND_COLOURS[k % KIND_COLOURS.length];
}
function kindName(k) {
    return k >= 0 && k < R.kinds.length ? R.kinds[k] : k < 0 ? '?' : String(k);
}
/* Nodes by index, as the trace, the summary and the space-time diagram
 * name them, with the id the pictures draw inside each node. */
function who(v) {
    return 'node ' + v + ' (id ' + R.ids[v] + ')';
}

/* ---- the edges, and a lookup from a channel to its drawn edge ---- */

var edgeOf = new Map();      /* "u v" -> index into R.edges, both ways */
R.edges.forEach(function (e, i) {
    edgeOf.set(e[0] + ' ' + e[1], i);
    if (!R.directed)
        edgeOf.set(e[1] + ' ' + e[0], i);
});

/* ---- messages: one flight per send (and per duplicate) ---- */

var flightStart = [], flightEnd = [], flightT0 = [];
var startsFlight = new Int32Array(E).fill(-1);
var endsFlight = new Int32Array(E).fill(-1);
(function () {
    var pending = new Map(); /* msg -> flights not yet ended, in order */
    function open(i, t0, msg) {
        var f = flightStart.length;
        flightStart.push(i);
        flightEnd.push(E);
        flightT0.push(t0);
        startsFlight[i] = f;
        var q = pending.get(msg);
        if (!q)
            pending.set(msg, q = []);
        q.push(f);
    }
    var sentAt = new Map();
    for (var i = 0; i < E; i++) {
        var ty = TYPE[i], msg = R.msg[i];
        if (ty === SEND) {
            sentAt.set(msg, T[i]);
            open(i, T[i], msg);
        } else if (ty === DUP) {
            open(i, sentAt.has(msg) ? sentAt.get(msg) : T[i], msg);
        } else if (ty === RECV || ty === DROP) {
            var q = pending.get(msg);
            if (q && q.length) {
                var f = q.shift();
                flightEnd[f] = i;
                endsFlight[i] = f;
            }
        }
    }
})();
var F = flightStart.length;
/* Flights that end never (the run stopped first) travel to the end of time. */
function flightT1(f) {
    return flightEnd[f] < E ? T[flightEnd[f]] : Infinity;
}
function flightFrom(f) {
    var i = flightStart[f];
    return TYPE[i] === SEND ? NODE[i] : PEER[i];
}
function flightTo(f) {
    var i = flightStart[f];
    return TYPE[i] === SEND ? PEER[i] : NODE[i];
}
var maxSpan = 0;
for (var f0 = 0; f0 < F; f0++)
    if (flightEnd[f0] < E)
        maxSpan = Math.max(maxSpan, T[flightEnd[f0]] - flightT0[f0],
                           T[flightStart[f0]] - flightT0[f0]);

/* ---- per-node history, for the panel ---- */

var stateHistory = [];
for (var v0 = 0; v0 < N; v0++)
    stateHistory.push([]);
for (var i0 = 0; i0 < E; i0++)
    if (TYPE[i0] === STATE)
        stateHistory[NODE[i0]].push(i0);

/* ---- the state after `cur` events, kept incrementally ---- */

var text = Int32Array.from(R.init);       /* index into R.texts */
var crashed = new Uint8Array(N);
var decided = new Array(N).fill(null);
var lamport = new Float64Array(N);
var sent = new Float64Array(N), received = new Float64Array(N);
var down = new Int32Array(R.edges.length); /* >0: the link is cut */
var active = new Set();                     /* flights in the air */
var cur = 0;                                /* events applied */

/* What each event replaced, so that undoing it is O(1). */
var prevText = new Int32Array(E), prevLamport = new Float64Array(E),
    prevDecided = new Array(E), prevCrashed = new Uint8Array(E);

function apply(i) {
    var v = NODE[i], ty = TYPE[i];
    prevLamport[i] = lamport[v];
    lamport[v] = LAMPORT[i];
    if (ty === STATE) {
        prevText[i] = text[v];
        text[v] = STATE_OF[i];
    } else if (ty === DECIDE) {
        prevDecided[i] = decided[v];
        decided[v] = R.value[i];
    } else if (ty === CRASH || ty === RECOVER) {
        prevCrashed[i] = crashed[v];
        crashed[v] = ty === CRASH ? 1 : 0;
    } else if (ty === SEND) {
        sent[v]++;
    } else if (ty === RECV) {
        received[v]++;
    } else if (ty === LINK_DOWN || ty === LINK_UP) {
        var e = edgeOf.get(v + ' ' + PEER[i]);
        if (e === undefined)
            e = edgeOf.get(PEER[i] + ' ' + v);
        if (e !== undefined)
            down[e] += ty === LINK_DOWN ? 1 : -1;
    }
    if (startsFlight[i] >= 0)
        active.add(startsFlight[i]);
    if (endsFlight[i] >= 0)
        active.delete(endsFlight[i]);
}

function undo(i) {
    var v = NODE[i], ty = TYPE[i];
    lamport[v] = prevLamport[i];
    if (ty === STATE) {
        text[v] = prevText[i];
    } else if (ty === DECIDE) {
        decided[v] = prevDecided[i];
    } else if (ty === CRASH || ty === RECOVER) {
        crashed[v] = prevCrashed[i];
    } else if (ty === SEND) {
        sent[v]--;
    } else if (ty === RECV) {
        received[v]--;
    } else if (ty === LINK_DOWN || ty === LINK_UP) {
        var e = edgeOf.get(v + ' ' + PEER[i]);
        if (e === undefined)
            e = edgeOf.get(PEER[i] + ' ' + v);
        if (e !== undefined)
            down[e] -= ty === LINK_DOWN ? 1 : -1;
    }
    if (endsFlight[i] >= 0)
        active.add(endsFlight[i]);
    if (startsFlight[i] >= 0)
        active.delete(startsFlight[i]);
}

/* Checkpoints every K events: a long jump costs at most K steps.  K grows
 * with N so that the copies stay near the size of the events themselves. */
var K = Math.max(512, 4 * N);
var checkpoints = [];
function snapshot() {
    return {
        text: text.slice(), crashed: crashed.slice(), decided: decided.slice(),
        lamport: lamport.slice(), sent: sent.slice(),
        received: received.slice(), down: down.slice(),
        active: Array.from(active)
    };
}
function restore(c) {
    text.set(c.text);
    crashed.set(c.crashed);
    decided = c.decided.slice();
    lamport.set(c.lamport);
    sent.set(c.sent);
    received.set(c.received);
    down.set(c.down);
    active = new Set(c.active);
}
/* One pass at load: records what every event replaces, and the checkpoints. */
for (var i1 = 0; i1 < E; i1++) {
    if (i1 % K === 0)
        checkpoints.push(snapshot());
    apply(i1);
}
restore(checkpoints.length ? checkpoints[0] : snapshot());
cur = 0;

function seek(k) {
    k = Math.max(0, Math.min(E, k));
    if (Math.abs(k - cur) > K) {
        var c = Math.floor(k / K);
        restore(checkpoints[c]);
        cur = c * K;
    }
    while (cur < k)
        apply(cur++);
    while (cur > k)
        undo(--cur);
}

/* ---- time ---- */

var clock = 0;           /* simulated time shown */
var playing = false;
var SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 64];
var speedIndex = 3;
/* At 1x the whole run takes E/6 seconds, between 10 s and a minute. */
var baseRate = Math.max(tEnd, 1) / Math.min(60, Math.max(10, E / 6));

function timeOf(k) {
    return k > 0 ? T[k - 1] : 0;
}

/* ---- text ---- */

function sentence(i) {
    var a = who(NODE[i]), b = who(PEER[i]), k = kindName(KIND[i]);
    switch (TYPE[i]) {
    case SEND: return a + ' sends <b>' + k + '</b> to ' + b;
    case RECV: return a + ' receives <b>' + k + '</b> from ' + b;
    case DROP: return '<b>' + k + '</b> from ' + b + ' to ' + a + ' is lost';
    case DUP: return 'the network duplicates <b>' + k + '</b> from ' + b +
                     ' to ' + a;
    case TIMER: return a + ': timer ' + R.value[i] + ' fires';
    case STATE: return a + ' is now <b>' + escapeHtml(R.texts[STATE_OF[i]]) +
                       '</b>';
    case DECIDE: return a + ' decides <b>' + R.value[i] + '</b>';
    case CRASH: return a + ' <b>crashes</b>';
    case RECOVER: return a + ' <b>recovers</b>';
    case LINK_DOWN: return 'link ' + a + '\u2013' + b + ' goes <b>down</b>';
    case LINK_UP: return 'link ' + a + '\u2013' + b + ' comes <b>back</b>';
    }
    return TYPES[TYPE[i]];
}
function escapeHtml(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;')
        .replace(/>/g, '&gt;');
}
/* Event i exactly as its line in the trace (--trace, docs/cli.md). */
function traceLine(i) {
    var ty = TYPE[i];
    var s = '{"t": ' + T[i] + ', "seq": ' + R.seq[i] + ', "node": ' + NODE[i] +
            ', "type": "' + TYPES[ty] + '"';
    var kind = KIND[i] >= 0 && KIND[i] < R.kinds.length
                   ? JSON.stringify(R.kinds[KIND[i]])
                   : KIND[i] >= 0 ? String(KIND[i]) : 'null';
    if (ty === SEND)
        s += ', "to": ' + PEER[i] + ', "kind": ' + kind + ', "msg": ' + R.msg[i];
    else if (ty === RECV || ty === DROP || ty === DUP)
        s += ', "from": ' + PEER[i] + ', "kind": ' + kind + ', "msg": ' +
             R.msg[i];
    else if (ty === TIMER)
        s += ', "tag": ' + R.value[i];
    else if (ty === STATE)
        s += ', "state": ' + JSON.stringify(R.texts[STATE_OF[i]]);
    else if (ty === DECIDE)
        s += ', "value": ' + R.value[i];
    else if (ty === LINK_DOWN || ty === LINK_UP)
        s += ', "peer": ' + PEER[i];
    return s + ', "lamport": ' + LAMPORT[i] + '}';
}

/* ---- the page ---- */

var $ = function (id) { return document.getElementById(id); };
var svg = $('topo'), canvas = $('st'), panel = $('panel');
var selected = -1;

$('title').textContent = R.algorithm;
$('sub').textContent = R.spec.replace(/^.*\//, '') + ' \u00b7 ' + N + ' nodes \u00b7 ' + E +
    ' events \u00b7 seed ' + R.seed + ' \u00b7 ' +
    (R.sync ? 'synchronous' : 'delay ' + R.delay + (R.fifo ? ', FIFO' : ''));

(function legend() {
    function item(colour, name, ring) {
        return '<span class="li"><i style="background:' + colour +
               (ring ? ';border:2px solid #1b1f24' : '') + '"></i>' +
               escapeHtml(name) + '</span>';
    }
    var html = '<span style="color:#57606a">messages:</span>';
    R.kinds.forEach(function (k, i) { html += item(kindColour(i), k); });
    html += '<br><span style="color:#57606a">nodes:</span>' +
            item('#e69f00', 'leader', true) + item('#b0b4b8', 'crashed');
    $('legend').innerHTML = html;
})();

SPEEDS.forEach(function (s, i) {
    var o = document.createElement('option');
    o.value = i;
    o.textContent = (s < 1 ? s : s) + '\u00d7';
    $('speed').appendChild(o);
});
$('speed').value = speedIndex;
$('scrub').max = E;

/* ---- the network, in SVG ---- */

var geo = {x: new Float64Array(N), y: new Float64Array(N), r: 20, font: 18,
           chars: 40, lines: 1};
var edgeEls = [], nodeEls = [], dotEls = [], arrowEl = null, hitEl = null;
var showStateText = N <= 64;

function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var a in attrs)
        e.setAttribute(a, attrs[a]);
    if (parent)
        parent.appendChild(e);
    return e;
}

/* Fit the layout into the SVG's pixels; node size from the closest pair. */
function layoutNetwork() {
    var w = svg.clientWidth || 600, h = svg.clientHeight || 400;
    var minx = Infinity, maxx = -Infinity, miny = Infinity, maxy = -Infinity;
    for (var v = 0; v < N; v++) {
        minx = Math.min(minx, R.x[v]); maxx = Math.max(maxx, R.x[v]);
        miny = Math.min(miny, R.y[v]); maxy = Math.max(maxy, R.y[v]);
    }
    /* Node size from the typical distance to the nearest neighbour (the
     * median, so that one close pair does not shrink every node). */
    var nearest = [];
    var limit = Math.min(N, 400);
    for (var a = 0; a < limit; a++) {
        var d = Infinity;
        for (var b = 0; b < limit; b++)
            if (b !== a)
                d = Math.min(d, Math.hypot(R.x[a] - R.x[b], R.y[a] - R.y[b]));
        if (d > 1e-9 && isFinite(d))
            nearest.push(d);
    }
    nearest.sort(function (p, q) { return p - q; });
    var closest = nearest.length ? nearest[nearest.length >> 1] : Infinity;
    if (N > limit)
        closest *= Math.sqrt(limit / N);
    var spanx = Math.max(maxx - minx, 1e-9), spany = Math.max(maxy - miny, 1e-9);
    /* Room for the state texts under the nodes at the edges of the box. */
    var longest = 0;
    if (showStateText)
        R.texts.forEach(function (t) { longest = Math.max(longest, t.length); });
    /* (Long texts wrap and are cut short, so the sides need little.) */
    var top = 60, side = showStateText ? 70 : 30;
    var bottom = showStateText ? 66 : 30;
    var sx = (w - 2 * side) / spanx, sy = (h - top - bottom) / spany;
    var s = Math.min(sx, sy);
    if (!isFinite(s))
        s = 1;
    if (maxx - minx < 1e-9 && maxy - miny < 1e-9)
        s = 0;
    var ox = (w - (maxx - minx) * s) / 2, oy = top + (h - top - bottom -
                                                      (maxy - miny) * s) / 2;
    for (var u = 0; u < N; u++) {
        geo.x[u] = ox + (R.x[u] - minx) * s;
        geo.y[u] = oy + (R.y[u] - miny) * s;
    }
    var px = isFinite(closest) ? closest * s : 80;
    geo.r = Math.max(5, Math.min(34, px * 0.3));
    /* State texts: as large as the space between nodes allows, then cut
     * short with an ellipsis (the panel shows them whole). */
    var room = Math.max(px * 0.92, geo.r * 2.5);
    var oneLine = room / (Math.max(longest, 1) * 0.56);
    geo.lines = oneLine >= 16 ? 1 : 2;
    geo.font = Math.max(14, Math.min(20, geo.lines === 1 ? oneLine
        : room / ((Math.ceil(longest / 2) + 3) * 0.56)));
    geo.chars = Math.max(4, Math.floor(room / (geo.font * 0.56)));
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
}

/* The control point of edge e's quadratic curve. */
function control(e) {
    var ed = R.edges[e], a = ed[0], b = ed[1];
    var mx = (geo.x[a] + geo.x[b]) / 2, my = (geo.y[a] + geo.y[b]) / 2;
    var dx = geo.x[b] - geo.x[a], dy = geo.y[b] - geo.y[a];
    /* Opposite channels of a digraph bow to opposite sides by themselves
     * (the normal turns with the direction); a torus's wrap-around edges
     * bow more. */
    var k = ed[3] > 0.3 ? 0.12 : ed[3];
    return [mx - dy * k, my + dx * k];
}
/* The point at fraction f along the channel from u to v. */
function along(u, v, f) {
    var e = edgeOf.get(u + ' ' + v);
    if (e === undefined) {
        return [geo.x[u] + (geo.x[v] - geo.x[u]) * f,
                geo.y[u] + (geo.y[v] - geo.y[u]) * f];
    }
    var ed = R.edges[e];
    if (ed[0] !== u)
        f = 1 - f;
    var c = control(e), a = ed[0], b = ed[1], g = 1 - f;
    return [g * g * geo.x[a] + 2 * g * f * c[0] + f * f * geo.x[b],
            g * g * geo.y[a] + 2 * g * f * c[1] + f * f * geo.y[b]];
}

function buildNetwork() {
    while (svg.firstChild)
        svg.removeChild(svg.firstChild);
    layoutNetwork();
    var edges = el('g', {}, svg);
    edgeEls = R.edges.map(function (ed, e) {
        var c = control(e);
        return el('path', {
            'class': 'edge',
            d: 'M' + geo.x[ed[0]] + ' ' + geo.y[ed[0]] + 'Q' + c[0] + ' ' +
               c[1] + ' ' + geo.x[ed[1]] + ' ' + geo.y[ed[1]]
        }, edges);
    });
    /* Directed channels: one arrowhead each, past the middle. */
    if (R.directed && R.edges.length <= 5000) {
        var d = '', size = Math.max(6, Math.min(14, geo.r * 0.6));
        R.edges.forEach(function (ed) {
            var p = along(ed[0], ed[1], 0.62), q = along(ed[0], ed[1], 0.58);
            var dx = p[0] - q[0], dy = p[1] - q[1], l = Math.hypot(dx, dy) || 1;
            dx /= l; dy /= l;
            d += 'M' + (p[0] + dx * size) + ' ' + (p[1] + dy * size) +
                 'L' + (p[0] - dy * size * 0.6) + ' ' + (p[1] + dx * size * 0.6) +
                 'L' + (p[0] + dy * size * 0.6) + ' ' + (p[1] - dx * size * 0.6) +
                 'Z';
        });
        arrowEl = el('path', {d: d, fill: '#8c959f'}, edges);
    }
    if (R.weighted && R.edges.length <= 300)
        R.edges.forEach(function (ed) {
            var p = along(ed[0], ed[1], 0.5);
            var t = el('text', {x: p[0], y: p[1] - 6, 'font-size': 16,
                                'text-anchor': 'middle', fill: '#57606a'},
                       edges);
            t.textContent = ed[2];
        });
    hitEl = el('circle', {'class': 'hit', r: geo.r + 7, cx: -100, cy: -100},
               svg);
    var nodes = el('g', {}, svg);
    var idSize = Math.max(9, Math.min(26, geo.r * 0.85));
    nodeEls = [];
    for (var v = 0; v < N; v++) {
        var g = el('g', {'class': 'node', 'data-node': v}, nodes);
        el('circle', {cx: geo.x[v], cy: geo.y[v], r: geo.r}, g);
        if (geo.r >= 8) {
            var id = el('text', {'class': 'id', x: geo.x[v], y: geo.y[v],
                                 'font-size': idSize}, g);
            id.textContent = R.ids[v];
        }
        var st = null;
        if (showStateText) {
            st = el('text', {'class': 'state', x: geo.x[v],
                             y: geo.y[v] + geo.r + geo.font + 2,
                             'font-size': geo.font}, g);
        }
        g.addEventListener('click', select.bind(null, v));
        nodeEls.push({g: g, state: st, cls: '', text: null});
    }
    dotR = Math.max(5, Math.min(12, geo.r * 0.4));
    var dots = el('g', {}, svg);
    dotEls = [];
    dotLayer = dots;
}
var dotLayer = null, dotR = 8;

function dot(i) {
    while (dotEls.length <= i)
        dotEls.push(el('circle', {'class': 'msg', r: dotR}, dotLayer));
    return dotEls[i];
}

function isLeader(v) {
    return R.leader[v] && text[v] === R.final[v];
}

/* Words into at most `lines` lines of `width` characters; what does not
 * fit ends in an ellipsis (the panel shows the text whole). */
function wrap(full, width, lines) {
    var out = [], line = '';
    var words = full.split(' ');
    for (var i = 0; i < words.length; i++) {
        var w = words[i];
        var next = line ? line + ' ' + w : w;
        if (next.length <= width || !line) {
            line = next;
            continue;
        }
        out.push(line);
        line = w;
        if (out.length === lines)
            break;
    }
    if (out.length < lines) {
        out.push(line);
        line = '';
    }
    var last = out[out.length - 1];
    if (line || last.length > width)
        out[out.length - 1] = last.slice(0, width - 1) + '\u2026';
    return out;
}
function setLines(t, lines, x) {
    while (t.firstChild)
        t.removeChild(t.firstChild);
    lines.forEach(function (l, i) {
        var span = el('tspan', {x: x, dy: i ? '1.1em' : 0}, t);
        span.textContent = l;
    });
}

var MAX_DOTS = 3000;
function drawNetwork() {
    for (var v = 0; v < N; v++) {
        var n = nodeEls[v];
        var cls = 'node' + (isLeader(v) ? ' leader' : '') +
                  (decided[v] !== null ? ' decided' : '') +
                  (crashed[v] ? ' crashed' : '') + (v === selected ? ' sel' : '');
        if (cls !== n.cls)
            n.g.setAttribute('class', n.cls = cls);
        if (n.state && n.text !== text[v]) {
            n.text = text[v];
            setLines(n.state, wrap(R.texts[text[v]], geo.chars, geo.lines),
                     geo.x[v]);
        }
    }
    /* Tree edges: a node's final parent, once it holds its final state. */
    for (var e = 0; e < R.edges.length; e++) {
        var ed = R.edges[e];
        var tree = (R.parent[ed[0]] === ed[1] && text[ed[0]] === R.final[ed[0]]) ||
                   (R.parent[ed[1]] === ed[0] && text[ed[1]] === R.final[ed[1]]);
        var cls2 = 'edge' + (tree ? ' tree' : '') + (down[e] > 0 ? ' down' : '');
        if (edgeEls[e].cls !== cls2)
            edgeEls[e].setAttribute('class', edgeEls[e].cls = cls2);
    }
    if (cur > 0) {
        var at = NODE[cur - 1];
        hitEl.setAttribute('cx', geo.x[at]);
        hitEl.setAttribute('cy', geo.y[at]);
    } else {
        hitEl.setAttribute('cx', -100);
    }
    var count = 0;
    active.forEach(function (f) {
        if (count >= MAX_DOTS)
            return;
        var t0 = flightT0[f], t1 = flightT1(f);
        var frac = t1 > t0 ? (clock - t0) / (t1 - t0) : 1;
        if (!isFinite(t1))
            frac = 0.5;
        /* From the sender's rim to the receiver's, not over the ids. */
        var a = flightFrom(f), b = flightTo(f);
        var len = Math.hypot(geo.x[b] - geo.x[a], geo.y[b] - geo.y[a]) || 1;
        var rim = Math.min(0.45, (geo.r + dotR * 0.6) / len);
        frac = rim + Math.max(0, Math.min(1, frac)) * (1 - 2 * rim);
        var p = along(a, b, frac);
        var d = dot(count++);
        d.setAttribute('cx', p[0]);
        d.setAttribute('cy', p[1]);
        d.setAttribute('fill', kindColour(KIND[flightStart[f]]));
        d.style.display = '';
    });
    for (var j = count; j < dotEls.length; j++)
        dotEls[j].style.display = 'none';
}

/* ---- the space-time view, on a canvas ---- */

var st = {w: 0, h: 0, left: 0, top: 40, bottom: 30, a: 0, b: 1};

function resizeCanvas() {
    var ratio = window.devicePixelRatio || 1;
    st.w = canvas.clientWidth || 500;
    st.h = canvas.clientHeight || 300;
    canvas.width = Math.round(st.w * ratio);
    canvas.height = Math.round(st.h * ratio);
    canvas.getContext('2d').setTransform(ratio, 0, 0, ratio, 0, 0);
}
function laneY(v) {
    var h = (st.h - st.top - st.bottom) / Math.max(N, 1);
    return st.top + (v + 0.5) * h;
}
function timeX(t) {
    return st.left + (t - st.a) / (st.b - st.a) * (st.w - st.left - 16);
}
/* The visible window: it grows with the clock from [0, a little], so that
 * the start of a run is not a smear at the left edge, up to the whole run
 * (or, beyond 1500 events, a span that holds about 1500) and then slides. */
function window_() {
    var whole = Math.max(tEnd, 1);
    var span = E > 1500 ? Math.max(1, whole * 1500 / E) : whole;
    var least = Math.min(span, Math.max(whole / 40, 1));
    var b = Math.max(least, clock / 0.85);
    if (b <= span) {
        st.a = 0;
        st.b = b;
    } else {
        st.b = clock + 0.15 * span;
        st.a = st.b - span;
    }
}
function firstEventAtOrAfter(t) {
    var lo = 0, hi = E;
    while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (T[mid] < t) lo = mid + 1; else hi = mid;
    }
    return lo;
}
function firstFlightFrom(t) {
    var lo = 0, hi = F;
    while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (T[flightStart[mid]] < t) lo = mid + 1; else hi = mid;
    }
    return lo;
}

function drawSpaceTime() {
    var g = canvas.getContext('2d');
    g.clearRect(0, 0, st.w, st.h);
    window_();
    var laneH = (st.h - st.top - st.bottom) / Math.max(N, 1);
    var labels = laneH >= 13;
    var font = Math.max(11, Math.min(18, laneH * 0.8));
    g.font = '600 ' + font + 'px system-ui, sans-serif';
    st.left = labels ? Math.min(90, 16 + g.measureText('id ' +
        Math.max.apply(null, R.ids.slice(0, 200))).width) : 12;
    /* lanes */
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    var lanes = new Path2D(), dead = new Path2D();
    var every = labels || N <= 200 ? 1 : Math.ceil(N / 200);
    for (var v = 0; v < N; v += every) {
        var y = laneY(v);
        var lane = crashed[v] ? dead : lanes;
        lane.moveTo(st.left, y);
        lane.lineTo(st.w - 16, y);
        if (labels) {
            g.fillStyle = v === selected ? '#0072b2' : '#1b1f24';
            g.fillText(v + ' \u00b7 id ' + R.ids[v], st.left - 8, y);
        }
    }
    g.lineWidth = 1;
    g.strokeStyle = '#aeb5bd';
    g.stroke(lanes);
    g.strokeStyle = '#d8dce0';
    g.setLineDash([6, 4]);
    g.stroke(dead);
    g.setLineDash([]);
    if (selected >= 0) {
        g.strokeStyle = '#0072b2';
        g.lineWidth = 3;
        g.beginPath();
        g.moveTo(st.left, laneY(selected));
        g.lineTo(st.w - 16, laneY(selected));
        g.stroke();
    }
    /* messages in the window, up to the clock */
    var from = firstFlightFrom(st.a - maxSpan), drawn = 0;
    var head = Math.max(4, Math.min(10, laneH * 0.35));
    g.lineWidth = Math.max(1.2, Math.min(3, laneH * 0.12));
    /* One path per kind for lines, heads and crosses: a few canvas calls
     * per frame however many messages there are. */
    var paths = [];
    function pathsOf(k) {
        var key = k < 0 ? R.kinds.length : k;
        return paths[key] || (paths[key] = {colour: kindColour(k),
            lines: new Path2D(), heads: new Path2D(), crosses: new Path2D()});
    }
    var dotSize = Math.max(3, head * 0.6);
    for (var f = from; f < F && drawn < 6000; f++) {
        var s = flightStart[f];
        if (s >= cur || T[s] > st.b)
            break;
        var t1 = flightT1(f), ended = flightEnd[f] < cur;
        if (ended && t1 < st.a)
            continue;
        drawn++;
        var u = flightFrom(f), w = flightTo(f);
        var x0 = timeX(flightT0[f]), y0 = laneY(u), x1, y1;
        if (ended) {
            x1 = timeX(t1);
            y1 = laneY(w);
        } else if (isFinite(t1) && t1 > flightT0[f]) {
            /* In the air: the arrow grows with the clock. */
            var frac = Math.max(0, Math.min(1, (clock - flightT0[f]) /
                                               (t1 - flightT0[f])));
            x1 = timeX(flightT0[f] + frac * (t1 - flightT0[f]));
            y1 = y0 + (laneY(w) - y0) * frac;
        } else {
            x1 = timeX(clock);
            y1 = laneY(w);
        }
        var p = pathsOf(KIND[s]);
        p.lines.moveTo(x0, y0);
        p.lines.lineTo(x1, y1);
        if (ended && TYPE[flightEnd[f]] === DROP) {
            p.crosses.moveTo(x1 - head, y1 - head);
            p.crosses.lineTo(x1 + head, y1 + head);
            p.crosses.moveTo(x1 - head, y1 + head);
            p.crosses.lineTo(x1 + head, y1 - head);
        } else if (ended) {
            var dx = x1 - x0, dy = y1 - y0, l = Math.hypot(dx, dy) || 1;
            dx /= l; dy /= l;
            p.heads.moveTo(x1, y1);
            p.heads.lineTo(x1 - dx * head - dy * head * 0.5,
                           y1 - dy * head + dx * head * 0.5);
            p.heads.lineTo(x1 - dx * head + dy * head * 0.5,
                           y1 - dy * head - dx * head * 0.5);
            p.heads.closePath();
        } else {
            p.heads.moveTo(x1 + dotSize, y1);
            p.heads.arc(x1, y1, dotSize, 0, 2 * Math.PI);
        }
    }
    paths.forEach(function (p) {
        g.strokeStyle = p.colour;
        g.fillStyle = p.colour;
        g.stroke(p.lines);
        g.fill(p.heads);
        g.save();
        g.lineWidth = 3;
        g.stroke(p.crosses);
        g.restore();
    });
    /* decisions, crashes and state changes in the window */
    var i0 = firstEventAtOrAfter(st.a), marks = 0;
    for (var i = i0; i < cur && T[i] <= st.b && marks < 5000; i++) {
        var ty = TYPE[i];
        if (ty !== DECIDE && ty !== CRASH && ty !== RECOVER && ty !== STATE)
            continue;
        marks++;
        var x = timeX(T[i]), y2 = laneY(NODE[i]);
        var m = Math.max(3, Math.min(9, laneH * 0.3));
        if (ty === DECIDE) {
            g.fillStyle = '#e69f00';
            g.strokeStyle = '#1b1f24';
            g.lineWidth = 1.5;
            g.beginPath();
            g.moveTo(x, y2 - m * 1.4); g.lineTo(x + m * 1.4, y2);
            g.lineTo(x, y2 + m * 1.4); g.lineTo(x - m * 1.4, y2);
            g.closePath();
            g.fill();
            g.stroke();
        } else if (ty === CRASH) {
            g.strokeStyle = '#1b1f24';
            g.lineWidth = 3;
            g.beginPath();
            g.moveTo(x - m, y2 - m); g.lineTo(x + m, y2 + m);
            g.moveTo(x - m, y2 + m); g.lineTo(x + m, y2 - m);
            g.stroke();
        } else {
            g.fillStyle = ty === RECOVER ? '#009e73' : '#57606a';
            g.fillRect(x - 1.5, y2 - m, 3, 2 * m);
        }
    }
    /* the current event and the clock */
    if (cur > 0 && T[cur - 1] >= st.a) {
        g.strokeStyle = '#7b3fa0';
        g.lineWidth = 3;
        g.beginPath();
        g.arc(timeX(T[cur - 1]), laneY(NODE[cur - 1]),
              Math.max(6, Math.min(12, laneH * 0.45)), 0, 2 * Math.PI);
        g.stroke();
    }
    var cx = timeX(clock);
    g.strokeStyle = '#0072b2';
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(cx, st.top - 6);
    g.lineTo(cx, st.h - st.bottom + 4);
    g.stroke();
    g.fillStyle = '#57606a';
    g.font = '16px system-ui, sans-serif';
    g.textBaseline = 'alphabetic';
    g.textAlign = 'left';
    g.fillText(fmt(st.a), st.left, st.h - 8);
    g.textAlign = 'right';
    g.fillText(fmt(st.b) + (R.sync ? ' rounds' : ' ticks'), st.w - 16, st.h - 8);
}
function fmt(t) {
    return String(Math.round(t * 10) / 10);
}

/* ---- the node panel ---- */

function select(v) {
    selected = selected === v ? -1 : v;
    render();
}
function drawPanel() {
    if (selected < 0) {
        panel.className = 'card empty';
        panel.textContent = 'click a node to see its state';
        return;
    }
    var v = selected;
    panel.className = 'card';
    var role = crashed[v] ? 'crashed' : isLeader(v) ? 'leader' : '';
    var html = '<div class="title">node ' + v +
               ' <span style="font-weight:400;color:#57606a">(id ' + R.ids[v] +
               ')</span></div><table>' +
               '<tr><td>state</td><td><b>' + escapeHtml(R.texts[text[v]]) +
               '</b>' + (role ? ' \u00b7 ' + role : '') + '</td></tr>' +
               (decided[v] !== null ? '<tr><td>decided</td><td>' + decided[v] +
                                      '</td></tr>' : '') +
               '<tr><td>messages</td><td>' + sent[v] + ' sent, ' + received[v] +
               ' received</td></tr>' +
               '<tr><td>Lamport</td><td>' + lamport[v] + '</td></tr>';
    var neighbours = [];
    R.edges.forEach(function (ed) {
        if (ed[0] === v) neighbours.push((R.directed ? '\u2192' : '') + ed[1]);
        else if (ed[1] === v) neighbours.push((R.directed ? '\u2190' : '') + ed[0]);
    });
    if (neighbours.length <= 24)
        html += '<tr><td>neighbours</td><td>' + neighbours.join(', ') +
                '</td></tr>';
    html += '</table>';
    /* The last state changes up to now, the current one marked. */
    var h = stateHistory[v], lo = 0, hi = h.length;
    while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (h[mid] < cur) lo = mid + 1; else hi = mid;
    }
    var rows = [];
    for (var k = Math.max(0, lo - 6); k < lo; k++)
        rows.push('<div' + (k === lo - 1 ? ' class="cur"' : '') + '>t=' +
                  T[h[k]] + '  ' + escapeHtml(R.texts[STATE_OF[h[k]]]) + '</div>');
    if (!rows.length)
        rows.push('<div class="cur">t=0  ' + escapeHtml(R.texts[R.init[v]]) +
                  '</div>');
    html += '<div class="hist">' + rows.join('') + '</div>';
    panel.innerHTML = html;
}

/* ---- the loop ---- */

function render() {
    drawNetwork();
    drawSpaceTime();
    drawPanel();
    $('now').innerHTML = cur > 0
        ? '<b>t = ' + fmt(T[cur - 1]) + '</b> \u00a0 ' + sentence(cur - 1)
        : 'the start: press \u25b6 or \u2192';
    $('now').title = cur > 0 ? traceLine(cur - 1) : '';
    $('scrub').value = cur;
    $('clock').textContent = 'event ' + cur + ' / ' + E + ' \u00b7 t ' +
                             fmt(clock);
    $('play').textContent = playing ? '\u25ae\u25ae pause' : '\u25b6 play';
}

var pending = false, last = null;
function schedule() {
    if (!pending) {
        pending = true;
        requestAnimationFrame(frame);
    }
}
function frame(now) {
    pending = false;
    if (playing) {
        if (last !== null)
            clock += Math.min(0.25, (now - last) / 1000) * baseRate *
                     SPEEDS[speedIndex];
        last = now;
        var k = cur;
        /* Apply everything up to the clock, without drawing in between. */
        if (k < E && T[k] <= clock)
            k = Math.max(k, firstEventAtOrAfter(clock + 1e-9));
        seek(k);
        if (cur >= E && active.size === 0) {
            clock = tEnd;
            playing = false;
        } else if (cur >= E && clock > tEnd + maxSpan) {
            playing = false;
        }
    }
    render();
    if (playing)
        schedule();
}

function pause() {
    playing = false;
    last = null;
}
function step(delta) {
    pause();
    seek(cur + delta);
    clock = timeOf(cur);
    render();
}
$('step').addEventListener('click', function () { step(1); });
$('back').addEventListener('click', function () { step(-1); });
$('start').addEventListener('click', function () { step(-cur); });
$('play').addEventListener('click', function () {
    if (playing) {
        pause();
        render();
        return;
    }
    if (cur >= E) {
        seek(0);
        clock = 0;
    }
    playing = true;
    last = null;
    schedule();
});
$('scrub').addEventListener('input', function () {
    pause();
    seek(Number($('scrub').value));
    clock = timeOf(cur);
    schedule();
});
$('speed').addEventListener('change', function () {
    speedIndex = Number($('speed').value);
});
canvas.addEventListener('click', function (e) {
    var r = canvas.getBoundingClientRect();
    var t = st.a + (e.clientX - r.left - st.left) / (st.w - st.left - 16) *
                   (st.b - st.a);
    pause();
    seek(firstEventAtOrAfter(t + 1e-9));
    clock = Math.max(timeOf(cur), Math.min(t, tEnd));
    schedule();
});
document.addEventListener('keydown', function (e) {
    if (e.target && e.target.tagName === 'SELECT')
        return;
    var handled = true;
    if (e.key === ' ') $('play').click();
    else if (e.key === 'ArrowRight' || e.key === '.') step(1);
    else if (e.key === 'ArrowLeft' || e.key === ',') step(-1);
    else if (e.key === 'Home') step(-cur);
    else if (e.key === 'End') step(E - cur);
    else if (e.key === '+' || e.key === '=') setSpeed(speedIndex + 1);
    else if (e.key === '-') setSpeed(speedIndex - 1);
    else if (e.key === 'Escape') { selected = -1; render(); }
    else handled = false;
    if (handled)
        e.preventDefault();
});
function setSpeed(i) {
    speedIndex = Math.max(0, Math.min(SPEEDS.length - 1, i));
    $('speed').value = speedIndex;
}
window.addEventListener('resize', function () {
    buildNetwork();
    resizeCanvas();
    render();
});

buildNetwork();
resizeCanvas();
render();

/* Self-test (#selftest=N): press "step" N times, then report what the page
 * shows, for headless Chromium. */
(function selftest() {
    var m = /^#selftest=(\d+)(?:&node=(\d+))?(&bench)?$/.exec(location.hash);
    if (!m)
        return;
    var loaded = performance.now() - loadStart;
    /* &bench: how long a jump to the middle, one back to the start and a
     * frame take (milliseconds), for docs/performance.md. */
    var bench = null;
    if (m[3]) {
        var t0 = performance.now();
        seek(E >> 1);
        clock = timeOf(cur);
        var t1 = performance.now();
        drawNetwork();
        var tn = performance.now();
        drawSpaceTime();
        var ts = performance.now();
        render();
        var t2 = performance.now();
        seek(0);
        clock = 0;
        var t3 = performance.now();
        bench = {load: Math.round(loaded), seek_middle: Math.round(t1 - t0),
                 frame_middle: Math.round(t2 - ts),
                 network_middle: Math.round(tn - t1),
                 spacetime_middle: Math.round(ts - tn),
                 seek_start: Math.round(t3 - t2), in_flight: 0};
        seek(E >> 1);
        bench.in_flight = active.size;
        seek(0);
    }
    for (var i = 0; i < Number(m[1]); i++)
        $('step').click();
    /* &node=V opens V's panel, for screenshots. */
    if (m[2] !== undefined && Number(m[2]) < N)
        nodeEls[Number(m[2])].g.dispatchEvent(new MouseEvent('click'));
    function report() {
        $('selftest').textContent = JSON.stringify({
            nodes: svg.querySelectorAll('.node').length,
            event: cur,
            shown: cur > 0 ? traceLine(cur - 1) : null,
            text: $('now').textContent,
            errors: errors,
            bench: bench
        });
    }
    report();
    /* Again later, to catch errors from animation frames and timers. */
    setTimeout(report, 500);
})();
})();
