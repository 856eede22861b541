(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var OUTCOME_COLOURS = {completed: '#4e79a7', preempted: '#f28e2b', lost: '#e15759', failed: '#b07aa1', cancelled: '#9c9c9c'};
  var CLASS_COLOURS = {reserved: '#4e79a7', excess: '#f28e2b', spare: '#76b7b2'};
  /** Above this many attempts the timeline is drawn in ECharts' large mode (fast, no per-attempt tooltip). */
  var LARGE = 3000;
  var charts = 0;
  var expected = 5;
  function done() {
    charts++;
    document.body.dataset.rendered = String(charts);
    if (charts === expected) {
      document.body.dataset.finishedMs = String(Math.round(performance.now()));
    }
  }
  function chart(id, option) {
    var c = echarts.init(document.getElementById(id), null, {renderer: 'canvas'});
    c.on('finished', function once() { c.off('finished', once); done(); });
    c.setOption(option);
    window.addEventListener('resize', function () { c.resize(); });
    return c;
  }
  function secs(v) { return (+v).toFixed(3) + ' s'; }
  function axisSeconds(v) { return +(+v).toPrecision(4) + ''; }
  function bytes(b) {
    if (b >= 1 << 30) { return (b / (1 << 30)).toFixed(2) + ' GiB'; }
    if (b >= 1 << 20) { return (b / (1 << 20)).toFixed(2) + ' MiB'; }
    if (b >= 1 << 10) { return (b / (1 << 10)).toFixed(1) + ' KiB'; }
    return b + ' B';
  }

  document.getElementById('title').textContent = data.title;
  document.getElementById('headline').textContent = data.headline;

  // Timeline: a custom series of rectangles, one per attempt, [track, start s, end s, shard, outcome, attempt].
  var tracks = data.tracks;
  document.getElementById('timeline').style.height = Math.max(260, Math.min(2400, 40 + tracks.length * 18)) + 'px';
  var revocationLines = {symbol: 'none', silent: true, label: {show: false}, lineStyle: {color: '#e15759', type: 'dashed', width: 1},
    data: data.revocations.map(function (t) { return {xAxis: t}; })};
  var timelineHeight = parseInt(document.getElementById('timeline').style.height, 10);
  var timelineSeries;
  if (data.slices.length <= LARGE) {
    timelineSeries = [{
      type: 'custom',
      name: 'attempts',
      encode: {x: [1, 2], y: 0},
      progressive: 0, // draw every attempt at once: the load time measured is the whole drawing
      data: data.slices,
      renderItem: function (params, api) {
        var start = api.coord([api.value(1), api.value(0)]);
        var end = api.coord([api.value(2), api.value(0)]);
        var height = api.size([0, 1])[1] * 0.7;
        var shape = echarts.graphic.clipRectByRect(
          {x: start[0], y: start[1] - height / 2, width: Math.max(1, end[0] - start[0]), height: height},
          {x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height});
        return shape && {type: 'rect', shape: shape, style: {fill: OUTCOME_COLOURS[data.outcomes[api.value(4)]]}};
      },
      markLine: revocationLines
    }];
  } else {
    // Many attempts: one thick line segment each, drawn in one batch per outcome (ECharts' large mode), no tooltip.
    var width = Math.max(1, 0.7 * (timelineHeight - 80) / tracks.length);
    timelineSeries = data.outcomes.map(function (o, i) {
      return {type: 'lines', name: o, coordinateSystem: 'cartesian2d', large: true, largeThreshold: 1, polyline: false, silent: true,
        lineStyle: {color: OUTCOME_COLOURS[o], width: width, opacity: 1, cap: 'butt'},
        data: data.slices.filter(function (v) { return v[4] === i; }).map(function (v) { return {coords: [[v[1], v[0]], [v[2], v[0]]]}; }),
        markLine: i === 0 ? revocationLines : undefined};
    });
  }
  chart('timeline', {
    animation: false,
    tooltip: {formatter: function (p) {
      var v = p.value;
      return data.shards[v[3]] + '<br>' + tracks[v[0]] + '<br>attempt ' + v[5] + ', ' + data.outcomes[v[4]]
        + '<br>' + secs(v[1]) + ' to ' + secs(v[2]) + ' (' + ((v[2] - v[1]) * 1000).toFixed(2) + ' ms)';
    }},
    legend: {top: 0, data: data.outcomes},
    grid: {left: 170, right: 30, top: 30, bottom: 60},
    dataZoom: [{type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter'}, {type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter'}],
    xAxis: {type: 'value', name: 'time since the run started (s)', nameLocation: 'middle', nameGap: 25, min: 0, max: data.makespan, axisLabel: {formatter: axisSeconds}},
    yAxis: {type: 'category', data: tracks, inverse: true, name: 'rank / core', axisLabel: {fontSize: 10}},
    series: timelineSeries
  });

  // Capacity and busy cores: step lines per class, ready shards on the right axis.
  var series = [];
  data.classes.forEach(function (c, i) {
    if (data.counters.cores.some(function (row) { return row[i] > 0; })) {
      series.push({name: c + ' cores', type: 'line', step: 'end', symbol: 'none', lineStyle: {type: 'dashed', color: CLASS_COLOURS[c]},
        itemStyle: {color: CLASS_COLOURS[c]}, data: data.counters.t.map(function (t, k) { return [t, data.counters.cores[k][i]]; })});
      series.push({name: c + ' busy', type: 'line', step: 'end', symbol: 'none', areaStyle: {opacity: 0.25}, itemStyle: {color: CLASS_COLOURS[c]},
        data: data.counters.t.map(function (t, k) { return [t, data.counters.busy[k][i]]; })});
    }
  });
  series.push({name: 'ready shards', type: 'line', step: 'end', symbol: 'none', yAxisIndex: 1, itemStyle: {color: '#59a14f'},
    data: data.counters.t.map(function (t, k) { return [t, data.counters.ready[k]]; })});
  chart('capacity', {
    animation: false,
    tooltip: {trigger: 'axis'},
    legend: {top: 0},
    grid: {left: 60, right: 70, top: 40, bottom: 50},
    xAxis: {type: 'value', name: 'time since the run started (s)', nameLocation: 'middle', nameGap: 25, min: 0, max: data.makespan, axisLabel: {formatter: axisSeconds}},
    yAxis: [{type: 'value', name: 'cores', minInterval: 1}, {type: 'value', name: 'ready shards', minInterval: 1}],
    series: series
  });

  // Lost work: seconds by rank, stacked by outcome.
  chart('lost', {
    animation: false,
    tooltip: {trigger: 'axis', valueFormatter: secs},
    legend: {top: 0},
    grid: {left: 60, right: 20, top: 40, bottom: 50},
    xAxis: {type: 'category', data: data.lost.ranks.map(function (r) { return 'rank ' + r; }), name: 'rank', nameLocation: 'middle', nameGap: 30},
    yAxis: {type: 'value', name: 'seconds'},
    series: data.lost.outcomes.map(function (o, i) {
      return {name: o, type: 'bar', stack: 'lost', itemStyle: {color: OUTCOME_COLOURS[o]}, data: data.lost.seconds.map(function (row) { return row[i]; })};
    })
  });

  // Checkpoints: time and size.
  chart('checkpoints', {
    animation: false,
    tooltip: {formatter: function (p) { return data.shards[p.value[2]] + '<br>' + secs(p.value[0]) + ', ' + bytes(p.value[1]); }},
    grid: {left: 80, right: 20, top: 30, bottom: 50},
    xAxis: {type: 'value', name: 'time since the run started (s)', nameLocation: 'middle', nameGap: 25, min: 0, max: data.makespan, axisLabel: {formatter: axisSeconds}},
    yAxis: {type: 'value', name: 'size', axisLabel: {formatter: bytes}},
    series: [{type: 'scatter', name: 'checkpoints', symbolSize: 5, itemStyle: {color: '#4e79a7'}, data: data.checkpoints}]
  });

  // Slowest shards.
  chart('slowest', {
    animation: false,
    tooltip: {trigger: 'axis', valueFormatter: secs},
    grid: {left: 220, right: 30, top: 20, bottom: 50},
    xAxis: {type: 'value', name: 'run time (s)', nameLocation: 'middle', nameGap: 25},
    yAxis: {type: 'category', inverse: true, data: data.slowest.map(function (s) { return s[0]; }), axisLabel: {fontSize: 10}},
    series: [{type: 'bar', name: 'run time', itemStyle: {color: '#4e79a7'}, data: data.slowest.map(function (s) { return s[1]; })}]
  });

  // Every chart is drawn by now (ECharts renders synchronously without animation): the load time, from navigation start.
  document.body.dataset.renderMs = String(Math.round(performance.now()));

  // Summary figures.
  var table = document.getElementById('summary');
  Object.keys(data.summary).forEach(function (k) {
    var v = data.summary[k];
    var row = table.insertRow();
    row.insertCell().textContent = k;
    var cell = row.insertCell();
    cell.textContent = v === null ? '' : (typeof v === 'object' ? JSON.stringify(v) : String(v));
    if (typeof v === 'number') { cell.className = 'n'; }
  });
})();
