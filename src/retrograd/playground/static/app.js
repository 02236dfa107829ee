// The playground page: settings, controls, the WebSocket to this tab's session, and drawing.
"use strict";

const $ = (id) => document.getElementById(id);
const NODE = 34;
const S = { sizes: [], data: null, regression: false, playing: false, frame: null,
            history: { step: [], trainLoss: [], testLoss: [], trainAcc: [], testAcc: [], grads: [] },
            selection: null, record: null, nodes: [], edges: [] };
window.playground = S;  // for the browser test and the curious

const socket = new WebSocket(`ws://${location.host}/ws`);
const send = (msg) => { hideError(); socket.send(JSON.stringify(msg)); };
socket.onmessage = (ev) => {
  const msg = JSON.parse(ev.data);
  ({ reset: onReset, frame: onFrame, state: onState, record: onRecord,
     record_summary: showLayerSummary, export: onExport, error: (m) => showError(m.message) })[msg.type]?.(msg);
};
socket.onclose = () => showError("the connection to the server is closed: reload the page");

function showError(text) { $("error").textContent = text; $("error").hidden = false; }
function hideError() { $("error").hidden = true; }

// ----- settings ---------------------------------------------------------------------------------
function readSettings() {
  const form = $("settings"), config = {};
  for (const el of form.querySelectorAll("input, select")) {
    const raw = el.value.trim();
    if (el.name === "hidden") {
      config.hidden = raw === "" ? [] : raw.split(",").map((w) => (isNaN(Number(w)) || w.trim() === "" ? w.trim() : Number(w)));
    } else if (el.type === "number") {
      config[el.name] = raw === "" || isNaN(Number(raw)) ? raw : Number(raw);
    } else config[el.name] = raw;
  }
  return config;
}

function writeSettings(config) {
  for (const el of $("settings").querySelectorAll("input, select")) {
    if (!(el.name in config)) continue;
    el.value = el.name === "hidden" ? config.hidden.join(", ") : config[el.name];
  }
}

$("apply").onclick = $("reset").onclick = () => send({ type: "reset", config: readSettings() });
$("play").onclick = () => send({ type: S.playing ? "pause" : "play" });
$("step").onclick = () => send({ type: "step" });
$("preset-worked").onclick = () => send({ type: "reset", config: { preset: "worked_example" } });
for (const b of document.querySelectorAll("[data-export]")) b.onclick = () => send({ type: "export", what: b.dataset.export });
$("export-curves").onclick = exportCurves;

// ----- messages ---------------------------------------------------------------------------------
function onReset(msg) {
  S.sizes = msg.sizes; S.data = { train: msg.train, test: msg.test }; S.regression = msg.regression;
  S.history = { step: [], trainLoss: [], testLoss: [], trainAcc: [], testAcc: [], grads: [] };
  S.selection = null; S.record = null;
  writeSettings(msg.config);
  S.images = !!msg.images; S.labels = msg.labels;
  if (S.images) { S.sizes = [0, ...msg.layers.map(() => 0)]; buildImageTask(msg); }
  else { $("output").hidden = false; $("digits").hidden = true; buildNetwork(); }
  $("inspector").innerHTML = '<p class="hint">Pause, then click a neuron or an edge to open the last step.</p>';
}

function onState(msg) {
  S.playing = msg.playing;
  $("play").textContent = S.playing ? "pause" : "play";
}

function onFrame(f) {
  S.frame = f; S.framesShown = (S.framesShown || 0) + 1;
  const h = S.history;
  if (!h.step.length || h.step[h.step.length - 1] !== f.step) {
    h.step.push(f.step); h.trainLoss.push(f.train_loss); h.testLoss.push(f.test_loss);
    h.trainAcc.push(f.train_acc); h.testAcc.push(f.test_acc); h.grads.push(f.grad_norms);
    if (h.step.length > 1500) for (const k in h) h[k] = h[k].filter((_, i) => i % 2 === 0);
  }
  $("step-count").textContent = f.step;
  $("lr").textContent = fmt(f.lr);
  $("train-loss").textContent = fmt(f.train_loss); $("test-loss").textContent = fmt(f.test_loss);
  const pct = (a) => (a === null ? "-" : (100 * a).toFixed(1) + "%");
  $("train-acc").textContent = pct(f.train_acc); $("test-acc").textContent = pct(f.test_acc);
  if (S.images) drawImageFrame(f); else { drawOutput(f); drawNetwork(f); }
  drawHistory();
  if (S.selection && !S.playing) send({ type: "inspect" });
}

function onRecord(msg) { S.record = msg.record; S.recordStep = msg.step; showInspector(); }

function onExport(msg) {
  const bytes = Uint8Array.from(atob(msg.base64), (c) => c.charCodeAt(0));
  download(new Blob([bytes], { type: msg.mime }), msg.filename);
}

function download(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob); a.download = name; a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function exportCurves() {
  const parts = ["loss-curve", "acc-curve", "grad-curve"].map($), out = document.createElement("canvas");
  out.width = 300; out.height = parts.reduce((s, c) => s + c.height, 0);
  let y = 0;
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, out.width, out.height);
  for (const c of parts) { ctx.drawImage(c, 0, y); y += c.height; }
  out.toBlob((b) => download(b, "curves.png"));
}

// ----- drawing ----------------------------------------------------------------------------------
function drawOutput(f) {
  const c = $("output");
  drawMap(c, decodeMap(f.map), f.map_size);
  drawPoints(c, S.data.train, S.regression, "#fff");
  drawPoints(c, S.data.test, S.regression, "#000");
}

const LAYER_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"];

function drawHistory() {
  const h = S.history;
  drawCurves($("loss-curve"), h.step, [{ values: h.trainLoss, colour: "#183d5d" },
                                      { values: h.testLoss, colour: "#183d5d", dash: true }], { min: 0 });
  drawCurves($("acc-curve"), h.step, [{ values: h.trainAcc, colour: "#1b7837" },
                                     { values: h.testAcc, colour: "#1b7837", dash: true }], { min: 0, max: 1 });
  const layers = S.sizes.length - 1;
  drawCurves($("grad-curve"), h.step, Array.from({ length: layers }, (_, l) => ({
    values: h.grads.map((g) => (g && g.length > l ? g[l] : null)), colour: LAYER_COLOURS[l % LAYER_COLOURS.length] })), { log: true });
}

function nodePosition(layer, j) {
  const net = $("network"), w = net.clientWidth, h = net.clientHeight, cols = S.sizes.length;
  const x = 20 + layer * (w - 40 - NODE) / Math.max(1, cols - 1);
  const n = S.sizes[layer], gap = Math.min(NODE + 12, (h - 30) / n);
  return [x, (h - 20) / 2 - (n * gap) / 2 + j * gap + (gap - NODE) / 2];
}

function buildNetwork() {
  const net = $("network"), svg = $("edges");
  net.querySelectorAll(".neuron, .gnorm, .layer-box").forEach((e) => e.remove());
  svg.innerHTML = "";
  S.nodes = []; S.edges = [];
  S.sizes.forEach((n, layer) => {
    for (let j = 0; j < n; j++) {
      const c = document.createElement("canvas"), [x, y] = nodePosition(layer, j);
      c.width = c.height = NODE; c.className = "neuron" + (layer === 0 ? " input" : "");
      Object.assign(c.style, { left: x + "px", top: y + "px" });
      c.dataset.layer = layer; c.dataset.neuron = j;
      c.title = layer === 0 ? `input x${j + 1}` : `layer ${layer}, neuron ${j}`;
      if (layer > 0) c.onclick = () => select({ layer, neuron: j });
      net.appendChild(c); S.nodes.push(c);
      if (layer === 0) drawMap(c, inputMap(j, 20), 20);
    }
    if (layer > 0) {
      const g = document.createElement("div"), [x] = nodePosition(layer, 0);
      g.className = "gnorm"; Object.assign(g.style, { left: x - 8 + "px", top: net.clientHeight - 18 + "px" });
      g.id = `gnorm-${layer}`; net.appendChild(g);
    }
  });
  const ns = "http://www.w3.org/2000/svg";
  for (let l = 1; l < S.sizes.length; l++) {
    for (let j = 0; j < S.sizes[l]; j++) for (let i = 0; i < S.sizes[l - 1]; i++) {
      const [x1, y1] = nodePosition(l - 1, i), [x2, y2] = nodePosition(l, j);
      const pair = ["shown", "hit"].map((cls) => {
        const e = document.createElementNS(ns, "line");
        e.setAttribute("x1", x1 + NODE); e.setAttribute("y1", y1 + NODE / 2);
        e.setAttribute("x2", x2); e.setAttribute("y2", y2 + NODE / 2); e.setAttribute("class", cls);
        svg.appendChild(e);
        return e;
      });
      pair[1].onclick = () => select({ layer: l, neuron: j, from: i });
      pair[1].appendChild(document.createElementNS(ns, "title")).textContent = `W_${l}[${j}, ${i}]`;
      S.edges.push({ l, j, i, line: pair[0], hit: pair[1] });
    }
  }
}

function inputMap(j, size) {  // input x1 (j = 0) or x2 over the plane, as a heat map
  const v = new Float32Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++)
    v[r * size + c] = j === 0 ? -1 + 2 * c / (size - 1) : 1 - 2 * r / (size - 1);
  return v;
}

function drawNetwork(f) {
  if (S.nodes.length !== S.sizes.reduce((a, b) => a + b, 0)) return;
  let k = S.sizes[0];
  f.neurons.forEach((layer) => layer.forEach((m) => drawMap(S.nodes[k++], decodeMap(m), f.neuron_map_size)));
  for (const e of S.edges) {
    const w = f.weights[e.l - 1][e.j][e.i];
    e.line.setAttribute("stroke", `rgb(${colour(Math.sign(w)).join(",")})`);
    e.line.setAttribute("stroke-width", Math.min(8, 0.4 + 2 * Math.abs(w)).toFixed(2));
  }
  showGradNorms(f.grad_norms);
}

// Each layer's |dW| under it, in the colour of its line in the gradient-norm plot.
function showGradNorms(norms) {
  norms.forEach((g, l) => {
    const el = $(`gnorm-${l + 1}`);
    if (!el) return;
    el.textContent = "|dW| " + (g === null ? "-" : g.toExponential(1));
    el.style.color = LAYER_COLOURS[l % LAYER_COLOURS.length];
  });
}

// ----- opening a step ---------------------------------------------------------------------------
function select(sel) {
  if (S.playing) { showError("pause first: a step opens while training is paused"); return; }
  S.selection = sel;
  for (const c of S.nodes) c.classList.toggle("selected", +c.dataset.layer === sel.layer && +c.dataset.neuron === sel.neuron && sel.from === undefined);
  for (const e of S.edges) e.line.classList.toggle("selected", e.l === sel.layer && e.j === sel.neuron && e.i === sel.from);
  send({ type: "inspect" });
}

const column = (rows, j) => rows.map((r) => r[j]);
const list = (vs) => vs.map(fmt).join("  ");

function showInspector() {
  const sel = S.selection, rec = S.record, box = $("inspector");
  if (!sel || !rec) return;
  const L = rec.layers[sel.layer - 1], j = sel.neuron, p = L.params;
  const W = p.weight, b = p.bias, act = L.activation.join(" then ") || "identity";
  const rows = [];
  const row = (sym, meaning, v, id) => rows.push(`<tr><th>${sym}</th><td>${meaning}</td><td${id ? ` id="${id}"` : ""}>${v}</td></tr>`);
  let title;
  if (sel.from === undefined) {
    title = `Layer ${L.index} (${L.module}, then ${act}), neuron ${j}`;
    row(`Z_${L.index}[:, ${j}]`, "pre-activation, one value per sample", list(column(L.Z, j)), "inspect-z");
    row(`A_${L.index}[:, ${j}]`, `${act}(Z)`, list(column(L.A, j)), "inspect-a");
    row(`delta_${L.index}[:, ${j}]`, "error dL/dZ", list(column(L.delta, j)), "inspect-delta");
    row(`W_${L.index}[${j}, :]`, "incoming weights before the step", list(W.before[j]));
    row(`dL/dW_${L.index}[${j}, :]`, "their gradient", list(W.grad[j]), "inspect-dw");
    row("update", "W after - W before (what the optimizer applied)", list(W.after[j].map((v, i) => v - W.before[j][i])));
    if (b) {
      row(`b_${L.index}[${j}]`, "bias before the step", fmt(b.before[j]));
      row(`dL/db_${L.index}[${j}]`, "its gradient", fmt(b.grad[j]), "inspect-db");
      row("update", "b after - b before", fmt(b.after[j] - b.before[j]));
    }
  } else {
    const i = sel.from;
    title = `Edge W_${L.index}[${j}, ${i}]: from ${sel.layer === 1 ? "input x" + (i + 1) : "neuron " + i + " of layer " + (L.index - 1)} to neuron ${j}`;
    row(`A_${L.index - 1}[:, ${i}]`, "the edge's input, per sample", list(column(L.A_prev, i)));
    row(`delta_${L.index}[:, ${j}]`, "error at its end, per sample", list(column(L.delta, j)), "inspect-delta");
    row(`W_${L.index}[${j}, ${i}]`, "before the step", fmt(W.before[j][i]));
    row(`dL/dW_${L.index}[${j}, ${i}]`, "sum over samples of delta * A", fmt(W.grad[j][i]), "inspect-dw");
    row("after", "after the step", fmt(W.after[j][i]));
    row("update", "after - before", fmt(W.after[j][i] - W.before[j][i]));
  }
  box.innerHTML = `<b>${title}</b> — step ${S.recordStep} (${rec.optimizer}, lr ${fmt(rec.lr)}), batch of ${rec.x.length};
    loss before ${fmt(rec.loss_before)}, after ${fmt(rec.loss_after)}<table>${rows.join("")}</table>`;
}
