// taskledger dashboard: #/trends — progress, slips and the counties' ranks
// at each month's end of a year, and a schematic map of the counties
// shaded by score. Drawn with Apache ECharts (assets/vendor/echarts.min.js,
// installed from npm and embedded; loaded only on this page). Each chart
// has its figures as a table beside it for those who cannot see it.
'use strict';
(function () {
  const tl = window.taskledger;
  if (!tl) return;
  const { h, t, gql, pages, link, state, ApiError, defaultYear } = tl;

  // TILES places Chifeng's counties on a grid in their rough positions
  // (column, row from the north-west): a schematic, not their borders.
  const TILES = {
    'county.ar-horqin': [3, 0], 'county.bairin-left': [2, 0], 'county.bairin-right': [2, 1], 'county.linxi': [1, 1],
    'county.hexigten': [0, 2], 'county.ongniud': [2, 2], 'county.songshan': [1, 3], 'county.hongshan': [2, 3],
    'county.yuanbaoshan': [3, 3], 'county.aohan': [4, 3], 'county.harqin': [2, 4], 'county.ningcheng': [3, 4]
  };

  let loading = null;
  // echartsLib loads the embedded ECharts once.
  function echartsLib() {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const el = document.createElement('script');
        el.src = '/assets/vendor/echarts.min.js';
        el.onload = () => resolve(window.echarts);
        el.onerror = () => { loading = null; reject(new ApiError('ECharts', 'ASSET_MISSING')); };
        document.head.append(el);
      });
    }
    return loading;
  }

  const MONTH_QUERY = `query($year: Int!, $asOf: Time!) {
    c: scorecard(year: $year, kind: COUNTY, asOf: $asOf) { cards { unit name rank total slips } }
    o: obligations(first: 500, asOf: $asOf) { totalCount nodes { unit progress light slips } } }`;

  // monthEnds are the ends of the year's months up to the ledger's now, in Beijing time.
  function monthEnds(year) {
    const now = state.ledger && state.ledger.now ? new Date(state.ledger.now) : new Date();
    const out = [];
    for (let m = 1; m <= 12; m++) {
      const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
      const iso = `${year}-${String(m).padStart(2, '0')}-${last}T23:59:59+08:00`;
      if (new Date(iso) > now && out.length) break;
      out.push({ month: m, asOf: iso });
    }
    return out;
  }

  // slips adds up the deadlines the units of a kind have missed so far.
  function slips(items, kind) { return items.reduce((n, o) => n + (o.unit.startsWith(kind) ? o.slips : 0), 0); }

  async function series(year) {
    const ends = monthEnds(year);
    const answers = await Promise.all(ends.map((e) => gql(MONTH_QUERY, { year, asOf: e.asOf })));
    return ends.map((e, i) => {
      const a = answers[i];
      const items = a.o.nodes;
      const avg = items.length ? items.reduce((s, o) => s + o.progress, 0) / items.length : 0;
      return {
        month: e.month, progress: Math.round(avg * 10) / 10, red: items.filter((o) => o.light === 'RED').length,
        countySlips: slips(items, 'county.'), bureauSlips: slips(items, 'bureau.'),
        counties: a.c.cards
      };
    });
  }

  // dataTable is a chart's figures for screen readers and for checking.
  function dataTable(id, heads, rows) {
    return h('details', { class: 'chart-data' }, h('summary', { text: t('xChartTable') }),
      h('div', { class: 'scroll-x' }, h('table', { id: id + '-table' },
        h('thead', {}, h('tr', {}, heads.map((x) => h('th', { text: x })))),
        h('tbody', {}, rows.map((r) => h('tr', {}, r.map((x) => h('td', { text: x }))))))));
  }

  function box(id, title, desc) {
    const el = h('div', { class: 'chart', id, role: 'img', 'aria-label': title + '。' + desc });
    return { el, section: h('section', { class: 'panel chart-box' }, h('h2', { text: title }), el) };
  }

  const TEXT = '#1d2733', AXIS = '#55616e';
  function base(months) {
    return {
      animation: false,
      textStyle: { color: TEXT, fontFamily: 'inherit' },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      grid: { left: 48, right: 48, top: 40, bottom: 36, containLabel: true },
      xAxis: { type: 'category', data: months.map((m) => m + t('xMonth')), axisLabel: { color: AXIS } },
      legend: { top: 0, textStyle: { color: TEXT } }
    };
  }

  // draw makes the chart once its box is on the page (app.js moves the
  // page into place after this page's function returns) and has a width.
  function draw(echarts, el, option, charts, tries) {
    if (!el.isConnected || !el.clientWidth) {
      if ((tries || 0) < 100) requestAnimationFrame(() => draw(echarts, el, option, charts, (tries || 0) + 1));
      return;
    }
    const c = echarts.init(el, null, { renderer: 'svg' });
    c.setOption(option);
    charts.push(c);
    el.dataset.rendered = 'true';
  }

  pages.trends = async function (main, params) {
    const year = Number(params.get('year')) || defaultYear();
    const yearIn = h('input', { type: 'number', id: 'year', value: year, min: 2000, max: 2100 });
    main.append(h('h1', { id: 'page-title', text: `${t('xTrendsTitle')} · ${year}` }),
      h('div', { class: 'controls' }, h('label', {}, t('year'), yearIn),
        h('button', { class: 'primary', type: 'button', onclick: () => { location.hash = link('trends', { year: yearIn.value }); } }, t('show'))));
    const [echarts, data] = await Promise.all([echartsLib(), series(year)]);
    if (!data.length) { main.append(h('p', { class: 'muted', text: t('xNoData') })); return; }
    const months = data.map((d) => d.month);
    const last = data[data.length - 1];
    const charts = [];
    const grid = h('div', { class: 'charts' });
    main.append(grid);

    const p = box('chart-progress', t('xProgressChart'), `${last.month}${t('xMonth')} ${t('xAvgProgress')} ${last.progress}，${t('xRedLights')} ${last.red}`);
    grid.append(p.section);
    p.section.append(dataTable('chart-progress', [t('xMonth'), t('xAvgProgress'), t('xRedLights')], data.map((d) => [d.month, d.progress, d.red])));

    const sl = box('chart-slips', t('xSlipsChart'), `${last.month}${t('xMonth')} ${t('xBureauSlips')} ${last.bureauSlips}，${t('xCountySlips')} ${last.countySlips}`);
    grid.append(sl.section);
    sl.section.append(dataTable('chart-slips', [t('xMonth'), t('xBureauSlips'), t('xCountySlips')], data.map((d) => [d.month, d.bureauSlips, d.countySlips])));

    const units = last.counties.map((c) => ({ unit: c.unit, name: c.name }));
    const rk = box('chart-rank', t('xRankChart'), last.counties.map((c) => `${c.rank}. ${c.name}`).join('，'));
    grid.append(rk.section);
    rk.section.append(dataTable('chart-rank', [t('unit')].concat(months.map((m) => m + t('xMonth'))),
      units.map((u) => [u.name].concat(data.map((d) => (d.counties.find((c) => c.unit === u.unit) || {}).rank || '—')))));

    const mp = box('chart-map', t('xMapChart'), last.counties.map((c) => `${c.name} ${c.total}`).join('，'));
    grid.append(mp.section);
    mp.section.append(h('p', { class: 'muted small', text: t('xMapNote') }),
      dataTable('chart-map', [t('unit'), t('xScore'), t('rank')], last.counties.map((c) => [c.name, c.total, c.rank])));

    // The two axes' names sit above the plot: below the legend, which on a
    // phone spans the chart's width.
    const progress = base(months);
    progress.grid.top = 64;
    draw(echarts, p.el, Object.assign(progress, {
      yAxis: [{ type: 'value', name: t('xAvgProgress'), min: 0, max: 100, axisLabel: { color: AXIS } }, { type: 'value', name: t('xRedLights'), axisLabel: { color: AXIS } }],
      series: [{ name: t('xAvgProgress'), type: 'line', data: data.map((d) => d.progress), itemStyle: { color: '#1f4e79' } },
        { name: t('xRedLights'), type: 'bar', yAxisIndex: 1, data: data.map((d) => d.red), itemStyle: { color: '#c62828' } }]
    }), charts);
    draw(echarts, sl.el, Object.assign(base(months), {
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: AXIS } },
      series: [{ name: t('xBureauSlips'), type: 'line', data: data.map((d) => d.bureauSlips), itemStyle: { color: '#1f4e79' } },
        { name: t('xCountySlips'), type: 'line', data: data.map((d) => d.countySlips), itemStyle: { color: '#8a5a00' } }]
    }), charts);
    draw(echarts, rk.el, Object.assign(base(months), {
      legend: { type: 'scroll', top: 0, textStyle: { color: TEXT } },
      grid: { left: 40, right: 24, top: 56, bottom: 36, containLabel: true },
      // The axis runs downwards: its name goes at its start, the top, clear
      // of the months.
      yAxis: { type: 'value', name: t('xRankAxis'), nameLocation: 'start', inverse: true, min: 1, max: Math.max(1, units.length), minInterval: 1, axisLabel: { color: AXIS } },
      series: units.map((u) => ({ name: u.name, type: 'line', data: data.map((d) => (d.counties.find((c) => c.unit === u.unit) || {}).rank ?? null) }))
    }), charts);
    const scores = last.counties.map((c) => c.total);
    const placed = last.counties.filter((c) => TILES[c.unit]);
    draw(echarts, mp.el, {
      animation: false,
      textStyle: { color: TEXT },
      tooltip: { renderMode: 'richText', formatter: (x) => `${x.name} ${x.value[2]}` },
      grid: { left: 4, right: 4, top: 4, bottom: 48 },
      xAxis: { type: 'category', data: [0, 1, 2, 3, 4], show: false },
      yAxis: { type: 'category', data: [0, 1, 2, 3, 4], show: false, inverse: true },
      visualMap: { min: Math.floor(Math.min(...scores)), max: Math.ceil(Math.max(...scores)), calculable: false, orient: 'horizontal', left: 'center', bottom: 0,
        inRange: { color: ['#e3edf7', '#9ec3e6', '#1f4e79'] }, text: [t('xScore') + ' ' + Math.ceil(Math.max(...scores)), String(Math.floor(Math.min(...scores)))], textStyle: { color: TEXT } },
      series: [{ type: 'heatmap', data: placed.map((c) => ({ name: c.name, value: [TILES[c.unit][0], TILES[c.unit][1], c.total] })),
        itemStyle: { borderColor: '#fff', borderWidth: 3 },
        label: { show: true, formatter: (x) => `${x.name}\n${x.value[2]}`, color: TEXT, backgroundColor: 'rgba(255,255,255,.85)', padding: [2, 4], borderRadius: 3 } }]
    }, charts);
    const resize = () => charts.forEach((c) => c.resize());
    window.addEventListener('resize', resize);
    window.addEventListener('hashchange', () => { window.removeEventListener('resize', resize); charts.forEach((c) => c.dispose()); }, { once: true });
  };

  tl.wrapNav((items) => {
    const role = state.me ? state.me.role : 'PUBLIC';
    if (role === 'COMMITTEE' || role === 'INSPECTOR') {
      const at = items.findIndex(([p]) => p === 'scorecards');
      items.splice(at + 1, 0, ['trends', t('xTrends')]);
    }
    return items;
  });
})();
