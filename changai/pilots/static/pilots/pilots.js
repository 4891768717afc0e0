/* The pilot map: Jiangsu's cities coloured by the number of pilots, drawn from the rows the server
 * embedded with json_script (the same rows the "下载数据" workbook holds). Cities are matched on their
 * GB/T 2260 code, the `id` of each feature of the vendored map. */
(function () {
  "use strict";
  var config = document.getElementById("pilot-map-config");
  var el = document.getElementById("chart-pilot-map");
  if (!window.echarts || !config || !el) return;
  config = JSON.parse(config.textContent);
  var data = config.data;
  var chart = echarts.init(el);

  function message(text) {
    chart.setOption({ title: { text: text, left: "center", top: "middle", textStyle: { color: "#6c757d", fontSize: 14, fontWeight: "normal" } } });
  }

  fetch(config.geo, { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.json();
  }).then(function (geo) {
    echarts.registerMap("jiangsu", geo);
    var names = {};
    geo.features.forEach(function (f) { names[String(f.id)] = f.properties.name; });
    var items = data.rows.map(function (row) {
      return { name: names[String(row[0])] || row[1], value: row[2], levels: row.slice(3, 8), named: row[8] };
    });
    var max = Math.max.apply(null, items.map(function (i) { return i.value; }).concat([1]));
    var levelNames = data.columns.slice(3, 8);
    chart.setOption({
      toolbox: { right: 8, feature: { saveAsImage: { type: "png", title: "保存为图片", pixelRatio: 2, backgroundColor: "#fff" } } },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          if (!p.data) return p.name + "<br>暂无试点";
          var lines = [p.name, data.indicator + "：" + p.data.value + " " + data.unit];
          levelNames.forEach(function (label, i) { if (p.data.levels[i]) lines.push(label + "：" + p.data.levels[i]); });
          if (p.data.named) lines.push("已命名示范：" + p.data.named);
          return lines.join("<br>");
        }
      },
      visualMap: { min: 0, max: max, left: 10, bottom: 10, calculable: true, text: ["多", "少"], inRange: { color: ["#e7f0ff", "#6ea8fe", "#0a58ca"] } },
      series: [{
        type: "map", map: "jiangsu", roam: false, selectedMode: false,
        label: { show: true, fontSize: 11 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffc107" } },
        itemStyle: { areaColor: "#f1f3f5", borderColor: "#fff" },
        data: items
      }]
    });
  }).catch(function () { message("地图加载失败"); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-png]");
    if (!button) return;
    var a = document.createElement("a");
    a.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    a.download = (button.dataset.filename || "试点分布") + ".png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
