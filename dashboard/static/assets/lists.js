// taskledger dashboard: the obligations ledger (#/mine) gets filters
// (plan, unit, duty, status, light, next-due range), search, sorting and
// pages, all kept in the address so that a view can be shared; counts link
// to their filtered list; on a phone, obligation tables become cards.
// Works on the rows app.js draws (their data-* attributes), over what the
// page's query returned: no query of its own.
'use strict';
(function () {
  const tl = window.taskledger;
  if (!tl) return;
  const { h, t, pages, link, state, cardify } = tl;
  const fill = window.taskledgerUI.fill;
  const KEYS = ['q', 'plan', 'unit', 'role', 'status', 'light', 'from', 'to', 'sort', 'dir', 'page', 'size'];
  const SIZES = [20, 50, 100];
  const LIGHT_ORDER = { RED: 0, YELLOW: 1, GREY: 2, GREEN: 3 };

  // view is the list's state as the address holds it.
  function viewOf(params) {
    const v = {};
    for (const k of KEYS) v[k] = params.get(k) || '';
    v.size = SIZES.includes(Number(v.size)) ? Number(v.size) : 50;
    v.page = Math.max(1, Number(v.page) || 1);
    if (!['due', 'progress', 'task', 'unit', 'light'].includes(v.sort)) v.sort = 'due';
    if (v.dir !== 'desc') v.dir = 'asc';
    return v;
  }

  // remember writes the view into the address without drawing the page again.
  function remember(page, v, params) {
    const p = new URLSearchParams();
    for (const [k, val] of params) if (!KEYS.includes(k) && k !== 'o') p.set(k, val);
    for (const k of KEYS) {
      const val = v[k];
      if (val === '' || (k === 'page' && val === 1) || (k === 'size' && val === 50) || (k === 'sort' && val === 'due') || (k === 'dir' && val === 'asc')) continue;
      p.set(k, val);
    }
    const q = p.toString();
    history.replaceState(null, '', '#/' + page + (q ? '?' + q : ''));
  }

  function matches(tr, v) {
    const d = tr.dataset;
    if (v.plan && d.plan !== v.plan) return false;
    if (v.unit && d.unit !== v.unit) return false;
    if (v.role && d.role !== v.role) return false;
    if (v.status && d.status !== v.status) return false;
    if (v.light && d.light !== v.light) return false;
    if (v.from && (!d.due || d.due < v.from)) return false;
    if (v.to && (!d.due || d.due > v.to)) return false;
    if (v.q) {
      const words = v.q.toLowerCase().split(/\s+/).filter(Boolean);
      const text = (tr.textContent + ' ' + (d.unitName || '') + ' ' + (d.title || '')).toLowerCase();
      if (!words.every((w) => text.includes(w))) return false;
    }
    return true;
  }

  function compare(v) {
    const key = {
      due: (d) => d.due || '9999',
      progress: (d) => Number(d.progress) || 0,
      task: (d) => Number(d.task) || 0,
      unit: (d) => d.unitName || '',
      light: (d) => LIGHT_ORDER[d.light] ?? 9
    }[v.sort];
    const sign = v.dir === 'desc' ? -1 : 1;
    return (a, b) => {
      const x = key(a.dataset), y = key(b.dataset);
      const c = typeof x === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN');
      return c !== 0 ? sign * c : a.dataset.order - b.dataset.order;
    };
  }

  function select(id, label, current, options) {
    return h('label', {}, label, h('select', { id, name: id }, options.map(([value, text]) => h('option', { value, selected: value === current }, text))));
  }

  function distinct(rows, key, text) {
    const seen = new Map();
    for (const tr of rows) if (tr.dataset[key] && !seen.has(tr.dataset[key])) seen.set(tr.dataset[key], text(tr));
    return [...seen.entries()].sort((a, b) => String(a[1]).localeCompare(String(b[1]), 'zh-CN'));
  }

  // countLinks are the ledger's counts, each a link to its list.
  function countLinks(rows, page) {
    const n = (f) => rows.filter(f).length;
    const items = ['RED', 'YELLOW', 'GREEN', 'GREY'].map((l) => [t('lights.' + l), n((r) => r.dataset.light === l), { light: l }]);
    items.push([t('st.OVERDUE'), n((r) => r.dataset.status === 'OVERDUE'), { status: 'OVERDUE' }]);
    return h('div', { class: 'count-links', id: 'count-links' }, h('strong', { text: t('xCountsTitle') + ':' }),
      items.map(([label, count, p]) => h('a', { href: link(page, p), 'data-count': Object.values(p)[0] }, `${label} ${count}`)));
  }

  // enhance turns the ledger table into a filtered, sorted, paged list.
  function enhance(table, params, page) {
    const tbody = table.tBodies[0];
    const rows = [...tbody.rows];
    rows.forEach((r, i) => { r.dataset.order = i; });
    const v = viewOf(params);
    const own = state.me && (state.me.role === 'BUREAU' || state.me.role === 'COUNTY');
    const search = h('input', { type: 'search', id: 'list-q', name: 'q', value: v.q, autocomplete: 'off' });
    const from = h('input', { type: 'date', id: 'list-from', value: v.from });
    const to = h('input', { type: 'date', id: 'list-to', value: v.to });
    const plans = distinct(rows, 'plan', (r) => r.dataset.plan);
    const fields = [h('label', { class: 'search' }, t('xSearch'), search)];
    if (plans.length > 1) fields.push(select('list-plan', t('xAllPlans'), v.plan, [['', t('xAllPlans')]].concat(plans)));
    if (!own) fields.push(select('list-unit', t('unit'), v.unit, [['', t('allUnits')]].concat(distinct(rows, 'unit', (r) => r.dataset.unitName))));
    fields.push(select('list-role', t('role'), v.role, [['', t('xAllRoles')]].concat(distinct(rows, 'role', (r) => t('duty.' + r.dataset.role)))),
      select('list-status', t('status'), v.status, [['', t('xAllStatus')]].concat(distinct(rows, 'status', (r) => t('st.' + r.dataset.status)))),
      select('list-light', t('light'), v.light, [['', t('xAllLights')]].concat(['RED', 'YELLOW', 'GREEN', 'GREY'].map((l) => [l, t('lights.' + l)]))),
      h('label', {}, t('xDueFrom'), from), h('label', {}, t('xDueTo'), to),
      select('list-sort', t('xSort'), v.sort, [['due', t('xSortDue')], ['light', t('xSortLight')], ['progress', t('xSortProgress')], ['task', t('xSortTask')]].concat(own ? [] : [['unit', t('xSortUnit')]])),
      select('list-dir', t('xAsc') + '/' + t('xDesc'), v.dir, [['asc', t('xAsc')], ['desc', t('xDesc')]]),
      select('list-size', t('xPerPage'), String(v.size), SIZES.map((n) => [String(n), String(n)])));
    const clear = h('button', { type: 'button', class: 'secondary', id: 'list-clear' }, t('xClear'));
    const shown = h('span', { id: 'list-shown', 'aria-live': 'polite' });
    const pageOf = h('span', { id: 'list-page' });
    const prev = h('button', { type: 'button', class: 'secondary', id: 'list-prev' }, '← ' + t('xPrev'));
    const next = h('button', { type: 'button', class: 'secondary', id: 'list-next' }, t('xNext') + ' →');
    const none = h('p', { class: 'muted', id: 'list-none', hidden: true, text: t('xNoMatch') });
    const tools = h('section', { class: 'panel no-print list-panel', 'aria-label': t('xFilters') },
      countLinks(rows, page), h('div', { class: 'list-tools', id: 'list-tools', role: 'search' }, fields),
      h('div', { class: 'list-status' }, shown, clear, h('span', { class: 'muted small', text: t('xShare') })));
    const pager = h('nav', { class: 'pager no-print', 'aria-label': t('xPageNav') }, prev, pageOf, next);
    table.before(tools);
    table.after(none, pager);
    cardify(table);

    let focusRow = params.get('o') || '';
    // apply draws the view; after a person's change it also writes the
    // view into the address (not on the first drawing: the address already
    // holds it, and an outdated drawing must not overwrite a newer address).
    const apply = (first) => {
      const hit = rows.filter((r) => matches(r, v)).sort(compare(v));
      const pagesN = Math.max(1, Math.ceil(hit.length / v.size));
      if (focusRow) {
        const at = hit.findIndex((r) => r.dataset.obligation === focusRow);
        if (at >= 0) v.page = Math.floor(at / v.size) + 1;
        focusRow = '';
      }
      v.page = Math.min(v.page, pagesN);
      const start = (v.page - 1) * v.size;
      const onPage = new Set(hit.slice(start, start + v.size));
      tbody.append(...hit, ...rows.filter((r) => !onPage.has(r) && !hit.includes(r)));
      for (const r of rows) r.hidden = !onPage.has(r);
      shown.textContent = fill(t('xShown'), { n: hit.length });
      pageOf.textContent = fill(t('xPageOf'), { p: v.page, n: pagesN });
      prev.disabled = v.page <= 1;
      next.disabled = v.page >= pagesN;
      none.hidden = hit.length > 0;
      table.hidden = hit.length === 0;
      table.dataset.page = v.page;
      if (first !== true) remember(page, v, params);
    };
    const set = (k, val) => { v[k] = val; v.page = 1; apply(); };
    search.addEventListener('input', () => set('q', search.value.trim()));
    from.addEventListener('change', () => set('from', from.value));
    to.addEventListener('change', () => set('to', to.value));
    for (const [id, k] of [['list-plan', 'plan'], ['list-unit', 'unit'], ['list-role', 'role'], ['list-status', 'status'], ['list-light', 'light'], ['list-sort', 'sort'], ['list-dir', 'dir'], ['list-size', 'size']]) {
      const el = tools.querySelector('#' + id);
      if (el) el.addEventListener('change', () => set(k, k === 'size' ? Number(el.value) : el.value));
    }
    prev.addEventListener('click', () => { v.page -= 1; apply(); table.scrollIntoView({ block: 'start' }); });
    next.addEventListener('click', () => { v.page += 1; apply(); table.scrollIntoView({ block: 'start' }); });
    clear.addEventListener('click', () => { location.hash = link(page); });
    apply(true);
  }

  const minePage = pages.mine;
  pages.mine = async function (main, params, flash) {
    await minePage(main, params, flash);
    const table = [...main.querySelectorAll('table.obligations')].find((x) => x.id !== 'just-done');
    if (table && table.tBodies[0] && table.tBodies[0].rows.length) enhance(table, params, 'mine');
    main.querySelectorAll('table.obligations').forEach(cardify);
  };

  // Other pages' obligation tables read as cards on a phone too.
  for (const name of ['myunit', 'led']) {
    const before = pages[name];
    if (!before) continue;
    pages[name] = async function (main, params, flash) {
      await before(main, params, flash);
      main.querySelectorAll('table.obligations').forEach(cardify);
    };
  }

  // scrollBoxes puts every other table of a drawn page in a box of its own
  // that scrolls sideways on a narrow screen, reachable by keyboard.
  function scrollBoxes(root) {
    const title = (document.getElementById('page-title') || {}).textContent || '';
    for (const table of root.querySelectorAll('table:not(.cards)')) {
      if (table.closest('.scroll-x')) continue;
      const box = h('div', { class: 'scroll-x', tabindex: 0, role: 'region', 'aria-label': title });
      table.before(box);
      box.append(table);
    }
  }
  new MutationObserver((changes) => {
    for (const c of changes) if (c.target.getAttribute && c.target.getAttribute('data-ready') === 'true') scrollBoxes(c.target);
  }).observe(document.getElementById('main'), { subtree: true, attributes: true, attributeFilter: ['data-ready'] });

  // Rankings say in plain words how grades are given and why a grade can
  // sit below what the score earns.
  for (const name of ['scorecards', 'public']) {
    const before = pages[name];
    pages[name] = async function (main, params, flash) {
      await before(main, params, flash);
      if (main.querySelector('table.ranking')) main.append(h('p', { class: 'muted grade-legend', id: 'grade-legend', text: t('xGradeLegend') }));
      // A unit's slips link to its card, whose lines list them.
      for (const tr of main.querySelectorAll('tr.card-row')) {
        const unit = tr.querySelector('a.unit-link');
        const cell = tr.cells[tr.cells.length - 1];
        if (unit && Number(cell.textContent) > 0) {
          cell.replaceChildren(h('a', { href: unit.getAttribute('href'), class: 'slips-link', 'aria-label': `${unit.textContent} ${t('slips')} ${cell.textContent}` }, cell.textContent));
        }
      }
    };
  }

  // The task board's light counts link to the ledger filtered by light.
  const tasksPage = pages.tasks;
  pages.tasks = async function (main, params, flash) {
    await tasksPage(main, params, flash);
    for (const span of main.querySelectorAll('#light-counts > span')) {
      const dot = span.querySelector('.light');
      const l = dot && ['GREEN', 'YELLOW', 'RED', 'GREY'].find((x) => dot.classList.contains(x));
      if (!l) continue;
      const a = h('a', { href: link('mine', { light: l }), 'data-count': l });
      a.append(...span.childNodes);
      span.replaceChildren(a);
    }
  };
})();
