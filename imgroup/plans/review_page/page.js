"use strict";
// The review page's script: shows the plan's steps, filters and sorts them, keeps the reviewer's approvals, and
// exports the plan's own text with the rejected step lines commented out. It sends nothing anywhere.
(function () {
  // Rows added at a time: a screen and a half or so. Laying out rows is what costs (about a millisecond a row
  // in headless Chromium on a busy machine), so a filter redraws only these, whatever the size of the plan.
  const CHUNK = 40;
  const data = JSON.parse(document.getElementById("plan-data").textContent);
  const groups = data.groups; // [reference, vendor, name, owner (vendor:id), member count]
  const steps = data.steps; // [line, group index, action, user, successor, role]
  const count = steps.length;
  const approved = new Uint8Array(count).fill(1);
  const haystack = new Array(count);
  const ownerOf = new Array(count);
  steps.forEach(function (step, index) {
    const group = groups[step[1]];
    ownerOf[index] = group[3] || "";
    haystack[index] = [group[0], group[2] || "", step[3] || "", step[4] || "", ownerOf[index]].join("\n").toLowerCase();
  });

  const $ = function (id) { return document.getElementById(id); };
  const search = $("search"), vendorFilter = $("filter-vendor"), actionFilter = $("filter-action");
  const ownerFilter = $("filter-owner"), sortBy = $("sort"), rows = $("rows"), more = $("more");
  let shown = []; // indices of the steps the search and filters let through, in the order chosen
  let rendered = 0; // how many of them have rows

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // --- which steps are shown, in which order ---
  function matches() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const vendor = vendorFilter.value, action = actionFilter.value, owner = ownerFilter.value;
    const found = [];
    for (let i = 0; i < count; i++) {
      const step = steps[i];
      if (vendor && groups[step[1]][1] !== vendor) continue;
      if (action && step[2] !== action) continue;
      if (owner && ownerOf[i] !== owner) continue;
      let all = true;
      for (let w = 0; w < words.length && all; w++) all = haystack[i].indexOf(words[w]) !== -1;
      if (all) found.push(i);
    }
    return found;
  }

  // Every order keeps a group's steps together and in the order they run (the tie-break is plan order).
  const orders = {
    plan: null,
    name: function (g) { return g[2] || ""; },
    members: function (g) { return g[4] === null ? 1 : -g[4]; },
    owner: function (g) { return g[3] || ""; },
    vendor: function (g) { return g[1]; },
  };

  function ordered(found) {
    const key = orders[sortBy.value];
    if (!key) return found;
    const keys = new Map();
    for (const g of new Set(found.map(function (i) { return steps[i][1]; }))) keys.set(g, key(groups[g]));
    return found.sort(function (a, b) {
      const ka = keys.get(steps[a][1]), kb = keys.get(steps[b][1]);
      if (ka !== kb) return typeof ka === "number" ? ka - kb : ka.localeCompare(kb);
      return a - b;
    });
  }

  // --- rows ---
  function groupRow(g) {
    const group = groups[g];
    const facts = [];
    if (group[3] !== null) facts.push("owner " + escapeHtml(group[3]));
    if (group[4] !== null) facts.push(group[4] + (group[4] === 1 ? " member" : " members"));
    return '<tr class="group"><th colspan="6" scope="colgroup"><span class="vendor">' + escapeHtml(group[1]) +
      "</span>" + (group[2] ? '<span class="name">' + escapeHtml(group[2]) + "</span> " : "") +
      "<code>" + escapeHtml(group[0]) + '</code> <span class="facts-line">' + facts.join(", ") + "</span></th></tr>";
  }

  function stepRow(i) {
    const step = steps[i], group = groups[step[1]], ok = approved[i] === 1;
    const label = "Approve line " + step[0] + ": " + step[2] + " " + group[0] + (step[3] ? " " + step[3] : "");
    return '<tr class="step' + (ok ? "" : " rejected") + '" data-plan-line="' + step[0] + '" data-index="' + i +
      '"><td><label class="approve-label"><input type="checkbox" class="approve"' + (ok ? " checked" : "") +
      ' aria-label="' + escapeHtml(label) + '"><span aria-hidden="true">' + (ok ? "yes" : "no") + "</span></label></td>" +
      "<td>" + step[0] + '</td><td><span class="act-text action-' + step[2] + '">' + step[2] + "</span></td>" +
      '<td class="who">' + escapeHtml(step[3] || "-") + '</td><td class="who">' + escapeHtml(step[4] || "-") +
      "</td><td>" + escapeHtml(step[5] || "-") + "</td></tr>";
  }

  function renderMore() {
    const end = Math.min(shown.length, rendered + CHUNK);
    let html = "";
    let last = rendered > 0 ? steps[shown[rendered - 1]][1] : -1;
    for (let k = rendered; k < end; k++) {
      const i = shown[k];
      if (steps[i][1] !== last) { html += groupRow(steps[i][1]); last = steps[i][1]; }
      html += stepRow(i);
    }
    rows.insertAdjacentHTML("beforeend", html);
    rendered = end;
    const left = shown.length - rendered;
    more.hidden = left === 0;
    if (left) {
      more.innerHTML = "Showing " + rendered + " of " + shown.length + ' steps. <button type="button" id="show-more">Show ' +
        Math.min(left, CHUNK) + " more</button>";
    }
  }

  function refresh() {
    shown = ordered(matches());
    rendered = 0;
    rows.textContent = "";
    renderMore();
    $("none").hidden = shown.length !== 0;
    $("shown-count").textContent = shown.length;
  }

  // --- approvals and counts ---
  function setApproved(i, ok) {
    approved[i] = ok ? 1 : 0;
  }

  function updateRow(row) {
    const ok = approved[Number(row.dataset.index)] === 1;
    row.classList.toggle("rejected", !ok);
    const box = row.querySelector("input.approve");
    box.checked = ok;
    box.nextElementSibling.textContent = ok ? "yes" : "no";
  }

  function updateCounts() {
    let total = 0, disbands = 0;
    const byCell = new Map();
    for (let i = 0; i < count; i++) {
      if (!approved[i]) continue;
      total++;
      const cell = groups[steps[i][1]][1] + " " + steps[i][2];
      byCell.set(cell, (byCell.get(cell) || 0) + 1);
      if (steps[i][2] === "disband") disbands++;
    }
    $("approved-count").textContent = total;
    $("rejected-count").textContent = count - total;
    $("total-count").textContent = count;
    for (const span of document.querySelectorAll("[data-approved]")) span.textContent = byCell.get(span.dataset.approved) || 0;
    const disbandCount = $("approved-disbands");
    if (disbandCount) disbandCount.textContent = disbands;
  }

  function approvalsChanged() {
    updateCounts();
    scheduleDigest();
  }

  rows.addEventListener("change", function (event) {
    const box = event.target;
    if (!box.classList || !box.classList.contains("approve")) return;
    const row = box.closest("tr");
    setApproved(Number(row.dataset.index), box.checked);
    updateRow(row);
    approvalsChanged();
  });

  function setShown(ok) {
    for (const i of shown) setApproved(i, ok);
    for (const row of rows.querySelectorAll("tr.step")) updateRow(row);
    approvalsChanged();
  }
  $("approve-shown").addEventListener("click", function () { setShown(true); });
  $("reject-shown").addEventListener("click", function () { setShown(false); });
  more.addEventListener("click", function (event) {
    if (event.target.id === "show-more") renderMore();
  });
  // Rows are added as the reviewer scrolls near the end of those shown.
  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; }) && rendered < shown.length) renderMore();
    }, { rootMargin: "800px" }).observe(more);
  }
  search.addEventListener("input", refresh);
  for (const select of [vendorFilter, actionFilter, ownerFilter, sortBy]) select.addEventListener("change", refresh);

  // --- the export: the plan's text, rejected step lines commented out, everything else as it was ---
  function exported() {
    const lines = data.text.split("\n");
    for (let i = 0; i < count; i++) if (!approved[i]) lines[steps[i][0] - 1] = "# " + lines[steps[i][0] - 1];
    return lines.join("\n");
  }
  const exportName = data.source.replace(/\.jsonl$/, "") + ".approved.jsonl";
  $("export-name").textContent = exportName;

  let digestTimer = 0;
  function showDigest() {
    digestTimer = 0;
    const text = exported();
    $("export-digest").textContent = sha256(new TextEncoder().encode(text));
    return text;
  }
  function scheduleDigest() {
    if (!digestTimer) digestTimer = setTimeout(showDigest, 50);
  }

  $("download").addEventListener("click", function () {
    if (digestTimer) clearTimeout(digestTimer);
    const text = showDigest();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/octet-stream" }));
    link.download = exportName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  });

  // SHA-256 (FIPS 180-4) of a byte array, as hex: written out because crypto.subtle is missing where a page
  // is not a secure context (some mail clients' viewers).
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
  ]);
  function sha256(bytes) {
    const padded = new Uint8Array(((bytes.length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[bytes.length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bytes.length / 0x20000000));
    view.setUint32(padded.length - 4, (bytes.length << 3) >>> 0);
    const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const w = new Uint32Array(64);
    const rotr = function (x, n) { return (x >>> n) | (x << (32 - n)); };
    for (let offset = 0; offset < padded.length; offset += 64) {
      for (let t = 0; t < 16; t++) w[t] = view.getUint32(offset + 4 * t);
      for (let t = 16; t < 64; t++) {
        const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
        const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
      }
      let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (let t = 0; t < 64; t++) {
        const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        k = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }
    return Array.from(h, function (x) { return x.toString(16).padStart(8, "0"); }).join("");
  }

  refresh();
  approvalsChanged();
  // For scripts and the benchmark: when the first rows were on screen (the next frame), in ms since the page
  // began loading.
  requestAnimationFrame(function () {
    document.body.dataset.firstRender = performance.now().toFixed(1);
  });
})();
