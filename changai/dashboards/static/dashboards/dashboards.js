/* Dashboard and explorer charts. Every chart draws the rows of a JSON document the server built
 * (embedded with json_script, or fetched for the map's drill-down): the same rows its "下载数据"
 * workbook holds. Nothing is read back from the page. */
(function () {
  "use strict";
  if (!window.echarts) return;

  var charts = {};
  var PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#d63384", "#198754", "#0dcaf0", "#ffc107", "#6c757d", "#dc3545"];
  var TOOLBOX = {
    right: 8,
    feature: { saveAsImage: { type: "png", title: "保存为图片", pixelRatio: 2, backgroundColor: "#fff" } }
  };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  function chartFor(key) {
    var el = document.getElementById("chart-" + key);
    if (!el) return null;
    if (!charts[key]) charts[key] = echarts.init(el);
    return charts[key];
  }

  function column(data, index) {
    return data.rows.map(function (row) { return row[index]; });
  }

  function showMessage(key, text) {
    var chart = chartFor(key);
    if (!chart) return;
    chart.clear();
    chart.setOption({
      title: { text: text, left: "center", top: "middle", textStyle: { color: "#6c757d", fontSize: 14, fontWeight: "normal" } }
    });
  }

  function setXlsx(key, url) {
    document.querySelectorAll('[data-xlsx="' + key + '"]').forEach(function (a) {
      a.href = url + (url.indexOf("?") >= 0 ? "&" : "?") + "export=xlsx";
      a.classList.remove("disabled");
      a.removeAttribute("aria-disabled");
    });
  }

  function hasValues(values) {
    return values.some(function (v) { return v !== null && v !== undefined; });
  }

  function drawBars(key, data) {
    var chart = chartFor(key);
    if (!chart) return;
    var names = column(data, 1);
    var values = column(data, 2);
    if (!data.rows.length) return showMessage(key, "没有下级单位");
    if (!hasValues(values)) return showMessage(key, "所选期间暂无数据");
    chart.clear();
    chart.setOption({
      color: PALETTE,
      toolbox: TOOLBOX,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: data.unit || "" },
      yAxis: { type: "category", data: names.slice().reverse(), axisLabel: { width: 110, overflow: "truncate" } },
      dataZoom: names.length > 15 ? [{ type: "inside", yAxisIndex: 0, startValue: names.length - 15, endValue: names.length - 1 }, { type: "slider", yAxisIndex: 0, width: 12, right: 4 }] : [],
      series: [{ type: "bar", name: data.indicator || "", data: values.slice().reverse(), label: { show: names.length <= 15, position: "right" } }]
    });
  }

  function fillRanking(data) {
    var body = document.querySelector("#ranking-table tbody");
    if (!body) return;
    body.textContent = "";
    data.rows.forEach(function (row, i) {
      var tr = document.createElement("tr");
      var rank = document.createElement("td");
      rank.textContent = row[0];
      var name = document.createElement("td");
      var link = document.createElement("a");
      link.href = data.links[i];
      link.textContent = row[1];
      name.appendChild(link);
      var value = document.createElement("td");
      value.className = "text-end";
      value.textContent = row[2] === null ? "—" : row[2].toLocaleString("zh-CN");
      tr.append(rank, name, value);
      body.appendChild(tr);
    });
  }

  function drawTrend(key, data) {
    var values = column(data, 2);
    var chart = chartFor(key);
    if (!chart) return;
    if (!hasValues(values)) return showMessage(key, "近期暂无数据");
    chart.clear();
    chart.setOption({
      color: PALETTE,
      toolbox: TOOLBOX,
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: column(data, 1), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", name: data.unit || "" },
      series: [{ type: "line", data: values, connectNulls: false, smooth: false, symbolSize: 7, label: { show: true } }]
    });
  }

  function drawMap(key, geo, data, onCity) {
    var chart = chartFor(key);
    if (!chart) return;
    echarts.registerMap("jiangsu", geo);
    var names = {};
    geo.features.forEach(function (f) { names[String(f.id)] = f.properties.name; });
    var items = data.rows.map(function (row, i) {
      return { name: names[String(row[0])] || row[1], value: row[2], index: i };
    });
    var values = column(data, 2).filter(function (v) { return v !== null; });
    var max = values.length ? Math.max.apply(null, values) : 1;
    chart.setOption({
      toolbox: TOOLBOX,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var v = p.data && p.data.value !== null && p.data.value !== undefined ? p.data.value.toLocaleString("zh-CN") + " " + (data.unit || "") : "暂无数据";
          return p.name + "<br>" + (data.indicator || "") + "：" + v;
        }
      },
      visualMap: {
        min: 0, max: max || 1, left: 10, bottom: 10, calculable: true, text: ["高", "低"],
        inRange: { color: ["#e7f0ff", "#6ea8fe", "#0a58ca"] }
      },
      series: [{
        type: "map", map: "jiangsu", roam: false, selectedMode: false,
        label: { show: true, fontSize: 11 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffc107" } },
        itemStyle: { areaColor: "#f1f3f5", borderColor: "#fff" },
        data: items
      }]
    });
    chart.off("click");
    chart.on("click", function (p) {
      if (p.data && p.data.index !== undefined) onCity(p.data.index, p.name);
    });
  }

  function drill(data, index, name) {
    var url = data.drill[index];
    var title = document.getElementById("drill-title");
    if (title) title.textContent = name + "所辖县（市、区）";
    var hint = document.getElementById("drill-hint");
    if (hint) hint.classList.add("d-none");
    var link = document.getElementById("drill-link");
    if (link) { link.href = data.links[index]; link.classList.remove("d-none"); }
    setXlsx("drill", url);
    getJSON(url).then(function (d) { drawBars("drill", d); }).catch(function () { showMessage("drill", "数据加载失败"); });
  }

  function dashboard(config) {
    var data = config.data || {};
    if (data.map) {
      getJSON(config.geo).then(function (geo) {
        drawMap("map", geo, data.map, function (i, name) { drill(data.map, i, name); });
      }).catch(function () { showMessage("map", "地图加载失败"); });
    }
    if (data.trend) drawTrend("trend", data.trend);
    if (data.ranking) { drawBars("ranking", data.ranking); fillRanking(data.ranking); }
    var periodType = document.getElementById("id_period_type");
    if (periodType) periodType.addEventListener("change", function () { periodType.form.submit(); });
  }

  function explorer(data) {
    var chart = chartFor("explorer");
    if (!chart) return;
    var labels = data.columns.slice(3);
    if (!data.rows.length) return showMessage("explorer", "请选择指标和组织");
    chart.setOption({
      color: PALETTE,
      toolbox: TOOLBOX,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0, left: 0, right: 60 },
      grid: { left: 8, right: 24, top: 48, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: labels.length > 8 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: data.rows.map(function (row) {
        return { type: "line", name: row[2] + "·" + row[0] + "（" + row[1] + "）", data: row.slice(3), symbolSize: 6 };
      })
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-png]");
    if (!button || !charts[button.dataset.png]) return;
    var a = document.createElement("a");
    a.href = charts[button.dataset.png].getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    a.download = (button.dataset.filename || button.dataset.png) + ".png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (key) { charts[key].resize(); });
  });

  var config = document.getElementById("dashboard-config");
  if (config) dashboard(JSON.parse(config.textContent));
  var explorerData = document.getElementById("explorer-data");
  if (explorerData) explorer(JSON.parse(explorerData.textContent));
})();
