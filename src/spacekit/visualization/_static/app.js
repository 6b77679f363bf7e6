/* spacekit live training dashboard.
 *
 * One EventSource connection to api/stream: the first event ("history") carries every
 * record received so far, later events ("metrics", "plots") carry one update each.
 * Charts are redrawn with Plotly.react at most every 100 ms; the page never reloads.
 */
"use strict";

(function () {
  const state = { run: null, plots: {} };
  const PALETTE = ["#2f6fde", "#e4572e", "#17a398", "#9c51b6", "#f3a712", "#4a5759",
                   "#d1495b", "#66a182", "#00798c", "#edae49"];
  const LR_NAMES = /^(lr|learning_rate)$/;
  const colors = {};
  const drawn = {};
  let timer = null;
  let plotsDirty = false;

  function $(id) { return document.getElementById(id); }

  function baseName(name) { return name.replace(/^val_/, ""); }

  function colorOf(name) {
    const base = baseName(name);
    if (!(base in colors)) {
      colors[base] = PALETTE[Object.keys(colors).length % PALETTE.length];
    }
    return colors[base];
  }

  function fmt(value) {
    if (value === null || value === undefined) { return "\u2013"; }
    if (Number.isInteger(value)) { return String(value); }
    const abs = Math.abs(value);
    return (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) ? value.toExponential(3)
                                                     : value.toPrecision(4);
  }

  function setStatus(text) {
    const el = $("status");
    el.textContent = text;
    el.className = "status " + text;
  }

  /* Series are grown one record at a time (never regrouped), so a long batch-level run
   * stays cheap to update. */
  function resetSeries() {
    state.epochs = {};
    state.batches = {};
    state.latest = {};
    state.epoch = null;
    state.step = null;
    state.count = 0;
  }

  function addRecord(rec) {
    const isBatch = rec.step !== null;
    const groups = isBatch ? state.batches : state.epochs;
    const x = isBatch ? rec.step : (rec.epoch !== null ? rec.epoch : rec.seq);
    for (const [name, value] of Object.entries(rec.metrics)) {
      if (!(name in groups)) { groups[name] = { x: [], y: [] }; }
      groups[name].x.push(x);
      groups[name].y.push(value);
      if (value !== null) { state.latest[name] = value; }
    }
    if (rec.epoch !== null) { state.epoch = rec.epoch; }
    if (rec.step !== null) { state.step = rec.step; }
    state.count += 1;
  }

  function traces(groups, filter, mode) {
    return Object.keys(groups).filter(filter).map(function (name) {
      const isVal = name.startsWith("val_");
      return {
        type: "scatter", mode: mode || "lines+markers", name: name,
        x: groups[name].x, y: groups[name].y,
        line: { color: colorOf(name), dash: isVal ? "dash" : "solid", width: 2 },
        marker: { size: 5 },
      };
    });
  }

  function draw(id, data, title, xtitle, ytype) {
    const el = $(id);
    if (!data.length) {
      el.hidden = true;
      if (drawn[id]) { Plotly.purge(el); drawn[id] = false; }
      return;
    }
    el.hidden = false;
    const n = Math.max.apply(null, data.map(function (t) { return t.x.length; }));
    const layout = {
      title: { text: title }, margin: { l: 60, r: 20, t: 40, b: 45 },
      // Whole-number ticks for short runs (no "epoch 1.5").
      xaxis: { title: { text: xtitle }, dtick: n <= 20 ? 1 : undefined },
      yaxis: { type: ytype || "linear" },
      showlegend: true, legend: { orientation: "h", y: -0.2 },
      uirevision: id,  // keep the user's zoom across updates
      datarevision: state.count,  // arrays grow in place; tell Plotly they changed
    };
    Plotly.react(el, data, layout, { responsive: true, displaylogo: false });
    drawn[id] = true;
  }

  function renderCards() {
    $("epoch-value").textContent = fmt(state.epoch);
    $("step-value").textContent = fmt(state.step);
    const box = $("cards");
    for (const name of Object.keys(state.latest)) {
      let card = box.querySelector('[data-metric="' + CSS.escape(name) + '"]');
      if (!card) {
        card = document.createElement("div");
        card.className = "card metric";
        card.dataset.metric = name;
        const label = document.createElement("div");
        label.className = "name";
        label.textContent = name;
        const value = document.createElement("div");
        value.className = "value";
        card.append(label, value);
        box.append(card);
      }
      card.querySelector(".value").textContent = fmt(state.latest[name]);
    }
    for (const card of box.querySelectorAll(".card.metric")) {
      if (!(card.dataset.metric in state.latest)) { card.remove(); }
    }
  }

  function renderPlots() {
    const box = $("plots");
    for (const [name, fig] of Object.entries(state.plots)) {
      let el = box.querySelector('[data-plot="' + CSS.escape(name) + '"]');
      if (!el) {
        el = document.createElement("div");
        el.className = "plot";
        el.dataset.plot = name;
        box.append(el);
      }
      const layout = Object.assign({ title: { text: name } }, fig.layout || {});
      Plotly.react(el, fig.data || [], layout, { responsive: true, displaylogo: false });
    }
    for (const el of box.querySelectorAll(".plot")) {
      if (!(el.dataset.plot in state.plots)) { Plotly.purge(el); el.remove(); }
    }
  }

  function render() {
    timer = null;
    const epochs = state.epochs;
    const batches = state.batches;
    const isLr = function (n) { return LR_NAMES.test(n); };
    draw("chart-loss", traces(epochs, function (n) { return /loss/i.test(n); }), "Loss", "epoch");
    draw("chart-metrics", traces(epochs, function (n) { return !/loss/i.test(n) && !isLr(n); }),
         "Metrics", "epoch");
    draw("chart-lr", traces(epochs, isLr), "Learning rate", "epoch", "log");
    draw("chart-batches", traces(batches, function (n) { return !isLr(n); }, "lines"),
         "Batches", "step");
    renderCards();
    if (plotsDirty) { renderPlots(); plotsDirty = false; }
    $("record-count").textContent = String(state.count);
    $("run").textContent = state.run || "";
    $("empty").hidden = state.count > 0 || Object.keys(state.plots).length > 0;
  }

  function schedule() {
    if (timer === null) { timer = setTimeout(render, 100); }
  }

  function connect() {
    const source = new EventSource("api/stream");
    source.addEventListener("open", function () { setStatus("live"); });
    source.addEventListener("error", function () {
      setStatus(source.readyState === EventSource.CLOSED ? "stopped" : "reconnecting");
    });
    source.addEventListener("history", function (event) {
      const snap = JSON.parse(event.data);
      state.run = snap.run;
      state.plots = snap.plots;
      resetSeries();
      snap.records.forEach(addRecord);
      plotsDirty = true;
      schedule();
    });
    source.addEventListener("metrics", function (event) {
      addRecord(JSON.parse(event.data));
      schedule();
    });
    source.addEventListener("plots", function (event) {
      Object.assign(state.plots, JSON.parse(event.data));
      plotsDirty = true;
      schedule();
    });
    window.addEventListener("beforeunload", function () { source.close(); });
  }

  resetSeries();
  window.spacekitDashboard = state;
  connect();
}());
