// The MNIST task in the page: digits with their predicted class, layers as boxes, a step as a
// summary row per layer (shapes and norms).
"use strict";

function buildImageTask(msg) {
  $("output").hidden = true; $("digits").hidden = false;
  const box = $("digits"), raw = atob(msg.digits);
  box.innerHTML = "";
  msg.labels.forEach((label, k) => {
    const fig = document.createElement("figure"), c = document.createElement("canvas");
    c.width = c.height = 28;
    const img = c.getContext("2d").createImageData(28, 28);
    for (let i = 0; i < 784; i++) { const v = 255 - raw.charCodeAt(k * 784 + i); img.data.set([v, v, v, 255], 4 * i); }
    c.getContext("2d").putImageData(img, 0, 0);
    const cap = document.createElement("figcaption");
    cap.id = `digit-${k}`; cap.title = `label ${label}`;
    fig.append(c, cap); box.appendChild(fig);
  });
  const net = $("network");
  net.querySelectorAll(".neuron, .gnorm, .layer-box").forEach((e) => e.remove());
  $("edges").innerHTML = "";
  S.nodes = []; S.edges = [];
  msg.layers.forEach((text, l) => {
    const b = document.createElement("div");
    b.className = "layer-box"; b.dataset.layer = l + 1;
    Object.assign(b.style, { left: 20 + l * (net.clientWidth - 150) / Math.max(1, msg.layers.length - 1) + "px", top: "140px" });
    b.innerHTML = `<b>layer ${l + 1}</b><br>${text}<br><span id="gnorm-${l + 1}"></span>`;
    b.onclick = () => select({ layer: l + 1, neuron: null });
    net.appendChild(b);
  });
}

function drawImageFrame(f) {
  f.predicted.forEach((p, k) => {
    const cap = $(`digit-${k}`);
    cap.textContent = p; cap.className = p === S.labels[k] ? "" : "wrong";
  });
  showGradNorms(f.grad_norms);
}

function showLayerSummary(msg) {
  S.record = msg; S.recordStep = msg.step;
  for (const b of document.querySelectorAll(".layer-box")) b.classList.toggle("selected", S.selection && +b.dataset.layer === S.selection.layer);
  if (!S.selection) return;
  const L = msg.layers[S.selection.layer - 1], norms = (d) => Object.entries(d).map(([n, v]) => `${n} ${fmt(v)}`).join(", ");
  const rows = [["Z shape", "(" + L.Z_shape.join(", ") + ")"], ["|A|", fmt(L.A_norm)],
                ["|delta|", fmt(L.delta_norm)], ["mean |delta|", fmt(L.delta_mean_abs)],
                ["|dL/dparam|", norms(L.grad_norms)], ["|update|", norms(L.update_norms)]];
  $("inspector").innerHTML = `<b>Layer ${L.index}: ${L.module}, then ${L.activation.join(" then ") || "identity"}</b> — step ${msg.step}
    (${msg.optimizer}, lr ${fmt(msg.lr)}), batch of ${msg.batch}; loss before ${fmt(msg.loss_before)}, after ${fmt(msg.loss_after)}
    <table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join("")}</table>
    <p class="hint">Norms over the batch; export the step (JSON) for every number.</p>`;
}
