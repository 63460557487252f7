// taskledger dashboard: the texts of the lists, charts, map and inspector
// pages (issue 19), Chinese first and English second, and the words that
// stand in for internal ids (scheme names, obligation ids, event types).
// Loaded before app.js, which merges these catalogues into its own.
'use strict';
(function () {
  const zh = {
    xCapShort: '因存在经督查认定的弄虚作假，按评分办法等次最高只能评为{grade}（得分不受影响）',
    xCapLong: '等次说明：分数按评分办法逐项扣减；若督查认定存在虚报、瞒报等弄虚作假行为，无论分数多高，等次最高只能评为评分办法规定的档次。',
    xGradeLegend: '等次按得分划定档次（优秀、良好、合格、不合格，各档分数线以当年评分办法为准）。标有说明的单位因弄虚作假被降档：同样的分数，等次可能不同。',
    xEvent: {
      AppealFiled: '提出申诉', AppealRuled: '申诉裁决', BulletinIssued: '印发通报', CommentPosted: '发表意见', CompletionClaimed: '申报完成',
      CompletionRejected: '驳回完成申报', CompletionVerified: '核验通过', DeadlineSlipped: '逾期', ExtensionGranted: '批准延期',
      ExtensionRefused: '不予延期', ExtensionRequested: '申请延期', FindingRecorded: '督查发现', IndicatorMeasured: '指标监测',
      MilestoneRescheduled: '调整时限', MilestoneScheduled: '安排里程碑', PartSignedOff: '牵头单位签收', PlanRegistered: '登记计划',
      ProgressReported: '报告进展', RectificationCompleted: '报送整改', RectificationDue: '整改到期', RectificationRejected: '整改退回',
      RectificationSlipped: '整改逾期', RectificationVerified: '整改核验通过', ReminderDelivered: '催办送达', ReminderRecorded: '催办',
      ResponsibilityAssigned: '分配责任', ResponsibilityReassigned: '转交责任', ResponsibilityWithdrawn: '撤销责任', SchemeAdopted: '采用评分办法',
      ScorecardPublished: '发布排名', TaskAmended: '修改任务', TaskExploded: '拆分任务', TaskRegistered: '登记任务', UnitMerged: '单位合并',
      UnitRegistered: '登记单位', UnitRenamed: '单位更名', UnitSplit: '单位拆分', WorkSentBack: '退回修改'
    },
    // xFlag words the audit flags as the audit-trail exports do (export/audit.go).
    xFlag: { backdated: '补录', late: '逾期', reversed: '被否决', superseded: '被取代', simulated: '模拟', hash_mismatch: '哈希不符' },
    xTaskN: '第{n}项任务', xPartN: '第{n}部分', xStreamOther: '计划与单位', xSystem: '系统',
    // lists (台账筛选)
    xFilters: '筛选', xSearch: '搜索（任务、单位、说明）', xAllPlans: '全部计划', xAllRoles: '全部分工', xAllStatus: '全部状态',
    xAllLights: '全部信号灯', xDueFrom: '下一期限起', xDueTo: '下一期限止', xSort: '排序', xClear: '清除筛选',
    xSortDue: '按下一期限', xSortProgress: '按进度', xSortTask: '按任务编号', xSortUnit: '按单位', xSortLight: '按信号灯',
    xAsc: '升序', xDesc: '降序', xPerPage: '每页', xPrev: '上一页', xNext: '下一页', xPageOf: '第 {p} / {n} 页',
    xShown: '符合条件 {n} 项', xNoMatch: '没有符合条件的义务。', xShare: '本页网址包含筛选条件，可直接分享。',
    xPageNav: '翻页', xOverdue: '逾期', xCountsTitle: '按信号灯查看', xLinkToList: '查看清单',
    // trends (趋势与地图)
    xTrends: '趋势与地图', xTrendsTitle: '进度、延误与排名趋势', xProgressChart: '平均完成进度（按月末）', xSlipsChart: '累计延误次数（按月末）',
    xRankChart: '旗县区排名变化（按月末）', xMapChart: '旗县区得分示意图', xAvgProgress: '平均进度（%）', xRedLights: '红灯数',
    xBureauSlips: '市直部门', xCountySlips: '旗县区', xMonth: '月', xRankAxis: '名次', xScore: '得分',
    xMapNote: '示意图：每个方块代表一个旗县区，大致按地理位置排列（未使用真实边界），颜色越深得分越高。',
    xChartTable: '图表数据', xNoData: '暂无数据',
    // inspector (审计)
    xPickTask: '选择任务查看审计轨迹', xPickFilter: '按编号或名称筛选任务', xRecent: '近期活动时间线', xRecentOf: '最近更新的任务',
    xOpenTrail: '查看审计轨迹', xRedN: '红灯 {n}', xDutiesN: '{n} 个责任单位', xLastUpdate: '最近进展'
  };
  const en = {
    xCapShort: 'A confirmed false report limits the grade to {grade} under the scheme (the score is unchanged)',
    xCapLong: 'Grades: points are deducted line by line under the scheme; when inspectors confirm a false report, the grade is at most the one the scheme sets, however high the score.',
    xGradeLegend: 'Grades follow the score bands of the year\'s scheme (excellent, good, pass, fail). A unit with a note was capped for a false report: the same score can carry a different grade.',
    xEvent: {
      AppealFiled: 'Appeal filed', AppealRuled: 'Appeal ruled', BulletinIssued: 'Bulletin issued', CommentPosted: 'Comment', CompletionClaimed: 'Completion claimed',
      CompletionRejected: 'Claim rejected', CompletionVerified: 'Completion verified', DeadlineSlipped: 'Deadline slipped', ExtensionGranted: 'Extension granted',
      ExtensionRefused: 'Extension refused', ExtensionRequested: 'Extension requested', FindingRecorded: 'Finding', IndicatorMeasured: 'Indicator measured',
      MilestoneRescheduled: 'Milestone rescheduled', MilestoneScheduled: 'Milestone scheduled', PartSignedOff: 'Part signed off', PlanRegistered: 'Plan registered',
      ProgressReported: 'Progress reported', RectificationCompleted: 'Rectification reported', RectificationDue: 'Rectification due', RectificationRejected: 'Rectification sent back',
      RectificationSlipped: 'Rectification overdue', RectificationVerified: 'Rectification verified', ReminderDelivered: 'Reminder delivered', ReminderRecorded: 'Reminder',
      ResponsibilityAssigned: 'Duty assigned', ResponsibilityReassigned: 'Duty reassigned', ResponsibilityWithdrawn: 'Duty withdrawn', SchemeAdopted: 'Scheme adopted',
      ScorecardPublished: 'Ranking published', TaskAmended: 'Task amended', TaskExploded: 'Task split', TaskRegistered: 'Task registered', UnitMerged: 'Units merged',
      UnitRegistered: 'Unit registered', UnitRenamed: 'Unit renamed', UnitSplit: 'Unit split', WorkSentBack: 'Sent back'
    },
    xFlag: { backdated: 'backdated', late: 'late', reversed: 'reversed', superseded: 'superseded', simulated: 'simulated', hash_mismatch: 'hash mismatch' },
    xTaskN: 'Task {n}', xPartN: 'part {n}', xStreamOther: 'Plan and units', xSystem: 'System',
    xFilters: 'Filters', xSearch: 'Search (task, unit, note)', xAllPlans: 'All plans', xAllRoles: 'All duties', xAllStatus: 'All statuses',
    xAllLights: 'All lights', xDueFrom: 'Next due from', xDueTo: 'Next due to', xSort: 'Sort', xClear: 'Clear filters',
    xSortDue: 'By next due date', xSortProgress: 'By progress', xSortTask: 'By task number', xSortUnit: 'By unit', xSortLight: 'By light',
    xAsc: 'Ascending', xDesc: 'Descending', xPerPage: 'Per page', xPrev: 'Previous', xNext: 'Next', xPageOf: 'Page {p} of {n}',
    xShown: '{n} match', xNoMatch: 'No obligation matches.', xShare: 'The address holds the filters: share it to share this view.',
    xPageNav: 'Pages', xOverdue: 'Overdue', xCountsTitle: 'By light', xLinkToList: 'See the list',
    xTrends: 'Trends and map', xTrendsTitle: 'Progress, slips and rank over time', xProgressChart: 'Average progress (month ends)', xSlipsChart: 'Slips so far (month ends)',
    xRankChart: 'County ranks (month ends)', xMapChart: 'County scores (schematic)', xAvgProgress: 'Average progress (%)', xRedLights: 'Red lights',
    xBureauSlips: 'Bureaus', xCountySlips: 'Counties', xMonth: 'Month', xRankAxis: 'Rank', xScore: 'Score',
    xMapNote: 'Schematic: one tile per county in its rough position (not real borders); darker means a higher score.',
    xChartTable: 'Chart data', xNoData: 'No data yet',
    xPickTask: 'Choose a task to see its audit trail', xPickFilter: 'Filter tasks by number or title', xRecent: 'Recent activity', xRecentOf: 'Tasks updated most recently',
    xOpenTrail: 'Audit trail', xRedN: '{n} red', xDutiesN: '{n} units', xLastUpdate: 'Latest progress'
  };

  // fill replaces {name} in a text.
  function fill(text, vars) { return String(text).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m)); }

  window.taskledgerUI = {
    fill,
    // merge adds these texts to app.js's catalogues.
    merge(catalogue) { Object.assign(catalogue.zh, zh); Object.assign(catalogue.en, en); },
    // lang is the language to show: the one chosen with the switch, else
    // the browser's first Chinese or English preference
    // (Accept-Language), else Chinese.
    lang(stored) {
      if (stored === 'en' || stored === 'zh') return stored;
      for (const l of navigator.languages || [navigator.language || '']) {
        if (/^zh\b/i.test(l)) return 'zh';
        if (/^en\b/i.test(l)) return 'en';
      }
      return 'zh';
    },
    // schemeText names a scoring scheme without its internal name.
    schemeText(name, version, lang) {
      if (lang === 'en') return name === 'default' ? `the standard scheme, version ${version}` : `“${name}”, version ${version}`;
      return name === 'default' ? `标准评分办法（第${version}版）` : `“${name}”第${version}版`;
    },
    // units maps unit ids to names once a page has read them (inspector.js).
    units: new Map(),
    // unitName names a unit id, or says 单位 when it is not known yet.
    unitName(id, t) { return this.units.get(id) || t('unit'); },
    // summaryText is an event's one-line summary without milestone or unit
    // ids (the server names a milestone by id only when it does not know
    // its wording).
    summaryText(text) {
      return String(text || '').replace(/\s*ms-[0-9a-z]+\s*/g, '').replace(/\b(?:bureau|county|city)\.[a-z][a-z0-9-]*/g, (id) => this.units.get(id) || '');
    },
    // streamText says whose history an event stream is, in words.
    streamText(stream, t) {
      let m = /^task-(.+)-(\d+)$/.exec(stream);
      if (m) return fill(t('xTaskN'), { n: m[2] });
      m = /^obligation-(.+)-(\d+)-((?:bureau|county|city)\.[a-z0-9-]+?)-(lead|joint|support|implementing)(?:-part(\d+))?$/.exec(stream);
      if (m) return `${fill(t('xTaskN'), { n: m[2] })} · ${this.unitName(m[3], t)} · ${t('duty.' + m[4].toUpperCase())}`;
      m = /^unit-((?:bureau|county|city)\.[a-z0-9-]+)$/.exec(stream);
      if (m) return this.unitName(m[1], t);
      return t('xStreamOther');
    },
    // actorText names who recorded an event: a unit by its name, an office by its role.
    actorText(actor, t) {
      const who = String(actor || '').replace(/^[a-z]+:/, '').replace(/#.*$/, '');
      if (/^(?:bureau|county|city)\./.test(who)) return this.unitName(who, t);
      const roles = { office: 'COORDINATOR', coordinator: 'COORDINATOR', inspector: 'INSPECTOR', committee: 'COMMITTEE' };
      if (/[^\x00-\x7f]/.test(who)) return who; // a person's or an office's name
      for (const [k, role] of Object.entries(roles)) if (who.includes(k)) return t('roles.' + role);
      return t('xSystem');
    },
    // obligationText reads plan/task/unit/ROLE[/part<n>] as words: 第10项任务 · 配合.
    obligationText(id, t) {
      const p = String(id).split('/');
      if (p.length < 4) return '';
      let out = fill(t('xTaskN'), { n: p[1] }) + ' · ' + t('duty.' + p[3]);
      const part = /^part(\d+)$/.exec(p[4] || '');
      if (part) out += ' · ' + fill(t('xPartN'), { n: part[1] });
      return out;
    }
  };
})();
