// A small SVG line chart for the RED series: one or more lines over time, a y axis with four
// gridlines, hover titles on points. Hand-drawn so the UI needs no chart library.
import { h, fmtTime } from './util.js';

/**
 * series: [{label, colour, points: [[tSeconds, value|null]…]}]; format(value) labels the axis.
 */
export function lineChart({ title, series, format, id }) {
  const W = 420;
  const H = 150;
  const pad = { l: 52, r: 8, t: 18, b: 20 };
  const all = series.flatMap((s) => s.points.filter((p) => p[1] != null));
  const svg = h('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, id });
  svg.append(h('text', { x: pad.l, y: 12, style: { fontWeight: 600 } }, title));
  if (all.length === 0) {
    svg.append(h('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no data'));
    return svg;
  }
  const t0 = Math.min(...all.map((p) => p[0]));
  const t1 = Math.max(...all.map((p) => p[0]));
  const vMax = Math.max(...all.map((p) => p[1])) || 1;
  const x = (t) => pad.l + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (W - pad.l - pad.r);
  const y = (v) => H - pad.b - (v / vMax) * (H - pad.t - pad.b);
  for (let i = 0; i <= 3; i++) {
    const v = (vMax * i) / 3;
    svg.append(h('line', { class: 'grid', x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v) }), h('text', { x: pad.l - 4, y: y(v) + 3, 'text-anchor': 'end' }, format(v)));
  }
  svg.append(h('text', { x: pad.l, y: H - 4 }, fmtTime(t0 * 1000, false).slice(0, 5)), h('text', { x: W - pad.r, y: H - 4, 'text-anchor': 'end' }, fmtTime(t1 * 1000, false).slice(0, 5)));
  let lx = W - pad.r;
  for (const s of series.slice().reverse()) {
    const label = h('text', { x: lx, y: 12, 'text-anchor': 'end', style: { fill: s.colour } }, s.label);
    lx -= s.label.length * 6.5 + 10;
    svg.append(label);
    // Gaps (null) break the line instead of drawing through missing data.
    let d = '';
    let pen = false;
    for (const [t, v] of s.points) {
      if (v == null) { pen = false; continue; }
      d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    }
    svg.append(h('path', { class: 'line', d, stroke: s.colour }));
  }
  return svg;
}
