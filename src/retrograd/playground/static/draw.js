// Drawing helpers for the playground: colours, heat maps, points and curves on plain canvas.
"use strict";

const NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189];

// A value in [-1, 1] as [r, g, b]: orange for -1, light grey for 0, blue for +1.
function colour(v) {
  const t = Math.max(-1, Math.min(1, v)), end = t < 0 ? NEG : POS, a = Math.abs(t);
  return MID.map((m, i) => Math.round(m + (end[i] - m) * a));
}

function decodeMap(base64) {
  const raw = atob(base64), out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i) / 127.5 - 1;
  return out;
}

// A size x size map (row by row, top row first) stretched over the whole canvas.
function drawMap(canvas, values, size) {
  const small = document.createElement("canvas");
  small.width = small.height = size;
  const sctx = small.getContext("2d"), img = sctx.createImageData(size, size);
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = colour(values[i]);
    img.data.set([r, g, b, 255], 4 * i);
  }
  sctx.putImageData(img, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}

// Data points over the plane [-1, 1]^2: train with a white ring, test with a black one.
function drawPoints(canvas, set, regression, ring) {
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  ctx.lineWidth = 1;
  set.x.forEach((p, i) => {
    const px = (p[0] + 1) / 2 * w, py = (1 - p[1]) / 2 * h;
    if (px < 0 || px > w || py < 0 || py > h) return;
    const v = regression ? set.y[i] : (set.y[i] ? 1 : -1);
    ctx.fillStyle = `rgb(${colour(v).join(",")})`;
    ctx.strokeStyle = ring;
    ctx.beginPath(); ctx.arc(px, py, 3, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
  });
}

// Lines over the step axis: series = [{values, colour, dash}]; log plots log10 of positive values.
function drawCurves(canvas, steps, series, opts = {}) {
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, pad = 4;
  ctx.clearRect(0, 0, w, h);
  const tr = (v) => (opts.log ? (v > 0 ? Math.log10(v) : null) : v);
  let lo = opts.min, hi = opts.max;
  if (lo === undefined || hi === undefined) {
    const all = series.flatMap((s) => s.values.map(tr)).filter((v) => v !== null && isFinite(v));
    if (!all.length) return;
    lo = lo === undefined ? Math.min(...all) : lo;
    hi = hi === undefined ? Math.max(...all) : hi;
  }
  if (hi - lo < 1e-12) { hi += 0.5; lo -= 0.5; }
  const last = steps.length ? steps[steps.length - 1] : 1, first = steps.length ? steps[0] : 0;
  const sx = (s) => pad + (s - first) / Math.max(1, last - first) * (w - 2 * pad);
  const sy = (v) => h - pad - (v - lo) / (hi - lo) * (h - 2 * pad);
  for (const s of series) {
    ctx.strokeStyle = s.colour; ctx.setLineDash(s.dash ? [4, 3] : []); ctx.lineWidth = 1.5;
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      const t = v === null ? null : tr(v);
      if (t === null || !isFinite(t)) { pen = false; return; }
      if (pen) ctx.lineTo(sx(steps[i]), sy(t)); else ctx.moveTo(sx(steps[i]), sy(t));
      pen = true;
    });
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.fillStyle = "#555"; ctx.font = "10px sans-serif";
  const label = (v) => (opts.log ? Math.pow(10, v).toExponential(1) : Number(v.toPrecision(3)).toString());
  ctx.fillText(label(hi), pad + 2, 11); ctx.fillText(label(lo), pad + 2, h - pad - 2);
}

// Six significant digits, as `retrograd explain` prints them.
function fmt(v) {
  if (v === null || v === undefined) return "-";
  if (typeof v === "string") return v;
  return v === 0 ? "0" : Number(v.toPrecision(6)).toString();
}
