// taskledger dashboard: the audit page (#/audit) names units instead of
// their ids, and without a task it lands on a task picker and a timeline
// of the latest progress reports instead of an empty page.
'use strict';
(function () {
  const tl = window.taskledger;
  if (!tl) return;
  const { h, t, gql, pages, link, state, lightDot, fmtTime } = tl;
  const ui = window.taskledgerUI;

  // loadUnits fills the names the audit rows show for unit ids.
  async function loadUnits() {
    if (ui.units.size) return;
    const d = await gql('{ units(first: 500) { nodes { id name } } }');
    for (const u of d.units.nodes) ui.units.set(u.id, u.name);
  }

  const PICK = `{ tasks(first: 500) { nodes { number label chapter title obligations { light } } } }`;
  const RECENT = `{ obligations(first: 500) { nodes { task taskTitle unitName role lastReport { percent note recordedAt } } } }`;

  // picker lists the plan's tasks, with a filter, each linking to its trail.
  function picker(tasks) {
    const list = h('ul', { class: 'picker', id: 'task-picker' }, tasks.map((tk) => {
      const red = tk.obligations.filter((o) => o.light === 'RED').length;
      return h('li', { 'data-task': tk.number, 'data-text': `${tk.number} ${tk.label || ''} ${tk.title} ${tk.chapter || ''}`.toLowerCase() },
        h('a', { href: link('audit', { task: tk.number }) }, h('strong', { text: `${tk.label || tk.number} ` }), tk.title,
          h('div', { class: 'meta' }, ui.fill(t('xDutiesN'), { n: tk.obligations.length }), red ? [' · ', lightDot('RED'), ui.fill(t('xRedN'), { n: red })] : null)));
    }));
    const filter = h('input', { type: 'search', id: 'task-filter', autocomplete: 'off' });
    filter.addEventListener('input', () => {
      const q = filter.value.trim().toLowerCase();
      for (const li of list.children) li.hidden = q !== '' && !li.dataset.text.includes(q);
    });
    return h('section', { class: 'panel', id: 'pick-task' }, h('h2', { text: t('xPickTask') }),
      h('div', { class: 'controls' }, h('label', {}, t('xPickFilter'), filter)), list);
  }

  // timeline is the latest progress reports across the ledger, newest first.
  function timeline(items) {
    const reports = items.filter((o) => o.lastReport).sort((a, b) => b.lastReport.recordedAt.localeCompare(a.lastReport.recordedAt)).slice(0, 15);
    return h('section', { class: 'panel', id: 'recent' }, h('h2', { text: t('xRecent') }),
      reports.length ? h('ol', { class: 'timeline' }, reports.map((o) => h('li', { 'data-task': o.task },
        h('div', { class: 'muted small', text: fmtTime(o.lastReport.recordedAt) }),
        h('div', {}, h('strong', { text: `${o.unitName}（${t('duty.' + o.role)}）` }), ` ${ui.fill(t('xTaskN'), { n: o.task })} ${o.taskTitle || ''}`),
        h('div', { text: `${t('xLastUpdate')} ${o.lastReport.percent}%${o.lastReport.note ? ' · ' + o.lastReport.note : ''}` }),
        h('a', { href: link('audit', { task: o.task }) }, t('xOpenTrail') + ' →')))) : h('p', { class: 'muted', text: t('xNoData') }));
  }

  const auditPage = pages.audit;
  pages.audit = async function (main, params, flash) {
    await loadUnits();
    await auditPage(main, params, flash);
    const own = state.me.role === 'BUREAU' || state.me.role === 'COUNTY';
    if (params.get('task') || own) return;
    // No task chosen: replace the bare prompt with a picker and a timeline.
    const prompt = [...main.querySelectorAll(':scope > p.muted')].pop();
    const [tasks, recent] = await Promise.all([gql(PICK), gql(RECENT)]);
    const parts = [picker(tasks.tasks.nodes), timeline(recent.obligations.nodes)];
    if (prompt) prompt.replaceWith(...parts);
    else main.append(...parts);
  };
})();
