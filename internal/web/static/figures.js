// Charts of figures: bars by child unit and lines over the months, drawn
// by ECharts from the JSON the page embeds. A click on a bar or a point
// opens the records behind it.
(function () {
  "use strict";
  function draw(el, kind, items) {
    if (!window.echarts || !items || !items.length) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var names = items.map(function (i) { return i.name; });
    var values = items.map(function (i) { return i.value === null ? null : i.value; });
    chart.setOption({
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", formatter: function (ps) {
        var p = ps[0], it = items[p.dataIndex];
        return it.name + "<br>" + it.display;
      } },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 40 : 0 } },
      yAxis: { type: "value" },
      series: [{ type: kind === "line" ? "line" : "bar", data: values, itemStyle: { color: "#1f5f9e" }, cursor: "pointer" }]
    });
    chart.on("click", function (p) {
      var it = items[p.dataIndex];
      if (it && it.href) { window.location.href = it.href; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() {
    var widgets = document.getElementById("widget-data");
    if (widgets) {
      var list = JSON.parse(widgets.textContent) || [];
      document.querySelectorAll(".chart[data-widget]").forEach(function (el) {
        var w = list[Number(el.getAttribute("data-widget"))];
        if (w) { draw(el, el.getAttribute("data-chart"), w.items); }
      });
    }
    var data = document.getElementById("chart-data");
    if (data) {
      var d = JSON.parse(data.textContent) || {};
      document.querySelectorAll(".chart[data-source]").forEach(function (el) {
        draw(el, el.getAttribute("data-chart"), d[el.getAttribute("data-source")]);
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
