// Small SVG chart builders for the console: elements made with createElementNS and text set with
// textContent only (labels come from the API and may hold anything), no library.
const SVG = 'http://www.w3.org/2000/svg';

function el(name, attributes) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes || {})) {
    e.setAttribute(k, String(v));
  }
  return e;
}

function text(x, y, content, attributes) {
  const t = el('text', Object.assign({ x, y, 'font-size': 10 }, attributes || {}));
  t.textContent = content;
  return t;
}

function titled(shape, content) {
  const title = el('title');
  title.textContent = content;
  shape.appendChild(title);
  return shape;
}

/** A bar per {label, value}; value 0 draws nothing but keeps its slot. */
export function barChart(bars, options = {}) {
  const width = options.width || 640;
  const height = options.height || 200;
  const pad = { top: 10, right: 10, bottom: 40, left: 40 };
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart bar-chart', role: 'img' });
  if (options.testid) {
    svg.setAttribute('data-testid', options.testid);
  }
  if (options.title) {
    svg.setAttribute('aria-label', options.title);
  }
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const slot = bars.length ? plotW / bars.length : plotW;
  svg.appendChild(el('line', { x1: pad.left, y1: pad.top + plotH, x2: width - pad.right, y2: pad.top + plotH, class: 'axis', stroke: '#888' }));
  svg.appendChild(text(pad.left - 4, pad.top + 8, String(max), { 'text-anchor': 'end', class: 'tick' }));
  svg.appendChild(text(pad.left - 4, pad.top + plotH, '0', { 'text-anchor': 'end', class: 'tick' }));
  const every = Math.max(1, Math.ceil(bars.length / 12));
  bars.forEach((b, i) => {
    const h = (b.value / max) * plotH;
    const rect = el('rect', {
      x: pad.left + i * slot + slot * 0.1, y: pad.top + plotH - h, width: Math.max(1, slot * 0.8), height: h,
      class: b.className || 'bar', 'data-label': b.label, 'data-value': b.value,
    });
    if (b.fill) {
      rect.setAttribute('fill', b.fill); // a presentation attribute, not a style: CSP allows it
    }
    svg.appendChild(titled(rect, `${b.label}: ${b.value}`));
    if (i % every === 0) {
      svg.appendChild(text(pad.left + i * slot + slot / 2, height - pad.bottom + 14, b.label,
        { 'text-anchor': 'middle', class: 'tick' }));
    }
  });
  return svg;
}

/**
 * Stacked bars: categories (x) and series [{name, values[], className}], each value drawn on the
 * ones before it.
 */
export function stackedBarChart(categories, series, options = {}) {
  const width = options.width || 900;
  const height = options.height || 240;
  const pad = { top: 10, right: 10, bottom: 40, left: 40 };
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart stacked-bar-chart', role: 'img' });
  if (options.testid) {
    svg.setAttribute('data-testid', options.testid);
  }
  if (options.title) {
    svg.setAttribute('aria-label', options.title);
  }
  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] || 0), 0));
  const max = Math.max(1, ...totals);
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const slot = categories.length ? plotW / categories.length : plotW;
  svg.appendChild(el('line', { x1: pad.left, y1: pad.top + plotH, x2: width - pad.right, y2: pad.top + plotH, class: 'axis', stroke: '#888' }));
  svg.appendChild(text(pad.left - 4, pad.top + 8, String(max), { 'text-anchor': 'end', class: 'tick' }));
  const every = Math.max(1, Math.ceil(categories.length / 12));
  categories.forEach((c, i) => {
    let base = 0;
    for (const s of series) {
      const v = s.values[i] || 0;
      if (v > 0) {
        const h = (v / max) * plotH;
        const y = pad.top + plotH - ((base + v) / max) * plotH;
        const rect = el('rect', {
          x: pad.left + i * slot + slot * 0.1, y, width: Math.max(1, slot * 0.8), height: h,
          class: s.className || 'bar', 'data-category': c, 'data-series': s.name, 'data-value': v,
        });
        if (s.fill) {
          rect.setAttribute('fill', s.fill);
        }
        svg.appendChild(titled(rect, `${c} ${s.name}: ${v}`));
      }
      base += v;
    }
    if (i % every === 0) {
      svg.appendChild(text(pad.left + i * slot + slot / 2, height - pad.bottom + 14, c,
        { 'text-anchor': 'middle', class: 'tick' }));
    }
  });
  return svg;
}

/** A legend: a swatch and a name per series. */
export function legend(series) {
  const ul = document.createElement('ul');
  ul.className = 'legend';
  for (const s of series) {
    const li = document.createElement('li');
    const swatch = el('svg', { width: 12, height: 12, class: 'swatch' });
    const r = el('rect', { width: 12, height: 12, class: s.className || 'bar' });
    if (s.fill) {
      r.setAttribute('fill', s.fill);
    }
    swatch.appendChild(r);
    li.appendChild(swatch);
    li.appendChild(document.createTextNode(' ' + s.name));
    ul.appendChild(li);
  }
  return ul;
}
