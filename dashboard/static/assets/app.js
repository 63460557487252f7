// taskledger dashboard: a single page over the GraphQL API at /graphql.
// Plain JavaScript, no framework, no network access beyond this origin.
'use strict';
(function () {
  const I18N = {
    zh: {
      brand: '任务落实台账', public: '公开排名', scorecards: '考核排名', tasks: '任务看板', mine: '我的任务',
      ledgerAll: '任务台账', audit: '审计轨迹', login: '登录', logout: '退出', lang: 'English',
      demo: '演示模式', loading: '加载中…', refused: '服务器拒绝：', failed: '请求失败：',
      year: '年度', kind: '类别', bureau: '市直部门', county: '旗县区', show: '查询', rank: '名次', unit: '单位',
      score: '得分', grade: '等次', slips: '延误', lines: '得分明细', eventsN: '个事件', rule: '规则', points: '分值', why: '说明',
      obligation: '涉及义务', events: '依据事件', back: '返回排名', download: '下载', print: '打印',
      noPublished: '该年度尚未公开发布排名。', publishedAt: '发布时间', verified: '已复核：与账本重新计算一致',
      notVerified: '复核失败：重新计算与发布摘要不一致', scheme: '评分办法', asOf: '截至', digest: '摘要',
      publishedYes: '已公开发布', publishedNo: '未发布（内部计算结果）',
      tokenLabel: '访问令牌（tl_ 开头，由管理员发放）', tokenHelp: '令牌只保存在本浏览器标签页（sessionStorage），关闭标签页即清除。',
      badToken: '令牌无效或已撤销。', loggedInAs: '已登录：', role: '角色',
      roles: { COORDINATOR: '计划办', BUREAU: '市直部门', COUNTY: '旗县区政府', INSPECTOR: '督查', COMMITTEE: '考核委员会', PUBLIC: '公众' },
      task: '任务', chapter: '章节', due: '期限', progress: '进度', status: '状态', light: '信号灯', nextDue: '下一期限',
      milestones: '里程碑', lastReport: '最近报告', pending: '待批延期', total: '共', items: '项',
      awaiting: '已申报，待核验（核验前不计完成）', lateReport: '逾期补报', backfill: '待补录（早于跟踪起始日，不计分）',
      reportProgress: '报告进展', percent: '完成比例（%）', period: '所属月份', note: '说明', submit: '提交',
      requestExtension: '申请延期', milestone: '里程碑', newDue: '申请延至', reason: '理由',
      claimCompletion: '申报完成', evidence: '佐证材料', chooseObligation: '选择义务', recorded: '已记录：',
      position: '账本位置', notOwner: '只有市直部门和旗县区令牌可以报告进展、申请延期和申报完成；此处为只读台账。',
      auditTask: '任务编号', auditUnit: '单位', asOfDate: '截至日期（含当日）', intact: '哈希链完整：每个事件的内容与哈希一致，链接未断',
      broken: '哈希链验证失败：存在内容与哈希不符或链接断裂的事件', type: '类型', actor: '操作者', recordedAt: '记录时间',
      effectiveAt: '所述时间', flags: '标记', hash: '哈希', stream: '事件流', more: '加载更多', none: '无', what: '内容',
      lightCounts: '信号灯统计', allUnits: '全部单位', needLogin: '请先登录。', roleLabel: '令牌角色',
      exportLedger: '导出台账', exportScore: '导出排名', exportAudit: '导出审计轨迹', auditLink: '审计轨迹',
      duty: { LEAD: '牵头', JOINT: '分工负责', SUPPORT: '配合', IMPLEMENTING: '落实' },
      st: { OPEN: '推进中', EXTENDED: '已延期', COMPLETION_CLAIMED: '已申报完成', VERIFIED: '已核验', REJECTED: '被驳回', WITHDRAWN: '已撤销', REASSIGNED: '已调整', OVERDUE: '逾期', SENT_BACK: '退回修改' },
      lights: { GREEN: '绿灯', YELLOW: '黄灯', RED: '红灯', GREY: '灰灯' },
      completion: { NONE: '', CLAIMED: '已申报', VERIFIED: '已核验', REJECTED: '被驳回' },
      printNote: '打印时间', footer: '所有数据均由不可篡改的事件账本计算得出。',
      duplicate: '重复提交：账本中已有此记录，没有再次记录。', notCaughtUp: '已记录，但页面数据尚未更新，请稍后刷新。',
      coordinatorNote: '计划办在此审批延期申请；进展报告、延期申请和完成申报由市直部门和旗县区提交。',
      inspectorNote: '督查在此核验或驳回完成申报、记录督查发现；进展报告和申报由市直部门和旗县区提交。',
      decisions: '待审批的延期申请', noDecisions: '暂无待审批的延期申请。', currentDue: '现期限', requestedAt: '申请时间',
      grant: '批准延期', grantDue: '批准延至', decisionNote: '批示意见（可选）', refuse: '不予批准', refuseReason: '不予批准的理由（必填）',
      claims: '待核验的完成申报', noClaims: '暂无待核验的完成申报。', wholeDuty: '整项任务',
      verify: '核验通过', verifyNote: '核验意见（可选）', reject: '驳回', rejectReason: '驳回理由（必填）',
      recordFinding: '记录督查发现', findingKind: '问题类型', severity: '严重程度', findingSummary: '问题概述（必填）', rectifyBy: '整改期限（可选）',
      findingsN: '督查发现', fk: { FALSE_REPORT: '弄虚作假', OTHER: '其他问题' }, sev: { MINOR: '一般', MAJOR: '较重', SEVERE: '严重' },
      justDone: '刚处理的义务', pendingDecisionsN: '项延期申请待审批', pendingClaimsN: '项完成申报待核验', openQueue: '前往处理',
      publish: '发布', publishTitle: '公开发布本排名', publishConfirm: '确认发布', cancel: '取消',
      publishWarn: '发布后，账本将永久记录一条发布事件，不能撤回或删除；本排名将显示在公开排名页面，任何人无需登录即可查看。',
      publishWhat: '发布内容', lastPublication: '最近一次发布', viewPublic: '查看公开排名',
      changedSince: '与最近一次发布不同（内部计算结果）', sameAsPublished: '当前排名与已发布结果一致',
      schemeNotAdopted: '该年度尚未采用评分办法，暂不能发布。', needText: '请填写此项（不能只有空格）。',
      air: '空气质量', airTitle: '空气质量（按HJ 663评价）', cityWide: '全市', pm25: 'PM2.5年均浓度（μg/m³）', validDays: '有效天数',
      goodRatio: '优良天数比例', goodDays: '优良天数', heavyDays: '重度及以上污染天数', noxCut: '氮氧化物减排量（吨）', vocsCut: '挥发性有机物减排量（吨）',
      notAssessable: '不可评价', notRecorded: '未记录', throughMonth: '统计至', monthUnit: '月', fullYear: '全年',
      airNote: '全市数据为全市监测网络自身录入的数值，不是各旗县区的平均；年均浓度按有效天加权，优良天数比例＝优良天数÷有效天数；有效天数不足（每月至少27天、2月至少25天、全年至少324天）时显示为“不可评价”。',
      target: '目标', sinceBaseline: '基准年后累计', required: '应减', es: { MET: '已达到', NOT_MET: '尚未达到', NO_TARGET: '方案未设目标', NO_BASELINE: '基准年排放量未录入' }
    },
    en: {
      brand: 'Task ledger', public: 'Public rankings', scorecards: 'Scorecards', tasks: 'Task board', mine: 'My obligations',
      ledgerAll: 'Obligations ledger', audit: 'Audit trail', login: 'Log in', logout: 'Log out', lang: '中文',
      demo: 'Demo mode', loading: 'Loading…', refused: 'Refused by the server:', failed: 'Request failed:',
      year: 'Year', kind: 'Kind', bureau: 'Bureaus', county: 'Counties', show: 'Show', rank: 'Rank', unit: 'Unit',
      score: 'Score', grade: 'Grade', slips: 'Slips', lines: 'Line items', eventsN: 'events', rule: 'Rule', points: 'Points', why: 'Explanation',
      obligation: 'Obligation', events: 'Events', back: 'Back to rankings', download: 'Download', print: 'Print',
      noPublished: 'No rankings have been published for this year.', publishedAt: 'Published', verified: 'Verified: recomputing from the ledger gives the published digest',
      notVerified: 'Verification FAILED: the recomputation does not match the published digest', scheme: 'Scheme', asOf: 'As of', digest: 'Digest',
      publishedYes: 'Published', publishedNo: 'Not published (internal computation)',
      tokenLabel: 'Access token (starts with tl_, issued by the administrator)', tokenHelp: 'The token is kept only in this browser tab (sessionStorage) and is gone when the tab closes.',
      badToken: 'The token is invalid or revoked.', loggedInAs: 'Logged in:', role: 'Role',
      roles: { COORDINATOR: 'Plan office', BUREAU: 'Bureau', COUNTY: 'County', INSPECTOR: 'Inspector', COMMITTEE: 'Committee', PUBLIC: 'Public' },
      task: 'Task', chapter: 'Chapter', due: 'Due', progress: 'Progress', status: 'Status', light: 'Light', nextDue: 'Next due',
      milestones: 'Milestones', lastReport: 'Last report', pending: 'Pending extension', total: 'Total', items: 'items',
      awaiting: 'claimed, awaiting verification (not counted until verified)', lateReport: 'late report', backfill: 'to be backfilled (due before tracking began; not scored)',
      reportProgress: 'Report progress', percent: 'Percent complete', period: 'Month', note: 'Note', submit: 'Submit',
      requestExtension: 'Request an extension', milestone: 'Milestone', newDue: 'New due date', reason: 'Reason',
      claimCompletion: 'Claim completion', evidence: 'Evidence', chooseObligation: 'Obligation', recorded: 'Recorded:',
      position: 'Position', notOwner: 'Only bureau and county tokens report progress, request extensions and claim completion; this ledger is read-only.',
      auditTask: 'Task number', auditUnit: 'Unit', asOfDate: 'As of (end of day)', intact: 'Hash chain intact: every event matches its hash and no link is broken',
      broken: 'Hash chain verification FAILED: an event does not match its hash or a link is broken', type: 'Type', actor: 'Actor', recordedAt: 'Recorded',
      effectiveAt: 'Effective', flags: 'Flags', hash: 'Hash', stream: 'Stream', more: 'Load more', none: 'none', what: 'What it records',
      lightCounts: 'Lights', allUnits: 'All units', needLogin: 'Please log in first.', roleLabel: 'Role',
      exportLedger: 'Export ledger', exportScore: 'Export rankings', exportAudit: 'Export trail', auditLink: 'Audit trail',
      duty: { LEAD: 'lead', JOINT: 'joint', SUPPORT: 'support', IMPLEMENTING: 'implementing' },
      st: { OPEN: 'open', EXTENDED: 'extended', COMPLETION_CLAIMED: 'completion claimed', VERIFIED: 'verified', REJECTED: 'rejected', WITHDRAWN: 'withdrawn', REASSIGNED: 'reassigned', OVERDUE: 'overdue', SENT_BACK: 'sent back for revision' },
      lights: { GREEN: 'green', YELLOW: 'yellow', RED: 'red', GREY: 'grey' },
      completion: { NONE: '', CLAIMED: 'claimed', VERIFIED: 'verified', REJECTED: 'rejected' },
      printNote: 'Printed', footer: 'Every figure is computed from a tamper-evident event ledger.',
      duplicate: 'Duplicate: the ledger already holds this; nothing was recorded twice.', notCaughtUp: 'Recorded, but the page data has not caught up yet; refresh in a moment.',
      coordinatorNote: 'The plan office decides extension requests here; bureaus and counties file progress reports, extension requests and completion claims.',
      inspectorNote: 'Inspectors verify or reject completion claims and record findings here; bureaus and counties file reports and claims.',
      decisions: 'Extension requests awaiting a decision', noDecisions: 'No extension request is waiting for a decision.', currentDue: 'Current due date', requestedAt: 'Requested',
      grant: 'Grant', grantDue: 'Granted due date', decisionNote: 'Note (optional)', refuse: 'Refuse', refuseReason: 'Reason for refusing (required)',
      claims: 'Completion claims awaiting verification', noClaims: 'No completion claim is waiting for verification.', wholeDuty: 'the whole duty',
      verify: 'Verify', verifyNote: 'Note (optional)', reject: 'Reject', rejectReason: 'Reason for rejecting (required)',
      recordFinding: 'Record a finding', findingKind: 'Kind', severity: 'Severity', findingSummary: 'Summary (required)', rectifyBy: 'Rectify by (optional)',
      findingsN: 'Findings', fk: { FALSE_REPORT: 'false report', OTHER: 'other' }, sev: { MINOR: 'minor', MAJOR: 'major', SEVERE: 'severe' },
      justDone: 'Just decided', pendingDecisionsN: 'extension requests await a decision', pendingClaimsN: 'completion claims await verification', openQueue: 'Open',
      publish: 'Publish', publishTitle: 'Publish this ranking', publishConfirm: 'Confirm and publish', cancel: 'Cancel',
      publishWarn: 'Publishing records a publication event in the ledger permanently: it cannot be withdrawn or deleted. The ranking is then shown on the public page, to anyone, without logging in.',
      publishWhat: 'What is published', lastPublication: 'Latest publication', viewPublic: 'View the public page',
      changedSince: 'Differs from the latest publication (internal computation)', sameAsPublished: 'The current ranking is the published one',
      schemeNotAdopted: 'No scoring scheme is adopted for this year; it cannot be published yet.', needText: 'Please fill this in (not just spaces).',
      air: 'Air quality', airTitle: 'Air quality (assessed per HJ 663)', cityWide: 'Whole city', pm25: 'Annual mean PM2.5 (μg/m³)', validDays: 'Valid days',
      goodRatio: 'Good-day ratio', goodDays: 'Good days', heavyDays: 'Heavy-pollution days', noxCut: 'NOx reduction (t)', vocsCut: 'VOCs reduction (t)',
      notAssessable: 'Not assessable', notRecorded: 'Not recorded', throughMonth: 'Through month', monthUnit: '', fullYear: 'Full year',
      airNote: "The whole city's figures are those recorded for the city's own monitoring network, not an average of the counties; the annual mean is weighted by valid days and the good-day ratio is good days ÷ valid days; with too few valid days (27 a month, 25 in February, 324 a year) a figure is shown as not assessable.",
      target: 'Target', sinceBaseline: 'since the baseline year', required: 'required', es: { MET: 'met', NOT_MET: 'not yet met', NO_TARGET: 'no target in the plan', NO_BASELINE: 'baseline emissions not recorded' }
    }
  };

  const TOKEN_KEY = 'taskledger.token';
  const LANG_KEY = 'taskledger.lang';
  // The second catalogue and the issue-19 texts live in assets/i18n.js.
  const ui = window.taskledgerUI; // assets/i18n.js, loaded first
  ui.merge(I18N);
  const state = { lang: ui.lang(localStorage.getItem(LANG_KEY)), token: sessionStorage.getItem(TOKEN_KEY) || '', me: null, ledger: null };

  function t(key) {
    const parts = key.split('.');
    let v = I18N[state.lang];
    for (const p of parts) v = v == null ? undefined : v[p];
    return v == null ? key : v;
  }

  // flagText words an audit flag; a flag the catalogue does not know is
  // shown as the API names it.
  function flagText(f) {
    const v = t('xFlag.' + f);
    return v === 'xFlag.' + f ? f : v;
  }

  // h builds an element: h('a', {href: '#', class: 'x', onclick: fn}, child…).
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c == null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const SVGNS = 'http://www.w3.org/2000/svg';
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return el;
  }

  class ApiError extends Error {
    constructor(message, code) { super(message); this.code = code; }
  }

  // gql posts one operation to /graphql with the bearer token, if any.
  async function gql(query, variables) {
    const headers = { 'Content-Type': 'application/json' };
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    else if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
    if (state.lang === 'en') headers['Accept-Language'] = 'en';
    let res;
    try {
      res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables: variables || {} }) });
    } catch (e) {
      throw new ApiError(String(e.message || e), 'NETWORK');
    }
    let body;
    try { body = await res.json(); } catch (e) { throw new ApiError('HTTP ' + res.status, 'HTTP_' + res.status); }
    if (body.errors && body.errors.length) {
      const e = body.errors[0];
      // Chinese first, English second, where the server words both.
      const zh = state.lang === 'zh' && e.extensions && e.extensions.messageZH;
      throw new ApiError(zh && zh !== e.message ? `${zh}（${e.message}）` : (zh || e.message), (e.extensions && e.extensions.code) || 'HTTP_' + res.status);
    }
    // A mutation's refusal of its input comes back in its payload's userErrors.
    for (const v of Object.values(body.data || {})) {
      const ue = v && v.userErrors && v.userErrors[0];
      if (ue) {
        const both = ue.message !== ue.messageEn;
        throw new ApiError(state.lang === 'zh' ? (both ? `${ue.message}（${ue.messageEn}）` : ue.message) : ue.messageEn, ue.code);
      }
    }
    return body.data;
  }

  // nodes turns a Relay connection ({ edges { cursor node } pageInfo
  // totalCount }) into the list of its nodes.
  function nodes(conn) {
    return conn && conn.edges ? conn.edges.map((e) => e.node) : [];
  }

  // newKey makes an idempotency key (crypto.getRandomValues works on plain http too).
  function newKey() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return 'dash-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  function errorBox(err, prefix) {
    return h('div', { class: 'error', role: 'alert', 'data-code': err.code || '' },
      h('strong', { text: prefix || t('refused') }), ' ', h('span', { class: 'msg', text: err.message }),
      err.code ? h('code', { class: 'code', text: err.code }) : null);
  }

  // outcomeUnknown: the request failed so that the server may or may not
  // have recorded it (the network, a proxy or the server failed). A retry
  // must then send the same idempotency key; any other answer is final.
  function outcomeUnknown(e) { return e.code === 'NETWORK' || e.code === 'INTERNAL' || /^HTTP_5/.test(e.code || ''); }

  // submitMutation runs one mutation document (which asks for wait: true and
  // selects position summary duplicate caughtUp) with holder.key as its
  // $key. Every button in group is disabled while the request is in flight.
  // The key is kept when the outcome is unknown, so that pressing the button
  // again records nothing twice; an answer starts a new key. Success drops
  // cached reads and re-renders the page with a note of what was recorded
  // (extra: route parameters for the re-render); a refusal or failure shows
  // the server's message and extensions.code in msg.
  async function submitMutation(doc, vars, holder, msg, group, extra) {
    msg.replaceChildren();
    const buttons = Array.from(group.querySelectorAll('button')).filter((b) => !b.disabled);
    buttons.forEach((b) => { b.disabled = true; });
    let r;
    try {
      r = Object.values(await gql(doc, Object.assign({ key: holder.key }, vars)))[0];
    } catch (e) {
      if (!outcomeUnknown(e)) holder.key = newKey();
      msg.replaceChildren(errorBox(e, e.code === 'NETWORK' ? t('failed') : t('refused')));
      buttons.forEach((b) => { b.disabled = false; });
      return;
    }
    holder.key = newKey();
    scoreCache.clear();
    const flash = h('div', { class: 'success', role: 'status', 'data-duplicate': String(!!r.duplicate) },
      h('strong', { text: t('recorded') }), ' ', r.summary, r.position != null ? h('code', { text: `${t('position')} ${r.position}` }) : null,
      r.duplicate ? h('div', { class: 'note', text: t('duplicate') }) : null,
      r.caughtUp === false ? h('div', { class: 'note', text: t('notCaughtUp') }) : null);
    await rerender(flash, extra);
  }

  // actionForm is a form that runs one mutation through submitMutation.
  // opts: id, cls, title, fields, label (the button), danger, msg, group
  // (default the form), build() → [document, variables, re-render params].
  function actionForm(opts) {
    const holder = { key: newKey() };
    const button = h('button', {
      class: opts.danger ? 'danger' : 'primary', type: 'submit',
      onclick: () => form.querySelectorAll('[data-require-text]').forEach(checkText)
    }, opts.label || t('submit'));
    const form = h('form', {
      id: opts.id, class: opts.cls,
      onsubmit: async (ev) => {
        ev.preventDefault();
        // build may upload evidence files first (a promise); a refused
        // upload records nothing and is shown like a refused mutation.
        let built;
        try { built = await opts.build(); } catch (e) {
          opts.msg.replaceChildren(errorBox(e, e.code === 'NETWORK' ? t('failed') : t('refused')));
          return;
        }
        const [doc, vars, extra] = built;
        return submitMutation(doc, vars, holder, opts.msg, opts.group || form, extra);
      }
    }, opts.title ? h('h3', { text: opts.title }) : null, opts.fields, button);
    return form;
  }

  // requireText makes a text field refuse blank or whitespace-only input in
  // the browser (the server refuses it too, or would record an empty reason).
  // actionForm re-checks such fields when its button is pressed, before the
  // browser validates the form.
  function checkText(el) { el.setCustomValidity(el.value.trim() ? '' : t('needText')); }
  function requireText(el) {
    el.required = true;
    el.setAttribute('data-require-text', '');
    el.addEventListener('input', () => checkText(el));
    checkText(el);
    return el;
  }

  // obligationInput names an obligation for a mutation.
  function obligationInput(o) { return { plan: o.plan, task: o.task, unit: o.unit, role: o.role }; }

  const tz = 'Asia/Shanghai';
  function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    const p = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
    const g = (k) => (p.find((x) => x.type === k) || {}).value;
    return `${g('year')}-${g('month')}-${g('day')} ${g('hour')}:${g('minute')}`;
  }
  const GRADES = { '优秀': 'g1', '良好': 'g2', '合格': 'g3', '不合格': 'g4' };
  // gradeClass colours a card by its grade (a capped grade can be below what the total earns).
  function gradeClass(total, grade) { return GRADES[grade] || (total >= 90 ? 'g1' : total >= 80 ? 'g2' : total >= 60 ? 'g3' : 'g4'); }
  function gradeText(c) { return state.lang === 'en' && c.gradeEn ? c.gradeEn : c.grade; }
  function lightDot(l) { return h('span', { class: 'light ' + l, role: 'img', title: t('lights.' + l), 'aria-label': t('lights.' + l) }); }
  function progressBar(p) {
    const bar = h('span', { class: 'progress', role: 'progressbar', 'aria-label': t('progress'), 'aria-valuenow': p, 'aria-valuemin': 0, 'aria-valuemax': 100 }, h('span'));
    bar.firstChild.style.width = Math.max(0, Math.min(100, p)) + '%';
    return bar;
  }
  function scoreBar(total, grade) {
    const w = 240, v = Math.max(0, Math.min(100, total));
    const colors = { g1: '#2e7d32', g2: '#33691e', g3: '#8a5a00', g4: '#c62828' };
    return s('svg', { class: 'bar', width: w, height: 16, viewBox: `0 0 ${w} 16`, role: 'img', 'aria-label': String(total) },
      s('rect', { x: 0, y: 2, width: w, height: 12, fill: '#e3e8ee', rx: 2 }),
      s('rect', { x: 0, y: 2, width: (w * v / 100).toFixed(1), height: 12, fill: colors[gradeClass(total, grade)], rx: 2 }),
      s('line', { x1: w * 0.6, x2: w * 0.6, y1: 0, y2: 16, stroke: '#5b6876', 'stroke-dasharray': '2,2' }),
      s('line', { x1: w * 0.9, x2: w * 0.9, y1: 0, y2: 16, stroke: '#5b6876', 'stroke-dasharray': '2,2' }));
  }

  // route reads location.hash: #/page?a=1&b=2.
  function route() {
    const raw = location.hash.replace(/^#\/?/, '');
    const [page, q] = raw.split('?');
    return { page: page || (state.token || state.csrf ? 'tasks' : 'public'), params: new URLSearchParams(q || '') };
  }
  function link(page, params) {
    const q = new URLSearchParams(params || {}).toString();
    return '#/' + page + (q ? '?' + q : '');
  }

  function defaultYear() {
    const now = state.ledger && state.ledger.now ? new Date(state.ledger.now) : new Date();
    return now.getUTCFullYear() - 1;
  }

  // download fetches an export with the token and saves it as a file.
  async function download(url, msgEl) {
    msgEl.replaceChildren();
    const headers = {};
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    try {
      const res = await fetch(url, { headers });
      if (!res.ok) {
        let e = { message: 'HTTP ' + res.status, code: 'HTTP_' + res.status };
        try { e = (await res.json()).error || e; } catch (x) { /* not JSON */ }
        msgEl.append(errorBox(new ApiError(e.message, e.code)));
        return;
      }
      const blob = await res.blob();
      const cd = res.headers.get('Content-Disposition') || '';
      const m = /filename\*=UTF-8''([^;]+)/.exec(cd);
      const a = h('a', { href: URL.createObjectURL(blob), download: m ? decodeURIComponent(m[1]) : url.split('/').pop().split('?')[0] });
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    } catch (e) {
      msgEl.append(errorBox(new ApiError(String(e.message || e), 'NETWORK'), t('failed')));
    }
  }
  function exportButtons(path, params, label) {
    const msg = h('div', { class: 'export-msg' });
    const q = new URLSearchParams(params).toString();
    const mk = (fmt) => h('button', { class: 'secondary', type: 'button', 'data-export': fmt, onclick: () => download(`/export/${path}.${fmt}?${q}`, msg) }, `${label} ${fmt.toUpperCase()}`);
    return h('div', { class: 'no-print export' }, h('div', { class: 'controls' }, mk('xlsx'), mk('csv'),
      h('button', { class: 'secondary', type: 'button', onclick: () => window.print() }, t('print'))), msg);
  }

  // ---- chrome: navigation, language, login state, demo banner ----

  function navItems() {
    const role = state.me ? state.me.role : 'PUBLIC';
    const items = [['public', t('public')]];
    if (role === 'PUBLIC') return items.concat([['login', t('login')]]);
    if (role === 'COMMITTEE' || role === 'INSPECTOR') items.push(['scorecards', t('scorecards')]);
    items.push(['tasks', t('tasks')]);
    items.push(['air', t('air')]);
    items.push(['mine', role === 'BUREAU' || role === 'COUNTY' ? t('mine') : t('ledgerAll')]);
    if (role === 'INSPECTOR' || role === 'BUREAU' || role === 'COUNTY') items.push(['audit', t('audit')]);
    if (role === 'BUREAU' || role === 'COUNTY') items.push(['led', rt('led')]);
    items.push(['myunit', t('myUnit')]);
    if (state.csrf) items.push(['password', t('password')]);
    return items;
  }

  function renderChrome(page) {
    document.documentElement.lang = state.lang === 'en' ? 'en' : 'zh-CN';
    document.getElementById('brand-name').textContent = 'taskledger · ' + t('brand');
    const nav = document.getElementById('nav');
    nav.replaceChildren(...navItems().map(([p, label]) => h('a', { href: link(p), class: p === page ? 'active' : null, id: 'nav-' + p }, label)));
    const tools = document.getElementById('tools');
    tools.replaceChildren();
    if (state.me && state.me.role !== 'PUBLIC') {
      const who = (state.me.person ? state.me.person + ' · ' : '') + (state.me.unit ? state.me.unit.name + ' · ' : '') + t('roles.' + state.me.role);
      tools.append(h('span', { class: 'who', id: 'who', text: who }),
        h('button', { type: 'button', id: 'logout', onclick: logout }, t('logout')));
    }
    tools.append(h('button', { type: 'button', id: 'lang', onclick: () => { state.lang = state.lang === 'zh' ? 'en' : 'zh'; localStorage.setItem(LANG_KEY, state.lang); render(); } }, t('lang')));
    const banner = document.getElementById('demo-banner');
    if (state.ledger && state.ledger.mode === 'demo') {
      banner.hidden = false;
      banner.replaceChildren(h('strong', { text: '⚠ ' + t('demo') }), state.ledger.notice || 'SIMULATED');
    } else {
      banner.hidden = true;
    }
    document.getElementById('foot').textContent = t('footer');
  }

  function logout() {
    if (state.csrf) endSession();
    state.token = '';
    state.me = null;
    sessionStorage.removeItem(TOKEN_KEY);
    location.hash = link('public');
    render();
  }

  // ---- pages ----

  const pages = {};

  pages.login = async function (main) {
    const input = h('textarea', { id: 'token', name: 'token', rows: 2, autocomplete: 'off', spellcheck: 'false', required: true });
    const msg = h('div');
    const form = h('form', {
      id: 'login-form',
      onsubmit: async (ev) => {
        ev.preventDefault();
        msg.replaceChildren();
        const token = input.value.trim().replace(/^Bearer\s+/i, '');
        const saved = state.token;
        state.token = token;
        try {
          const d = await gql('{ me { role unitId name actor unit { id name } } }');
          if (d.me.role === 'PUBLIC') throw new ApiError(t('badToken'), 'UNAUTHENTICATED');
          state.me = d.me;
          sessionStorage.setItem(TOKEN_KEY, token);
          location.hash = link(d.me.role === 'BUREAU' || d.me.role === 'COUNTY' ? 'mine' : d.me.role === 'COORDINATOR' ? 'tasks' : d.me.role === 'INSPECTOR' ? 'audit' : 'scorecards');
        } catch (e) {
          state.token = saved;
          msg.append(errorBox(e.code === 'UNAUTHENTICATED' ? new ApiError(t('badToken') + ' ' + e.message, e.code) : e));
        }
      }
    }, h('label', {}, t('tokenLabel'), input), h('p', { class: 'muted', text: t('tokenHelp') }), h('div', {}, h('button', { class: 'primary', type: 'submit', id: 'login-submit' }, t('login'))), msg);
    main.append(h('h1', { id: 'page-title', text: t('login') }), h('div', { class: 'panel login' }, form));
  };

  function rankingTable(cards, opts) {
    const body = cards.map((c) => h('tr', { class: 'card-row', 'data-unit': c.unit },
      h('td', { class: 'num', text: c.rank }),
      h('td', { class: 'unit-name' }, opts.linkUnit ? h('a', { href: link('unit', { unit: c.unit, year: opts.year, kind: opts.kind }), class: 'unit-link' }, c.name) : c.name),
      h('td', { class: 'score-bar' }, scoreBar(c.total, c.grade)),
      h('td', { class: 'num total', text: c.totalText }),
      h('td', {}, h('span', { class: 'grade ' + gradeClass(c.total, c.grade), text: gradeText(c) }), c.gradeCapped ? h('div', { class: 'cap-note small', text: ui.fill(t('xCapShort'), { grade: gradeText(c) }) }) : null),
      h('td', { class: 'num', text: c.slips })));
    return h('table', { class: 'ranking' },
      h('thead', {}, h('tr', {}, h('th', { class: 'num', text: t('rank') }), h('th', { text: t('unit') }), h('th', { class: 'score-bar', text: '' }),
        h('th', { class: 'num', text: t('score') }), h('th', { text: t('grade') }), h('th', { class: 'num', text: t('slips') }))),
      h('tbody', {}, body));
  }

  function yearKindControls(params, page) {
    const year = Number(params.get('year')) || defaultYear();
    const kind = params.get('kind') === 'COUNTY' ? 'COUNTY' : 'BUREAU';
    const yearIn = h('input', { type: 'number', id: 'year', value: year, min: 2000, max: 2100 });
    const seg = h('div', { class: 'seg', role: 'group' }, ['BUREAU', 'COUNTY'].map((k) =>
      h('button', { type: 'button', class: k === kind ? 'on' : null, id: 'kind-' + k.toLowerCase(), onclick: () => { location.hash = link(page, { year: yearIn.value, kind: k }); } }, t(k.toLowerCase()))));
    const controls = h('div', { class: 'controls' }, h('label', {}, t('year'), yearIn), h('label', {}, t('kind'), seg),
      h('button', { class: 'primary', type: 'button', onclick: () => { location.hash = link(page, { year: yearIn.value, kind }); } }, t('show')));
    return { year, kind, controls };
  }

  pages.public = async function (main, params) {
    const { year, kind, controls } = yearKindControls(params, 'public');
    main.append(h('h1', { id: 'page-title', text: `${t('public')} · ${year} · ${t(kind.toLowerCase())}` }), controls);
    const d = await gql(`query($year: Int, $kind: ScorecardKind) { publishedScorecards(year: $year, kind: $kind) { edges { node { kind scheme schemeVersion asOf publishedAt digest verified
      cards { rank unit name total totalText grade gradeEn gradeCapped slips } } } } }`, { year, kind });
    const published = nodes(d.publishedScorecards);
    if (!published.length) {
      main.append(h('p', { class: 'panel muted', id: 'none-published', text: t('noPublished') }));
      return;
    }
    const seen = {};
    for (const p of published) {
      if (seen[p.kind]) continue; // newest first: the latest publication of each kind
      seen[p.kind] = true;
      main.append(h('section', { class: 'panel published', 'data-kind': p.kind },
        h('h2', { text: `${year} ${t(p.kind.toLowerCase())}` }),
        h('div', { class: 'summary' },
          h('span', { text: `${t('publishedAt')}: ${fmtTime(p.publishedAt)}` }),
          h('span', { text: `${t('asOf')}: ${fmtTime(p.asOf)}` }),
          h('span', { text: `${t('scheme')}: ${ui.schemeText(p.scheme, p.schemeVersion, state.lang)}` }),
          h('span', { class: p.verified ? 'ok' : 'bad', text: p.verified ? '✔ ' + t('verified') : '✘ ' + t('notVerified') })),
        exportButtons('published', { year, kind: p.kind.toLowerCase() }, t('download')),
        rankingTable(p.cards, { linkUnit: false })));
    }
  };

  const scoreCache = new Map();
  async function fetchScorecard(year, kind) {
    const key = year + '/' + kind + '/' + (state.token || '');
    if (!scoreCache.has(key)) {
      scoreCache.set(key, gql(`query($year: Int!, $kind: ScorecardKind!) { scorecard(year: $year, kind: $kind) {
        scheme schemeVersion schemeAdopted asOf position digest published matchesPublication
        cards { rank unit name total totalText grade gradeEn gradeCapped slips
          lines { rule pointsText points obligation metric zh en eventIds events { id type recordedAt effectiveAt actor } } } } }`, { year, kind })
        .then((d) => d.scorecard).catch((e) => { scoreCache.delete(key); throw e; }));
    }
    return scoreCache.get(key);
  }

  // The latest publications of a year and kind, newest first (never cached:
  // the committee needs to see its own publication at once).
  async function fetchPublished(year, kind) {
    const d = await gql(`query($year: Int, $kind: ScorecardKind) { publishedScorecards(year: $year, kind: $kind) {
      edges { node { kind scheme schemeVersion asOf asOfPosition publishedAt digest verified } } } }`, { year, kind });
    return nodes(d.publishedScorecards);
  }

  pages.scorecards = async function (main, params, flash) {
    const { year, kind, controls } = yearKindControls(params, 'scorecards');
    main.append(h('h1', { id: 'page-title', text: `${t('scorecards')} · ${year} · ${t(kind.toLowerCase())}` }), controls);
    const [sc, pubs] = await Promise.all([fetchScorecard(year, kind), fetchPublished(year, kind)]);
    const pub = pubs[0] || null;
    // Published: this very result is on record, or the latest publication
    // ranks the same cards with the same scheme (the server compares them;
    // a publication's digest covers its as-of instant too).
    const same = sc.published || sc.matchesPublication;
    const msg = h('div', { id: 'action-msg', 'aria-live': 'polite' });
    if (flash) msg.append(flash);
    // A note of what was just recorded comes first; a refusal of the
    // publication shows under its buttons.
    const offer = state.me.role === 'COMMITTEE' && !same;
    if (!offer) main.append(msg);
    if (pub) {
      main.append(h('div', { class: 'panel publication', id: 'publication', 'data-verified': String(pub.verified) },
        h('div', { class: 'summary' },
          h('strong', { text: t('lastPublication') }),
          h('span', { text: `${t('publishedAt')}: ${fmtTime(pub.publishedAt)}` }),
          h('span', { text: `${t('asOf')}: ${fmtTime(pub.asOf)}` }),
          h('span', { text: `${t('scheme')}: ${ui.schemeText(pub.scheme, pub.schemeVersion, state.lang)}` }),
          h('span', { class: pub.verified ? 'ok' : 'bad', text: pub.verified ? '✔ ' + t('verified') : '✘ ' + t('notVerified') })),
        h('div', { class: 'summary' },
          h('span', { class: same ? 'ok' : 'muted', text: same ? t('sameAsPublished') : t('changedSince') }),
          h('a', { href: link('public', { year, kind }), id: 'view-public' }, t('viewPublic') + ' →'))));
    }
    if (offer) main.append(publishPanel(sc, year, kind, msg), msg);
    main.append(h('div', { class: 'panel' },
      h('div', { class: 'summary' },
        h('span', { text: `${t('scheme')}: ${ui.schemeText(sc.scheme, sc.schemeVersion, state.lang)}` }),
        h('span', { text: `${t('asOf')}: ${fmtTime(sc.asOf)}` }),
        h('span', { text: `${t('position')}: ${sc.position}` }),
        h('span', { class: 'mono', text: `${t('digest')}: ${sc.digest.slice(0, 16)}…` }),
        h('span', { id: 'publish-state', 'data-published': String(same), class: same ? 'ok' : 'muted',
          text: same ? t('publishedYes') : pub ? t('changedSince') : t('publishedNo') })),
      exportButtons('scorecard', { year, kind: kind.toLowerCase() }, t('exportScore')),
      rankingTable(sc.cards, { linkUnit: true, year, kind })));
  };

  // publishPanel: the committee publishes the ranking the page shows (the
  // same year, kind, scheme and as-of instant, so the same digest) after
  // confirming. The key is made with the panel and kept across retries.
  function publishPanel(sc, year, kind, msg) {
    if (!sc.schemeAdopted) return h('p', { class: 'panel muted no-print', id: 'publish-blocked', text: t('schemeNotAdopted') });
    const holder = { key: newKey() };
    const what = `${year} · ${t(kind.toLowerCase())} · ${t('scheme')} ${ui.schemeText(sc.scheme, sc.schemeVersion, state.lang)} · ${t('asOf')} ${fmtTime(sc.asOf)} · ${t('digest')} ${sc.digest.slice(0, 16)}…`;
    const doc = `mutation($year: Int!, $kind: ScorecardKind!, $scheme: String!, $schemeVersion: Int!, $asOf: Time, $key: String!) {
      publishScorecard(input: {year: $year, kind: $kind, scheme: $scheme, schemeVersion: $schemeVersion, asOf: $asOf, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn }
        position summary duplicate caughtUp } }`;
    const vars = { year, kind, scheme: sc.scheme, schemeVersion: sc.schemeVersion, asOf: sc.asOf };
    const panel = h('section', { class: 'panel no-print publish', id: 'publish-panel' });
    const confirmBox = h('div', { class: 'confirm', id: 'publish-confirm-box', role: 'alertdialog', 'aria-labelledby': 'publish-warn', hidden: true },
      h('p', { class: 'warn', id: 'publish-warn', text: '⚠ ' + t('publishWarn') }),
      h('p', {}, h('strong', { text: t('publishWhat') + ': ' }), what),
      h('div', { class: 'buttons' },
        h('button', { class: 'primary', type: 'button', id: 'publish-confirm', onclick: () => submitMutation(doc, vars, holder, msg, panel) }, t('publishConfirm')),
        h('button', { class: 'secondary', type: 'button', id: 'publish-cancel', onclick: () => { confirmBox.hidden = true; open.hidden = false; msg.replaceChildren(); } }, t('cancel'))));
    const open = h('button', { class: 'primary', type: 'button', id: 'publish', onclick: () => { open.hidden = true; confirmBox.hidden = false; confirmBox.querySelector('#publish-cancel').focus(); } }, t('publish'));
    panel.append(h('h2', { text: t('publishTitle') }), open, confirmBox);
    return panel;
  }

  // taskOf reads the task number out of "plan/task/unit/ROLE[/part<n>]".
  function taskOf(obligation) {
    const parts = (obligation || '').split('/');
    return parts.length >= 4 ? parts[1] : '';
  }

  pages.unit = async function (main, params) {
    const year = Number(params.get('year')) || defaultYear();
    const kind = params.get('kind') === 'COUNTY' ? 'COUNTY' : 'BUREAU';
    const sc = await fetchScorecard(year, kind);
    const c = sc.cards.find((x) => x.unit === params.get('unit'));
    main.append(h('p', { class: 'no-print' }, h('a', { href: link('scorecards', { year, kind }), id: 'back' }, '← ' + t('back'))));
    if (!c) { main.append(errorBox(new ApiError(params.get('unit') || '?', 'NOT_FOUND'))); return; }
    main.append(h('h1', { id: 'page-title' }, `${c.name} · ${year} · `, h('span', { class: 'grade ' + gradeClass(c.total, c.grade), text: gradeText(c) }), ` ${c.totalText}`),
      h('div', { class: 'summary' }, h('span', { text: `${t('rank')}: ${c.rank}` }), h('span', { text: `${t('slips')}: ${c.slips}` }), h('span', { text: `${t('scheme')}: ${ui.schemeText(sc.scheme, sc.schemeVersion, state.lang)}` })),
      ...(c.gradeCapped ? [h('p', { class: 'panel notice cap-note', id: 'cap-note', text: t('xCapLong') })] : []),
      h('h2', { text: t('lines') }));
    const rows = c.lines.map((ln) => {
      const task = taskOf(ln.obligation);
      return h('tr', { class: 'line' },
        h('td', { class: 'num', text: ln.pointsText }),
        h('td', {}, state.lang === 'en' ? ln.en : ln.zh),
        h('td', { text: ln.obligation ? ui.obligationText(ln.obligation, t) : '' }),
        h('td', {}, ln.events.map((e) => h('div', { class: 'event' },
          h('a', { class: 'event-link', href: link('audit', task ? { task, hl: e.id } : { hl: e.id }), 'data-event': e.id }, t('xEvent.' + e.type)),
          ` ${fmtTime(e.effectiveAt)}`))));
    });
    main.append(cardify(h('table', { class: 'lines' },
      h('thead', {}, h('tr', {}, [t('points'), t('why'), t('obligation'), t('events')].map((x) => h('th', { text: x })))),
      h('tbody', {}, rows))));
  };

  // airCell shows an HJ 663 figure, or why it has none.
  function airCell(f, extra) {
    if (!f.assessable) {
      const word = f.reason === '未记录' ? t('notRecorded') : t('notAssessable');
      return h('td', { class: 'num na', title: state.lang === 'en' ? (f.reasonEn || '') : (f.reason || '') }, word);
    }
    return h('td', { class: 'num', text: f.display + (extra || '') });
  }

  // emissionCell shows a year's reductions and where they stand against
  // the plan's target.
  function emissionCell(e, city) {
    const lines = [h('div', { class: 'num', text: e.reducedTonnes == null ? t('notRecorded') : String(e.reducedTonnes) })];
    if (e.status !== 'NO_TARGET' && e.target && (city || e.status !== 'NO_BASELINE')) {
      let what = `${t('target')} −${e.target.value}% (${e.target.baselineYear})`;
      if (e.requiredTonnes != null) what += ` · ${t('sinceBaseline')} ${Math.round(e.reducedSinceBaseline)} / ${t('required')} ${Math.round(e.requiredTonnes)}`;
      lines.push(h('div', { class: 'muted small', text: `${what} · ${t('es.' + e.status)}` }));
    }
    return h('td', {}, lines);
  }

  // cardify labels each cell with its column's heading, so that on a
  // phone each row reads as a card (ui.css). Rows labelled by an earlier
  // call (a table that grows a page at a time) are left as they are.
  const carded = new WeakSet();
  function cardify(table) {
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
    for (const tr of table.querySelectorAll('tbody tr')) {
      if (carded.has(tr)) continue;
      [...tr.cells].forEach((td, i) => { if (heads[i]) td.setAttribute('data-label', heads[i]); });
      carded.add(tr);
    }
    table.classList.add('cards');
    return table;
  }

  pages.air = async function (main, params) {
    const year = Number(params.get('year')) || defaultYear();
    const yearIn = h('input', { type: 'number', id: 'year', value: year, min: 2000, max: 2100 });
    main.append(h('h1', { id: 'page-title', text: `${t('airTitle')} · ${year}` }),
      h('div', { class: 'controls' }, h('label', {}, t('year'), yearIn),
        h('button', { class: 'primary', type: 'button', onclick: () => { location.hash = link('air', { year: yearIn.value }); } }, t('show'))),
      h('p', { class: 'muted', id: 'air-note', text: t('airNote') }));
    const d = await gql(`query($year: Int!) { airQuality(year: $year) { name city
      figures { metric assessable display validDays goodDays throughMonth reason reasonEn }
      emissions { pollutant reducedTonnes reducedSinceBaseline requiredTonnes status target { value baselineYear } } } }`, { year });
    const rows = d.airQuality.map((r) => {
      const [pm, good, heavy] = r.figures;
      const through = pm.throughMonth === 12 ? t('fullYear') : `1–${pm.throughMonth}${t('monthUnit')}`;
      const goodExtra = good.assessable ? `%（${Math.round(good.goodDays * 100) / 100}/${good.validDays}）` : '';
      return h('tr', { class: r.city ? 'air-row city' : 'air-row' },
        h('td', {}, r.city ? h('strong', { text: r.name === '全市' ? t('cityWide') : `${t('cityWide')}（${r.name}）` }) : r.name),
        airCell(pm), h('td', { class: 'num', text: pm.validDays }), airCell(good, goodExtra), airCell(heavy),
        emissionCell(r.emissions[0], r.city), emissionCell(r.emissions[1], r.city), h('td', { text: through }));
    });
    // Eight columns do not fit a phone: there each area reads as a card.
    main.append(cardify(h('table', { class: 'ranking', id: 'air-table' },
      h('thead', {}, h('tr', {}, [t('unit'), t('pm25'), t('validDays'), t('goodRatio'), t('heavyDays'), t('noxCut'), t('vocsCut'), t('throughMonth')].map((x) => h('th', { text: x })))),
      h('tbody', {}, rows))));
  };

  pages.tasks = async function (main) {
    main.append(h('h1', { id: 'page-title', text: t('tasks') }));
    const role = state.me.role;
    const extra = role === 'COORDINATOR' ? 'pendingExtension { milestone }' : role === 'INSPECTOR' ? 'milestones { completion }' : '';
    const d = await gql(`{ tasks(first: 500) { edges { node { number label chapter title obligations { id unit unitName role status light progress nextDue ${extra} } } } } }`);
    const tasks = nodes(d.tasks);
    const counts = { GREEN: 0, YELLOW: 0, RED: 0, GREY: 0 };
    tasks.forEach((tk) => tk.obligations.forEach((o) => { counts[o.light] = (counts[o.light] || 0) + 1; }));
    main.append(h('div', { class: 'panel summary', id: 'light-counts' }, h('strong', { text: t('lightCounts') + ':' }),
      Object.entries(counts).map(([l, n]) => h('span', {}, lightDot(l), `${t('lights.' + l)} ${n}`))));
    // What waits for this role's decision, with a way to the ledger page that takes it.
    const all = tasks.flatMap((tk) => tk.obligations);
    const waiting = role === 'COORDINATOR' ? all.filter((o) => o.pendingExtension).length
      : role === 'INSPECTOR' ? all.reduce((n, o) => n + (o.milestones.some((m) => m.completion === 'CLAIMED') ? o.milestones.filter((m) => m.completion === 'CLAIMED').length : o.status === 'COMPLETION_CLAIMED' ? 1 : 0), 0) : 0;
    if (waiting) {
      main.append(h('div', { class: 'panel notice no-print', id: 'queue-link' }, h('strong', { text: `${waiting} ` }),
        role === 'COORDINATOR' ? t('pendingDecisionsN') : t('pendingClaimsN'), ' ', h('a', { href: link('mine', {}), text: t('openQueue') + ' →' })));
    }
    let chapter = null, section = null;
    for (const tk of tasks) {
      if (tk.chapter !== chapter) {
        chapter = tk.chapter;
        section = h('section', { class: 'chapter' }, h('h2', { text: chapter || '—' }));
        main.append(section);
      }
      const duties = tk.obligations.map((o) => h('div', { class: 'duty', 'data-obligation': o.id },
        lightDot(o.light), h('strong', { text: o.unitName || o.unit }), ' ', h('span', { class: 'meta', text: `${t('duty.' + o.role)} · ${t('st.' + o.status)}` }),
        h('div', { class: 'meta', text: `${t('progress')} ${o.progress}% · ${t('nextDue')} ${o.nextDue || '—'}` }), progressBar(o.progress)));
      section.append(h('article', { class: 'task', 'data-task': tk.number },
        h('h3', {}, `${tk.label || tk.number} ${tk.title}`),
        duties.length ? h('div', { class: 'duties' }, duties) : h('p', { class: 'muted', text: t('none') })));
    }
  };

  const OBLIGATIONS = `query($after: String) { obligations(first: 200, after: $after) { totalCount pageInfo { hasNextPage endCursor } asOf edges { node {
    id plan task taskTitle unit unitName role status light progress reports nextDue slips findings
    milestones { id what due originalDue extended completion awaitingVerification toBeBackfilled overdue light }
    lastReport { percent note effectiveAt recordedAt period late }
    evidence { sha256 name mediaType size url attachedTo milestone recordedAt }
    pendingExtension { milestone currentDue requestedDue reason requestedAt } } } } }`;

  async function allObligations() {
    let after = null, items = [], total = 0, asOf = null;
    for (let i = 0; i < 20; i++) {
      const d = await gql(OBLIGATIONS, { after });
      items = items.concat(nodes(d.obligations));
      total = d.obligations.totalCount;
      asOf = d.obligations.asOf;
      after = d.obligations.pageInfo.hasNextPage ? d.obligations.pageInfo.endCursor : null;
      if (!after) break;
    }
    return { items, total, asOf };
  }

  pages.mine = async function (main, params, flash) {
    const role = state.me.role;
    const own = role === 'BUREAU' || role === 'COUNTY';
    main.append(h('h1', { id: 'page-title', text: own ? `${t('mine')} · ${state.me.unit ? state.me.unit.name : state.me.unitId}` : t('ledgerAll') }));
    const { items, total, asOf } = await allObligations();
    main.append(h('div', { class: 'summary' }, h('span', { text: `${t('total')} ${total} ${t('items')}` }), h('span', { text: `${t('asOf')}: ${fmtTime(asOf)}` })),
      exportButtons('obligations', {}, t('exportLedger')));
    const msg = h('div', { id: 'action-msg', 'aria-live': 'polite' });
    if (flash) msg.append(flash);
    // Each role sees only the actions it may take (graphql/policy.go); the
    // server still decides.
    if (own && items.length) main.append(actionForms(items, msg, params));
    else if (role === 'COORDINATOR') main.append(h('p', { class: 'muted no-print', text: t('coordinatorNote') }), decisionQueue(items));
    else if (role === 'INSPECTOR') main.append(h('p', { class: 'muted no-print', text: t('inspectorNote') }), claimQueue(items), findingForm(items, msg, params));
    else if (!own) main.append(h('p', { class: 'muted no-print', text: t('notOwner') }));
    main.append(msg);
    const head = () => h('thead', {}, h('tr', {}, ['', t('task'), t('role'), t('status'), t('progress'), t('nextDue'), t('milestones'), t('lastReport')].map((x) => h('th', { text: x }))));
    // After a decision, the obligation it changed, as the ledger now has it.
    const done = !own && flash ? items.find((o) => o.id === params.get('o')) : null;
    if (done) {
      msg.append(h('h2', { text: t('justDone') }), h('table', { class: 'obligations', id: 'just-done' }, head(), h('tbody', {}, obligationRow(done, own, true))));
    }
    main.append(h('table', { class: 'obligations' }, head(), h('tbody', {}, items.map((o) => obligationRow(o, own, false)))));
  };

  function obligationRow(o, own, hl) {
    return h('tr', { class: 'obligation' + (hl ? ' hl' : ''), 'data-obligation': o.id, 'data-task': o.task, 'data-plan': o.plan, 'data-unit': o.unit, 'data-unit-name': o.unitName,
      'data-role': o.role, 'data-status': o.status, 'data-light': o.light, 'data-due': o.nextDue || '', 'data-progress': o.progress, 'data-slips': o.slips || 0, 'data-title': o.taskTitle || '' },
      h('td', {}, lightDot(o.light)),
      h('td', {}, h('strong', { text: `${o.task} ` }), o.taskTitle || '', own ? null : h('div', { class: 'muted', text: o.unitName })),
      h('td', { class: 'nowrap', text: t('duty.' + o.role) }),
      h('td', { class: 'status nowrap' }, t('st.' + o.status), o.findings ? h('div', { class: 'findings muted', text: `${t('findingsN')} ${o.findings}` }) : null),
      h('td', { class: 'num progress-cell' }, h('span', { class: 'pct', text: o.progress + '%' }), progressBar(o.progress)),
      h('td', { class: 'nowrap next-due', text: o.nextDue || '—' }),
      h('td', {}, o.milestones.map((m) => h('div', { class: 'ms', 'data-milestone': m.id, 'data-completion': m.completion, 'data-light': m.light }, lightDot(m.light), `${m.due} `, h('span', { class: 'muted', text: m.what || t('milestone') }),
        m.toBeBackfilled ? h('span', { class: 'backfill', text: ` [${t('backfill')}]` })
          : m.awaitingVerification ? h('span', { class: 'awaiting', text: ` [${t('awaiting')}]` }) : m.completion !== 'NONE' ? ` [${t('completion.' + m.completion)}]` : '',
        m.extended ? ` (${m.originalDue} →)` : ''))),
      h('td', { class: 'last-report' }, o.lastReport ? `${o.lastReport.percent}% ${o.lastReport.note || ''} (${fmtTime(o.lastReport.effectiveAt)})` : '—',
        o.lastReport && o.lastReport.late ? h('span', { class: 'late-report', text: ` ${t('lateReport')}` }) : null,
        o.pendingExtension ? h('div', { class: 'muted pending', text: `${t('pending')}: ${o.pendingExtension.currentDue} → ${o.pendingExtension.requestedDue}` }) : null,
        evidenceLinks(o.evidence)));
  }

  // queueHead names an obligation in a queue of things to decide.
  function queueHead(o, light) {
    return h('div', { class: 'head' }, lightDot(light), h('strong', { text: `${o.task} ${o.taskTitle || ''}` }), ' · ', o.unitName || o.unit, ' · ',
      h('span', { class: 'muted', text: t('duty.' + o.role) }));
  }

  const DECIDE = `mutation($obligation: ObligationInput!, $grant: Boolean!, $due: Date, $note: String, $key: String!) {
    decideExtension(input: {obligation: $obligation, grant: $grant, due: $due, note: $note, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } position summary duplicate caughtUp } }`;

  // decisionQueue: the plan office grants (by default to the requested
  // date) or refuses (with a reason) each pending extension request.
  function decisionQueue(items) {
    const pending = items.filter((o) => o.pendingExtension).sort((a, b) => a.task - b.task || (a.unitName || a.unit).localeCompare(b.unitName || b.unit));
    const panel = h('section', { class: 'panel no-print queue', id: 'decisions' }, h('h2', { text: `${t('decisions')}（${pending.length}）` }));
    if (!pending.length) panel.append(h('p', { class: 'muted', text: t('noDecisions') }));
    for (const o of pending) {
      const x = o.pendingExtension;
      const m = o.milestones.find((y) => y.id === x.milestone);
      const msg = h('div', { class: 'item-msg', 'aria-live': 'polite' });
      const item = h('article', { class: 'queue-item', 'data-obligation': o.id, 'data-milestone': x.milestone });
      const due = h('input', { type: 'date', name: 'due', value: x.requestedDue, required: true });
      const note = h('textarea', { name: 'note', rows: 2 });
      const reason = requireText(h('textarea', { name: 'reason', rows: 2 }));
      item.append(queueHead(o, m ? m.light : o.light),
        h('div', { class: 'meta' }, `${t('milestone')}: `, h('span', { class: 'muted', text: m ? m.what || m.due : t('milestone') })),
        h('div', { class: 'meta' }, `${t('currentDue')} ${x.currentDue} → ${t('newDue')} `, h('strong', { text: x.requestedDue }), ` · ${t('requestedAt')} ${fmtTime(x.requestedAt)}`),
        x.reason ? h('div', { class: 'meta' }, `${t('reason')}: ${x.reason}`) : null,
        h('div', { class: 'forms' },
          actionForm({ cls: 'grant', label: t('grant'), msg, group: item,
            fields: [h('label', {}, t('grantDue'), due), h('label', {}, t('decisionNote'), note)],
            build: () => [DECIDE, { obligation: obligationInput(o), grant: true, due: due.value, note: note.value.trim() || null }, { o: o.id }] }),
          actionForm({ cls: 'refuse', label: t('refuse'), danger: true, msg, group: item,
            fields: [h('label', {}, t('refuseReason'), reason)],
            build: () => [DECIDE, { obligation: obligationInput(o), grant: false, note: reason.value.trim() }, { o: o.id }] })),
        msg);
      panel.append(item);
    }
    return panel;
  }

  // claimQueue: an inspector verifies or rejects (with a reason) each
  // pending completion claim, of a milestone or of the whole duty.
  function claimQueue(items) {
    const claims = [];
    for (const o of items) {
      const ms = o.milestones.filter((m) => m.completion === 'CLAIMED');
      if (ms.length) ms.forEach((m) => claims.push({ o, m }));
      else if (o.status === 'COMPLETION_CLAIMED') claims.push({ o, m: null });
    }
    claims.sort((a, b) => a.o.task - b.o.task || (a.o.unitName || a.o.unit).localeCompare(b.o.unitName || b.o.unit));
    const panel = h('section', { class: 'panel no-print queue', id: 'claims' }, h('h2', { text: `${t('claims')}（${claims.length}）` }));
    if (!claims.length) panel.append(h('p', { class: 'muted', text: t('noClaims') }));
    for (const { o, m } of claims) {
      const msg = h('div', { class: 'item-msg', 'aria-live': 'polite' });
      const item = h('article', { class: 'queue-item', 'data-obligation': o.id, 'data-milestone': m ? m.id : '' });
      const note = h('textarea', { name: 'note', rows: 2 });
      const reason = requireText(h('textarea', { name: 'reason', rows: 2 }));
      const milestone = m ? m.id : null;
      item.append(queueHead(o, m ? m.light : o.light),
        h('div', { class: 'meta' }, `${t('milestone')}: `, m ? `${m.due} ` : '', h('span', { class: 'muted', text: m ? m.what || m.due : t('wholeDuty') }),
          ` [${t('completion.CLAIMED')}] · `, h('a', { href: link('audit', { task: o.task }), class: 'audit-link' }, t('auditLink'))),
        h('div', { class: 'forms' },
          actionForm({ cls: 'verify', label: t('verify'), msg, group: item,
            fields: [h('label', {}, t('verifyNote'), note)],
            build: () => [`mutation($obligation: ObligationInput!, $milestone: String, $note: String, $key: String!) {
              verifyCompletion(input: {obligation: $obligation, milestone: $milestone, note: $note, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } position summary duplicate caughtUp } }`,
            { obligation: obligationInput(o), milestone, note: note.value.trim() || null }, { o: o.id }] }),
          actionForm({ cls: 'reject', label: t('reject'), danger: true, msg, group: item,
            fields: [h('label', {}, t('rejectReason'), reason)],
            build: () => [`mutation($obligation: ObligationInput!, $milestone: String, $reason: String!, $key: String!) {
              rejectCompletion(input: {obligation: $obligation, milestone: $milestone, reason: $reason, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } position summary duplicate caughtUp } }`,
            { obligation: obligationInput(o), milestone, reason: reason.value }, { o: o.id }] })),
        msg);
      panel.append(item);
    }
    return panel;
  }

  // findingForm: an inspector records a finding on any obligation.
  function findingForm(items, msg, params) {
    const sorted = items.slice().sort((a, b) => a.task - b.task || (a.unitName || a.unit).localeCompare(b.unitName || b.unit));
    const sel = h('select', { id: 'finding-obligation' }, sorted.map((o) => h('option', { value: o.id, selected: o.id === params.get('o') },
      `${o.task} ${(o.taskTitle || '').slice(0, 24)} · ${o.unitName || o.unit} · ${t('duty.' + o.role)}`)));
    const kind = h('select', { id: 'finding-kind' }, ['FALSE_REPORT', 'OTHER'].map((k) => h('option', { value: k, selected: k === 'OTHER' }, t('fk.' + k))));
    const severity = h('select', { id: 'finding-severity' }, ['MINOR', 'MAJOR', 'SEVERE'].map((k) => h('option', { value: k }, t('sev.' + k))));
    const summary = requireText(h('textarea', { id: 'finding-summary', rows: 2 }));
    const rectify = h('input', { type: 'date', id: 'finding-rectify' });
    const form = actionForm({ id: 'form-finding', title: t('recordFinding'), msg,
      fields: [h('label', {}, t('chooseObligation'), sel),
        h('div', { class: 'row' }, h('label', {}, t('findingKind'), kind), h('label', {}, t('severity'), severity), h('label', {}, t('rectifyBy'), rectify)),
        h('label', {}, t('findingSummary'), summary)],
      build: () => {
        const o = items.find((x) => x.id === sel.value);
        return [`mutation($obligation: ObligationInput!, $kind: FindingKind!, $severity: Severity!, $summary: String!, $rectifyBy: Date, $key: String!) {
          recordFinding(input: {obligation: $obligation, kind: $kind, severity: $severity, summary: $summary, rectifyBy: $rectifyBy, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } position summary duplicate caughtUp } }`,
        { obligation: obligationInput(o), kind: kind.value, severity: severity.value, summary: summary.value.trim(), rectifyBy: rectify.value || null }, { o: o.id }];
      } });
    return h('section', { class: 'panel no-print', id: 'findings' }, h('div', { class: 'forms single' }, form));
  }

  // actionForms: report progress, request an extension, claim completion.
  function actionForms(items, msg, params) {
    const sel = h('select', { id: 'obligation' }, items.map((o) => h('option', { value: o.id, selected: o.id === params.get('o') }, `${o.task} ${o.taskTitle || ''} · ${t('duty.' + o.role)}`)));
    const current = () => items.find((o) => o.id === sel.value) || items[0];
    const msSelects = [];
    const milestoneSelect = (id) => { const m = h('select', { id }); msSelects.push(m); return m; };
    const fillMilestones = () => {
      const o = current();
      for (const m of msSelects) m.replaceChildren(...o.milestones.map((x) => h('option', { value: x.id }, `${x.due} ${(x.what || t('milestone')).slice(0, 30)}`)));
    };
    sel.addEventListener('change', fillMilestones);
    const month = new Date().toISOString().slice(0, 7);

    // Each form's idempotency key is made when the form is shown and kept
    // when the network fails, so that a retry records nothing twice.
    function mutationForm(id, title, fields, build) {
      return actionForm({ id, title, fields, msg, build: async () => {
        const o = current();
        const [mutation, vars] = await build(o);
        return [mutation, Object.assign({ obligation: { task: o.task, role: o.role } }, vars), { o: o.id }];
      } });
    }
    const pct = h('input', { type: 'number', id: 'percent', min: 0, step: 1, required: true });
    const period = h('input', { type: 'month', id: 'period', value: month });
    const note = h('textarea', { id: 'note' });
    const extMs = milestoneSelect('ext-milestone');
    const extDue = h('input', { type: 'date', id: 'ext-due', required: true });
    const extReason = h('textarea', { id: 'ext-reason', required: true });
    const claimMs = milestoneSelect('claim-milestone');
    const evidence = h('textarea', { id: 'evidence' });
    const reportFiles = evidencePicker('report-files');
    const claimFiles = evidencePicker('claim-files');
    fillMilestones();
    const forms = h('div', { class: 'forms no-print' },
      mutationForm('form-progress', t('reportProgress'), [h('label', {}, t('percent'), pct), h('label', {}, t('period'), period), h('label', {}, t('note'), note), reportFiles.label],
        async () => [`mutation($obligation: ObligationInput!, $percent: Int!, $period: String, $note: String, $attachments: [EvidenceInput!], $key: String!) {
          reportProgress(input: {obligation: $obligation, percent: $percent, period: $period, note: $note, attachments: $attachments, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } position summary duplicate caughtUp } }`,
        { percent: Number(pct.value), period: period.value || null, note: note.value || null, attachments: await reportFiles.handles() }]),
      mutationForm('form-extension', t('requestExtension'), [h('label', {}, t('milestone'), extMs), h('label', {}, t('newDue'), extDue), h('label', {}, t('reason'), extReason)],
        () => [`mutation($obligation: ObligationInput!, $milestone: String!, $due: Date!, $reason: String!, $key: String!) {
          requestExtension(input: {obligation: $obligation, milestone: $milestone, due: $due, reason: $reason, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } position summary duplicate caughtUp } }`,
        { milestone: extMs.value, due: extDue.value, reason: extReason.value }]),
      mutationForm('form-claim', t('claimCompletion'), [h('label', {}, t('milestone'), claimMs), h('label', {}, t('evidence'), evidence), claimFiles.label],
        async () => [`mutation($obligation: ObligationInput!, $milestone: String, $evidence: String, $attachments: [EvidenceInput!], $key: String!) {
          claimCompletion(input: {obligation: $obligation, milestone: $milestone, evidence: $evidence, attachments: $attachments, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } position summary duplicate caughtUp } }`,
        { milestone: claimMs.value || null, evidence: evidence.value || null, attachments: await claimFiles.handles() }]));
    return h('section', { class: 'panel no-print', id: 'actions' }, h('label', {}, t('chooseObligation'), sel), h('br'), forms);
  }

  pages.audit = async function (main, params) {
    const own = state.me.role === 'BUREAU' || state.me.role === 'COUNTY';
    const task = params.get('task') || '';
    const asOf = params.get('asOf') || '';
    const hl = new Set((params.get('hl') || '').split(',').filter(Boolean));
    main.append(h('h1', { id: 'page-title', text: t('audit') + (task ? ` · ${t('task')} ${task}` : own ? ` · ${state.me.unit ? state.me.unit.name : ''}` : '') }));
    const taskIn = h('input', { type: 'number', id: 'audit-task', value: task, min: 1 });
    const dateIn = h('input', { type: 'date', id: 'audit-asof', value: asOf });
    const go = () => { const p = {}; if (taskIn.value) p.task = taskIn.value; if (dateIn.value) p.asOf = dateIn.value; if (params.get('hl')) p.hl = params.get('hl'); location.hash = link('audit', p); };
    main.append(h('div', { class: 'controls' }, h('label', {}, t('auditTask'), taskIn), h('label', {}, t('asOfDate'), dateIn),
      h('button', { class: 'primary', type: 'button', id: 'audit-go', onclick: go }, t('show'))));
    if (!task && !own) { main.append(h('p', { class: 'muted', text: t('auditTask') + '?' })); return; }
    const vars = { first: 200, after: null };
    if (task) vars.task = Number(task); else vars.unit = state.me.unitId;
    if (asOf) vars.asOf = asOf + 'T23:59:59+08:00';
    const q = `query($task: Int, $unit: ID, $asOf: Time, $first: Int, $after: Position) {
      auditTrail(task: $task, unit: $unit, asOf: $asOf, first: $first, after: $after) { intact pageInfo { hasNextPage endCursor }
        edges { node { id position type summary stream actor recordedAt effectiveAt backdated flags hash prevHash } } } }`;
    // The downloads hold the same trail: the same task or unit, the same as-of instant.
    const exp = task ? { task } : { unit: state.me.unitId };
    if (vars.asOf) exp.asOf = vars.asOf;
    main.append(exportButtons('audit', exp, t('exportAudit')));
    const status = h('div', { class: 'panel', id: 'chain-status' });
    const tbody = h('tbody');
    const more = h('button', { class: 'secondary no-print', type: 'button', id: 'audit-more', hidden: true }, t('more'));
    const table = h('table', { class: 'audit' },
      h('thead', {}, h('tr', {}, [t('position'), t('what'), t('stream'), t('actor'), t('recordedAt'), t('effectiveAt'), t('flags'), t('hash')].map((x) => h('th', { text: x })))),
      tbody);
    main.append(status, table, more);
    let intact = true, count = 0;
    const load = async () => {
      more.disabled = true;
      const d = await gql(q, vars);
      const a = d.auditTrail;
      const events = nodes(a);
      intact = intact && a.intact;
      count += events.length;
      status.replaceChildren(h('div', { class: intact ? 'ok' : 'bad', id: 'intact', 'data-intact': String(intact) }, intact ? '✔ ' + t('intact') : '✘ ' + t('broken')),
        h('div', { class: 'muted', text: `${count} ${t('eventsN')}${asOf ? ' · ' + t('asOf') + ' ' + asOf : ''}` }));
      for (const e of events) {
        tbody.append(h('tr', { class: 'event' + (hl.has(e.id) ? ' hl' : ''), 'data-id': e.id },
          h('td', { class: 'num', text: e.position }),
          h('td', { class: 'what' }, h('div', { text: ui.summaryText(e.summary) }), h('div', { class: 'muted small', text: t('xEvent.' + e.type) })),
          h('td', { text: ui.streamText(e.stream, t) }),
          h('td', { class: 'nowrap', text: ui.actorText(e.actor, t) }), h('td', { class: 'nowrap', text: fmtTime(e.recordedAt) }), h('td', { class: 'nowrap', text: fmtTime(e.effectiveAt) }),
          h('td', {}, e.flags.map((f) => h('span', { class: 'flag ' + f, 'data-flag': f, text: flagText(f) }))),
          h('td', { class: 'mono nowrap', title: `prev ${e.prevHash}`, text: e.hash.slice(0, 12) })));
      }
      cardify(table); // label the rows just read
      vars.after = a.pageInfo.hasNextPage ? a.pageInfo.endCursor : null;
      more.hidden = !vars.after;
      more.disabled = false;
    };
    more.addEventListener('click', () => load().catch((e) => main.append(errorBox(e))));
    await load();
    // An event linked from a score line may be pages away: read on until it shows.
    for (let i = 0; hl.size && !tbody.querySelector('tr.hl') && vars.after && i < 25; i++) await load();
  };

  // ---- bulk reporting (报送模板): a bureau or county downloads its
  // template, fills it in Excel and uploads it; the server checks every row
  // and records nothing unless the whole file is valid. Kept in one section
  // (with its own strings) so that other dashboard work merges around it.

  const BULK_I18N = {
    zh: {
      title: '批量报送（Excel 模板）', template: '下载报送模板', file: '填好的文件（XLSX 或 CSV）', upload: '上传并报送',
      hint: '在黄色单元格中填写进展百分比（0–100 的整数）、进展情况和报告期（如 2025-06）；不填的行会跳过。整份文件通过校验才会记录，同一文件重复上传不会重复记录。',
      noFile: '请先选择要上传的文件。', done: '已报送：', problems: '请改正以下问题后重新上传：'
    },
    en: {
      title: 'Bulk reporting (Excel template)', template: 'Download template', file: 'Filled file (XLSX or CSV)', upload: 'Upload and report',
      hint: 'Fill the yellow cells: percent (a whole number 0–100), progress note and period (e.g. 2025-06); blank rows are skipped. Nothing is recorded unless the whole file is valid; uploading the same file again records nothing twice.',
      noFile: 'Choose a file to upload first.', done: 'Reported: ', problems: 'Correct these and upload again:'
    }
  };
  function bt(key) { return BULK_I18N[state.lang][key]; }

  // uploadReports posts the chosen file to /import/reports with the token
  // and shows what was recorded, or each refused row and cell.
  async function uploadReports(input, msg, button) {
    msg.replaceChildren();
    const file = input.files && input.files[0];
    if (!file) { msg.append(errorBox(new ApiError(bt('noFile'), 'INVALID_ARGUMENT'))); return; }
    const form = new FormData();
    form.append('file', file, file.name);
    const headers = {};
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    else if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
    button.disabled = true;
    let res, body;
    try {
      res = await fetch('/import/reports', { method: 'POST', headers, body: form });
      body = await res.json();
    } catch (e) {
      msg.append(errorBox(new ApiError(String(e.message || e), 'NETWORK'), t('failed')));
      button.disabled = false;
      return;
    }
    button.disabled = false;
    if (!res.ok) {
      const e = body.error || {};
      const zh = state.lang === 'zh';
      const box = errorBox(new ApiError(zh ? (e.messageZH || e.message).split('\n')[0] : (e.message || '').split('\n')[0], e.code || 'HTTP_' + res.status));
      if (e.problems && e.problems.length) {
        box.append(h('div', { text: bt('problems') }),
          h('ul', { class: 'problems' }, e.problems.map((p) => h('li', { 'data-row': p.row, 'data-column': p.column || '', text: zh ? p.messageZH : p.message }))));
      }
      msg.append(box);
      return;
    }
    scoreCache.clear();
    await rerender(h('div', { class: 'success', role: 'status', id: 'bulk-done' }, h('strong', { text: bt('done') }), ' ', body.summary));
  }

  function bulkReportPanel() {
    const msg = h('div', { class: 'bulk-msg', 'aria-live': 'polite' });
    const input = h('input', { type: 'file', name: 'file', accept: '.xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv' });
    const upload = h('button', { class: 'primary', type: 'button', 'data-bulk': 'upload' }, bt('upload'));
    upload.addEventListener('click', () => uploadReports(input, msg, upload));
    return h('section', { class: 'panel no-print bulk-report', id: 'bulk-report' },
      h('h2', { text: bt('title') }), h('p', { class: 'muted', text: bt('hint') }),
      h('div', { class: 'controls' },
        h('button', { class: 'secondary', type: 'button', 'data-bulk': 'template', onclick: () => download('/export/template.xlsx', msg) }, bt('template')),
        h('label', {}, bt('file'), input), upload),
      msg);
  }

  // The unit's own page gets the panel under its summary.
  const minePage = pages.mine;
  pages.mine = async function (main, params, flash) {
    await minePage(main, params, flash);
    const role = state.me.role;
    if (role !== 'BUREAU' && role !== 'COUNTY') return;
    const summary = main.querySelector('.summary');
    const panel = bulkReportPanel();
    if (summary && summary.nextSibling) summary.parentNode.insertBefore(panel, summary.nextSibling.nextSibling);
    else main.prepend(panel);
    const done = flash && flash.id === 'bulk-done' ? flash : null;
    if (done) panel.querySelector('.bulk-msg').append(done);
  };

  // ---- review (审核): 退回修改, the comment thread and the lead's 签收.
  // An obligation's own page (#/obligation) shows its reports, send-backs
  // and thread, with a comment box for everyone, 退回修改 for inspectors,
  // the plan office and the task's lead, and 签收 for the lead of a
  // supporting duty. #/led lists the duties on the tasks a unit leads
  // (ledDuties). Kept in one section, with its own strings, so that other
  // dashboard work merges around it. The server decides every action.

  const REVIEW_I18N = {
    zh: {
      led: '牵头任务', ledTitle: '我牵头的任务：各单位的工作', noLed: '本单位没有牵头的任务。', open: '查看与审核',
      title: '任务责任详情', reports: '进展报告', noReports: '尚无进展报告。', returned: '已退回修改', sendBacks: '退回记录',
      noSendBacks: '没有退回记录。', awaitingResubmit: '待重新报送', resubmitted: '已重新报送', by: '退回方', supervisor: '督查/计划办',
      thread: '意见交流', noComments: '尚无意见。', replyTo: '回复第', replyNo: '条', comment: '发表意见', commentText: '意见内容（不超过2000字）',
      replyChoose: '回复', noReply: '不回复具体意见', post: '发表',
      sendBack: '退回修改', target: '退回对象', latestReport: '最新进展报告', pendingClaim: '待核验的完成申报', reasons: '退回理由（必填）',
      signOff: '签收', signOffNote: '签收意见（可选）', signedOff: '已签收', unsigned: '待签收', notSupport: '—',
      signOffState: '签收', needsSignOff: '配合单位的工作由牵头单位签收后，牵头单位才能申报任务完成。', notFound: '找不到该项任务责任，或无权查看。',
      back: '返回', count: '第', times: '次', reportLine: '报告'
    },
    en: {
      led: 'Tasks I lead', ledTitle: 'Tasks we lead: every unit\'s part', noLed: 'This unit leads no task.', open: 'View and review',
      title: 'Obligation', reports: 'Progress reports', noReports: 'No progress report yet.', returned: 'sent back for revision', sendBacks: 'Sent back',
      noSendBacks: 'Nothing was sent back.', awaitingResubmit: 'awaiting resubmission', resubmitted: 'resubmitted', by: 'Sent back by', supervisor: 'inspection / plan office',
      thread: 'Comments', noComments: 'No comments yet.', replyTo: 'reply to #', replyNo: '', comment: 'Post a comment', commentText: 'Comment (at most 2000 characters)',
      replyChoose: 'Reply to', noReply: 'not a reply', post: 'Post',
      sendBack: 'Send back for revision', target: 'What to send back', latestReport: 'the latest progress report', pendingClaim: 'the pending completion claim', reasons: 'Reasons (required)',
      signOff: 'Sign off', signOffNote: 'Note (optional)', signedOff: 'signed off', unsigned: 'awaiting sign-off', notSupport: '—',
      signOffState: 'Sign-off', needsSignOff: 'The lead unit claims the task done only after it has signed off every supporting unit\'s part.', notFound: 'No such obligation, or you may not see it.',
      back: 'Back', count: '#', times: '', reportLine: 'report'
    }
  };
  function rt(key) { return REVIEW_I18N[state.lang][key]; }

  const REVIEW_FIELDS = `id plan task taskTitle unit unitName role status light progress reports needsSignOff
    milestones { id what due completion }
    lastReport { eventId percent note effectiveAt late returnedAt }
    reportHistory { eventId percent note period recordedAt late returnedAt }
    sentBack { target report milestone reasons byUnitName recordedAt }
    sendBacks { target report milestone reasons byUnitName recordedAt resubmittedAt }
    signOff { byUnitName note recordedAt }
    comments { number text replyTo byUnitName actor recordedAt }`;
  const MUTATION_TAIL = 'idempotencyKey: $key, wait: true}) { position summary duplicate caughtUp userErrors { code field message messageEn } } }';

  function ownUnit() { return state.me && (state.me.role === 'BUREAU' || state.me.role === 'COUNTY'); }

  // findObligation reads one obligation by id: a unit's own, one on a task
  // it leads, or (other roles) any on the task.
  async function findObligation(params) {
    const id = params.get('o');
    const task = Number(params.get('task'));
    const plan = params.get('plan') || null;
    const d = await gql(`query($task: Int, $plan: ID) { obligations(task: $task, plan: $plan, first: 500) { edges { node { ${REVIEW_FIELDS} } } } }`, { task, plan });
    let found = nodes(d.obligations).find((o) => o.id === id);
    let led = false;
    if (!found && ownUnit()) {
      const l = await gql(`query($plan: ID) { ledDuties(plan: $plan, first: 500) { edges { node { ${REVIEW_FIELDS} } } } }`, { plan });
      found = nodes(l.ledDuties).find((o) => o.id === id);
      led = !!found;
    }
    return { o: found, led };
  }

  function claimedMilestone(o) {
    const m = o.milestones.find((x) => x.completion === 'CLAIMED');
    if (m) return { milestone: m.id, label: `${rt('pendingClaim')}（${m.what || m.due}）` };
    if (o.status === 'COMPLETION_CLAIMED') return { milestone: null, label: rt('pendingClaim') };
    return null;
  }

  function reportsPanel(o) {
    const list = (o.reportHistory || []).slice().reverse();
    return h('section', { class: 'panel', id: 'review-reports' }, h('h2', { text: rt('reports') }),
      list.length ? h('table', { class: 'obligations' }, h('tbody', {}, list.map((r, i) => h('tr', { 'data-report': list.length - i, class: r.returnedAt ? 'returned' : null },
        h('td', { class: 'nowrap', text: `${rt('count')}${list.length - i}${rt('times')}` }),
        h('td', { class: 'nowrap', text: r.period || '' }),
        h('td', { class: 'num', text: r.percent + '%' }),
        h('td', {}, r.note || '', r.late ? h('span', { class: 'late-report', text: ` ${t('lateReport')}` }) : null,
          r.returnedAt ? h('span', { class: 'returned-mark', text: ` [${rt('returned')} ${fmtTime(r.returnedAt)}]` }) : null),
        h('td', { class: 'nowrap muted', text: fmtTime(r.recordedAt) })))))
        : h('p', { class: 'muted', text: rt('noReports') }));
  }

  function sendBacksPanel(o) {
    const list = o.sendBacks || [];
    return h('section', { class: 'panel', id: 'review-sendbacks' }, h('h2', { text: rt('sendBacks') }),
      list.length ? h('ul', { class: 'sendbacks' }, list.map((b) => h('li', { 'data-target': b.target },
        h('strong', { text: b.target === 'REPORT' ? `${rt('reportLine')} ${rt('count')}${b.report}${rt('times')}` : rt('pendingClaim') }), ' · ',
        `${rt('by')}: ${b.byUnitName || rt('supervisor')} · ${fmtTime(b.recordedAt)} · `,
        h('span', { class: b.resubmittedAt ? 'muted' : 'awaiting', text: b.resubmittedAt ? `${rt('resubmitted')} ${fmtTime(b.resubmittedAt)}` : rt('awaitingResubmit') }),
        h('div', { class: 'reasons', text: b.reasons }))))
        : h('p', { class: 'muted', text: rt('noSendBacks') }));
  }

  // authorName: the unit a comment's author acts for, else the name of its
  // token (without the token's id).
  function authorName(c) { return c.byUnitName || c.actor.split('#')[0]; }

  function threadPanel(o, msg) {
    const comments = o.comments || [];
    const text = requireText(h('textarea', { id: 'comment-text', rows: 3, maxlength: 2000 }));
    const reply = h('select', { id: 'comment-reply' }, h('option', { value: '' }, rt('noReply')),
      comments.map((c) => h('option', { value: c.number }, `${rt('replyTo')}${c.number}${rt('replyNo')} · ${authorName(c)}`)));
    const form = actionForm({ id: 'form-comment', title: rt('comment'), msg, label: rt('post'),
      fields: [h('label', {}, rt('commentText'), text), h('label', {}, rt('replyChoose'), reply)],
      build: () => [`mutation($obligation: ObligationInput!, $text: String!, $replyTo: Int, $key: String!) { postComment(input: {obligation: $obligation, text: $text, replyTo: $replyTo, ${MUTATION_TAIL}`,
        { obligation: obligationInput(o), text: text.value.trim(), replyTo: reply.value ? Number(reply.value) : null }] });
    return h('section', { class: 'panel', id: 'review-thread' }, h('h2', { text: rt('thread') }),
      comments.length ? h('ol', { class: 'thread' }, comments.map((c) => h('li', { 'data-comment': c.number, class: c.replyTo ? 'reply' : null },
        h('div', { class: 'meta muted' }, `#${c.number} · ${authorName(c)} · ${fmtTime(c.recordedAt)}`,
          c.replyTo ? ` · ${rt('replyTo')}${c.replyTo}${rt('replyNo')}` : ''),
        h('div', { class: 'text', text: c.text }))))
        : h('p', { class: 'muted', text: rt('noComments') }),
      h('div', { class: 'forms single no-print' }, form));
  }

  // reviewActions: 退回修改 (inspector, plan office, the task's lead on a
  // supporting duty) and 签收 (the lead).
  function reviewActions(o, led, msg) {
    const role = state.me.role;
    const lead = led && o.role === 'SUPPORT';
    const forms = [];
    const targets = [];
    if (o.reports > 0) targets.push({ value: 'REPORT', label: rt('latestReport'), milestone: null });
    const claim = claimedMilestone(o);
    if (claim) targets.push({ value: 'CLAIM', label: claim.label, milestone: claim.milestone });
    if ((role === 'INSPECTOR' || role === 'COORDINATOR' || lead) && targets.length && o.status !== 'SENT_BACK' && o.status !== 'VERIFIED') {
      const target = h('select', { id: 'sendback-target' }, targets.map((x, i) => h('option', { value: i }, x.label)));
      const reasons = requireText(h('textarea', { id: 'sendback-reasons', rows: 3 }));
      forms.push(actionForm({ id: 'form-sendback', title: rt('sendBack'), label: rt('sendBack'), danger: true, msg,
        fields: [h('label', {}, rt('target'), target), h('label', {}, rt('reasons'), reasons)],
        build: () => {
          const x = targets[Number(target.value)];
          return [`mutation($obligation: ObligationInput!, $target: SendBackTarget!, $milestone: String, $reasons: String!, $key: String!) { sendBack(input: {obligation: $obligation, target: $target, milestone: $milestone, reasons: $reasons, ${MUTATION_TAIL}`,
            { obligation: obligationInput(o), target: x.value, milestone: x.milestone, reasons: reasons.value.trim() }];
        } }));
    }
    if (lead && !o.signOff && o.status !== 'SENT_BACK') forms.push(signOffForm(o, msg, 'form-signoff'));
    if (!forms.length) return null;
    return h('section', { class: 'panel no-print', id: 'review-actions' }, h('div', { class: 'forms' }, forms));
  }

  function signOffForm(o, msg, id) {
    const note = h('textarea', { rows: 2, class: 'signoff-note' });
    return actionForm({ id, cls: 'signoff', title: `${rt('signOff')} · ${o.unitName || o.unit}`, label: rt('signOff'), msg,
      fields: [h('label', {}, rt('signOffNote'), note)],
      build: () => [`mutation($obligation: ObligationInput!, $note: String, $key: String!) { signOffPart(input: {obligation: $obligation, note: $note, ${MUTATION_TAIL}`,
        { obligation: obligationInput(o), note: note.value.trim() || null }] });
  }

  function signOffText(o) {
    if (!o.needsSignOff) return rt('notSupport');
    return o.signOff ? `${rt('signedOff')}（${o.signOff.byUnitName || ''} ${fmtTime(o.signOff.recordedAt)}）` : rt('unsigned');
  }

  function reviewLink(o) {
    return h('a', { href: link('obligation', { o: o.id, task: o.task, plan: o.plan }), class: 'review-link no-print' }, rt('open'));
  }

  pages.obligation = async function (main, params, flash) {
    const { o, led } = await findObligation(params);
    if (!o) { main.append(h('h1', { id: 'page-title', text: rt('title') }), errorBox(new ApiError(rt('notFound'), 'NOT_FOUND'))); return; }
    main.append(h('h1', { id: 'page-title', text: `${rt('title')} · ${o.task} ${o.taskTitle || ''}` }),
      h('div', { class: 'summary', id: 'review-summary', 'data-status': o.status },
        lightDot(o.light), h('span', { text: `${o.unitName || o.unit} · ${t('duty.' + o.role)}` }),
        h('span', { class: 'status', text: t('st.' + o.status) }), h('span', { text: `${t('progress')} ${o.progress}%` }),
        o.needsSignOff ? h('span', { class: 'signoff-state', text: `${rt('signOffState')}: ${signOffText(o)}` }) : null));
    if (o.sentBack) {
      main.append(h('div', { class: 'sent-back-note', role: 'note', id: 'sent-back' },
        h('strong', { text: `${t('st.SENT_BACK')}：` }), o.sentBack.reasons,
        h('div', { class: 'muted', text: `${rt('by')}: ${o.sentBack.byUnitName || rt('supervisor')} · ${fmtTime(o.sentBack.recordedAt)} · ${rt('awaitingResubmit')}` })));
    }
    const msg = h('div', { id: 'action-msg', 'aria-live': 'polite' });
    if (flash) msg.append(flash);
    const actions = reviewActions(o, led, msg);
    if (actions) main.append(actions);
    main.append(msg, reportsPanel(o), sendBacksPanel(o), threadPanel(o, msg));
  };

  pages.led = async function (main, params, flash) {
    main.append(h('h1', { id: 'page-title', text: rt('ledTitle') }), h('p', { class: 'muted', text: rt('needsSignOff') }));
    const d = await gql(`{ ledDuties(first: 500) { edges { node { ${REVIEW_FIELDS} } } } }`);
    const msg = h('div', { id: 'action-msg', 'aria-live': 'polite' });
    if (flash) msg.append(flash);
    main.append(msg);
    const items = nodes(d.ledDuties).sort((a, b) => a.task - b.task || (a.role === 'SUPPORT' ? 0 : 1) - (b.role === 'SUPPORT' ? 0 : 1));
    if (!items.length) { main.append(h('p', { class: 'muted', id: 'no-led', text: rt('noLed') })); return; }
    main.append(h('table', { class: 'obligations', id: 'led-duties' },
      h('thead', {}, h('tr', {}, ['', t('task'), t('role'), t('status'), t('progress'), rt('signOffState'), ''].map((x) => h('th', { text: x })))),
      h('tbody', {}, items.map((o) => h('tr', { class: 'obligation', 'data-obligation': o.id, 'data-status': o.status },
        h('td', {}, lightDot(o.light)),
        h('td', {}, h('strong', { text: `${o.task} ` }), o.taskTitle || '', h('div', { class: 'muted', text: o.unitName || o.unit })),
        h('td', { class: 'nowrap', text: t('duty.' + o.role) }),
        h('td', { class: 'status nowrap', text: t('st.' + o.status) }),
        h('td', { class: 'num progress-cell' }, h('span', { class: 'pct', text: o.progress + '%' }), progressBar(o.progress)),
        h('td', { class: 'signoff-state' }, signOffText(o),
          o.role === 'SUPPORT' && !o.signOff && o.status !== 'SENT_BACK' && o.reports > 0 ? signOffForm(o, msg, null) : null),
        h('td', {}, reviewLink(o)))))));
  };

  // Every row of the obligations ledger (#/mine) links to its review page.
  const minePageBeforeReview = pages.mine;
  pages.mine = async function (main, params, flash) {
    await minePageBeforeReview(main, params, flash);
    main.querySelectorAll('tr.obligation[data-obligation]').forEach((tr) => {
      const cell = tr.children[1];
      if (!cell) return;
      const params2 = { o: tr.getAttribute('data-obligation'), task: tr.getAttribute('data-task') };
      cell.append(h('div', {}, h('a', { href: link('obligation', params2), class: 'review-link no-print' }, rt('open'))));
    });
  };

  // ---- bulletins (通报) and plan changes: the plan office ----
  // Every token holder lists the plan's bulletins and downloads each PDF or
  // opens its print page (rendered again on the server from the bulletin's
  // as-of point). The plan office issues bulletins and changes plans here.
  const BT = {
    zh: {
      nav: '通报', title: '通报', changesNav: '计划调整', changesTitle: '计划调整',
      none: '尚未印发通报。', number: '期号', period: '通报期间', asOf: '数据截至', issuedAt: '印发时间', digest: 'PDF 摘要（SHA-256）',
      pdf: '下载 PDF', page: '打印页', issue: '印发通报', periodLabel: '通报期间（月份如 2026-11，季度如 2026Q4）',
      asOfLabel: '数据截至日期（可选，默认现在）', issueHint: '按所选时点的账本计算：总体情况、逾期和即将到期事项、提前完成事项、考核排名；印发后可按同一时点逐字节复现。',
      issued: '已印发：', counts: '责任事项 {d} 项，逾期 {o} 项，30 日内到期 {s} 项，提前完成 {e} 项。',
      reschedule: '调整时限', reassign: '转交任务责任', rename: '单位更名', merge: '单位合并', split: '单位拆分',
      task: '任务编号', unit: '责任单位（名称或编号）', role: '角色', milestone: '里程碑编号', due: '新期限', reason: '理由',
      reasonReq: '理由（必填，记入历史）', toUnit: '转交给（名称或编号）', newName: '新名称', into: '并入（名称或编号）',
      parts: '拆分为（每行一个：已有单位名称，或 新编号=新名称）', heir: '承接未办结任务的单位', officeOnly: '只有计划办可以调整计划和印发通报。',
      changesHint: '所有调整都记入账本，历史随单位延续：更名后旧名称仍可查到；合并、拆分时未办结的任务责任转交给承接单位。'
    },
    en: {
      nav: 'Bulletins', title: 'Bulletins', changesNav: 'Plan changes', changesTitle: 'Plan changes',
      none: 'No bulletin has been issued yet.', number: 'Number', period: 'Period', asOf: 'As of', issuedAt: 'Issued', digest: 'PDF digest (SHA-256)',
      pdf: 'Download PDF', page: 'Print page', issue: 'Issue a bulletin', periodLabel: 'Period (a month such as 2026-11, a quarter such as 2026Q4)',
      asOfLabel: 'As of date (optional, default now)', issueHint: 'Computed from the ledger as of that point: summary, overdue and soon-due duties, early completions, rankings; reproducible byte for byte from the same point.',
      issued: 'Issued:', counts: '{d} duties, {o} overdue, {s} due within 30 days, {e} completed early.',
      reschedule: 'Reschedule a milestone', reassign: 'Reassign a duty', rename: 'Rename a unit', merge: 'Merge units', split: 'Split a unit',
      task: 'Task number', unit: 'Unit (name or id)', role: 'Role', milestone: 'Milestone id', due: 'New due date', reason: 'Reason',
      reasonReq: 'Reason (required; kept in the history)', toUnit: 'Reassign to (name or id)', newName: 'New name', into: 'Merge into (name or id)',
      parts: 'Split into (one a line: an existing unit, or newid=new name)', heir: 'Unit taking over the open duties', officeOnly: 'Only the plan office changes plans and issues bulletins.',
      changesHint: 'Every change is recorded; history follows the unit: a renamed unit is still found by its old name, and a merger or split hands the open duties to the successor.'
    }
  };
  function bl(key) { return BT[state.lang][key] || key; }

  const baseNavItems = navItems;
  navItems = function () {
    const items = baseNavItems();
    const role = state.me ? state.me.role : 'PUBLIC';
    if (role === 'PUBLIC') return items;
    items.push(['bulletins', bl('nav')]);
    if (role === 'COORDINATOR') items.push(['changes', bl('changesNav')]);
    return items;
  };

  // openPage fetches a print page with the token and opens it in a new tab.
  async function openPage(url, msg) {
    msg.replaceChildren();
    try {
      const res = await fetch(url, { headers: state.token ? { Authorization: 'Bearer ' + state.token } : {} });
      if (!res.ok) {
        let e = { message: 'HTTP ' + res.status, code: 'HTTP_' + res.status };
        try { const j = await res.json(); e = j.error || j; } catch (x) { /* not JSON */ }
        msg.append(errorBox(new ApiError(e.message, e.code)));
        return;
      }
      const blob = await res.blob();
      window.open(URL.createObjectURL(blob), '_blank', 'noopener');
    } catch (e) {
      msg.append(errorBox(new ApiError(String(e.message || e), 'NETWORK'), t('failed')));
    }
  }

  function bulletinTable(list) {
    const msg = h('div', { class: 'export-msg' });
    const rows = list.map((b) => h('tr', { 'data-bulletin': `${b.year}-${b.number}` },
      h('td', {}, h('strong', { text: b.numberText })),
      h('td', { text: b.periodText }),
      h('td', { text: `${fmtTime(b.asOf)} · ${t('position')} ${b.asOfPosition}` }),
      h('td', { text: fmtTime(b.issuedAt) }),
      h('td', { class: 'no-print' },
        h('button', { class: 'secondary', type: 'button', 'data-pdf': b.pdfPath, onclick: () => download(b.pdfPath, msg) }, bl('pdf')), ' ',
        h('button', { class: 'secondary', type: 'button', onclick: () => openPage(b.pagePath, msg) }, bl('page'))),
      h('td', {}, h('code', { class: 'digest', title: b.digest, text: b.digest.slice(0, 12) + '…' }))));
    return h('div', {}, h('div', { class: 'table-wrap' }, h('table', { class: 'bulletins' },
      h('thead', {}, h('tr', {}, [bl('number'), bl('period'), bl('asOf'), bl('issuedAt'), '', bl('digest')].map((x) => h('th', { text: x })))),
      h('tbody', {}, rows))), msg);
  }

  function issueForm() {
    const holder = { key: newKey() };
    const msg = h('div', { class: 'issue-msg', 'aria-live': 'polite' });
    const period = requireText(h('input', { id: 'bulletin-period', name: 'period', placeholder: '2026-11', pattern: '\\s*[0-9]{4}(-[0-9]{2}|-?[Qq][1-4])\\s*' }));
    const asOf = h('input', { id: 'bulletin-asof', name: 'asOf', type: 'date' });
    const button = h('button', { class: 'primary', type: 'submit', id: 'bulletin-issue' }, bl('issue'));
    const form = h('form', {
      id: 'bulletin-form', class: 'panel no-print',
      onsubmit: async (ev) => {
        ev.preventDefault();
        msg.replaceChildren();
        button.disabled = true;
        const vars = { period: period.value.trim(), key: holder.key, asOf: asOf.value ? asOf.value + 'T23:59:59+08:00' : null };
        try {
          const d = await gql(`mutation($period: String!, $asOf: Time, $key: String!) { issueBulletin(input: {period: $period, asOf: $asOf, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn }
            result { position duplicate summary } bulletin { numberText periodText } counts { duties overdue soonDue early } } }`, vars);
          holder.key = newKey();
          const r = d.issueBulletin;
          const c = r.counts;
          await rerender(h('div', { class: 'success', role: 'status', id: 'bulletin-done', 'data-duplicate': String(r.result.duplicate) },
            h('strong', { text: bl('issued') }), ` ${r.bulletin.numberText}（${r.bulletin.periodText}） `,
            bl('counts').replace('{d}', c.duties).replace('{o}', c.overdue).replace('{s}', c.soonDue).replace('{e}', c.early),
            r.result.duplicate ? h('div', { class: 'note', text: t('duplicate') }) : null));
        } catch (e) {
          if (!outcomeUnknown(e)) holder.key = newKey();
          msg.replaceChildren(errorBox(e, e.code === 'NETWORK' ? t('failed') : t('refused')));
          button.disabled = false;
        }
      }
    }, h('h2', { text: bl('issue') }), h('p', { class: 'muted', text: bl('issueHint') }),
    h('div', { class: 'controls' }, h('label', {}, bl('periodLabel'), period), h('label', {}, bl('asOfLabel'), asOf), button), msg);
    return form;
  }

  pages.bulletins = async function (main, params, flash) {
    const d = await gql('{ bulletins(first: 500) { edges { node { year number numberText periodText asOf asOfPosition issuedAt digest pdfPath pagePath } } } }');
    const bulletins = nodes(d.bulletins);
    main.append(h('h1', { id: 'page-title', text: bl('title') }));
    if (state.me.role === 'COORDINATOR') main.append(issueForm());
    if (flash) main.append(flash);
    main.append(h('section', { class: 'panel' }, bulletins.length ? bulletinTable(bulletins) : h('p', { class: 'muted', id: 'no-bulletins', text: bl('none') })));
  };

  // changeField is a labelled input for the plan-change forms.
  function changeField(label, attrs) { return h('label', {}, label, h('input', attrs)); }
  function roleSelect() {
    return h('label', {}, bl('role'), h('select', { name: 'role' }, ['LEAD', 'JOINT', 'SUPPORT', 'IMPLEMENTING'].map((r) => h('option', { value: r }, t('duty.' + r)))));
  }
  function val(form, name) { const el = form.querySelector(`[name="${name}"]`); return el ? el.value.trim() : ''; }
  function dutyOf(form) { return { task: Number(val(form, 'task')), unit: val(form, 'unit'), role: val(form, 'role') }; }
  const RESULT = 'position summary duplicate caughtUp';

  function changeForms() {
    const msg = h('div', { class: 'change-msg', 'aria-live': 'polite' });
    const duty = () => [changeField(bl('task'), { name: 'task', type: 'number', min: 1, required: true }), changeField(bl('unit'), { name: 'unit', required: true }), roleSelect()];
    const reason = (req) => { const el = h('input', { name: 'reason' }); if (req) requireText(el); return h('label', {}, req ? bl('reasonReq') : bl('reason'), el); };
    const forms = [];
    const resched = actionForm({ id: 'form-reschedule', cls: 'panel change', title: bl('reschedule'), msg, fields: h('div', { class: 'controls' }, duty(),
      changeField(bl('milestone'), { name: 'milestone', required: true }), changeField(bl('due'), { name: 'due', type: 'date', required: true }), reason(true)),
    build: () => [`mutation($o: ObligationInput!, $m: String!, $due: Date!, $reason: String!, $key: String!) { rescheduleMilestone(input: {obligation: $o, milestone: $m, due: $due, reason: $reason, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } ${RESULT} } }`,
      { o: dutyOf(resched), m: val(resched, 'milestone'), due: val(resched, 'due'), reason: val(resched, 'reason') }] });
    forms.push(resched);
    const reassign = actionForm({ id: 'form-reassign', cls: 'panel change', title: bl('reassign'), msg, fields: h('div', { class: 'controls' }, duty(),
      changeField(bl('toUnit'), { name: 'toUnit', required: true }), reason(false)),
    build: () => [`mutation($o: ObligationInput!, $to: ID!, $reason: String, $key: String!) { reassignResponsibility(input: {obligation: $o, toUnit: $to, reason: $reason, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } ${RESULT} } }`,
      { o: dutyOf(reassign), to: val(reassign, 'toUnit'), reason: val(reassign, 'reason') || null }] });
    forms.push(reassign);
    const rename = actionForm({ id: 'form-rename', cls: 'panel change', title: bl('rename'), msg, fields: h('div', { class: 'controls' },
      changeField(bl('unit'), { name: 'unit', required: true }), changeField(bl('newName'), { name: 'name', required: true }), reason(false)),
    build: () => [`mutation($u: ID!, $name: String!, $reason: String, $key: String!) { renameUnit(input: {unit: $u, name: $name, reason: $reason, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } ${RESULT} } }`,
      { u: val(rename, 'unit'), name: val(rename, 'name'), reason: val(rename, 'reason') || null }] });
    forms.push(rename);
    const merge = actionForm({ id: 'form-merge', cls: 'panel change', title: bl('merge'), msg, danger: true, fields: h('div', { class: 'controls' },
      changeField(bl('unit'), { name: 'unit', required: true }), changeField(bl('into'), { name: 'into', required: true }), reason(false)),
    build: () => [`mutation($u: ID!, $into: ID!, $reason: String, $key: String!) { mergeUnits(input: {unit: $u, into: $into, reason: $reason, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } ${RESULT} } }`,
      { u: val(merge, 'unit'), into: val(merge, 'into'), reason: val(merge, 'reason') || null }] });
    forms.push(merge);
    const partsEl = h('textarea', { name: 'parts', rows: 3, required: true });
    const split = actionForm({ id: 'form-split', cls: 'panel change', title: bl('split'), msg, danger: true, fields: h('div', { class: 'controls' },
      changeField(bl('unit'), { name: 'unit', required: true }), h('label', {}, bl('parts'), partsEl), changeField(bl('heir'), { name: 'heir', required: true }), reason(false)),
    build: () => [`mutation($u: ID!, $into: [SplitPartInput!]!, $heir: String!, $reason: String, $key: String!) { splitUnit(input: {unit: $u, into: $into, heir: $heir, reason: $reason, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } ${RESULT} } }`,
      { u: val(split, 'unit'), heir: val(split, 'heir'), reason: val(split, 'reason') || null,
        into: partsEl.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => { const [unit, name] = l.split('='); return name ? { unit: unit.trim(), name: name.trim() } : { unit: unit.trim() }; }) }] });
    forms.push(split);
    return [msg, ...forms];
  }

  pages.changes = async function (main, params, flash) {
    main.append(h('h1', { id: 'page-title', text: bl('changesTitle') }));
    if (state.me.role !== 'COORDINATOR') {
      main.append(h('p', { class: 'muted', text: bl('officeOnly') }));
      return;
    }
    main.append(h('p', { class: 'muted', text: bl('changesHint') }));
    const [msg, ...forms] = changeForms();
    if (flash) msg.append(flash);
    main.append(msg, h('div', { class: 'changes' }, forms));
  };

  // ---- accounts: password login, sessions, a unit's own view (issue 17) ----
  // A person logs in with a login name and password; the server sets an
  // HttpOnly session cookie and answers the session's CSRF token, which
  // gql() and uploads send back as X-CSRF-Token on every POST. The token
  // lives only in this page's memory; a reload asks GET /session for it.

  Object.assign(I18N.zh, {
    myUnit: '本单位视图', password: '修改密码', loginName: '登录名', loginPassword: '密码', passwordLogin: '账号密码登录',
    tokenLogin: '或使用访问令牌登录（供系统对接）', oldPassword: '当前密码', newPassword: '新密码（至少10个字符）', repeatPassword: '再次输入新密码',
    passwordsDiffer: '两次输入的新密码不一致。', passwordChanged: '密码已修改。', mustChange: '管理员设置的初始密码须修改，请先设置新密码。',
    owes: '本单位承担的任务（全部方案）', leads: '本单位牵头任务的配合单位', noLeads: '本单位没有牵头的任务。', supporters: '配合单位',
    ownScore: '本单位得分', provisional: '暂定', publishedScore: '已公布', provisionalNote: '暂定得分：按现有记录即时计算，考核委员会公布前可能变化，不作为正式考核结果。',
    publishedNote: '考核委员会已公布本年度排名；正式结果以公开排名页面为准，此处为即时计算。', noScore: '本单位不参加该年度考核排名。',
    chooseUnit: '选择单位', leader: '单位负责人', oidcLogin: '使用统一身份认证登录'
  });
  Object.assign(I18N.en, {
    myUnit: 'Unit view', password: 'Change password', loginName: 'Login name', loginPassword: 'Password', passwordLogin: 'Log in with your account',
    tokenLogin: 'Or log in with an access token (for systems)', oldPassword: 'Current password', newPassword: 'New password (at least 10 characters)', repeatPassword: 'New password again',
    passwordsDiffer: 'The two new passwords differ.', passwordChanged: 'Password changed.', mustChange: 'The administrator set your first password: choose your own now.',
    owes: 'What this unit owes (all plans)', leads: 'Supporters on the tasks this unit leads', noLeads: 'This unit leads no task.', supporters: 'Supporters',
    ownScore: "This unit's score", provisional: 'Provisional', publishedScore: 'Published', provisionalNote: 'Provisional: computed now from the records so far; it may change until the committee publishes, and is not an assessment result.',
    publishedNote: "The committee has published this year's rankings; the public page holds the official result, this is computed now.", noScore: 'This unit is not ranked for the year.',
    chooseUnit: 'Unit', leader: 'Unit leader', oidcLogin: "Log in with your office's identity provider"
  });

  // postJSON posts to one of the /session paths with the CSRF token.
  async function postJSON(path, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
    if (state.lang === 'en') headers['Accept-Language'] = 'en';
    let res, out;
    try {
      res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body || {}) });
      out = await res.json();
    } catch (e) {
      throw new ApiError(String(e.message || e), 'NETWORK');
    }
    if (!res.ok) {
      const e = out.error || {};
      throw new ApiError(state.lang === 'zh' ? (e.messageZH || e.message) : e.message, e.code || 'HTTP_' + res.status);
    }
    return out;
  }

  // restoreSession picks up a session after a reload.
  async function restoreSession() {
    state.csrf = '';
    try {
      const res = await fetch('/session', { credentials: 'same-origin' });
      const body = await res.json();
      if (res.ok) state.csrf = body.csrf || '';
      else state.oidc = !!body.oidc;
    } catch (e) { /* no session: public */ }
  }

  function endSession() {
    const csrf = state.csrf;
    state.csrf = '';
    fetch('/session/logout', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, credentials: 'same-origin', body: '{}' });
  }

  function landing(role) {
    return role === 'BUREAU' || role === 'COUNTY' ? 'myunit' : role === 'COORDINATOR' ? 'tasks' : role === 'INSPECTOR' ? 'audit' : 'scorecards';
  }

  const tokenLoginPage = pages.login;
  pages.login = async function (main) {
    await tokenLoginPage(main);
    const tokenPanel = main.querySelector('.panel.login');
    const name = h('input', { id: 'login-name', name: 'username', autocomplete: 'username', required: true });
    const pw = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const msg = h('div');
    const form = h('form', {
      id: 'password-form',
      onsubmit: async (ev) => {
        ev.preventDefault();
        msg.replaceChildren();
        try {
          const info = await postJSON('/session/login', { login: name.value.trim(), password: pw.value });
          state.token = '';
          sessionStorage.removeItem(TOKEN_KEY);
          state.csrf = info.csrf;
          state.me = (await gql('{ me { role unitId name actor person leader unit { id name } } }')).me;
          location.hash = link(info.mustChange ? 'password' : landing(state.me.role), info.mustChange ? { first: '1' } : {});
        } catch (e) {
          msg.append(errorBox(e));
        }
      }
    }, h('label', {}, t('loginName'), name), h('label', {}, t('loginPassword'), pw),
    h('div', {}, h('button', { class: 'primary', type: 'submit', id: 'password-submit' }, t('login'))), msg);
    const panel = h('div', { class: 'panel login', id: 'password-login' }, h('h2', { text: t('passwordLogin') }), form,
      state.oidc ? h('p', {}, h('a', { href: '/session/oidc/start', id: 'oidc-login', class: 'button' }, t('oidcLogin'))) : null);
    if (tokenPanel) {
      tokenPanel.before(panel);
      tokenPanel.prepend(h('h2', { class: 'muted', text: t('tokenLogin') }));
    } else main.append(panel);
  };

  pages.password = async function (main, params) {
    const fields = ['oldPassword', 'newPassword', 'repeatPassword'].map((k) => h('input', { id: k, type: 'password', required: true, autocomplete: k === 'oldPassword' ? 'current-password' : 'new-password' }));
    const msg = h('div', { 'aria-live': 'polite' });
    const form = h('form', {
      id: 'change-password',
      onsubmit: async (ev) => {
        ev.preventDefault();
        msg.replaceChildren();
        if (fields[1].value !== fields[2].value) { msg.append(errorBox(new ApiError(t('passwordsDiffer'), 'INVALID_ARGUMENT'))); return; }
        try {
          await postJSON('/session/password', { old: fields[0].value, new: fields[1].value });
          fields.forEach((f) => { f.value = ''; });
          msg.append(h('div', { class: 'success', role: 'status', id: 'password-done', text: t('passwordChanged') }));
        } catch (e) { msg.append(errorBox(e)); }
      }
    }, ['oldPassword', 'newPassword', 'repeatPassword'].map((k, i) => h('label', {}, t(k), fields[i])),
    h('div', {}, h('button', { class: 'primary', type: 'submit' }, t('submit'))), msg);
    main.append(h('h1', { id: 'page-title', text: t('password') }),
      params.get('first') ? h('p', { class: 'notice', text: t('mustChange') }) : null,
      h('div', { class: 'panel login' }, state.csrf ? form : h('p', { class: 'muted', text: t('needLogin') })));
  };

  const OB_FIELDS = `id plan task taskTitle unit unitName role status light progress reports nextDue slips findings
    milestones { id what due originalDue extended completion awaitingVerification toBeBackfilled overdue light }
    lastReport { percent note effectiveAt recordedAt period late }
    pendingExtension { milestone currentDue requestedDue reason requestedAt }`;
  const MY_UNIT = `query($unit: ID, $year: Int) { myUnit(unit: $unit, year: $year) { asOf unit { id name }
    owes { ${OB_FIELDS} } leads { plan task taskTitle supporters { ${OB_FIELDS} } }
    score { year kind scheme schemeVersion asOf provisional label totalText total grade gradeEn lines { rule pointsText zh en obligation } } } }`;

  function obligationTable(items, own) {
    return h('table', { class: 'obligations' },
      h('thead', {}, h('tr', {}, ['light', 'task', 'duty', 'status', 'progress', 'nextDue', 'milestones', 'lastReport'].map((k) => h('th', { text: k === 'duty' ? t('role') : t(k) })))),
      h('tbody', {}, items.map((o) => obligationRow(o, own))));
  }

  function unitScorePanel(sc) {
    if (!sc) return h('section', { class: 'panel', id: 'unit-score' }, h('h2', { text: t('ownScore') }), h('p', { class: 'muted', text: t('noScore') }));
    const label = state.lang === 'zh' ? sc.label : sc.provisional ? `${t('provisional')} (${sc.label})` : t('publishedScore');
    const badge = h('span', { class: 'badge ' + (sc.provisional ? 'provisional' : 'published'), id: 'score-label', text: label });
    return h('section', { class: 'panel', id: 'unit-score', 'data-provisional': String(sc.provisional) },
      h('h2', {}, `${t('ownScore')} · ${sc.year} `, badge),
      h('p', { class: sc.provisional ? 'notice provisional-note' : 'muted', text: sc.provisional ? t('provisionalNote') : t('publishedNote') }),
      h('div', { class: 'summary' }, scoreBar(sc.total, sc.grade), h('strong', { class: 'total', text: ` ${sc.totalText} ` }),
        h('span', { class: 'grade ' + gradeClass(sc.total, sc.grade), text: gradeText(sc) }),
        h('span', { class: 'muted', text: ` ${t('scheme')} ${ui.schemeText(sc.scheme, sc.schemeVersion, state.lang)} · ${t('asOf')} ${fmtTime(sc.asOf)}` })),
      h('table', { class: 'lines' }, h('thead', {}, h('tr', {}, h('th', { class: 'num', text: t('points') }), h('th', { text: t('why') }))),
        h('tbody', {}, sc.lines.map((l) => h('tr', { class: 'line', 'data-rule': l.rule }, h('td', { class: 'num', text: l.pointsText }), h('td', { text: state.lang === 'zh' ? l.zh : l.en }))))));
  }

  async function unitChooser(main, params) {
    const units = nodes((await gql('{ units(first: 500) { edges { node { id name kind } } } }')).units).filter((u) => u.kind === 'BUREAU' || u.kind === 'COUNTY');
    const sel = h('select', { id: 'unit-choice' }, h('option', { value: '', text: '—' }), units.map((u) => h('option', { value: u.id, selected: u.id === params.get('unit'), text: u.name })));
    sel.addEventListener('change', () => { location.hash = link('myunit', Object.assign(sel.value ? { unit: sel.value } : {}, params.get('year') ? { year: params.get('year') } : {})); });
    main.append(h('div', { class: 'controls no-print' }, h('label', {}, t('chooseUnit'), sel)));
  }

  pages.myunit = async function (main, params) {
    const own = state.me.role === 'BUREAU' || state.me.role === 'COUNTY';
    main.append(h('h1', { id: 'page-title', text: t('myUnit') }));
    if (!own) {
      await unitChooser(main, params);
      if (!params.get('unit')) return;
    }
    const year = Number(params.get('year')) || (state.ledger && state.ledger.now ? new Date(state.ledger.now) : new Date()).getUTCFullYear();
    const yearIn = h('input', { type: 'number', id: 'unit-year', value: year, min: 2000, max: 2100 });
    yearIn.addEventListener('change', () => {
      const q = { year: yearIn.value };
      if (params.get('unit')) q.unit = params.get('unit');
      location.hash = link('myunit', q);
    });
    main.append(h('div', { class: 'controls no-print' }, h('label', {}, t('year'), yearIn)));
    const v = (await gql(MY_UNIT, { unit: own ? null : params.get('unit'), year })).myUnit;
    main.querySelector('#page-title').textContent = `${t('myUnit')} · ${v.unit.name}`;
    main.append(unitScorePanel(v.score),
      h('section', { class: 'panel', id: 'unit-owes' }, h('h2', { text: `${t('owes')} (${v.owes.length})` }), obligationTable(v.owes, true)),
      h('section', { class: 'panel', id: 'unit-leads' }, h('h2', { text: t('leads') }),
        v.leads.length ? v.leads.map((lt) => h('div', { class: 'led-task', 'data-task': lt.task },
          h('h3', { text: `${lt.task} ${lt.taskTitle}` }), obligationTable(lt.supporters, false))) : h('p', { class: 'muted', text: t('noLeads') })));
  };

  // ---- end of accounts ----

  // ---- render ----

  let renderSeq = 0;
  async function rerender(flash, extra) {
    const r = route();
    if (extra) for (const [k, v] of Object.entries(extra)) r.params.set(k, v);
    return renderPage(r, flash);
  }
  async function render() { return renderPage(route()); }

  async function renderPage(r, flash) {
    const seq = ++renderSeq;
    const main = document.getElementById('main');
    if (!state.ledger) {
      try { state.ledger = (await gql('{ ledger { mode notice now defaultPlan } }')).ledger; } catch (e) { /* shown below */ }
    }
    if (!state.token && state.csrf === undefined) await restoreSession();
    if ((state.token || state.csrf) && !state.me) {
      try { state.me = (await gql('{ me { role unitId name actor person leader unit { id name } } }')).me; } catch (e) {
        if (e.code === 'UNAUTHENTICATED') { state.token = ''; state.csrf = ''; sessionStorage.removeItem(TOKEN_KEY); }
      }
    }
    let page = r.page;
    if (!pages[page]) page = 'public';
    if (page !== 'public' && page !== 'login' && !state.me) page = 'login';
    renderChrome(page);
    const fresh = h('div', { id: 'page-' + page, class: 'page' });
    fresh.append(h('p', { class: 'muted loading', text: t('loading') }));
    main.replaceChildren(fresh);
    const body = h('div');
    try {
      await pages[page](body, r.params, flash);
    } catch (e) {
      body.append(errorBox(e, e.code === 'NETWORK' ? t('failed') : t('refused')));
    }
    if (seq !== renderSeq) return; // a newer render took over
    body.prepend(h('p', { class: 'print-only muted', text: `${t('printNote')}: ${fmtTime(new Date().toISOString())}` }));
    fresh.replaceChildren(...body.childNodes);
    const mark = fresh.querySelector('tr.hl');
    if (mark) mark.scrollIntoView({ block: 'center' });
    else if (flash && flash.isConnected) flash.scrollIntoView({ block: 'nearest' });
    fresh.setAttribute('data-ready', 'true');
  }

  window.addEventListener('hashchange', () => { render(); });
  document.addEventListener('DOMContentLoaded', () => { render(); });

  // ---- Evidence files (佐证材料) --------------------------------------
  // The report and claim forms upload their chosen files to POST /evidence
  // first, then send the handles (sha256, name) with the mutation; the
  // server judges each file by its content and size. The obligations table
  // lists each duty's files as download links (GET /evidence/{sha256},
  // fetched with the token, saved under the recorded name).
  const EV_I18N = {
    zh: { files: '上传附件（PDF、图片、Office 文档等，可多选）', uploading: '正在上传佐证材料…', evidence: '佐证材料',
      REPORT: '进展报告', CLAIM: '完成申报', RECTIFICATION: '整改' },
    en: { files: 'Attach files (PDF, images, Office documents…; several allowed)', uploading: 'Uploading evidence…', evidence: 'Evidence',
      REPORT: 'report', CLAIM: 'claim', RECTIFICATION: 'rectification' }
  };
  function et(key) { return EV_I18N[state.lang][key]; }

  // uploadEvidence posts one file and returns its handle, or throws the
  // server's refusal (code, message in the page's language).
  async function uploadEvidence(file) {
    const form = new FormData();
    form.append('file', file, file.name);
    const headers = {};
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    else if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
    let res, body;
    try {
      res = await fetch('/evidence', { method: 'POST', headers, body: form });
      body = await res.json();
    } catch (e) {
      throw new ApiError(String(e.message || e), 'NETWORK');
    }
    if (!res.ok) {
      const e = body.error || {};
      throw new ApiError(`${file.name}: ${state.lang === 'zh' ? e.messageZH || e.message : e.message}`, e.code || 'HTTP_' + res.status);
    }
    return { sha256: body.sha256, name: body.name };
  }

  // evidencePicker is a file input and handles(), which uploads the chosen
  // files (each once while it stays chosen) and returns their handles.
  function evidencePicker(id) {
    const input = h('input', { type: 'file', id, multiple: true, 'data-evidence': id,
      accept: '.pdf,.png,.jpg,.jpeg,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt,.csv' });
    const done = new Map();
    const label = h('label', { class: 'evidence-files' }, et('files'), input);
    async function handles() {
      const files = Array.from(input.files || []);
      if (!files.length) return null;
      const out = [];
      for (const f of files) {
        const k = `${f.name}/${f.size}/${f.lastModified}`;
        if (!done.has(k)) done.set(k, await uploadEvidence(f));
        out.push(done.get(k));
      }
      return out;
    }
    return { label, handles };
  }

  // evidenceLinks lists an obligation's evidence files as download links.
  function evidenceLinks(list) {
    if (!list || !list.length) return null;
    const msg = h('div', { class: 'export-msg' });
    const fmtSize = (n) => n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + ' MiB' : Math.max(1, Math.round(n / 1024)) + ' KiB';
    return h('div', { class: 'evidence' }, h('div', { class: 'muted small', text: et('evidence') }),
      h('ul', { class: 'evidence-list' }, list.map((f) => h('li', { 'data-sha256': f.sha256 },
        h('a', { href: f.url, class: 'evidence-link', title: `sha256 ${f.sha256}`,
          onclick: (ev) => { ev.preventDefault(); download(f.url, msg); } }, f.name),
        h('span', { class: 'muted small', text: ` ${et(f.attachedTo)} · ${fmtSize(f.size)}` })))), msg);
  }

  // ---- rectification (整改) and appeals (申诉) ----
  // A unit reports a finding rectified and appeals the deductions on its own
  // card; an inspector verifies or sends back a rectification and may move
  // its date; the committee rules on appeals at #/appeals. Kept in one
  // section, with its own strings, so that other dashboard work merges
  // around it. The script is deferred, so this runs before the first render.

  const AP_I18N = {
    zh: {
      appeals: '申诉', appealsTitle: '申诉（对扣分的异议）', rects: '整改事项', noRects: '暂无需要整改的督查问题。',
      finding: '问题', rectDue: '整改期限', state: '状态', reportRect: '报送整改', rectNote: '整改情况（可选）',
      verifyRect: '核验通过', rejectRect: '退回重新整改', rejectReason: '退回理由（必填）', moveDue: '调整整改期限', newDue: '新期限', moveReason: '调整理由（必填）',
      rs: { OPEN: '待整改', OVERDUE: '整改逾期', REPORTED: '已报送，待核验', VERIFIED: '已核验' },
      rejected: '曾被退回', slipped: '已记录整改逾期',
      pending: '待裁决的申诉', noPending: '暂无待裁决的申诉。', ruled: '已裁决的申诉', noAppeals: '暂无申诉。',
      about: '申诉事项', reasons: '申诉理由', filedAt: '提出时间', ruling: '裁决理由', ruledAt: '裁决时间',
      as: { PENDING: '待裁决', UPHELD: '维持扣分', OVERTURNED: '撤销扣分' },
      uphold: '维持扣分', overturn: '撤销扣分', rulingReasons: '裁决理由（必填）',
      ownCard: '本单位得分明细', ownNote: '以下为按当前账本计算的本单位得分（非正式排名）。对扣分有异议的，可在评分办法规定的期限内（默认记录后15日内）提出申诉，每项扣分限申诉一次。',
      appeal: '申诉', appealReasons: '申诉理由（必填）', noDeductions: '本年度暂无扣分。', myAppeals: '本单位的申诉',
      readOnly: '申诉由被扣分单位提出，由考核委员会裁决；此处为只读。'
    },
    en: {
      appeals: 'Appeals', appealsTitle: 'Appeals against deductions', rects: 'Rectification', noRects: 'No finding requires rectification.',
      finding: 'Finding', rectDue: 'Rectify by', state: 'State', reportRect: 'Report rectified', rectNote: 'What was done (optional)',
      verifyRect: 'Verify', rejectRect: 'Send back', rejectReason: 'Reason (required)', moveDue: 'Move the date', newDue: 'New date', moveReason: 'Reason (required)',
      rs: { OPEN: 'to rectify', OVERDUE: 'overdue', REPORTED: 'reported, awaiting verification', VERIFIED: 'verified' },
      rejected: 'sent back before', slipped: 'rectification slip recorded',
      pending: 'Appeals awaiting a ruling', noPending: 'No appeal awaits a ruling.', ruled: 'Ruled appeals', noAppeals: 'No appeals.',
      about: 'Appealed', reasons: 'Reasons', filedAt: 'Filed', ruling: 'Ruling', ruledAt: 'Ruled',
      as: { PENDING: 'pending', UPHELD: 'upheld', OVERTURNED: 'overturned' },
      uphold: 'Uphold', overturn: 'Overturn', rulingReasons: 'Reasons (required)',
      ownCard: "Our unit's line items", ownNote: "Our unit's score computed from the ledger now (not a ranking). A deduction may be appealed within the scheme's window (by default 15 days after it was recorded), once each.",
      appeal: 'Appeal', appealReasons: 'Reasons (required)', noDeductions: 'No deductions this year.', myAppeals: "Our unit's appeals",
      readOnly: 'Units appeal their deductions and the committee rules; this list is read-only.'
    }
  };
  function at(key) {
    let v = AP_I18N[state.lang];
    for (const p of key.split('.')) v = v == null ? undefined : v[p];
    return v == null ? key : v;
  }
  const DONE = '{ position summary duplicate caughtUp userErrors { code field message messageEn } }';
  const RECTS = `{ rectifications(first: 500) { edges { node { obligation plan task taskTitle unit unitName role finding summary due state rejections lastRejection slipped } } } }`;
  const APPEALS = `query($all: Boolean) { appeals(all: $all, first: 500) { edges { node { obligation plan task taskTitle unit unitName role number about reasons filedAt state ruling ruledAt } } } }`;
  const OWN_CARD = `query($year: Int!) { ownScorecard(year: $year) { unit name totalText grade lines { rule pointsText zh en appealTarget appeal { number state ruling } obligation } } }`;

  // dutyOf turns a rectification or appeal into an ObligationInput.
  function dutyOf(x) { return { plan: x.plan, task: x.task, unit: x.unit, role: x.role }; }
  function dutyHead(x) {
    return h('div', { class: 'head' }, h('strong', { text: `${x.task} ${x.taskTitle || ''}` }), ' · ', x.unitName || x.unit, ' · ',
      h('span', { class: 'muted', text: t('duty.' + x.role) }));
  }

  // rectificationPanel lists the findings to rectify with the role's actions.
  function rectificationPanel(items) {
    const role = state.me.role;
    const panel = h('section', { class: 'panel no-print queue', id: 'rectifications' }, h('h2', { text: `${at('rects')}（${items.length}）` }));
    if (!items.length) panel.append(h('p', { class: 'muted', text: at('noRects') }));
    for (const x of items) {
      const msg = h('div', { class: 'item-msg', 'aria-live': 'polite' });
      const item = h('article', { class: 'queue-item rect', 'data-finding': x.finding, 'data-state': x.state, 'data-task': x.task });
      item.append(dutyHead(x),
        h('div', { class: 'meta' }, `${at('finding')} ${x.finding}：${x.summary}`),
        h('div', { class: 'meta' }, `${at('rectDue')} ${x.due} · ${at('state')}: `, h('strong', { class: 'rect-state', text: at('rs.' + x.state) }),
          x.rejections ? ` · ${at('rejected')}（${x.lastRejection || ''}）` : '', x.slipped ? ` · ${at('slipped')}` : ''));
      const forms = h('div', { class: 'forms' });
      const base = { obligation: dutyOf(x), finding: x.finding };
      if ((role === 'BUREAU' || role === 'COUNTY') && (x.state === 'OPEN' || x.state === 'OVERDUE')) {
        const note = h('textarea', { name: 'note', rows: 2 });
        forms.append(actionForm({ cls: 'report-rect', label: at('reportRect'), msg, group: item, fields: [h('label', {}, at('rectNote'), note)],
          build: () => [`mutation($obligation: ObligationInput!, $finding: Int!, $note: String, $key: String!) {
            reportRectification(input: {obligation: $obligation, finding: $finding, note: $note, idempotencyKey: $key, wait: true}) ${DONE} }`,
          Object.assign({ note: note.value.trim() || null }, base)] }));
      }
      if (role === 'INSPECTOR' && x.state === 'REPORTED') {
        const note = h('textarea', { name: 'note', rows: 2 });
        const reason = requireText(h('textarea', { name: 'reason', rows: 2 }));
        forms.append(
          actionForm({ cls: 'verify-rect', label: at('verifyRect'), msg, group: item, fields: [h('label', {}, t('verifyNote'), note)],
            build: () => [`mutation($obligation: ObligationInput!, $finding: Int!, $note: String, $key: String!) {
              verifyRectification(input: {obligation: $obligation, finding: $finding, note: $note, idempotencyKey: $key, wait: true}) ${DONE} }`,
            Object.assign({ note: note.value.trim() || null }, base)] }),
          actionForm({ cls: 'reject-rect', label: at('rejectRect'), danger: true, msg, group: item, fields: [h('label', {}, at('rejectReason'), reason)],
            build: () => [`mutation($obligation: ObligationInput!, $finding: Int!, $reason: String!, $key: String!) {
              rejectRectification(input: {obligation: $obligation, finding: $finding, reason: $reason, idempotencyKey: $key, wait: true}) ${DONE} }`,
            Object.assign({ reason: reason.value.trim() }, base)] }));
      }
      if (role === 'INSPECTOR' && (x.state === 'OPEN' || x.state === 'OVERDUE')) {
        const due = h('input', { type: 'date', name: 'due', required: true });
        const reason = requireText(h('textarea', { name: 'reason', rows: 2 }));
        forms.append(actionForm({ cls: 'move-due', label: at('moveDue'), msg, group: item,
          fields: [h('label', {}, at('newDue'), due), h('label', {}, at('moveReason'), reason)],
          build: () => [`mutation($obligation: ObligationInput!, $finding: Int!, $due: Date!, $reason: String!, $key: String!) {
            moveRectificationDue(input: {obligation: $obligation, finding: $finding, due: $due, reason: $reason, idempotencyKey: $key, wait: true}) ${DONE} }`,
          Object.assign({ due: due.value, reason: reason.value.trim() }, base)] }));
      }
      if (forms.childNodes.length) item.append(forms);
      item.append(msg);
      panel.append(item);
    }
    return panel;
  }

  // Every role's #/mine gets the rectification panel above the ledger.
  const mineWithBulk = pages.mine;
  pages.mine = async function (main, params, flash) {
    await mineWithBulk(main, params, flash);
    const d = await gql(RECTS);
    const panel = rectificationPanel(nodes(d.rectifications));
    const table = main.querySelector('table.obligations:not(#just-done)');
    if (table) table.parentNode.insertBefore(panel, table);
    else main.append(panel);
  };

  function appealRow(a) {
    return h('tr', { class: 'appeal', 'data-state': a.state, 'data-number': a.number },
      h('td', {}, h('strong', { text: `${a.task} ` }), a.taskTitle || '', h('div', { class: 'muted', text: `${a.unitName || a.unit} · ${t('duty.' + a.role)}` })),
      h('td', { text: a.about }), h('td', { text: a.reasons }), h('td', { class: 'nowrap', text: fmtTime(a.filedAt) }),
      h('td', { class: 'nowrap appeal-state', text: at('as.' + a.state) }),
      h('td', {}, a.ruling || '', a.ruledAt ? h('div', { class: 'muted', text: fmtTime(a.ruledAt) }) : null));
  }
  function appealTable(list, id) {
    return h('table', { class: 'obligations appeals', id },
      h('thead', {}, h('tr', {}, [t('task'), at('about'), at('reasons'), at('filedAt'), at('state'), at('ruling')].map((x) => h('th', { text: x })))),
      h('tbody', {}, list.map(appealRow)));
  }

  // rulingQueue: the committee upholds or overturns each pending appeal, with reasons.
  function rulingQueue(pending) {
    const panel = h('section', { class: 'panel no-print queue', id: 'rulings' }, h('h2', { text: `${at('pending')}（${pending.length}）` }));
    if (!pending.length) panel.append(h('p', { class: 'muted', text: at('noPending') }));
    for (const a of pending) {
      const msg = h('div', { class: 'item-msg', 'aria-live': 'polite' });
      const item = h('article', { class: 'queue-item', 'data-number': a.number, 'data-task': a.task });
      const rule = (outcome, cls, label, danger) => {
        const reasons = requireText(h('textarea', { name: 'reasons', rows: 2 }));
        return actionForm({ cls, label, danger, msg, group: item, fields: [h('label', {}, at('rulingReasons'), reasons)],
          build: () => [`mutation($obligation: ObligationInput!, $appeal: Int!, $outcome: AppealOutcome!, $reasons: String!, $key: String!) {
            ruleAppeal(input: {obligation: $obligation, appeal: $appeal, outcome: $outcome, reasons: $reasons, idempotencyKey: $key, wait: true}) ${DONE} }`,
          { obligation: dutyOf(a), appeal: a.number, outcome, reasons: reasons.value.trim() }] });
      };
      item.append(dutyHead(a),
        h('div', { class: 'meta' }, `${at('about')}：${a.about}`),
        h('div', { class: 'meta' }, `${at('reasons')}：${a.reasons} · ${at('filedAt')} ${fmtTime(a.filedAt)}`),
        h('div', { class: 'forms' }, rule('UPHELD', 'uphold', at('uphold'), true), rule('OVERTURNED', 'overturn', at('overturn'), false)),
        msg);
      panel.append(item);
    }
    return panel;
  }

  // ownCardPanel: a unit's own deductions, each with its appeal or a form to file one.
  function ownCardPanel(card) {
    const lines = card.lines.filter((l) => l.appeal || (l.pointsText.startsWith('-') && l.rule.indexOf('.base') < 0));
    const panel = h('section', { class: 'panel queue', id: 'own-card' }, h('h2', { text: `${at('ownCard')} · ${card.totalText}` }),
      h('p', { class: 'muted', text: at('ownNote') }));
    if (!lines.length) panel.append(h('p', { class: 'muted', text: at('noDeductions') }));
    for (const l of lines) {
      const msg = h('div', { class: 'item-msg', 'aria-live': 'polite' });
      const item = h('article', { class: 'queue-item line', 'data-rule': l.rule, 'data-appeal': l.appeal ? l.appeal.state : '' });
      item.append(h('div', { class: 'head' }, h('strong', { class: 'num', text: l.pointsText }), ' ', state.lang === 'en' ? l.en : l.zh));
      if (l.appeal) {
        item.append(h('div', { class: 'meta' }, `${at('appeal')}: `, h('strong', { text: at('as.' + l.appeal.state) }), l.appeal.ruling ? ` · ${l.appeal.ruling}` : ''));
      } else if (l.appealTarget) {
        const [plan, task, unit, role] = (l.obligation || '').split('/');
        const reasons = requireText(h('textarea', { name: 'reasons', rows: 2 }));
        item.append(h('div', { class: 'forms' }, actionForm({ cls: 'file-appeal', label: at('appeal'), msg, group: item,
          fields: [h('label', {}, at('appealReasons'), reasons)],
          build: () => [`mutation($obligation: ObligationInput!, $target: ID!, $reasons: String!, $key: String!) {
            fileAppeal(input: {obligation: $obligation, target: $target, reasons: $reasons, idempotencyKey: $key, wait: true}) ${DONE} }`,
          { obligation: { plan, task: Number(task), unit, role }, target: l.appealTarget, reasons: reasons.value.trim() }] })));
      }
      item.append(msg);
      panel.append(item);
    }
    return panel;
  }

  pages.appeals = async function (main, params, flash) {
    const role = state.me.role;
    const own = role === 'BUREAU' || role === 'COUNTY';
    main.append(h('h1', { id: 'page-title', text: at('appealsTitle') }));
    if (flash) main.append(h('div', { id: 'action-msg' }, flash));
    if (own) {
      const now = state.ledger && state.ledger.now ? new Date(state.ledger.now) : new Date();
      const year = Number(params.get('year')) || now.getUTCFullYear();
      const yearIn = h('input', { type: 'number', id: 'appeal-year', value: year, min: 2000, max: 2100 });
      main.append(h('div', { class: 'controls no-print' }, h('label', {}, t('year'), yearIn),
        h('button', { type: 'button', onclick: () => { location.hash = link('appeals', { year: yearIn.value }); } }, t('show'))));
      const d = await gql(OWN_CARD, { year });
      main.append(ownCardPanel(d.ownScorecard));
    }
    const d = await gql(APPEALS, { all: true });
    const appeals = nodes(d.appeals);
    const pending = appeals.filter((a) => a.state === 'PENDING');
    const ruled = appeals.filter((a) => a.state !== 'PENDING');
    if (role === 'COMMITTEE') {
      main.append(rulingQueue(pending));
      main.append(h('h2', { text: `${at('ruled')}（${ruled.length}）` }), ruled.length ? appealTable(ruled, 'ruled') : h('p', { class: 'muted', text: at('noAppeals') }));
      return;
    }
    if (!own) main.append(h('p', { class: 'muted', text: at('readOnly') }));
    main.append(h('h2', { text: own ? at('myAppeals') : at('appeals') }),
      appeals.length ? appealTable(appeals, 'appeal-list') : h('p', { class: 'muted', text: at('noAppeals') }));
  };

  // The appeals page joins every logged-in role's navigation.
  const navItemsBeforeAppeals = navItems;
  navItems = function () {
    const items = navItemsBeforeAppeals();
    if (state.me && state.me.role !== 'PUBLIC') items.push(['appeals', at('appeals')]);
    return items;
  };

  // Later scripts (assets/lists.js, charts.js, …) extend the pages here.
  window.taskledger = { h, t, gql, state, pages, link, route, render, fmtTime, errorBox, ApiError, lightDot, progressBar, defaultYear, cardify,
    wrapNav(fn) { const before = navItems; navItems = function () { return fn(before()); }; } };
})();
