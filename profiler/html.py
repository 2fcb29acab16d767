"""The self-contained HTML report: flame graph (zoom, search, CPU/wall), hottest functions, recommendations,
memory over time, live objects by type and allocation sites. One file, no network (a Content Security
Policy forbids every fetch). The URL fragment `#search=TEXT&zoom=NAME&metric=wall` sets the view, so a
link opens the same view and a headless browser can check it.
"""

from __future__ import annotations

import json

from codeward.profiler.model import frame_label, function_table, metric_for, seconds_per_sample, short_path

TYPE_CHECKING = False  # typing is not imported: the launcher loads this module while the program runs
if TYPE_CHECKING:
    from typing import Any

CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5em 2em;color:#222;background:#fff}
h1{font-size:1.3em;margin:.8em 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}
.meta{color:#555}.note{color:#8a4b00}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right}
td.l,th.l{text-align:left}tr:nth-child(even){background:#f6f6f6}code{font-size:.95em}
#controls{margin:.4em 0}#controls input{width:20em}#status{margin-left:1em;color:#555}
#flame{position:relative;width:100%;overflow:hidden;border:1px solid #ddd;font:12px monospace}
.fr{position:absolute;height:17px;box-sizing:border-box;border:1px solid #fff;border-width:0 1px 1px 0;
overflow:hidden;white-space:nowrap;padding-left:3px;cursor:pointer;color:#222}
.fr.match{background:#e040fb!important;color:#fff}.fr.dim{opacity:.35}
.rec{border-left:4px solid #e65100;padding:.3em .8em;margin:.5em 0;background:#fff8f0}
.rec b{color:#bf360c}.chart{border:1px solid #ddd}
"""

SCRIPT = r"""
(function(){
const D = JSON.parse(document.getElementById('data').textContent);
const flame = document.getElementById('flame'), status = document.getElementById('status');
const search = document.getElementById('search'), metricSel = document.getElementById('metric');
const ROW = 18, MIN_SHARE = 0.001;
function build(col){
  const root = {name:'all', label:'all', v:0, kids:new Map(), fi:-1};
  for (const s of D.stacks){
    const v = s[col]; if (!(v > 0)) continue;
    root.v += v; let n = root;
    for (const fi of s[0]){
      let k = n.kids.get(fi);
      if (!k){ const f = D.frames[fi]; k = {name:f.name, label:f.label, v:0, kids:new Map(), fi:fi, parent:n}; n.kids.set(fi, k); }
      k.v += v; n = k;
    }
  }
  return root;
}
function colour(node){
  if (D.delta){
    const d = D.delta[node.fi] || 0, a = Math.min(1, Math.abs(d) / 10);
    if (Math.abs(d) < 0.05) return '#eee';
    return d > 0 ? `rgb(255,${Math.round(235 - 160*a)},${Math.round(235 - 160*a)})`
                 : `rgb(${Math.round(235 - 160*a)},${Math.round(235 - 160*a)},255)`;
  }
  let h = 0; for (const c of node.name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const lib = /^<stdlib>|site-packages/.test(D.frames[node.fi] ? D.frames[node.fi].file : '');
  return lib ? `hsl(${200 + h % 30},55%,${70 + h % 15}%)` : `hsl(${20 + h % 30},85%,${58 + h % 15}%)`;
}
let tree, focus, total;
function render(){
  flame.textContent = '';
  const rows = [];
  let depth = 0, chain = [];
  for (let n = focus; n; n = n.parent) chain.unshift(n);
  const place = (n, x, d) => { rows.push([n, x, d]); depth = Math.max(depth, d);
    let cx = x; for (const k of [...n.kids.values()].sort((a,b)=>a.name<b.name?-1:1)){
      if (k.v / focus.v >= MIN_SHARE) place(k, cx, d + 1); cx += k.v / focus.v; } };
  chain.forEach((n, i) => { if (n !== focus){ rows.push([n, 0, i]); } });
  place(focus, 0, chain.length - 1);
  flame.style.height = ((depth + 1) * ROW + 2) + 'px';
  const frag = document.createDocumentFragment();
  for (const [n, x, d] of rows){
    const w = n === focus || chain.includes(n) ? 1 : n.v / focus.v;
    const el = document.createElement('div');
    el.className = 'fr'; el.textContent = n.label;
    el.style.left = (x * 100) + '%'; el.style.width = (w * 100) + '%'; el.style.top = (d * ROW) + 'px';
    el.style.background = colour(n);
    const share = 100 * n.v / tree.v;
    let tip = `${n.label}\n${share.toFixed(2)}% of ${D.metricName[metricSel.value]} time`;
    if (D.delta && n.fi >= 0) tip += `, ${(D.delta[n.fi] || 0) >= 0 ? '+' : ''}${(D.delta[n.fi] || 0).toFixed(2)} points`;
    el.title = tip; el.dataset.name = n.name; el.dataset.share = share.toFixed(3);
    el.onclick = () => { focus = n; render(); setHash(); };
    frag.appendChild(el); n.el = el;
  }
  flame.appendChild(frag);
  highlight();
}
function highlight(){
  const q = search.value.trim().toLowerCase();
  let matched = 0;
  const walk = (n, counted) => { const hit = q && n.fi >= 0 && n.label.toLowerCase().includes(q);
    if (hit && !counted) matched += n.v;
    if (n.el){ n.el.classList.toggle('match', !!hit); n.el.classList.toggle('dim', !!q && !hit); }
    for (const k of n.kids.values()) walk(k, counted || hit); };
  walk(tree, false);
  status.textContent = q ? `"${search.value}" matches ${(100 * matched / (tree.v || 1)).toFixed(1)}% of the time`
                         : (focus !== tree ? `zoomed on ${focus.label} (${(100 * focus.v / tree.v).toFixed(1)}%); click "all" to zoom out` : '');
  flame.dataset.matched = (100 * matched / (tree.v || 1)).toFixed(2);
}
function setHash(){
  const p = new URLSearchParams();
  if (search.value) p.set('search', search.value);
  if (focus && focus !== tree) p.set('zoom', focus.name);
  if (metricSel.value !== D.defaultMetric) p.set('metric', metricSel.value);
  history.replaceState(null, '', '#' + p.toString());
}
function load(){
  tree = build(metricSel.value === 'cpu' ? 2 : 1); focus = tree;
  if (!tree.v){ flame.textContent = 'No samples for this metric.'; flame.style.height = 'auto'; return; }
  render();
}
const p = new URLSearchParams(location.hash.slice(1));
metricSel.value = p.get('metric') || D.defaultMetric;
search.value = p.get('search') || '';
load();
const z = p.get('zoom');
if (z && tree.v){ let best = null; const find = n => { if (n.name === z && (!best || n.v > best.v)) best = n;
  for (const k of n.kids.values()) find(k); }; find(tree); if (best){ focus = best; render(); } }
search.oninput = () => { highlight(); setHash(); };
metricSel.onchange = () => { load(); setHash(); };
document.getElementById('reset').onclick = () => { focus = tree; search.value = ''; render(); setHash(); };
document.body.dataset.ready = 'yes';
})();
"""


def _e(text: Any) -> str:
    """html.escape(text, quote=True), whose module loads the 2,000 named entities (2 ms) to escape five characters."""
    return (
        str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        .replace("'", "&#x27;")
    )  # fmt: skip


def _json_for_script(data: Any) -> str:
    # Inside <script>, "</script" would end the element early and "<!--" open a comment: no "<" at all.
    return json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def _memory_chart(rss: list[list[float]], width: int = 760, height: int = 180) -> str:
    points = [(float(t), float(b)) for t, b in rss if b > 0]
    if len(points) < 2:
        return '<p class="meta">Too short a run for a memory chart.</p>'
    t_max = max(t for t, _ in points) or 1.0
    b_max = max(b for _, b in points) * 1.1
    b_min = min(b for _, b in points) * 0.9
    span = (b_max - b_min) or 1.0
    left, bottom = 70, 22
    plot_w, plot_h = width - left - 10, height - bottom - 10
    coords = " ".join(
        f"{left + plot_w * t / t_max:.1f},{10 + plot_h * (1 - (b - b_min) / span):.1f}" for t, b in points
    )
    ticks = "".join(
        f'<text x="{left - 6}" y="{10 + plot_h * (1 - f) + 4:.1f}" text-anchor="end" font-size="11">'
        f"{_e(_bytes(b_min + span * f))}</text>"
        for f in (0.0, 0.5, 1.0)
    )
    return (
        f'<svg class="chart" id="memory" width="{width}" height="{height}" role="img" '
        f'aria-label="resident memory over time">{ticks}'
        f'<text x="{left}" y="{height - 5}" font-size="11">0 s</text>'
        f'<text x="{width - 10}" y="{height - 5}" font-size="11" text-anchor="end">{t_max:.1f} s</text>'
        f'<polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="{coords}"/></svg>'
    )


def _sparkline(series: list[tuple[float, float]], name: str, width: int = 120, height: int = 20) -> str:
    """A type's size across the censuses, scaled to its own range (the table gives the figures)."""
    if len(series) < 2:
        return ""
    t0, t1 = series[0][0], series[-1][0]
    low, high = min(b for _, b in series), max(b for _, b in series)
    t_span, b_span = (t1 - t0) or 1.0, (high - low) or 1.0
    points = " ".join(
        f"{2 + (width - 4) * (t - t0) / t_span:.1f},{2 + (height - 4) * (1 - (b - low) / b_span):.1f}"
        for t, b in series
    )
    return (
        f'<svg class="spark" width="{width}" height="{height}" role="img" aria-label="size of {_e(name)} over time">'
        f'<polyline fill="none" stroke="#1565c0" stroke-width="1.2" points="{points}"/></svg>'
    )


def _pauses(census: list[dict[str, Any]]) -> str:
    timed = [c for c in census if isinstance(c.get("seconds"), (int, float))]
    if not timed:  # profiles written before censuses were timed
        return ""
    longest = max(timed, key=lambda c: c["seconds"])
    return (
        f"; the longest census ran {longest['seconds'] * 1000:.0f} ms, "
        f"{longest.get('cpu_seconds', longest['seconds']) * 1000:.0f} ms of it on the CPU"
    )


def _heap_section(profile: dict[str, Any]) -> str:
    heap = profile.get("heap") or {}
    parts = ["<h2>Memory</h2>", "<h3>Resident memory over time</h3>", _memory_chart(heap.get("rss") or [])]
    census = heap.get("census") or []
    if census:
        first, last = census[0], census[-1]
        parts.append(
            f"<h3>Live objects by type</h3><p class='meta'>{len(census)} censuses; the last at {last['t']:.1f} s "
            f"counted about {last['objects']:,} objects, {_e(_bytes(last['bytes']))} (shallow sizes; "
            f"one container in {last.get('stride', 1)} examined and scaled up){_pauses(census)}.</p>"
        )
        rows = []
        for name, (count, size) in list(last["types"].items())[:20]:
            before = first["types"].get(name, [0, 0])
            # A type missing from a census was below its top list there: its size is unknown, not zero.
            series = [(c["t"], c["types"][name][1]) for c in census if name in c.get("types", {})]
            rows.append(
                f"<tr><td class='l'><code>{_e(name)}</code></td><td>{count:,}</td><td>{_e(_bytes(size))}</td>"
                f"<td>{count - before[0]:+,}</td><td>{_e(_bytes(size - before[1]))}</td>"
                f"<td>{_sparkline(series, name)}</td></tr>"
            )
        parts.append(
            "<table id='types'><tr><th class='l'>type</th><th>objects</th><th>size</th>"
            f"<th>Δ objects since {first['t']:.1f} s</th><th>Δ size</th><th>size over time</th></tr>"
            f"{''.join(rows)}</table>"
        )
    allocations = heap.get("allocations")
    if allocations:
        cwd = profile.get("cwd")
        rows = []
        for site in allocations[:20]:
            frames = site["traceback"]
            where = f"{short_path(frames[0]['file'], cwd)}:{frames[0]['line']}" if frames else "?"
            rows.append(
                f"<tr><td class='l'><code>{_e(where)}</code></td><td>{_e(_bytes(site['size']))}</td>"
                f"<td>{site['count']:,}</td></tr>"
            )
        parts.append(
            "<h3>Top allocation sites (tracemalloc, live at report time)</h3><table id='allocations'>"
            f"<tr><th class='l'>where</th><th>size</th><th>blocks</th></tr>{''.join(rows)}</table>"
        )
    return "\n".join(parts)


def _hottest(profile: dict[str, Any], metric: str, limit: int = 25) -> str:
    table = function_table(profile, metric)
    per = seconds_per_sample(profile)
    cwd = profile.get("cwd")
    rows = []
    for stat in table.hottest("self", limit):
        where = f"{short_path(stat.file, cwd)}:{stat.line}" if stat.file else ""
        rows.append(
            f"<tr><td>{table.share(stat.self_):.1f}</td><td>{table.share(stat.total):.1f}</td>"
            f"<td>{stat.self_ * per:.3f}</td><td>{stat.total * per:.3f}</td>"
            f"<td class='l'><code>{_e(stat.name)}</code></td><td class='l'>{_e(where)}</td></tr>"
        )
    if not rows:
        return "<p class='meta'>No samples.</p>"
    return (
        "<table id='hottest'><tr><th>self %</th><th>total %</th><th>self s</th><th>total s</th>"
        f"<th class='l'>function</th><th class='l'>where</th></tr>{''.join(rows)}</table>"
    )


def _page(title: str, summary: str, body: str, data: dict[str, Any]) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1>{summary}"
        "<h2>Flame graph</h2><div id='controls'><label>time <select id='metric'><option value='cpu'>CPU</option>"
        "<option value='wall'>wall</option></select></label> <input id='search' type='search' "
        "placeholder='search functions (substring)'> <button id='reset'>reset zoom</button>"
        "<span id='status'></span></div><div id='flame'></div>"
        "<p class='meta'>Click a frame to zoom in, the bottom row to zoom out; width is the share of time.</p>"
        f"{body}<script type='application/json' id='data'>{_json_for_script(data)}</script>"
        f"<script>{SCRIPT}</script></body></html>"
    )


def _data(profile: dict[str, Any], metric: str) -> dict[str, Any]:
    cwd = profile.get("cwd")
    return {
        "frames": [
            {"name": f["name"], "label": frame_label(f, cwd), "file": short_path(f["file"], cwd)}
            for f in profile["frames"]
        ],
        "stacks": [[row[0], row[1], row[2]] for row in profile["stacks"] if row[0]],
        "defaultMetric": metric,
        "metricName": {"cpu": "CPU", "wall": "wall"},
    }


def render(profile: dict[str, Any], title: str = "codeward profile") -> str:
    from codeward.profiler.recommend import recommendations

    metric = metric_for(profile, "auto")
    sampling = profile.get("sampling", {})
    pid = profile.get("pid")
    summary = (
        f"<p class='meta'>{_e(' '.join(profile.get('argv') or []))} — pid {_e(pid)}, Python "
        f"{_e(profile.get('python'))}, {profile['duration']:.2f} s, {sampling.get('rounds', 0)} samples "
        f"({sampling.get('actual_hz', 0):g}/s; asked {sampling.get('requested_hz', 0):g}/s), CPU from the "
        f"{_e(sampling.get('cpu_source', '?'))}; agent CPU {sampling.get('agent_cpu_seconds', 0):.3f} s"
        + (
            f" in its thread and {sampling.get('timer_cpu_seconds', 0):.3f} s in the main thread's timer samples "
            f"({sampling.get('timer_samples', 0)})"
            if sampling.get("timer_samples")
            else ""
        )
        + ".</p>"
    )
    summary += "".join(f"<p class='note'>{_e(note)}</p>" for note in profile.get("notes", []))
    recs = recommendations(profile)
    body = ["<h2>Recommendations</h2>"]
    if recs:
        for rec in recs:
            callers = ", ".join(f"<code>{_e(c)}</code>" for c in rec["called_from"])
            body.append(
                f"<div class='rec' data-id='{_e(rec['id'])}'><b>{_e(rec['title'])}</b>: {rec['share']:.1f}% of "
                f"{_e(rec['metric'])} time (from {callers}).<br>{_e(rec['advice'])}</div>"
            )
    else:
        body.append("<p class='meta'>No known costly pattern takes a noticeable share of this profile.</p>")
    body.append(f"<h2>Hottest functions ({'CPU' if metric == 'cpu' else 'wall'} time)</h2>")
    body.append(_hottest(profile, metric))
    body.append(_heap_section(profile))
    return _page(title, summary, "\n".join(body), _data(profile, metric))


def render_diff(base: dict[str, Any], new: dict[str, Any], result: Any) -> str:
    """The NEW profile's flame graph coloured by each function's change of share: red grew, blue shrank."""
    from codeward.profiler.compare import diff_table

    data = _data(new, result.metric)
    cwd = new.get("cwd")
    changes = result.by_name()
    data["delta"] = [
        round(changes[(f["name"], short_path(f["file"], cwd) if f["file"] else "")].change, 3)
        if (f["name"], short_path(f["file"], cwd) if f["file"] else "") in changes
        else 0.0
        for f in new["frames"]
    ]
    summary = (
        f"<p class='meta'>Base: {_e(' '.join(base.get('argv') or []))} ({base['duration']:.2f} s); new: "
        f"{_e(' '.join(new.get('argv') or []))} ({new['duration']:.2f} s). Red frames grew their share of "
        f"{_e(result.metric)} time, blue ones shrank (full colour at 10 points).</p>"
    )
    body = f"<h2>Largest changes</h2><pre id='changes'>{_e(diff_table(result, 25))}</pre>"
    return _page("codeward profile diff", summary, body, data)
