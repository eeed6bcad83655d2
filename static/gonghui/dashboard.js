// The leadership dashboard's charts (ECharts from static/vendor, no CDN). Each chart's points come from
// a json_script beside it; a click on a bar, a point or a slice opens the rows that make it. The same
// points are in the table under each chart (screen readers, export).
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  window.ghCharts = {};
  var palette = ["#206bc4", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#0ca678", "#4263eb", "#f76707", "#74b816", "#17a2b8"];
  document.querySelectorAll(".gh-chart[data-chart]").forEach(function (el) {
    var node = document.getElementById(el.dataset.chart);
    if (!node) return;
    var d = JSON.parse(node.textContent);
    var chart = echarts.init(el, null, { renderer: "svg", locale: "ZH" });
    var tooltip = { trigger: d.kind === "pie" ? "item" : "axis", valueFormatter: function (v) { return v + " " + d.unit; } };
    var option;
    if (d.kind === "pie") {
      option = {
        color: palette, tooltip: tooltip, legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], top: -20, label: { formatter: "{b}\n{d}%" },
          data: d.labels.map(function (l, i) { return { name: l, value: d.values[i] }; }) }]
      };
    } else {
      // Union names are long: slant the labels once they would not fit side by side.
      var crowded = d.labels.length > 8 || d.labels.join("").length > 24;
      option = {
        color: palette, tooltip: tooltip, grid: { left: 50, right: 16, top: 16, bottom: crowded ? 90 : 40 },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: crowded ? 35 : 0, width: crowded ? 100 : undefined, overflow: "truncate" } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: d.kind, data: d.values, smooth: true, symbolSize: 10, triggerLineEvent: true }]
      };
    }
    chart.setOption(option);
    chart.on("click", function (params) {
      var url = d.urls[params.dataIndex];
      if (url) window.location.href = url;
    });
    el.style.cursor = "pointer";
    window.ghCharts[d.key] = chart;
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
