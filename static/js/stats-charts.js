/* The charts of /stats, drawn with ECharts (static/vendor/echarts, canvas) from the figures' JSON
   (#stats-charts data-figures, the page's own period) and the district boundaries (data-geojson).
   Words come from the page (data-words, JSON), so the server translates them; tooltips are ECharts'
   rich text drawn in the canvas (its HTML tooltip writes style attributes, which the CSP forbids). The
   charts are aria-hidden: the tables below hold the same figures. Each chart redraws when its box
   changes size (rotation); a narrow box gets horizontal bars. For printing every chart takes a fixed
   A4 size with no animation (beforeprint, or print media), and its screen size back afterwards. */
(function () {
  'use strict';

  var PRINT_WIDTH = 680;  // px: an A4 page's width between 15 mm margins
  var NARROW = 560;       // px: below this, bars lie down so long labels stay readable
  var COLOURS = ['#0f766e', '#1d4f91', '#b45309', '#7c3aed', '#be185d', '#52606d'];
  var FONT = getComputedStyle(document.body).fontFamily;

  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });

  var root = document.getElementById('stats-charts');
  if (!root) return;
  if (!window.echarts) { fail(); return; }
  var echarts = window.echarts;
  var words = JSON.parse(root.dataset.words || '{}');
  var locale = document.documentElement.lang || 'zh-CN';
  var count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  var decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  var still = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var charts = [];   // {el, chart, draw(width) -> option, narrow}
  var printing = false;
  var data = null;
  var mapMeasure = 'children';

  function fail() {
    var note = document.getElementById('stats-charts-error');
    if (note) note.hidden = false;
    root.classList.add('charts-unavailable');
  }

  function base(extra) {
    var option = {
      color: COLOURS, animation: !still && !printing,
      textStyle: { fontFamily: FONT, color: '#1f2933' },
      tooltip: { renderMode: 'richText', confine: true, valueFormatter: function (v) { return format(v); } },
    };
    Object.keys(extra).forEach(function (k) { option[k] = extra[k]; });
    return option;
  }

  function format(v) { return v == null || v === '' ? '–' : (Math.round(v) === v ? count : decimal).format(v); }

  // A value axis; a narrow one gets fewer, never overlapping, numbers.
  function axisNumbers(narrow) {
    return { type: 'value', splitNumber: narrow ? 3 : 5,
             axisLabel: { hideOverlap: true, formatter: function (v) { return count.format(v); } } };
  }

  // Services a month: one line; a dot for each month when there are few.
  function monthOption() {
    var rows = data.by_month || [];
    return base({
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', renderMode: 'richText', confine: true, valueFormatter: format },
      xAxis: { type: 'category', boundaryGap: false, data: rows.map(function (r) { return r.month; }) },
      yAxis: axisNumbers(false),
      series: [{ type: 'line', name: words.services, data: rows.map(function (r) { return r.services; }),
                 showSymbol: rows.length <= 24, areaStyle: { opacity: 0.12 }, lineStyle: { width: 2 } }],
    });
  }

  // One bar a row of the table (services), lying down: the labels are long (夏冬令营等其他服务).
  function barsOption(rows) {
    return function (narrow) {
      return base({
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText', confine: true, valueFormatter: format },
        xAxis: axisNumbers(narrow),
        yAxis: { type: 'category', inverse: true, data: rows().map(function (r) { return r.label; }),
                 axisLabel: { width: 120, overflow: 'break' } },
        series: [{ type: 'bar', name: words.services, data: rows().map(function (r) { return r.services; }),
                   barMaxWidth: 28, label: { show: true, position: 'right', formatter: function (p) { return format(p.value); } } }],
      });
    };
  }

  // Children by category, one stacked bar an area: standing on a wide box, lying down on a narrow one.
  function childrenOption(narrow) {
    var rows = data.children || [];
    var names = rows.map(function (r) { return r.name; });
    var categories = words.categories || [];
    var series = categories.map(function (c) {
      return { type: 'bar', stack: 'children', name: c.label, barMaxWidth: 36, emphasis: { focus: 'series' },
               data: rows.map(function (r) { return r[c.key] || 0; }) };
    });
    var category = { type: 'category', data: names, inverse: narrow,
                     axisLabel: narrow ? { width: 84, overflow: 'truncate' } : { interval: 0, rotate: names.length > 8 ? 30 : 0 } };
    return base({
      legend: { top: 0, left: 0, itemGap: 12 },
      grid: { left: 8, right: 16, top: narrow ? 64 : 48, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText', confine: true, valueFormatter: format },
      xAxis: narrow ? axisNumbers(true) : category,
      yAxis: narrow ? category : axisNumbers(false),
      series: series,
    });
  }

  // The districts coloured by children in hardship, or by services per child (the toggle).
  function mapOption() {
    var perChild = mapMeasure === 'per_child';
    var source = perChild ? data.by_area || [] : data.children || [];
    var values = source.map(function (r) {
      return { name: r.name, value: perChild ? (r.per_child == null ? 0 : r.per_child) : r.total };
    });
    var max = Math.max.apply(null, values.map(function (v) { return v.value; }).concat([perChild ? 0.01 : 1]));
    return base({
      tooltip: { trigger: 'item', renderMode: 'richText', confine: true,
                 formatter: function (p) { return p.name + '\n' + (perChild ? words.perChild : words.children) + ': ' + format(p.value); } },
      visualMap: {
        type: 'continuous', min: 0, max: max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0,
        itemWidth: 12, itemHeight: 160, text: [format(max), '0'], textGap: 8,
        inRange: { color: ['#e6f4f2', '#5eb5a6', '#0f766e', '#0b3d3a'] },
        formatter: function (v) { return format(v); },
      },
      series: [{
        type: 'map', map: 'qingdao', name: perChild ? words.perChild : words.children, roam: false,
        top: 8, bottom: 48, left: 8, right: 8, selectedMode: false,
        label: { show: true, fontSize: 11, color: '#1f2933', textBorderColor: '#fff', textBorderWidth: 2 },
        itemStyle: { borderColor: '#475569', borderWidth: 0.8 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: '#fde68a' } },
        data: values,
      }],
    });
  }

  function add(name, draw, height) {
    var el = root.querySelector('[data-chart="' + name + '"]');
    if (!el) return;
    var item = { el: el, draw: draw, height: height, narrow: null, chart: null };
    charts.push(item);
    render(item, el.clientWidth);
  }

  function render(item, width) {
    var narrow = width < NARROW;
    var height = item.height(narrow);
    if (!printing) item.el.style.height = height + 'px';
    if (!item.chart) item.chart = echarts.init(item.el, null, { renderer: 'canvas' });
    if (narrow !== item.narrow || !item.drawn) {
      item.narrow = narrow;
      item.drawn = true;
      item.chart.setOption(item.draw(narrow), { notMerge: true });
    }
    if (printing) item.chart.resize({ width: PRINT_WIDTH, height: height, animation: { duration: 0 } });
    // 'auto': the box's size again (a size given once, for print, is kept until replaced)
    else item.chart.resize({ width: 'auto', height: 'auto', animation: { duration: 0 } });
    item.chart.getZr().flush();
  }

  function redraw(item) { item.drawn = false; render(item, printing ? PRINT_WIDTH : item.el.clientWidth); }

  function rowsHeight(n, narrow) { return narrow ? Math.max(240, n * 30 + 110) : 360; }

  function start(figures, geo) {
    data = figures;
    var nAreas = (data.children || []).length;
    add('month', monthOption, function (narrow) { return narrow ? 240 : 300; });
    add('form', barsOption(function () { return data.by_form || []; }), function () { return (data.by_form || []).length * 40 + 40; });
    add('content', barsOption(function () { return data.by_content || []; }), function () { return (data.by_content || []).length * 40 + 40; });
    add('children', childrenOption, function (narrow) { return rowsHeight(nAreas, narrow); });
    if (geo && root.querySelector('[data-chart="map"]')) {
      echarts.registerMap('qingdao', geo);
      add('map', mapOption, function (narrow) { return narrow ? 380 : 460; });
      root.querySelectorAll('[data-map-measure]').forEach(function (button) {
        button.addEventListener('click', function () {
          mapMeasure = button.dataset.mapMeasure;
          root.querySelectorAll('[data-map-measure]').forEach(function (b) {
            b.setAttribute('aria-pressed', b === button ? 'true' : 'false');
          });
          charts.forEach(function (item) { if (item.el.dataset.chart === 'map') redraw(item); });
        });
      });
    }
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(function () {
        if (printing) return;
        charts.forEach(function (item) { render(item, item.el.clientWidth); });
      });
      charts.forEach(function (item) { observer.observe(item.el); });
    }
    window.addEventListener('orientationchange', function () {
      charts.forEach(function (item) { render(item, item.el.clientWidth); });
    });
    root.dataset.chartsReady = '1';
  }

  // Printing: a fixed A4 size with no animation, so the canvas on paper is whole and sharp.
  function forPrint() {
    if (printing) return;
    printing = true;
    root.classList.add('charts-printing');
    charts.forEach(function (item) { redraw(item); });
  }
  function forScreen() {
    if (!printing) return;
    printing = false;
    root.classList.remove('charts-printing');
    charts.forEach(function (item) { redraw(item); });
  }
  window.addEventListener('beforeprint', forPrint);
  window.addEventListener('afterprint', forScreen);
  if (window.matchMedia) {
    var print = window.matchMedia('print');
    var onPrint = function (e) { if (e.matches) forPrint(); else forScreen(); };
    if (print.addEventListener) print.addEventListener('change', onPrint);
    else if (print.addListener) print.addListener(onPrint);
  }

  function json(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  // The page carries its figures (#stats-figures); the JSON endpoint is the fallback.
  var inPage = document.getElementById('stats-figures');
  var figures = inPage ? Promise.resolve(JSON.parse(inPage.textContent)) : json(root.dataset.figures);
  Promise.all([figures, root.dataset.geojson ? json(root.dataset.geojson) : null])
    .then(function (got) { start(got[0], got[1]); })
    .catch(fail);
})();
